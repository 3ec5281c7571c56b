#pragma once
// Python pickle opcodes: the byte values and names of CPython's
// Lib/pickletools.py (protocols 0-5). Only the ones io/pickle.cpp performs get
// a constant; opcode_name() knows them all, so a refused opcode is named.
#include <string>

namespace advgrad::io {

inline constexpr unsigned char kMark = '(', kStop = '.', kNone = 'N', kBinInt = 'J', kBinInt1 = 'K', kBinInt2 = 'M',
                               kBinFloat = 'G', kBinString = 'T', kShortBinString = 'U', kBinUnicode = 'X',
                               kBinBytes = 'B', kShortBinBytes = 'C', kEmptyTuple = ')', kTuple = 't', kEmptyList = ']',
                               kAppend = 'a', kAppends = 'e', kEmptyDict = '}', kSetItem = 's', kSetItems = 'u',
                               kBinPut = 'q', kLongBinPut = 'r', kBinGet = 'h', kLongBinGet = 'j', kGlobal = 'c',
                               kReduce = 'R', kBuild = 'b', kBinPersId = 'Q';
inline constexpr unsigned char kProto = 0x80, kTuple1 = 0x85, kTuple2 = 0x86, kTuple3 = 0x87, kNewTrue = 0x88,
                               kNewFalse = 0x89, kLong1 = 0x8a, kShortBinUnicode = 0x8c, kBinUnicode8 = 0x8d,
                               kBinBytes8 = 0x8e, kStackGlobal = 0x93, kMemoize = 0x94, kFrame = 0x95;

// The pickletools name of a standard opcode ("REDUCE", "INST"), or nullptr.
const char* opcode_name(unsigned char op);

// "REDUCE ('R', 0x52)" or "0xff" for a byte that is no opcode.
std::string describe_opcode(unsigned char op);

}  // namespace advgrad::io
