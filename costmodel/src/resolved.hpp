#pragma once
// A scenario with its profile ids looked up once, shared by the cost terms.
#include "trainplan/costmodel/scenario.hpp"
#include "trainplan/profiles/catalog.hpp"

namespace trainplan::costmodel::detail {

/// The profiles one scenario refers to.
struct Resolved {
  const profiles::ModelProfile& model;
  const profiles::GpuProfile& gpu;
  const profiles::ArchitectureProfile& arch;
  const profiles::FrameworkProfile& framework;
  const profiles::DetectorKindProfile& kind;
  const profiles::BackboneProfile& backbone;
  const profiles::InterconnectProfile& intra_link;
  const profiles::InterconnectProfile& network;

  static Resolved lookup(const profiles::Catalog& catalog, const Scenario& s);
};

/// Saved activations per image at the model's gflops resolution with AMP, MB: the profile's
/// figure, else the default scaled by the detector kind's fitted activation_scale.
double activation_mb(const Resolved& r);

/// Trained pixels over the pixels the model's GFLOPs are quoted at (FLOPs and activations of
/// a fully convolutional detector scale with the input area).
double pixel_ratio(const Resolved& r, const Scenario& s);

}  // namespace trainplan::costmodel::detail
