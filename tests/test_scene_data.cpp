// The data keys of a whole data set (data.kind fashion_mnist and file): the set read when the
// scene is, relative paths from the scene's folder, one copy shared by runs, and every mistake
// named by file, line and key with the data file's own message.
#include <gtest/gtest.h>

#include <string>

#include "data/fashion_mnist.hpp"
#include "scene_test_util.hpp"

namespace gt::scene {
namespace {

using testing_util::error_of;
using testing_util::parse_error;
using testing_util::SceneFiles;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

constexpr const char* kCsv = "a,b,cls\n1,2,0\n3,4,1\n5,6,2\n7,8,0\n";

// A scene of a 2-input, 3-class network on the CSV next to it (batch 2 of 4 samples).
std::string csv_scene(const std::string& data_keys) {
  return "[network]\ninput = 2\ndepth = 1\nwidth = 4\noutput = 3\n[data]\nkind = \"file\"\n"
         "batch = 2\n" +
         data_keys + "[train]\nloss = \"cross_entropy\"\n";
}

using SceneData = SceneFiles;

TEST_F(SceneData, ACsvNextToTheSceneIsReadWithIt) {
  write("set.csv", kCsv);
  const net::Scene s = load(write("s.toml", csv_scene("path = \"set.csv\"\nlabel = \"cls\"\n")));
  ASSERT_TRUE(s.data.set);
  EXPECT_EQ(s.data.set->rows, 4u);
  EXPECT_EQ(s.data.set->features, 2u);
  EXPECT_EQ(s.data.set->label(1), 1u);
  EXPECT_EQ(s.data.set->input[5], 6.0f);
  EXPECT_EQ(s.data.batches_per_epoch(), 2u);
}

TEST_F(SceneData, RegressionColumnsByNameAndALimit) {
  write("r.csv", "x,y1,y2\n1,10,20\n2,11,21\n3,12,22\n");
  const std::string text =
      "[network]\ninput = 1\ndepth = 1\nwidth = 4\noutput = 2\n[data]\nkind = \"file\"\n"
      "batch = 2\npath = \"r.csv\"\ntarget = [\"y2\", \"y1\"]\nlimit = 2\n[train]\nloss = "
      "\"mse\"\n";
  const net::Scene s = load(write("r.toml", text));
  ASSERT_TRUE(s.data.set);
  EXPECT_EQ(s.data.set->rows, 2u);
  EXPECT_EQ(s.data.set->target, (std::vector<float>{20, 10, 21, 11}));
  EXPECT_EQ(s.data.target_columns, (std::vector<std::string>{"y2", "y1"}));
}

// A .npy pair of float32 inputs [4, 2] and float32 targets [4, 2]: regression with mse.
TEST_F(SceneData, ANpyPairOfFloatTargetsIsRegression) {
  const auto npy = [](const std::string& shape, const std::vector<float>& v) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0)
      header += ' ';
    header += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\0';
    out += static_cast<char>(header.size() & 0xff);
    out += static_cast<char>(header.size() >> 8);
    out += header;
    out.append(reinterpret_cast<const char*>(v.data()), v.size() * 4);
    return out;
  };
  write("x.npy", npy("(4, 2)", {1, 2, 3, 4, 5, 6, 7, 8}));
  write("y.npy", npy("(4, 2)", {0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f, 4}));
  const std::string text =
      "[network]\ninput = 2\ndepth = 1\nwidth = 4\noutput = 2\n[data]\nkind = \"file\"\n"
      "batch = 2\npath = \"x.npy\"\ntarget_path = \"y.npy\"\n[train]\nloss = \"mse\"\n";
  const net::Scene s = load(write("n.toml", text));
  ASSERT_TRUE(s.data.set);
  EXPECT_EQ(s.data.set->classes, 0u);
  EXPECT_EQ(s.data.set->target[5], 3.0f);
  EXPECT_EQ(s.data.set->input[7], 8.0f);
}

