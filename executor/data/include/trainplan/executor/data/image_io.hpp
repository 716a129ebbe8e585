#pragma once
// Image files in and out of the data pipeline: decoding (PNG, JPEG, BMP, ... through
// stb_image) to 8-bit RGB, and PNG/JPEG encoding for the synthetic-dataset writer and tests.
// stb lives only in image_io.cpp, compiled with static linkage, so it can never clash with
// another copy of stb linked into the same program; PNG output is deflated by zlib.
#include <cstdint>
#include <string>
#include <vector>

namespace trainplan::executor::data {

/// An 8-bit RGB image in row-major HWC order: pixel (x, y) channel c is at
/// `rgb[(y * width + x) * 3 + c]`.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
};

/// Width and height read from an image file's header, without decoding the pixels.
struct ImageSize {
  int width = 0;
  int height = 0;
};

/// Decodes an image file to RGB (grey and RGBA are converted; 16-bit is reduced to 8).
/// Throws InputError naming `path` and the decoder's reason when the file is missing or
/// cannot be decoded.
Image decode_image(const std::string& path);

/// Reads only the header of an image file. Throws InputError like decode_image when the
/// file is missing or not an image format stb knows.
ImageSize probe_image(const std::string& path);

/// Encodes an image as PNG bytes. Throws RunError if the encoder fails.
std::string encode_png(const Image& image);

/// Encodes an image as baseline JPEG bytes with quality 1..100. Throws RunError on failure.
std::string encode_jpeg(const Image& image, int quality = 90);

/// Writes bytes to a file (not atomically: used for the many image files of a dataset, where
/// an fsync per file would dominate). Throws RunError naming the path on failure.
void write_binary_file(const std::string& path, const std::string& bytes);

}  // namespace trainplan::executor::data
