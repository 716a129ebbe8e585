// The detector: output shapes per size and resolution, vocabulary changes, trainable modes,
// the communicator hook, and class embeddings from names and from files.
#include "trainplan/executor/model/detector.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "doctest_torch.hpp"  // not <doctest/doctest.h>: see there
#include "trainplan/error.hpp"
#include "trainplan/executor/model/class_embeddings.hpp"

using trainplan::InputError;
using trainplan::executor::Detector;
using trainplan::executor::DetectorConfig;
using trainplan::executor::embeddings_from_file;
using trainplan::executor::embeddings_from_names;
using trainplan::executor::make_local_communicator;
using trainplan::executor::SyncBatchNormImpl;

namespace {

using Names = std::vector<std::string>;

DetectorConfig config(const std::string& size) {
  DetectorConfig c;
  c.size = size;
  c.embed_dim = 16;
  return c;
}

int64_t anchors_at(int64_t side) {
  return (side / 8) * (side / 8) + (side / 16) * (side / 16) + (side / 32) * (side / 32);
}

/// A temporary file holding `text`, removed at the end of the test.
struct TempFile {
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/trainplan_embeddings_XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    path = name;
    std::ofstream(path) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
  std::string path;
};

}  // namespace

TEST_CASE("detector output shapes for tiny and n at 128 and 160") {
  torch::manual_seed(0);
  for (const std::string size : {"tiny", "n"}) {
    Detector model(config(size), Names{"cat", "dog", "bird"});
    for (const int64_t side : {128, 160}) {
      CAPTURE(size);
      CAPTURE(side);
      const auto out = model->forward(torch::rand({2, 3, side, side}));
      const int64_t a = anchors_at(side);
      CHECK(out.cls_logits.sizes() == torch::IntArrayRef({2, a, 3}));
      CHECK(out.box_distances.sizes() == torch::IntArrayRef({2, a, 4}));
      CHECK(out.anchor_points.sizes() == torch::IntArrayRef({a, 2}));
      CHECK(out.strides.sizes() == torch::IntArrayRef({a}));
      CHECK((out.box_distances >= 0).all().item<bool>());
      // Level order: the first anchor is the stride-8 cell (4, 4), the last a stride-32 cell.
      CHECK(out.anchor_points[0][0].item<float>() == 4.0f);
      CHECK(out.strides[0].item<float>() == 8.0f);
      CHECK(out.strides[a - 1].item<float>() == 32.0f);
      CHECK(out.anchor_points[a - 1][0].item<float>() == static_cast<float>(side - 16));
    }
  }
}

TEST_CASE("detector refuses an unknown size and an input that is not a multiple of 32") {
  CHECK_THROWS_WITH_AS(Detector(config("xl"), Names{"a"}),
                       "detector size 'xl' is not known (accepted: tiny, n, s)", InputError);
  Detector model(config("tiny"), Names{"a"});
  CHECK_THROWS_AS(model->forward(torch::rand({1, 3, 100, 128})), InputError);
}

TEST_CASE("size s doubles n's widths") {
  Detector n(config("n"), Names{"a"});
  Detector s(config("s"), Names{"a"});
  const auto stem = [](Detector& m) {
    return m->named_parameters()["backbone.stem.conv.weight"].size(0);
  };
  CHECK(stem(n) == 16);
  CHECK(stem(s) == 32);
}

TEST_CASE("a vocabulary change keeps backbone, neck and head and changes K") {
  torch::manual_seed(1);
  Detector model(config("tiny"), Names{"cat", "dog"});
  const auto before = model->named_parameters();
  std::map<std::string, torch::Tensor> copies;
  for (const auto& p : before) copies[p.key()] = p.value().detach().clone();
  const torch::Tensor registered = model->class_embeddings;

  model->set_vocabulary({"car", "bus", "truck", "bike"});
  CHECK(model->vocabulary().size() == 4);
  CHECK(model->class_embeddings.sizes() == torch::IntArrayRef({4, 16}));
  CHECK(model->named_parameters()["class_embeddings"].is_same(registered));  // same parameter
  CHECK(torch::equal(model->class_embeddings[0], embeddings_from_names({"car"}, 16)[0]));
  for (const auto& p : model->named_parameters()) {
    if (p.key() == "class_embeddings") continue;
    CAPTURE(p.key());
    CHECK(torch::equal(p.value(), copies[p.key()]));
  }
  CHECK(model->forward(torch::rand({1, 3, 64, 64})).cls_logits.size(2) == 4);
  CHECK_THROWS_AS(model->set_vocabulary({"a"}, torch::zeros({2, 16})), InputError);
}

