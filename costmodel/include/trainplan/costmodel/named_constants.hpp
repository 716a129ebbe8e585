#pragma once
// The cost model's named constants by their names in the code, so that a test can check every
// figure docs/costmodel.md quotes (docs that cannot drift).
#include <map>
#include <string>

namespace trainplan::costmodel {

/// Name in the code (`kTextEncoderShare`) -> value, for every constant of the cost model that
/// is not a profile field.
const std::map<std::string, double>& named_constants();

}  // namespace trainplan::costmodel
