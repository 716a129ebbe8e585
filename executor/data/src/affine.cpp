#include "trainplan/executor/data/affine.hpp"

#include <algorithm>
#include <cmath>

#include "random.hpp"

namespace trainplan::executor::data {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr float kPadValue = 114.0f / 255.0f;
// YOLOv8's box_candidates thresholds.
constexpr float kMinSidePx = 2.0f;
constexpr float kMinAreaRatio = 0.1f;
constexpr float kMaxAspectRatio = 100.0f;

double radians(double degrees) { return degrees * kPi / 180.0; }

}  // namespace

AffineParams draw_affine(const AffineOptions& o, int out_size, uint64_t seed) {
  detail::Rng rng(seed);
  AffineParams p;
  p.angle_degrees = rng.uniform(-o.degrees, o.degrees);
  p.scale = rng.uniform(1.0 - o.scale, 1.0 + o.scale);
  p.shear_x_degrees = rng.uniform(-o.shear, o.shear);
  p.shear_y_degrees = rng.uniform(-o.shear, o.shear);
  p.centre_x = rng.uniform(0.5 - o.translate, 0.5 + o.translate) * out_size;
  p.centre_y = rng.uniform(0.5 - o.translate, 0.5 + o.translate) * out_size;
  return p;
}

AffineParams identity_affine(int out_size) {
  AffineParams p;
  p.centre_x = p.centre_y = out_size / 2.0;
  return p;
}

Affine2d affine_matrix(const AffineParams& p, int canvas_width, int canvas_height) {
  // Rotation and scale (cv2.getRotationMatrix2D's sign convention: positive is
  // counter-clockwise on screen), then shear: the 2x2 part is shear x rotation.
  const double a = radians(p.angle_degrees);
  const double c = std::cos(a) * p.scale, s = std::sin(a) * p.scale;
  const double hx = std::tan(radians(p.shear_x_degrees)), hy = std::tan(radians(p.shear_y_degrees));
  const double m00 = c + hx * -s, m01 = s + hx * c;
  const double m10 = hy * c - s, m11 = hy * s + c;
  // The canvas centre goes to the origin first, and from there to (centre_x, centre_y).
  const double ox = canvas_width / 2.0, oy = canvas_height / 2.0;
  return {m00, m01, p.centre_x - (m00 * ox + m01 * oy),
          m10, m11, p.centre_y - (m10 * ox + m11 * oy)};
}

bool box_candidate(const std::array<float, 4>& before, const std::array<float, 4>& after,
                   double scale) {
  const float w1 = (before[2] - before[0]) * static_cast<float>(scale);
  const float h1 = (before[3] - before[1]) * static_cast<float>(scale);
  const float w2 = after[2] - after[0], h2 = after[3] - after[1];
  if (!(w2 > kMinSidePx && h2 > kMinSidePx)) return false;
  if (!(w2 * h2 > kMinAreaRatio * w1 * h1)) return false;
  return std::max(w2 / h2, h2 / w2) < kMaxAspectRatio;
}

std::vector<CornerBox> affine_boxes(const std::vector<CornerBox>& boxes, const Affine2d& m,
                                    double scale, int out_size) {
  std::vector<CornerBox> out;
  const float limit = static_cast<float>(out_size);
  for (const CornerBox& b : boxes) {
    // The bounding box of the four moved corners (exact without rotation and shear).
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (const auto& [x, y] : {std::pair{b[1], b[2]}, std::pair{b[3], b[2]}, std::pair{b[1], b[4]},
                               std::pair{b[3], b[4]}}) {
      const double u = m[0] * x + m[1] * y + m[2], v = m[3] * x + m[4] * y + m[5];
      x0 = std::min(x0, u), x1 = std::max(x1, u), y0 = std::min(y0, v), y1 = std::max(y1, v);
    }
    const std::array<float, 4> after = {
        std::clamp(static_cast<float>(x0), 0.0f, limit), std::clamp(static_cast<float>(y0), 0.0f, limit),
        std::clamp(static_cast<float>(x1), 0.0f, limit), std::clamp(static_cast<float>(y1), 0.0f, limit)};
    if (box_candidate({b[1], b[2], b[3], b[4]}, after, scale))
      out.push_back({b[0], after[0], after[1], after[2], after[3]});
  }
  return out;
}

std::vector<float> warp_affine(const Image& canvas, const Affine2d& m, int out_size) {
  const size_t plane = static_cast<size_t>(out_size) * out_size;
  std::vector<float> chw(plane * 3, kPadValue);
  // Inverse map: each output pixel centre back to continuous canvas coordinates.
  const double det = m[0] * m[4] - m[1] * m[3];
  if (det == 0) return chw;
  const double i00 = m[4] / det, i01 = -m[1] / det, i10 = -m[3] / det, i11 = m[0] / det;
  const double W = canvas.width, H = canvas.height;
  const size_t stride = static_cast<size_t>(canvas.width) * 3;
  for (int v = 0; v < out_size; ++v) {
    const double qy = v + 0.5 - m[5];
    for (int u = 0; u < out_size; ++u) {
      const double qx = u + 0.5 - m[2];
      const double px = i00 * qx + i01 * qy, py = i10 * qx + i11 * qy;
      if (!(px >= 0 && px < W && py >= 0 && py < H)) continue;
      // Pixel i covers [i, i + 1): its centre is i + 0.5.
      const double sx = std::clamp(px - 0.5, 0.0, W - 1), sy = std::clamp(py - 0.5, 0.0, H - 1);
      const int x0 = static_cast<int>(sx), y0 = static_cast<int>(sy);
      const int x1 = std::min(x0 + 1, canvas.width - 1), y1 = std::min(y0 + 1, canvas.height - 1);
      const float wx = static_cast<float>(sx - x0), wy = static_cast<float>(sy - y0);
      const uint8_t* r0 = canvas.rgb.data() + y0 * stride;
      const uint8_t* r1 = canvas.rgb.data() + y1 * stride;
      const size_t at = static_cast<size_t>(v) * out_size + u;
      for (int c = 0; c < 3; ++c) {
        const float top = r0[x0 * 3 + c] + wx * (r0[x1 * 3 + c] - r0[x0 * 3 + c]);
        const float bottom = r1[x0 * 3 + c] + wx * (r1[x1 * 3 + c] - r1[x0 * 3 + c]);
        chw[c * plane + at] = (top + wy * (bottom - top)) * (1.0f / 255.0f);
      }
    }
  }
  return chw;
}

}  // namespace trainplan::executor::data
