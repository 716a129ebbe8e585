#pragma once
// Typed profile records. Every figure carries its unit in its name; the JSON keys are the
// same names (profiles/data/*.json, docs/costmodel.md).
#include <optional>
#include <string>
#include <vector>

#include "trainplan/profiles/resolution.hpp"

namespace trainplan::profiles {

/// One accelerator model (DESIGN 3.1), with the vendor's peak figures.
struct GpuProfile {
  std::string id;
  std::string name;
  std::string architecture;            ///< volta, turing, ampere, ada, hopper or cpu
  double tensor_tflops = 0;            ///< dense FP16/BF16 tensor-core peak
  double fp32_tflops = 0;              ///< non-tensor FP32 peak
  double memory_gb = 0;                ///< device memory
  double memory_bandwidth_gbps = 0;    ///< device memory bandwidth, GB/s
  std::string intra_link;              ///< interconnect id inside a node
  double intra_link_bandwidth_gbps = 0;  ///< per GPU, per direction, GB/s
  double price_per_gpu_hour_usd = 0;   ///< typical on-demand price
  double host_cpu_cores_per_gpu = 0;   ///< physical host cores per GPU in a typical server
  std::string default_network;         ///< interconnect id between nodes
  std::string source;
  std::string price_source;
};

/// A link between GPUs (NVLink, PCIe) or between nodes (InfiniBand, Ethernet).
struct InterconnectProfile {
  std::string id;
  std::string name;
  std::string kind;               ///< nvlink, pcie, infiniband, ethernet or loopback
  double bandwidth_gbps = 0;      ///< per endpoint (GPU or node NIC), per direction, GB/s
  double latency_us = 0;          ///< per message
  std::string source;
};

/// A frozen (or trainable) text encoder, as YOLO-World carries CLIP's.
struct TextEncoderProfile {
  std::string name;
  double params_m = 0;
  double gflops_per_text = 0;  ///< forward cost of one prompt
  bool frozen = true;
};

/// A detector (DESIGN 3.2). `gflops` is one image's forward cost at `gflops_resolution`.
struct ModelProfile {
  std::string id;
  std::string name;
  std::string family;
  double params_m = 0;            ///< trainable detector parameters, without the text encoder
  double gflops = 0;
  Resolution gflops_resolution;  ///< input size the gflops figure is quoted at
  std::optional<TextEncoderProfile> text_encoder;
  /// Activation memory kept for backward per image at gflops_resolution with AMP, MB; 0 when
  /// the profile leaves it out (the cost model then uses its kind's fitted default,
  /// docs/costmodel.md, memory).
  double activation_mb = 0;
  /// Multiplier on the GPU's achievable throughput for this model (1 = typical detector).
  /// `--measured` does not change it: calibration fits a separate compute scale.
  double efficiency = 1.0;
  /// The training codebase this model is usually trained with (a framework id).
  std::string framework = "mmyolo";
  /// one-stage, two-stage (RoI heads) or transformer (a detector_kinds.json id).
  std::string detector_kind = "one-stage";
  /// The backbone's convolution style (a backbones.json id): dense-conv or grouped-conv.
  std::string backbone = "dense-conv";
  std::string source;
};

/// A training codebase (Ultralytics, mmyolo, NVIDIA's MLPerf code): its input pipeline and
/// fixed per-step costs, which dominate small models (docs/costmodel.md, data loading).
struct FrameworkProfile {
  std::string id;
  std::string name;
  /// CPU time to produce one augmented training sample (mosaic of 4 COCO-size images at
  /// 640), core-ms; scaled by image and output size.
  double loader_ms_per_sample = 0;
  /// Data-loader worker processes per GPU (the codebase's default).
  double loader_workers_per_gpu = 8;
  /// Fixed cost of one forward/backward micro-step outside the per-image work (Python,
  /// kernel launches, loss assignment), ms, on the reference architecture (volta).
  double step_overhead_ms = 0;
  /// Multiplier on the achievable FLOP rate for this codebase's kernels (1 = plain PyTorch;
  /// above 1 for fused, CUDA-graph code such as NVIDIA's MLPerf submissions).
  double compute_efficiency = 1;
  /// Once per run: process start, data-set index, model build, first-step autotuning.
  double startup_s = 120;
  /// Per evaluation, beyond the forward passes: computing the metrics on the host.
  double eval_fixed_s = 30;
  /// Per checkpoint, beyond writing its bytes: opening, fsync and rename; below 0 = the cost
  /// model's kCheckpointFixedS (a training cluster's storage). Optional in the file.
  double checkpoint_fixed_s = -1;
  std::string source;
  /// Which fit set the fitted fields (bench/fit), empty when none did.
  std::string fit;
};

/// A kind of detector: how much of the achievable FLOP rate its layers reach, and what it
/// costs per step beyond its FLOPs (RoI sampling, Hungarian matching), fitted by bench/fit.
struct DetectorKindProfile {
  std::string id;                   ///< one-stage, two-stage or transformer
  double compute_efficiency = 1;    ///< multiplier on the achievable FLOP rate
  double step_overhead_ms = 0;      ///< per micro-step, on volta, added to the codebase's
  /// Multiplier on the default activation memory of models that give none (fitted to
  /// published peak-memory figures).
  double activation_scale = 1;
  std::string source;
  std::string fit;
};

/// A style of backbone convolution: grouped convolutions (ResNeXt) do fewer FLOPs per byte
/// moved and reach less of the peak than dense ones (fitted by bench/fit).
struct BackboneProfile {
  std::string id;                 ///< dense-conv or grouped-conv
  double compute_efficiency = 1;  ///< multiplier on the achievable FLOP rate
  std::string source;
  std::string fit;
};

/// The spread of the cost model's cross-validated errors for one kind of run: the P10 and
/// P90 of ln(predicted / measured) under leave-one-source-out (bench/fit).
struct UncertaintyProfile {
  std::string id;              ///< a detector kind, or "all"
  double log_error_p10 = 0;    ///< profiles alone
  double log_error_p90 = 0;
  double calibrated_log_error_p10 = 0;  ///< calibrated with one run of the same model
  double calibrated_log_error_p90 = 0;
  double rows = 0;             ///< reference rows behind the quantiles
  std::string fit;
};

/// Achievable fractions of a GPU architecture's peaks for convolutional detectors, fitted
/// to published runs (docs/costmodel.md, compute).
struct ArchitectureProfile {
  std::string id;
  double achievable_tensor_fraction = 0;  ///< of tensor_tflops, with AMP
  double achievable_fp32_fraction = 0;    ///< of fp32_tflops, without AMP
  double step_overhead_scale = 1;         ///< fixed per-step cost relative to volta
  std::string source;
  std::string fit;  ///< which fit set the fitted fields (bench/fit)
};

/// A training or validation set.
struct DatasetProfile {
  std::string id;
  std::string name;
  double images = 0;
  double classes = 0;             ///< 0 for open vocabulary
  double objects_per_image = 0;
  double mean_width_px = 0;
  double mean_height_px = 0;
  double texts_per_image = 0;     ///< text prompts per training image (YOLO-World)
  std::string split;              ///< train or val
  std::string source;
};

/// Optimizer settings of a recipe.
struct OptimizerSettings {
  std::string type;  ///< adamw or sgd
  double lr = 0;
  double weight_decay = 0;
  double momentum = 0;
  double warmup_epochs = 0;
};

/// A published training recipe (schedule, batch, optimizer).
struct RecipeProfile {
  std::string id;
  std::string name;
  std::string kind;  ///< pretrain or finetune
  std::string dataset;
  std::string eval_dataset;
  double eval_interval_epochs = 1;
  double epochs = 0;
  double global_batch = 0;
  double gpus = 8;  ///< GPUs the recipe was published for (per-GPU batch = global / gpus)
  Resolution resolution;
  bool amp = true;
  bool mosaic = true;
  /// Last epochs trained without mosaic (YOLOv8's close_mosaic; YOLO-World's
  /// close_mosaic_epochs); 0 = mosaic to the end.
  int close_mosaic_epochs = 0;
  OptimizerSettings optimizer;
  std::string source;