TEST_F(SceneData, RunsShareOneCopyOfTheSet) {
  write("set.csv", kCsv);
  const std::string text =
      csv_scene("path = \"set.csv\"\nlabel = \"cls\"\n") +
      "[[run]]\nlabel = \"a\"\n[[run]]\nlabel = \"b\"\n[run.train]\nlr = 0.5\n";
  const std::vector<net::Scene> runs = load_runs(write("runs.toml", text));
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].data.set.get(), runs[1].data.set.get());
}

TEST_F(SceneData, BadFilesAreNamedAtTheKey) {
  const std::string missing =
      error_of([&] { load(write("m.toml", csv_scene("path = \"nope.csv\"\nlabel = \"cls\"\n"))); });
  EXPECT_TRUE(contains(missing, "m.toml:9: data.path: ")) << missing;
  EXPECT_TRUE(contains(missing, "nope.csv: cannot open: No such file or directory")) << missing;

  write("bad.csv", "a,b,cls\n1,2,0\n3,x,1\n");
  const std::string bad =
      error_of([&] { load(write("b.toml", csv_scene("path = \"bad.csv\"\nlabel = \"cls\"\n"))); });
  EXPECT_TRUE(contains(bad, "b.toml:9: data.path: ")) << bad;
  EXPECT_TRUE(contains(bad, "bad.csv:3: column 2 (\"b\")")) << bad;

  write("set.csv", kCsv);
  const std::string label = error_of(
      [&] { load(write("l.toml", csv_scene("path = \"set.csv\"\nlabel = \"class\"\n"))); });
  EXPECT_TRUE(contains(label, "l.toml:9: data.path: ")) << label;
  EXPECT_TRUE(contains(label, "\"class\"")) << label;
}

TEST_F(SceneData, TheSetMustFitTheNetworkAndTheBatch) {
  write("set.csv", kCsv);
  const std::string keys = "path = \"set.csv\"\nlabel = \"cls\"\n";
  std::string e = error_of([&] { load(write("a.toml", csv_scene(keys)), {"network.input=3"}); });
  EXPECT_TRUE(contains(e,
                       "--set network.input=3: network.input: network.input is 3, but the data "
                       "set ("))
      << e;
  EXPECT_TRUE(contains(e, "has 2 input features")) << e;
  e = error_of([&] { load(write("a.toml", csv_scene(keys)), {"data.batch=5"}); });
  EXPECT_TRUE(contains(e, "data.batch: data.batch is 5, but the data set (")) << e;
  EXPECT_TRUE(contains(e, "has 4 samples")) << e;
  // 4 samples in batches of 3: a partial batch of 1 each epoch, unless dropped.
  const net::Scene kept = load(write("a.toml", csv_scene(keys)), {"data.batch=3"});
  EXPECT_FALSE(kept.data.drop_last);
  EXPECT_EQ(kept.data.batches_per_epoch(), 2u);
  EXPECT_EQ(kept.data.rows_of_step(0), 3u);
  EXPECT_EQ(kept.data.rows_of_step(1), 1u);
  EXPECT_EQ(kept.data.rows_of_step(2), 3u);
  const net::Scene dropped =
      load(write("a.toml", csv_scene(keys)), {"data.batch=3", "data.drop_last=true"});
  EXPECT_EQ(dropped.data.batches_per_epoch(), 1u);
  EXPECT_EQ(dropped.data.rows_of_step(1), 3u);
  // The labels are classes of the network's outputs.
  e = error_of([&] { load(write("a.toml", csv_scene(keys)), {"network.output=2"}); });
  EXPECT_TRUE(contains(e, "column 3 (\"cls\"): label \"2\" is out of range [0, 2)")) << e;
  write("r.csv", "a,b,y,z\n1,2,0.5,1\n3,4,0.25,0\n");
  e = error_of([&] {
    load(write("r.toml", csv_scene("path = \"r.csv\"\ntarget = [\"y\", \"z\"]\n")),
         {"network.output=2"});
  });
  EXPECT_TRUE(contains(e, "train.loss \"cross_entropy\" needs class targets")) << e;
}

