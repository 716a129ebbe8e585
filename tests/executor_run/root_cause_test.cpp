// The launcher's root cause: a rank whose peer failed records a PeerFailure, often before the
// failing rank records its own error; the report must name the failing rank.
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "doctest_torch.hpp"
#include "run_support.hpp"
#include "trainplan/executor/error_file.hpp"
#include "trainplan/executor/root_cause.hpp"

using namespace trainplan::executor;

namespace {

// Records `kind: message` as a worker would, into `path`.
void record(const std::string& path, const std::string& kind, const std::string& message) {
  setenv("TORCHELASTIC_ERROR_FILE", path.c_str(), 1);
  record_error_for_launcher(kind, message);
  unsetenv("TORCHELASTIC_ERROR_FILE");
}

}  // namespace

TEST_CASE("the root cause is the first failure that is not a peer's echo") {
  const std::string dir = make_temp_dir();
  std::vector<std::string> paths;
  for (int r = 0; r < 4; ++r) paths.push_back(dir + "/rank" + std::to_string(r) + ".error.json");
  // Rank 2's peers saw its sockets close and recorded that first; rank 3 wrote nothing.
  record(paths[1], "PeerFailure", "rank 1: all-gather failed: Connection closed by peer");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  record(paths[0], "PeerFailure", "rank 0: all-reduce failed: Connection closed by peer");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  record(paths[2], "RunError", "cannot decode train/000001.png (image id 1)");
  const auto errors = read_rank_errors(paths);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].time_ms > errors[1].time_ms);
  const auto cause = root_cause(errors);
  REQUIRE(cause);
  CHECK(cause->rank == 2);
  CHECK(cause->kind == "RunError");
  CHECK(cause->message == "cannot decode train/000001.png (image id 1)");

  // Among echoes only, the earliest; with nothing recorded, no cause.
  const auto echoes = read_rank_errors({paths[0], paths[1]});
  REQUIRE(root_cause(echoes));
  CHECK(root_cause(echoes)->rank == 1);
  CHECK_FALSE(root_cause(read_rank_errors({dir + "/none.json"})));
}
