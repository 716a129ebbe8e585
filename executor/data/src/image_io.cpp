#include "trainplan/executor/data/image_io.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "trainplan/error.hpp"

// The whole of stb is compiled here, with static linkage (see the header). These headers
// come from libstb-dev in /usr/include/stb, a system directory, so their own warnings are
// not ours to fix.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_HDR  // HDR/PIC/PNM are never training images; less code to trust
#define STBI_NO_PIC
#define STBI_NO_PNM
#include <stb_image.h>

// stb_image_write's own deflate is slow (its lowest level is 5, and noisy synthetic
// backgrounds barely compress); zlib at level 1 is about twice as fast. stb frees the result
// with free(), so it is allocated with malloc().
static unsigned char* zlib_compress(unsigned char* data, int length, int* out_length, int) {
  uLongf size = compressBound(static_cast<uLong>(length));
  auto* out = static_cast<unsigned char*>(std::malloc(size));
  if (out == nullptr) return nullptr;
  if (compress2(out, &size, data, static_cast<uLong>(length), 1) != Z_OK) {
    std::free(out);
    return nullptr;
  }
  *out_length = static_cast<int>(size);
  return out;
}
#define STBIW_ZLIB_COMPRESS zlib_compress
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

namespace trainplan::executor::data {

namespace {

// stb reports "can't fopen" for any unreadable file; say which problem it is instead.
void require_readable(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int error = errno;
    if (error == ENOENT) throw InputError(fmt::format("{}: image file does not exist", path));
    throw InputError(fmt::format("{}: cannot open image file: {}", path, std::strerror(error)));
  }
  std::fclose(f);
}

// stb_image_write streams its output through a callback; collect it into a string.
void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                             static_cast<size_t>(size));
}

void check_encodable(const Image& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgb.size() != static_cast<size_t>(image.width) * image.height * 3) {
    throw RunError(fmt::format("cannot encode a {}x{} image holding {} bytes", image.width,
                               image.height, image.rgb.size()));
  }
}

}  // namespace

Image decode_image(const std::string& path) {
  require_readable(path);
  int width = 0, height = 0, channels = 0;
  // Asking for 3 channels makes stb convert grey, grey+alpha and RGBA to RGB for us.
  stbi_uc* pixels = stbi_load(path.c_str(), &width, &height, &channels, 3);
  if (pixels == nullptr) {
    throw InputError(fmt::format("{}: cannot decode image ({}); PNG, JPEG and BMP are accepted",
                                 path, stbi_failure_reason()));
  }
  Image image;
  image.width = width;
  image.height = height;
  image.rgb.assign(pixels, pixels + static_cast<size_t>(width) * height * 3);
  stbi_image_free(pixels);
  return image;
}

ImageSize probe_image(const std::string& path) {
  require_readable(path);
  int width = 0, height = 0, channels = 0;
  if (!stbi_info(path.c_str(), &width, &height, &channels)) {
    throw InputError(fmt::format("{}: cannot decode image ({}); PNG, JPEG and BMP are accepted",
                                 path, stbi_failure_reason()));
  }
  return {width, height};
}

std::string encode_png(const Image& image) {
  check_encodable(image);
  std::string bytes;
  if (!stbi_write_png_to_func(append_bytes, &bytes, image.width, image.height, 3, image.rgb.data(),
                              image.width * 3)) {
    throw RunError(fmt::format("PNG encoding of a {}x{} image failed", image.width, image.height));
  }
  return bytes;
}

std::string encode_jpeg(const Image& image, int quality) {
  check_encodable(image);
  std::string bytes;
  if (!stbi_write_jpg_to_func(append_bytes, &bytes, image.width, image.height, 3, image.rgb.data(),
                              quality)) {
    throw RunError(fmt::format("JPEG encoding of a {}x{} image failed", image.width, image.height));
  }
  return bytes;
}

void write_binary_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw RunError(fmt::format("{}: cannot write file", path));
}

}  // namespace trainplan::executor::data