TEST(SceneDataKeys, KeysOfADataSetWithAnotherKindAreMistakes) {
  EXPECT_EQ(parse_error("[data]\nkind = \"spiral\"\npath = \"x.csv\"\n"),
            "scenes/x.toml:3: data.path: data.path is for data.kind \"fashion_mnist\" or "
            "\"file\", but the scene has data.kind \"spiral\"");
  EXPECT_EQ(parse_error("[data]\nkind = \"spiral\"\ntarget = [\"y\"]\n"),
            "scenes/x.toml:3: data.target: column names are for data.kind \"file\" (a CSV), but "
            "the scene has data.kind \"spiral\"");
  EXPECT_EQ(parse_error("[data]\nkind = \"spiral\"\ninput = [\"y\"]\n"),
            "scenes/x.toml:3: data.input: expected an array of rows of numbers, got an array of "
            "strings");
  EXPECT_EQ(parse_error("[data]\nkind = \"file\"\n"),
            "scenes/x.toml:2: data.kind: data.kind \"file\" needs data.path: a .csv, .npy or "
            ".safetensors file");
  EXPECT_EQ(parse_error("[data]\nkind = \"file\"\npath = \"x.txt\"\n"),
            "scenes/x.toml:3: data.path: \"x.txt\": expected a .csv, .npy or .safetensors file");
  EXPECT_EQ(parse_error("[data]\nkind = \"file\"\npath = \"x.csv\"\n"),
            "scenes/x.toml:3: data.path: a CSV needs exactly one of data.label (the class "
            "column) or data.target (the regression columns)");
  EXPECT_EQ(parse_error("[data]\nkind = \"file\"\npath = \"x.npy\"\n"),
            "scenes/x.toml:3: data.path: a .npy file holds the inputs; data.target_path names "
            "the targets' .npy file");
  EXPECT_EQ(parse_error("[data]\nkind = \"file\"\npath = \"x.csv\"\nsplit = \"test\"\n"),
            "scenes/x.toml:4: data.split: data.split is for data.kind \"fashion_mnist\" (a file "
            "is one split)");
  EXPECT_EQ(parse_error("[data]\nkind = \"fashion_mnist\"\nlabel = \"y\"\n"),
            "scenes/x.toml:3: data.label: data.label is for data.kind \"file\", but the scene "
            "has data.kind \"fashion_mnist\"");
  EXPECT_EQ(parse_error("[data]\nkind = \"file\"\npath = \"\"\n"),
            "scenes/x.toml:3: data.path: is empty");
}

TEST(SceneDataKeys, AFashionMnistFolderThatIsNotThereSaysWhatItExpects) {
  const std::string e = parse_error(
      "[network]\ninput = 784\noutput = 10\n[data]\nkind = \"fashion_mnist\"\npath = "
      "\"/nonexistent/fm\"\n");
  EXPECT_EQ(e,
            "scenes/x.toml:6: data.path: /nonexistent/fm: no such folder (data.path: the folder "
            "of the four Fashion-MNIST IDX files)");
}

// Debian's Fashion-MNIST through a scene (installed by tools/install-deps.sh): its shape decides
// the network's ends, and a limit keeps the first samples.
TEST(SceneDataKeys, FashionMnistFromDebian) {
  const net::Scene s = parse(
      "[network]\nsizes = [784, 32, 10]\n[data]\nkind = \"fashion_mnist\"\nsplit = \"test\"\n"
      "limit = 1000\nbatch = 100\n",
      "scenes/x.toml");
  ASSERT_TRUE(s.data.set);
  EXPECT_EQ(s.data.set->rows, 1000u);
  EXPECT_EQ(s.data.set->features, 784u);
  EXPECT_EQ(s.data.set->classes, 10u);
  EXPECT_EQ(s.data.batches_per_epoch(), 10u);
  const std::string e = parse_error(
      "[network]\nsizes = [784, 32, 9]\n[data]\nkind = \"fashion_mnist\"\nlimit = 100\n"
      "batch = 10\n");
  EXPECT_TRUE(contains(e, "scenes/x.toml:2: network.sizes: network.output is 9, but the data set"))
      << e;
  EXPECT_TRUE(contains(e, "has 10 classes")) << e;
}

