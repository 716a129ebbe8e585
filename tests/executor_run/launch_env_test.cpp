// The launch contract (DESIGN 3.8): torchrun's variables, Slurm's, and their errors; and the
// gradient buckets' layout.
#include "doctest_torch.hpp"
#include "trainplan/error.hpp"
#include "trainplan/executor/bucketed_reducer.hpp"
#include "trainplan/executor/launch_env.hpp"
#include "trainplan/executor/slurm_hostlist.hpp"

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

TEST_CASE("Slurm host lists expand with ranges, padding, several groups and names") {
  using V = std::vector<std::string>;
  CHECK(expand_slurm_hostlist("node[01-04,07]") == V{"node01", "node02", "node03", "node04", "node07"});
  CHECK(expand_slurm_hostlist("gpu[8-10],login") == V{"gpu8", "gpu9", "gpu10", "login"});
  CHECK(expand_slurm_hostlist("a[1-2]b[3,5]") == V{"a1b3", "a1b5", "a2b3", "a2b5"});
  CHECK(expand_slurm_hostlist("rack-1-n[098-101]") == V{"rack-1-n098", "rack-1-n099", "rack-1-n100", "rack-1-n101"});
  CHECK(expand_slurm_hostlist("single") == V{"single"});
  CHECK(first_slurm_host("x[3-4],y") == "x3");
  for (const char* bad : {"node[01-04", "node01]", "n[4-2]", "n[a-b]", "n[[1]]", "a,,b", "n[1-9999999]"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(expand_slurm_hostlist(bad), doctest::Contains("SLURM_JOB_NODELIST"),
                         trainplan::InputError);
  }
}

TEST_CASE("SLURM_TASKS_PER_NODE's compressed form gives this node's tasks") {
  CHECK(slurm_tasks_on_node("2(x3),1", 0) == 2);
  CHECK(slurm_tasks_on_node("2(x3),1", 2) == 2);
  CHECK(slurm_tasks_on_node("2(x3),1", 3) == 1);
  CHECK(slurm_tasks_on_node("4", 0) == 4);
  CHECK_THROWS_WITH_AS(slurm_tasks_on_node("2(x3),1", 4), doctest::Contains("does not cover node 4"),
                       trainplan::InputError);
  CHECK_THROWS_AS(slurm_tasks_on_node("2(x", 0), trainplan::InputError);
  auto w = world_from_environment({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "7"}, {"SLURM_LOCALID", "1"},
                                   {"SLURM_NODEID", "2"}, {"SLURM_TASKS_PER_NODE", "2(x3),1"},
                                   {"SLURM_JOB_NODELIST", "node[07-10]"}});
  REQUIRE(w);
  CHECK(w->local_world_size == 2);
  CHECK(w->node_rank == 2);
  CHECK(w->master_addr == "node07");
  CHECK(w->launcher == "slurm");
}

TEST_CASE("Open MPI's variables and torchrun's others") {
  auto m = world_from_environment({{"OMPI_COMM_WORLD_RANK", "3"}, {"OMPI_COMM_WORLD_SIZE", "4"},
                                   {"OMPI_COMM_WORLD_LOCAL_RANK", "1"}, {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"},
                                   {"OMPI_COMM_WORLD_NODE_RANK", "1"}, {"MASTER_ADDR", "head"},
                                   {"MASTER_PORT", "29600"}});
  REQUIRE(m);
  CHECK(m->rank == 3);
  CHECK(m->world_size == 4);
  CHECK(m->local_rank == 1);
  CHECK(m->local_world_size == 2);
  CHECK(m->node_rank == 1);
  CHECK(m->master_addr == "head");
  CHECK(m->master_port == 29600);
  CHECK(m->launcher == "mpirun");
  CHECK(m->node_count == 2);
  auto t = world_from_environment({{"RANK", "5"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"},
                                   {"LOCAL_WORLD_SIZE", "4"}, {"GROUP_RANK", "1"},
                                   {"GROUP_WORLD_SIZE", "2"}, {"ROLE_RANK", "5"},
                                   {"ROLE_WORLD_SIZE", "8"}, {"TORCHELASTIC_RUN_ID", "job-7"},
                                   {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                                   {"TORCHELASTIC_RESTART_COUNT", "2"}});
  REQUIRE(t);
  CHECK(t->node_rank == 1);
  CHECK(t->node_count == 2);
  CHECK(t->restart_count == 2);
  CHECK(t->run_id == "job-7");
  CHECK(t->agent_store);
  CHECK(t->launcher == "torchrun");
  CHECK_THROWS_WITH_AS(world_from_environment({{"RANK", "0"}, {"WORLD_SIZE", "2"},
                                               {"ROLE_WORLD_SIZE", "1"}}),
                       doctest::Contains("one role"), trainplan::InputError);
  // A requeued Slurm job says so; its node count and id come along.
  auto requeued = world_from_environment({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "8"},
                                          {"SLURM_JOB_NUM_NODES", "2"}, {"SLURM_RESTART_COUNT", "1"},
                                          {"SLURM_JOB_ID", "4242"}, {"SLURM_NTASKS_PER_NODE", "4"}});
  REQUIRE(requeued);
  CHECK(requeued->node_count == 2);
  CHECK(requeued->restart_count == 1);
  CHECK(requeued->run_id == "4242");
  CHECK(!requeued->agent_store);
  // torchrun's variables win when a job sets several launchers' (torchrun inside Slurm).
  auto both = world_from_environment({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"SLURM_PROCID", "9"},
                                      {"SLURM_NTASKS", "16"}});
  REQUIRE(both);
  CHECK(both->world_size == 2);
  CHECK_THROWS_WITH_AS(world_from_environment({{"OMPI_COMM_WORLD_RANK", "0"}, {"OMPI_COMM_WORLD_SIZE", "2"},
                                               {"OMPI_COMM_WORLD_LOCAL_RANK", "2"},
                                               {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"}}),
                       doctest::Contains("local rank 2"), trainplan::InputError);
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
