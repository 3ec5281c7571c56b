#include "advgrad/core/storage.h"

#include "advgrad/core/backend/backend.h"

namespace advgrad {

std::shared_ptr<Storage> Storage::allocate(std::size_t nbytes, Device device) {
  void* p = backend_for(device).allocate(nbytes, device);
  return std::shared_ptr<Storage>(new Storage(p, nbytes, device));
}

Storage::~Storage() {
  // Deallocation never throws: a backend that has gone away simply leaks.
  try {
    backend_for(device_).deallocate(data_, nbytes_, device_);
  } catch (...) {
  }
}

}  // namespace advgrad
