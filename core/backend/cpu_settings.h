#pragma once
// What a user may choose about the CPU kernels: the reference loops instead of
// the fast kernels (per thread), and the number of threads. The dispatch table
// that honours these is backend.h.
namespace advgrad {

// While alive, CPU ops on this thread run the reference kernels
// (kernels/reference/: plain loops, the oracle every fast kernel is tested
// against). Nests; the previous choice is restored on destruction.
class ReferenceKernelsGuard {
 public:
  explicit ReferenceKernelsGuard(bool enabled = true);
  ~ReferenceKernelsGuard();
  ReferenceKernelsGuard(const ReferenceKernelsGuard&) = delete;
  ReferenceKernelsGuard& operator=(const ReferenceKernelsGuard&) = delete;

 private:
  bool prev_;
};
bool reference_kernels_enabled();

// Thread count of the CPU kernels (also ADVGRAD_NUM_THREADS).
void set_num_threads(int n);
int get_num_threads();

}  // namespace advgrad
