// Links the installed advgrad::workshop (figures, which bring libpng): a PNG
// encoded and decoded back.
#include <advgrad/advgrad.h>
#include <advgrad/report/png_image.h>

#include <cstdio>

int main() {
  using namespace advgrad;
  const report::Image image(3, 2, {255, 0, 0});
  if (report::decode_png(report::encode_png(image), "consumer").rgb() != image.rgb()) {
    std::printf("consumer_workshop: PNG round trip failed\n");
    return 1;
  }
  std::printf("consumer_workshop: advgrad::workshop linked, PNG round trip ok\n");
  return 0;
}