  // How the planner searches around the recipe (docs/formats.md, "Recipes"). Absent fields
  // take these defaults, which are what the planner did before recipes named them.

  /// Model ids or families the recipe is for; empty = any model. The planner takes, for each
  /// kind, a recipe naming the model's id, else its family, else one for any model (earlier
  /// entries first).
  std::vector<std::string> models;
  /// Per-GPU batches the search tries, preferred first (another replaces an earlier one only
  /// when clearly faster). Default: the recipe's own (`global_batch / gpus`), half, double.
  std::vector<int> per_gpu_batch_options;
  /// Fine-tune lengths the search tries, as shares of `epochs`, preferred first.
  std::vector<double> epoch_shares = {1.0, 0.75, 0.5};
  /// The shortest fine-tune, as a share of `epochs`, the planner shortens a schedule to when
  /// the tried lengths miss the deadline (its expected AP falls with each halving).
  double min_epoch_share = 0.25;
  /// The largest global batch the search builds, in multiples of `global_batch`: beyond a few
  /// times a recipe's batch, more GPUs change the training rather than speed it up.
  double max_global_batch_scale = 4;
  /// How the learning rate follows a global batch B other than the recipe's B0: "linear"
  /// (lr x B / B0, Goyal et al. 2017), "sqrt" (lr x sqrt(B / B0)) or "none".
  std::string lr_scaling = "linear";
  /// Input of the high-resolution fine-tune (YOLO-World-v2-L-1280 fine-tunes at 1280).
  Resolution high_resolution{1280, 1280};
};

/// A published accuracy result, used to rank strategies by expected quality.
struct QualityRecord {
  std::string model;          ///< model id
  std::string strategy;       ///< zero-shot, finetune, prompt-tune, scratch, highres-finetune
  std::string eval_dataset;   ///< dataset id
  double resolution = 640;
  std::string metric = "AP";
  double value = 0;           ///< percent
  std::string train_data;
  double epochs = 0;          ///< 0 when not published
  std::string source;
};

}  // namespace trainplan::profiles
