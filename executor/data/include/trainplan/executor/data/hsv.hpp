#pragma once
// HSV colour augmentation (YOLOv5/v8's augment_hsv, mmyolo's YOLOv5HSVRandomAug): hue,
// saturation and value each multiplied by a random gain. Pixels only: boxes never change.
#include <cstdint>
#include <vector>

namespace trainplan::executor::data {

/// Gain ranges; the defaults are YOLOv8's (hsv_h 0.015, hsv_s 0.7, hsv_v 0.4).
struct HsvOptions {
  float hue = 0.015f;
  float saturation = 0.7f;
  float value = 0.4f;
};

/// Drawn gains, each 1 + uniform(-1, 1) x its range.
struct HsvGains {
  double hue = 1, saturation = 1, value = 1;
};

/// Draws the three gains from `seed` (always three draws, in the order hue, saturation,
/// value).
HsvGains draw_hsv(const HsvOptions& options, uint64_t seed);

/// Applies the gains to a 3 x size x size float sample (CHW, [0, 1]) in place: hue times its
/// gain modulo a full turn (YOLO multiplies hue rather than shifting it), saturation and value
/// times theirs, clipped to 1.
void apply_hsv(std::vector<float>& chw, int size, const HsvGains& gains);

}  // namespace trainplan::executor::data
