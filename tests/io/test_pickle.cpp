// The restricted unpickler: values built from pickles written byte by byte
// (tests/io/pickle_writer.h), and hostile pickles each refused with a clear
// advgrad::Error, never a crash.
#include "advgrad/io/pickle.h"

#include <gtest/gtest.h>

#include "expect_error.h"
#include "io/pickle_writer.h"

namespace advgrad::io {
namespace {

using testing::expect_error;
using testing::PickleWriter;
using K = PickleValue::Kind;
using W = PickleWriter;

const std::set<std::string> kAllowed{"collections.OrderedDict", "torch._utils._rebuild_tensor_v2"};

PickleRef load(const PickleWriter& w) { return unpickle(w.bytes(), 0, kAllowed, "test.pkl").value; }

TEST(Pickle, ReadsScalarsStringsAndBytes) {
  PickleWriter w;
  w.proto(2).op(W::kMark).integer(7).integer(300).integer(-5).integer(1ll << 40).long1(std::string("\xff", 1));
  w.long1("").binfloat(-0.375).unicode("héllo").short_unicode("ab").short_bytes(std::string("\0\1", 2));
  w.op(W::kNone).op(W::kNewTrue).op(W::kNewFalse).op(W::kTuple).op(W::kStop);
  const PickleRef v = load(w);
  ASSERT_TRUE(v->is(K::Tuple));
  const auto& x = v->items;
  ASSERT_EQ(x.size(), 13u);
  EXPECT_EQ(x[0]->integer, 7);
  EXPECT_EQ(x[1]->integer, 300);
  EXPECT_EQ(x[2]->integer, -5);
  EXPECT_EQ(x[3]->integer, 1ll << 40);
  EXPECT_EQ(x[4]->integer, -1) << "LONG1 is two's complement";
  EXPECT_EQ(x[5]->integer, 0);
  EXPECT_EQ(x[6]->real, -0.375);
  EXPECT_EQ(x[7]->text, "héllo");
  EXPECT_EQ(x[8]->text, "ab");
  EXPECT_TRUE(x[9]->is(K::Bytes));
  EXPECT_EQ(x[9]->text, std::string("\0\1", 2));
  EXPECT_TRUE(x[10]->is(K::None));
  EXPECT_EQ(x[11]->integer, 1);
  EXPECT_EQ(x[12]->integer, 0);
  EXPECT_EQ(v->depth, 1);
}

TEST(Pickle, WideLong1IsKeptAsBytes) {
  const std::string magic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);  // torch's legacy magic number
  const PickleRef v = load(PickleWriter().proto(2).long1(magic).op(W::kStop));
  ASSERT_TRUE(v->is(K::BigInt));
  EXPECT_EQ(v->text, magic);
}

TEST(Pickle, DictsListsMemoAndOrderedDict) {
  PickleWriter w;
  w.proto(2).global("collections", "OrderedDict").put(0).op(W::kEmptyTuple).op(W::kReduce).put(1);
  w.op(W::kMark).unicode("a").op(W::kEmptyList).put(2).op(W::kMark).integer(1).integer(2).op(W::kAppends);
  w.integer(3).op(W::kAppend).unicode("b").get(2).op(W::kSetItems);
  w.op(W::kEmptyDict).unicode("_metadata").op(W::kEmptyDict).op(W::kSetItem).op(W::kBuild).op(W::kStop);
  const PickleRef d = load(w);
  ASSERT_TRUE(d->is(K::Dict));
  ASSERT_EQ(d->entries.size(), 2u);
  EXPECT_EQ(d->entries[0].first->text, "a");
  EXPECT_EQ(d->entries[0].second->items.size(), 3u);
  EXPECT_EQ(d->entries[1].second, d->entries[0].second) << "BINGET returns the memoised object itself";
  ASSERT_TRUE(d->state);
  EXPECT_EQ(d->state->entries[0].first->text, "_metadata");
}

TEST(Pickle, ReduceIsRecordedNotRunAndPersistentIdsAreKept) {
  PickleWriter w;
  w.proto(2).global("torch._utils", "_rebuild_tensor_v2").unicode("storage").op(W::kTuple1);
  w.op(W::kBinPersId).integer(0).op(W::kTuple2).op(W::kReduce).op(W::kStop);
  const PickleRef call = load(w);
  ASSERT_TRUE(call->is(K::Call));
  EXPECT_TRUE(call->items[0]->is_global("torch._utils._rebuild_tensor_v2"));
  const auto& args = call->items[1]->items;
  ASSERT_EQ(args.size(), 2u);
  EXPECT_TRUE(args[0]->is(K::PersistentId));
  EXPECT_EQ(args[0]->items[0]->items[0]->text, "storage");
}

TEST(Pickle, Protocol4FramesMemoizeAndStackGlobal) {
  PickleWriter w;
  w.proto(4).frame(30).short_unicode("collections").op(W::kMemoize).short_unicode("OrderedDict").op(W::kMemoize);
  w.op(W::kStackGlobal).op(W::kEmptyTuple).op(W::kReduce).get(0).op(W::kTuple2).op(W::kStop);
  const PickleRef v = load(w);
  ASSERT_TRUE(v->is(K::Tuple));
  EXPECT_TRUE(v->items[0]->is(K::Dict));
  EXPECT_EQ(v->items[1]->text, "collections");
}

TEST(Pickle, ReportsWhereThePickleEnds) {
  const std::string two = PickleWriter().proto(2).integer(1).op(W::kStop).integer(2).op(W::kStop).bytes();
  const Unpickled first = unpickle(two, 0, {}, "two");
  EXPECT_EQ(first.end, 5u);
  EXPECT_EQ(unpickle(two, first.end, {}, "two").value->integer, 2);
}

void expect_refused(const PickleWriter& w, std::initializer_list<const char*> pieces,
                    std::source_location where = std::source_location::current()) {
  expect_error([&] { unpickle(w.bytes(), 0, kAllowed, "bad.pkl"); }, pieces, where);
  expect_error([&] { unpickle(w.bytes(), 0, kAllowed, "bad.pkl"); }, {"bad.pkl"}, where);
}

TEST(Pickle, RefusesGlobalsItWasNotGiven) {
  PickleWriter sys;
  sys.proto(2).global("os", "system").unicode("echo owned").op(W::kTuple1).op(W::kReduce).op(W::kStop);
  expect_refused(sys, {"global 'os.system' is not allowed"});
  PickleWriter eval;
  eval.proto(4).short_unicode("builtins").short_unicode("eval").op(W::kStackGlobal).op(W::kStop);
  expect_refused(eval, {"global 'builtins.eval' is not allowed"});
}

TEST(Pickle, RefusesOpcodesOutsideItsSubset) {
  expect_refused(PickleWriter().proto(2).op('\xff'), {"unknown opcode 0xff", "at byte 2"});
  expect_refused(PickleWriter().proto(2).raw("ios\nsystem\n"), {"opcode INST ('i', 0x69) is not allowed"});
  expect_refused(PickleWriter().proto(2).op(W::kNone).op('\x81'), {"opcode NEWOBJ (0x81) is not allowed"});
  expect_refused(PickleWriter().proto(2).raw("I12\n"), {"opcode INT"});
  expect_refused(PickleWriter().proto(9), {"protocol 9 is newer than 5"});
}

TEST(Pickle, RefusesBrokenStacksMarksAndMemo) {
  expect_refused(PickleWriter().proto(2).op(W::kStop), {"stack underflow"});
  expect_refused(PickleWriter().proto(2).op(W::kTuple2).op(W::kStop), {"stack underflow"});
  expect_refused(PickleWriter().proto(2).integer(1).op(W::kTuple).op(W::kStop), {"without a MARK"});
  expect_refused(PickleWriter().proto(2).integer(1).op(W::kMark).op(W::kTuple1), {"stack underflow"});
  expect_refused(PickleWriter().proto(2).get(7).op(W::kStop), {"memo index 7 was never stored"});
  expect_refused(PickleWriter().proto(2).op(W::kEmptyDict).op(W::kMark).integer(1).op(W::kSetItems), {"odd number"});
  expect_refused(PickleWriter().proto(2).integer(1).integer(2).op(W::kAppend), {"APPEND on int 1"});
  expect_refused(PickleWriter().proto(2).integer(1).op(W::kEmptyTuple).op(W::kReduce), {"REDUCE of int 1"});
  expect_refused(PickleWriter().proto(2).integer(1).op(W::kEmptyDict).op(W::kBuild), {"BUILD on int 1"});
}

TEST(Pickle, RefusesCyclesAndMutationOfPlacedValues) {
  // d = {}; d["self"] = d  — a value inside itself.
  expect_refused(PickleWriter().proto(2).op(W::kEmptyDict).put(0).unicode("self").get(0).op(W::kSetItem),
                 {"placed inside itself"});
  // l = []; t = (l,); l.append(t) — l is inside t, so it may no longer change.
  expect_refused(PickleWriter().proto(2).op(W::kEmptyList).put(0).op(W::kTuple1).put(1).get(0).get(1).op(W::kAppend),
                 {"already inside another value"});
}

TEST(Pickle, BoundsNestingDepth) {
  PickleWriter w;
  w.proto(2).op(W::kEmptyList);
  for (int i = 0; i < kMaxPickleDepth; ++i) w.op(W::kTuple1);
  w.op(W::kStop);
  ASSERT_EQ(load(w)->depth, kMaxPickleDepth);
  w = PickleWriter();
  w.proto(2).op(W::kEmptyList);
  for (int i = 0; i <= kMaxPickleDepth; ++i) w.op(W::kTuple1);
  expect_refused(w, {"nested deeper than 100"});
}

TEST(Pickle, BoundsTheNumberOfValues) {
  PickleWriter w;
  w.proto(2).op(W::kMark);
  for (std::size_t i = 0; i <= kMaxPickleValues; ++i) w.op(W::kNone);
  expect_refused(w, {"more than 1048576 values"});
}

TEST(Pickle, RefusesLyingLengthsBeforeAllocating) {
  expect_refused(PickleWriter().proto(2).op('X').le(0xffffffff, 4).raw("abc"), {"truncated", "BINUNICODE"});
  expect_refused(PickleWriter().proto(4).op('\x8d').le(~0ull, 8), {"truncated"});
  expect_refused(PickleWriter().proto(4).frame(1000).op(W::kNone), {"FRAME runs past the end"});
  expect_refused(PickleWriter().proto(2).raw(std::string("c") + std::string(300, 'x')), {"unterminated or too long"});
}

TEST(Pickle, EveryTruncationIsAnError) {
  PickleWriter w;
  w.proto(2).global("collections", "OrderedDict").put(0).op(W::kEmptyTuple).op(W::kReduce).op(W::kMark);
  w.unicode("k").integer(70000).binfloat(1.5).op(W::kTuple2).op(W::kSetItems).op(W::kStop);
  ASSERT_NO_THROW(load(w));
  for (std::size_t n = 0; n < w.bytes().size(); ++n) {
    SCOPED_TRACE(n);
    EXPECT_THROW(unpickle(w.bytes().substr(0, n), 0, kAllowed, "cut.pkl"), Error);
  }
}

}  // namespace
}  // namespace advgrad::io
