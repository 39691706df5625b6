// Real data end to end: the first 1,000 Fashion-MNIST images train (the loss falls, the held-out
// accuracy is well above chance) and twice give byte-identical statistics with the held-out
// columns; a user's CSV trains; a bad data file fails before any work, naming the file, line and
// column, and leaves no output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_run.hpp"

namespace gt {
namespace {

namespace fs = std::filesystem;

const std::string kFashion = std::string(GT_SOURCE_DIR) + "/scenes/fashion_mnist_mlp.toml";

bool has(const test::CliRun& r, const std::string& text) {
  return r.output.find(text) != std::string::npos;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Field `column` (0-based) of every row of layer 1 with a value there.
std::vector<double> column_of(const std::string& csv, size_t column) {
  std::vector<double> out;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');)
      f.push_back(x);
    if (f.size() > column && f[1] == "1" && !f[column].empty()) out.push_back(std::stod(f[column]));
  }
  return out;
}

class CliData : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gt_cli_data_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
  fs::path dir_;
};

TEST_F(CliData, TheFirstThousandFashionMnistImagesTrainAndRepeatBitForBit) {
  const std::string args = kFashion +
                           " --steps 40 --set data.limit=1000 --set eval.limit=1000 --set "
                           "eval.every=20 --validation --stats-out ";
  const test::CliRun a = test::run_cli("train " + args + (dir_ / "a.csv").string());
  ASSERT_EQ(a.code, 0) << a.output;
  const test::CliRun b = test::run_cli("train " + args + (dir_ / "b.csv").string() + " --quiet");
  ASSERT_EQ(b.code, 0) << b.output;
  EXPECT_TRUE(has(a, "held-out set (1000 samples) after step 40: loss ")) << a.output;
  EXPECT_TRUE(has(a, "epoch ")) << a.output;
  const std::string csv = slurp(dir_ / "a.csv");
  EXPECT_EQ(csv, slurp(dir_ / "b.csv"));
  EXPECT_EQ(csv.substr(0, csv.find('\n')).substr(csv.find("saturated")),
            "saturated,train_accuracy,test_loss,test_accuracy");
  const std::vector<double> loss = column_of(csv, 2), test_accuracy = column_of(csv, 16);
  ASSERT_EQ(loss.size(), 40u);
  ASSERT_EQ(test_accuracy.size(), 2u);  // after steps 20 and 40
  EXPECT_GT(loss.front(), 1.5);         // about ln 10 at the start
  EXPECT_LT(loss.back(), 0.7 * loss.front());
  EXPECT_GT(test_accuracy.back(), 0.6);  // chance is 0.1
}

// Regression targets have no accuracy: its columns stay empty, and the summary names none.
TEST_F(CliData, ARegressionSetHasNoAccuracy) {
  std::string csv = "x,y\n";
  for (int i = 0; i < 32; ++i)
    csv += std::to_string(0.1 * i) + "," + std::to_string(0.2 * i) + "\n";
  write("r.csv", csv);
  const std::string scene =
      "[network]\nsizes = [1, 4, 1]\n[data]\nkind = \"file\"\npath = \"r.csv\"\n"
      "target = [\"y\"]\nbatch = 8\n[train]\nloss = \"mse\"\nsteps = 4\n[eval]\nevery = 2\n"
      "path = \"r.csv\"\n";
  const test::CliRun r =
      test::run_cli("train " + write("r.toml", scene).string() + " --validation --stats-out " +
                    (dir_ / "r.csv.out").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_FALSE(has(r, "accuracy")) << r.output;
  const std::string out = slurp(dir_ / "r.csv.out");
  const std::string row1 =
      out.substr(out.find('\n') + 1, out.find('\n', out.find('\n') + 1) - out.find('\n') - 1);
  EXPECT_EQ(row1.substr(row1.size() - 3), ",,,") << row1;  // step 0: no accuracy, no evaluation
  EXPECT_NE(out.find(",,"), std::string::npos);
}

TEST_F(CliData, AUsersCsvTrainsAndABadOneFailsBeforeAnyWork) {
  // Two clusters of 3 features: the class is the sign of the first.
  std::string csv = "f1,f2,f3,class\n";
  for (int i = 0; i < 64; ++i) {
    const int c = i % 2;
    csv += std::to_string(c ? 1.0 + 0.01 * i : -1.0 - 0.01 * i) + "," +
           std::to_string(0.1 * (i % 5)) + "," + std::to_string(-0.2 * (i % 3)) + "," +
           std::to_string(c) + "\n";
  }
  write("points.csv", csv);
  const std::string scene =
      "[network]\nsizes = [3, 8, 2]\nactivation = \"tanh\"\n[data]\nkind = \"file\"\n"
      "path = \"points.csv\"\nlabel = \"class\"\nbatch = 16\n[train]\nloss = \"cross_entropy\"\n"
      "lr = 0.5\nsteps = 40\n[eval]\nevery = 40\npath = \"points.csv\"\n";
  const test::CliRun ok = test::run_cli("train " + write("s.toml", scene).string() +
                                        " --validation --stats-out " + (dir_ / "s.csv").string());
  ASSERT_EQ(ok.code, 0) << ok.output;
  EXPECT_TRUE(has(ok, "accuracy 1.0000")) << ok.output;

  write("points.csv", csv + "0.5,oops,1,0\n");
  const test::CliRun bad = test::run_cli("train " + (dir_ / "s.toml").string() + " --stats-out " +
                                         (dir_ / "bad.csv").string());
  EXPECT_EQ(bad.code, 1) << bad.output;
  EXPECT_TRUE(has(bad, "s.toml:6: data.path: ")) << bad.output;
  EXPECT_TRUE(has(bad, "points.csv:66: column 2 (\"f2\"): \"oops\" is not a number")) << bad.output;
  EXPECT_FALSE(fs::exists(dir_ / "bad.csv"));
}

}  // namespace
}  // namespace gt
