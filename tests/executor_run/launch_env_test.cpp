// The launch contract (DESIGN 3.8): torchrun's variables, Slurm's, and their errors; and the
// gradient buckets' layout.
#include "doctest_torch.hpp"
#include "trainplan/error.hpp"
#include "trainplan/executor/bucketed_reducer.hpp"
#include "trainplan/executor/launch_env.hpp"

using namespace trainplan::executor;

TEST_CASE("torchrun variables give rank, world and rendezvous, MASTER_PORT defaults to 29500") {
  auto w = world_from_environment({{"RANK", "3"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"},
                                   {"LOCAL_WORLD_SIZE", "2"}, {"MASTER_ADDR", "node7"}});
  REQUIRE(w);
  CHECK(w->rank == 3);
  CHECK(w->world_size == 8);
  CHECK(w->local_rank == 1);
  CHECK(w->local_world_size == 2);
  CHECK(w->master_addr == "node7");
  CHECK(w->master_port == 29500);
  CHECK_FALSE(world_from_environment({{"PATH", "/bin"}}));
}

TEST_CASE("Slurm variables and the first host of the node list") {
  auto w = world_from_environment({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "16"},
                                   {"SLURM_LOCALID", "1"}, {"SLURM_JOB_NODELIST", "gpu[003-005,009]"}});
  REQUIRE(w);
  CHECK(w->rank == 5);
  CHECK(w->world_size == 16);
  CHECK(w->local_rank == 1);
  CHECK(w->master_addr == "gpu003");
  CHECK(first_slurm_host("a01,b02") == "a01");
  CHECK(first_slurm_host("single") == "single");
  CHECK(first_slurm_host("n[7,9]") == "n7");
}

TEST_CASE("malformed launch variables name the variable") {
  CHECK_THROWS_WITH_AS(world_from_environment({{"RANK", "x"}, {"WORLD_SIZE", "2"}}),
                       doctest::Contains("RANK=\"x\""), trainplan::InputError);
  CHECK_THROWS_WITH_AS(world_from_environment({{"RANK", "2"}, {"WORLD_SIZE", "2"}}),
                       doctest::Contains("not below the world size"), trainplan::InputError);
  CHECK_THROWS_AS(world_from_environment({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}}),
                  trainplan::InputError);
}

TEST_CASE("workers get the torchrun variables and one compute thread") {
  WorldInfo w;
  w.rank = 1;
  w.world_size = 2;
  w.master_port = 12345;
  auto env = worker_environment(w);
  CHECK(env.at("RANK") == "1");
  CHECK(env.at("WORLD_SIZE") == "2");
  CHECK(env.at("MASTER_PORT") == "12345");
  CHECK(env.at("OMP_NUM_THREADS") == "1");
}

TEST_CASE("buckets follow the size limit and averaging keeps a world of one's gradients") {
  auto comm = make_local_communicator();
  std::vector<torch::Tensor> params;
  for (int i = 0; i < 6; ++i) params.push_back(torch::ones({1024, 64}, torch::requires_grad()));  // 256 KiB each
  BucketedReducer small(params, *comm, /*bucket_mb=*/0.5);  // two parameters per bucket
  CHECK(small.bucket_count() == 3);
  BucketedReducer large(params, *comm, 25.0);
  CHECK(large.bucket_count() == 1);
  torch::Tensor loss = torch::zeros({});
  for (size_t i = 0; i < params.size(); ++i) loss = loss + params[i].sum() * double(i + 1);
  small.prepare_for_backward();
  loss.backward();
  small.finish();
  for (size_t i = 0; i < params.size(); ++i)
    CHECK(params[i].grad().mean().item<double>() == doctest::Approx(double(i + 1)));
}
