// Links the installed advgrad::imageio (libpng, libjpeg): a grey PNG encoded,
// told apart from other data by its magic bytes, decoded to RGB and made a
// [3, H, W] tensor in [0, 1].
#include <advgrad/advgrad.h>
#include <advgrad/imageio/image_file.h>
#include <advgrad/imageio/png_codec.h>

#include <cstdio>

int main() {
  using namespace advgrad;
  const imageio::Image grey{3, 2, 1, {0, 51, 102, 153, 204, 255}};
  const imageio::Image rgb = imageio::decode_image(imageio::encode_png(grey), "consumer.png");
  const Tensor t = imageio::to_tensor(rgb);
  if (rgb.channels != 3 || t.shape() != Shape{3, 2, 3} || t.to_double_vector()[5] != 1.0) {
    std::printf("consumer_imageio: decoded image or tensor is wrong\n");
    return 1;
  }
  std::printf("consumer_imageio: advgrad::imageio linked, PNG decoded to %s\n", t.str().c_str());
  return 0;
}
