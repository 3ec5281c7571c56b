#pragma once
// PNG files assembled by hand from the spec (signature, IHDR, one IDAT, IEND),
// so that decoders are checked against files our encoder never writes:
// palette, 16-bit, grey+alpha.
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

namespace advgrad::testing {

inline std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

inline std::string png_chunk(const std::string& type, const std::string& data) {
  const std::string body = type + data;
  const auto crc = static_cast<std::uint32_t>(
      ::crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  return be32(static_cast<std::uint32_t>(data.size())) + body + be32(crc);
}

// `samples` holds the bytes of each row (bytes_per_row of them; for 16-bit
// samples two bytes each, big-endian), without the filter byte. Extra chunks
// (PLTE, tRNS) go between IHDR and IDAT.
inline std::string handmade_png(int w, int h, int color_type, int bytes_per_row,
                                const std::vector<std::uint8_t>& samples, int bit_depth = 8,
                                const std::string& extra_chunks = "") {
  std::string raw;  // each row: filter byte 0 (none), then the samples
  for (int y = 0; y < h; ++y) {
    raw += '\0';
    raw.append(reinterpret_cast<const char*>(&samples[static_cast<std::size_t>(y) * bytes_per_row]),
               static_cast<std::size_t>(bytes_per_row));
  }
  uLongf n = compressBound(raw.size());
  std::string z(n, '\0');
  if (compress(reinterpret_cast<Bytef*>(z.data()), &n, reinterpret_cast<const Bytef*>(raw.data()), raw.size()) != Z_OK)
    return {};
  z.resize(n);
  const std::string ihdr =
      be32(w) + be32(h) + std::string{static_cast<char>(bit_depth), static_cast<char>(color_type), 0, 0, 0};
  return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", ihdr) + extra_chunks + png_chunk("IDAT", z) +
         png_chunk("IEND", "");
}

}  // namespace advgrad::testing
