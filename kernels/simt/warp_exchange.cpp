// The results of a complete warp primitive, computed by the scheduler once
// every lane of the group has deposited its value: a lane that has already
// moved on to its next primitive cannot overwrite what the others read.
#include "advgrad/kernels/simt/block_scheduler.h"

namespace simt::detail {

namespace {

// What a lane reads from a lane that does not take part (CUDA leaves it
// undefined): a NaN both as float (low half) and as double, so a result that
// depends on it shows up in a comparison instead of looking plausible.
constexpr std::uint64_t poison = 0x7ff8dead7fc0deadull;

// The lane a shuffle reads from, following PTX shfl: lanes are split into
// segments of `width`; reads that would leave the segment return the lane's own
// value (up, down) or wrap inside it (idx).
unsigned source_lane(WaitKind kind, unsigned lane, int arg, unsigned width) {
  const unsigned segment = lane & ~(width - 1);
  const unsigned within = lane & (width - 1);
  const auto a = static_cast<unsigned>(arg);
  switch (kind) {
    case WaitKind::ShflIdx:
      return segment + (a & (width - 1));
    case WaitKind::ShflUp:
      return within >= a ? lane - a : lane;
    case WaitKind::ShflDown:
      return within + a < width ? lane + a : lane;
    case WaitKind::ShflXor: {
      const unsigned src = lane ^ (a & 31u);
      return src < segment + width ? src : lane;
    }
    default:
      return lane;
  }
}

}  // namespace

std::uint64_t warp_result(unsigned lane, unsigned group, const std::array<const WaitPoint*, 32>& points) {
  const WaitPoint& own = *points[lane];
  switch (own.kind) {
    case WaitKind::SyncThreads:
    case WaitKind::SyncWarp:
      return 0;
    case WaitKind::Ballot:
    case WaitKind::Any:
    case WaitKind::All: {
      unsigned votes = 0;
      for (unsigned l = 0; l < 32; ++l) {
        if ((group & (1u << l)) != 0 && points[l]->value != 0) votes |= 1u << l;
      }
      if (own.kind == WaitKind::Ballot) return votes;
      return own.kind == WaitKind::Any ? votes != 0 : votes == group;
    }
    case WaitKind::ShflIdx:
    case WaitKind::ShflUp:
    case WaitKind::ShflDown:
    case WaitKind::ShflXor: {
      const unsigned src = source_lane(own.kind, lane, own.lane_arg, static_cast<unsigned>(own.width));
      return (group & (1u << src)) != 0 ? points[src]->value : poison;
    }
  }
  return poison;
}

}  // namespace simt::detail
