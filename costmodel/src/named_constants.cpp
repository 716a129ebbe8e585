#include "trainplan/costmodel/named_constants.hpp"

#include "calibration_constants.hpp"
#include "compute.hpp"
#include "data_loading.hpp"
#include "memory.hpp"
#include "trainplan/costmodel/communication.hpp"
#include "trainplan/costmodel/estimate.hpp"
#include "trainplan/costmodel/forecast.hpp"
#include "trainplan/costmodel/run_constants.hpp"

namespace trainplan::costmodel {

const std::map<std::string, double>& named_constants() {
  using namespace detail;
  static const std::map<std::string, double> constants = {
      {"kBackboneShare", kBackboneShare},
      {"kActivationTrafficPasses", kActivationTrafficPasses},
      {"kTextEncoderShare", kTextEncoderShare},
      {"kPostprocessS", kPostprocessS},
      {"kDecodeShare", kDecodeShare},
      {"kMosaicImages", kMosaicImages},
      {"kGpusPerServer", kGpusPerServer},
      {"kReservedGb", kReservedGb},
      {"kFragmentation", kFragmentation},
      {"kUsableShare", kUsableShare},
      {"kLinkEfficiency", kLinkEfficiency},
      {"kNearInputBound", kNearInputBound},
      {"kLaunchS", kLaunchS},
      {"kLoaderWarmupS", kLoaderWarmupS},
      {"kStartupS", kStartupS},
      {"kEvalFixedS", kEvalFixedS},
      {"kCheckpointBandwidthGbps", kCheckpointBandwidthGbps},
      {"kCheckpointFixedS", kCheckpointFixedS},
      {"kRidge", kRidge},
      {"kMaxLogScale", kMaxLogScale},
      {"kMaxIterations", kMaxIterations},
      {"kExactLogError", kExactLogError},
      {"kSignificantWaitShare", kSignificantWaitShare},
      {"kMinRemainingSpread", kMinRemainingSpread},
      {"kRecentSteps", kRecentSteps},
      {"kFinishDraws", kFinishDraws},
  };
  return constants;
}

}  // namespace trainplan::costmodel