TEST_CASE("set_trainable chooses which parameters train and which norms freeze") {
  Detector model(config("tiny"), Names{"a", "b"});
  const auto trains = [&](const std::string& prefix) {
    bool any = false, all = true;
    for (const auto& p : model->named_parameters()) {
      if (p.key().rfind(prefix, 0) != 0) continue;
      any = any || p.value().requires_grad();
      all = all && p.value().requires_grad();
    }
    return any && all ? 1 : (!any ? 0 : -1);  // 1 all, 0 none, -1 mixed
  };
  const auto norm_training = [&](const std::string& prefix) {
    for (const auto& m : model->named_modules()) {
      if (m.key().rfind(prefix, 0) == 0 && m.value()->as<SyncBatchNormImpl>()) {
        return m.value()->is_training();
      }
    }
    FAIL("no norm under " << prefix);
    return false;
  };
  CHECK(model->trainable() == "all");
  CHECK(trains("backbone.") == 1);

  model->set_trainable("frozen-backbone");
  CHECK(trains("backbone.") == 0);
  CHECK(trains("neck.") == 1);
  CHECK(trains("head.") == 1);
  CHECK(trains("class_embeddings") == 1);
  CHECK_FALSE(norm_training("backbone."));
  CHECK(norm_training("neck."));
  model->train();  // the trainer's train() must not wake the frozen norms
  CHECK_FALSE(norm_training("backbone."));

  model->set_trainable("embeddings");
  CHECK(trains("backbone.") == 0);
  CHECK(trains("neck.") == 0);
  CHECK(trains("head.box_branches") == 0);
  CHECK(trains("head.embed_branches") == 0);
  CHECK(trains("head.logit_scale") == 1);
  CHECK(trains("head.logit_bias") == 1);
  CHECK(trains("class_embeddings") == 1);
  CHECK_FALSE(norm_training("neck."));
  CHECK_FALSE(norm_training("head."));

  model->set_trainable("all");
  CHECK(trains("") == 1);
  CHECK(norm_training("backbone."));
  CHECK_THROWS_WITH_AS(model->set_trainable("some"),
                       "trainable mode 'some' is not known (accepted: all, frozen-backbone, "
                       "embeddings)",
                       InputError);
}

TEST_CASE("set_communicator reaches every SyncBatchNorm") {
  Detector model(config("tiny"), Names{"a"});
  auto comm = make_local_communicator();
  model->set_communicator(comm.get());
  int norms = 0;
  for (const auto& m : model->modules()) {
    if (auto* n = m->as<SyncBatchNormImpl>()) {
      ++norms;
      CHECK(n->communicator() == comm.get());
      CHECK(n->options.momentum() == 0.03);
      CHECK(n->options.eps() == 1e-3);
    }
  }
  CHECK(norms > 20);
}

TEST_CASE("embeddings from names are deterministic unit vectors") {
  const torch::Tensor a = embeddings_from_names({"person", "car", "person"}, 32);
  CHECK(a.sizes() == torch::IntArrayRef({3, 32}));
  CHECK(torch::allclose(a.norm(2, 1), torch::ones({3})));
  CHECK(torch::equal(a[0], a[2]));
  CHECK_FALSE(torch::equal(a[0], a[1]));
  CHECK(torch::equal(a, embeddings_from_names({"person", "car", "person"}, 32)));
  CHECK_THROWS_AS(embeddings_from_names({}, 32), InputError);
  CHECK_THROWS_AS(embeddings_from_names({"a"}, 0), InputError);
}

TEST_CASE("embeddings from a file") {
  const TempFile file(
      "# name then 3 numbers\n"
      "cat 3 0 4\n"
      "\n"
      "traffic light 0 2 0\n"
      "dog 1 1 1\n");
  const torch::Tensor e = embeddings_from_file(file.path, {"traffic light", "cat"}, 3);
  CHECK(torch::allclose(e, torch::tensor({{0.0f, 1.0f, 0.0f}, {0.6f, 0.0f, 0.8f}})));

  CHECK_THROWS_WITH_AS(
      embeddings_from_file(file.path, {"cat", "horse"}, 3),
      (file.path + ": no embedding for class 'horse' (the file has 3 classes)").c_str(),
      InputError);
  const TempFile short_line("cat 1 2\n");
  CHECK_THROWS_WITH_AS(
      embeddings_from_file(short_line.path, {"cat"}, 3),
      (short_line.path + ":1: expected a name and 3 numbers, got 3 fields").c_str(), InputError);
  const TempFile bad_number("cat 1 2 3\ndog 1 x 3\n");
  CHECK_THROWS_WITH_AS(embeddings_from_file(bad_number.path, {"cat"}, 3),
                       (bad_number.path + ":2: 'x' of class 'dog' is not a number").c_str(),
                       InputError);
  const TempFile twice("cat 1 2 3\ncat 1 2 3\n");
  CHECK_THROWS_WITH_AS(embeddings_from_file(twice.path, {"cat"}, 3),
                       (twice.path + ":2: class 'cat' appears twice").c_str(), InputError);
  const TempFile zero("cat 0 0 0\n");
  CHECK_THROWS_WITH_AS(embeddings_from_file(zero.path, {"cat"}, 3),
                       (zero.path + ":1: class 'cat' has a zero vector").c_str(), InputError);
  CHECK_THROWS_WITH_AS(embeddings_from_file("/nonexistent/emb.txt", {"cat"}, 3),
                       "/nonexistent/emb.txt: cannot read the class-embedding file", InputError);
}
