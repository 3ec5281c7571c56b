#include "advgrad/core/device.h"

#include "advgrad/core/error.h"

namespace advgrad {

Device Device::parse(const std::string& text) {
  if (text == "cpu") return cpu();
  if (text == "cuda") return cuda(0);
  if (text.rfind("cuda:", 0) == 0) {
    const std::string digits = text.substr(5);
    ADVGRAD_CHECK(!digits.empty() && digits.size() < 4 &&
                      digits.find_first_not_of("0123456789") == std::string::npos,
                  "Device: cannot parse '", text, "' (expected cpu, cuda or cuda:N)");
    return cuda(std::stoi(digits));
  }
  detail::fail("Device: cannot parse '", text, "' (expected cpu, cuda or cuda:N)");
}

std::string Device::str() const { return is_cpu() ? "cpu" : "cuda:" + std::to_string(index); }

}  // namespace advgrad