TEST_F(SceneData, AHeldOutCsvIsReadWithTheSameColumns) {
  write("set.csv", kCsv);
  write("test.csv", "a,b,cls\n9,9,2\n8,8,1\n");
  const std::string keys = "path = \"set.csv\"\nlabel = \"cls\"\n";
  const net::Scene s =
      load(write("e.toml", csv_scene(keys) + "[eval]\nevery = 2\npath = \"test.csv\"\n"));
  ASSERT_TRUE(s.eval.set);
  EXPECT_EQ(s.eval.set->rows, 2u);
  EXPECT_EQ(s.eval.set->label(0), 2u);
  EXPECT_EQ(s.eval.set->input[2], 8.0f);

  write("narrow.csv", "a,cls\n9,2\n");
  std::string e = error_of([&] {
    load(write("n.toml", csv_scene(keys) + "[eval]\nevery = 2\npath = \"narrow.csv\"\n"));
  });
  EXPECT_TRUE(contains(e, "n.toml:15: eval.path: the held-out set (")) << e;
  EXPECT_TRUE(contains(e, "has 1 inputs and 3 targets a sample, but the training set has 2 and 3"))
      << e;
  e = error_of([&] { load(write("m.toml", csv_scene(keys) + "[eval]\nevery = 2\n")); });
  EXPECT_TRUE(contains(e, "m.toml:14: eval.every: data.kind \"file\" needs eval.path")) << e;
  e = error_of(
      [&] { load(write("x.toml", csv_scene(keys) + "[eval]\nevery = 2\npath = \"test.npy\"\n")); });
  EXPECT_TRUE(contains(e, "x.toml:15: eval.path: \"test.npy\": expected a .csv file, as data.path"))
      << e;
}

TEST(SceneDataKeys, EvalNeedsADataSetAndEvery) {
  EXPECT_EQ(parse_error("[eval]\nevery = 10\n"),
            "scenes/x.toml:2: eval.every: held-out evaluation needs a data set (data.kind "
            "\"fashion_mnist\" or \"file\"), but the scene has data.kind \"spiral\"");
  EXPECT_EQ(parse_error("[eval]\npath = \"t.csv\"\n"),
            "scenes/x.toml:2: eval.path: set, but eval.every is 0 (no evaluation)");
  EXPECT_EQ(parse_error("[network]\ninput = 784\noutput = 10\n[data]\nkind = \"fashion_mnist\"\n"
                        "limit = 200\n[eval]\nevery = 5\npath = \"t.csv\"\n"),
            "scenes/x.toml:9: eval.path: is for data.kind \"file\"; Fashion-MNIST is evaluated on "
            "the split not trained on");
}

TEST(SceneDataKeys, FashionMnistIsEvaluatedOnTheOtherSplit) {
  const net::Scene s = parse(
      "[network]\nsizes = [784, 32, 10]\n[data]\nkind = \"fashion_mnist\"\nlimit = 500\n"
      "batch = 100\n[eval]\nevery = 5\nlimit = 300\n",
      "scenes/x.toml");
  ASSERT_TRUE(s.data.set && s.eval.set);
  EXPECT_EQ(s.data.set->rows, 500u);
  EXPECT_EQ(s.eval.set->rows, 300u);
  EXPECT_NE(s.data.set->input,
            std::vector<float>(s.eval.set->input.begin(), s.eval.set->input.end()));
  EXPECT_TRUE(contains(s.eval.set->source, "t10k-images-idx3-ubyte")) << s.eval.set->source;
}

}  // namespace
}  // namespace gt::scene
