#pragma once
// ProfilingBackend: an opt-in per-op timer for the CPU. With ADVGRAD_PROFILE=1
// in the environment, backend_for() hands the fast CPU backend out wrapped in
// this class, which times every call (wall clock, steady_clock) under a label
// such as "conv2d_backward_weight 32->64 14x14 k3" or "binary mul", forwards
// it unchanged, and prints one table to stderr when the process exits: per
// label the calls, total ms, ms per call and share of the profiled time.
//
// "profiled wall" is the time from the first timed call to the table; what is
// not inside any backend call (autograd bookkeeping, op dispatch and shape
// checks, the caller's own work) is the row "outside backend calls". Every
// call's time includes its share of thread-pool hand-offs; allocation and free
// are rows of their own. Off (the default), backend_for() reads one static
// flag and returns the plain backend: nothing else changes.
#include "advgrad/core/backend/backend.h"

namespace advgrad {

// True when ADVGRAD_PROFILE is set to anything but "" or "0" (read once).
bool cpu_profiling_enabled();
// The profiling wrapper around cpu_fast_backend() (created on first use, never destroyed).
Backend& cpu_profiling_backend();

}  // namespace advgrad
