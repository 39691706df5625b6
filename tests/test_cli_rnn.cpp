// A recurrent network end to end: `train --time-out` writes one row per time step of every
// recurrent layer (||dL/dh_t||, the norm of step t's term of dW_hh, the mean of the tower's
// cells), twice byte-identical; the vanishing of a rho = 0.9 RNN shows in it; --time-out on a
// network without a recurrent layer fails naming the flag and leaves nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_run.hpp"

namespace gt {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::vector<std::string>> rows_of(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');)
      f.push_back(x);
    rows.push_back(std::move(f));
  }
  return rows;
}

class CliRnn : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gt_cli_rnn_" +
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

const char* kScene =
    "[network]\ninput = 80\nseed = 2\n[[network.op]]\nkind = \"rnn\"\nunits = 12\nsteps = 40\n"
    "init_hh = \"orthogonal\"\nrho = 0.9\n[[network.op]]\nkind = \"dense\"\nunits = 1\n"
    "[data]\nkind = \"adding\"\nbatch = 8\n[train]\nloss = \"mse\"\nlr = 0.01\n";

TEST_F(CliRnn, TimeOutHasEveryStepAndRepeatsBitForBit) {
  const fs::path scene = write("rnn.toml", kScene);
  const std::string args = "train " + scene.string() + " --steps 4 --stats-every 2 --validation";
  const test::CliRun a = test::run_cli(args + " --time-out " + (dir_ / "a.csv").string());
  ASSERT_EQ(a.code, 0) << a.output;
  const test::CliRun b = test::run_cli(args + " --quiet --time-out " + (dir_ / "b.csv").string());
  ASSERT_EQ(b.code, 0) << b.output;
  const std::string csv = slurp(dir_ / "a.csv");
  EXPECT_EQ(csv, slurp(dir_ / "b.csv"));
  const auto rows = rows_of(csv);
  ASSERT_EQ(rows.size(), 1u + 2 * 40);  // steps 0 and 2, 40 time steps each
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "step,layer,t,grad_h_norm,dwhh_term_norm,mean_abs_grad_h");
  EXPECT_EQ(rows[1][0], "0");
  EXPECT_EQ(rows[41][0], "2");
  for (size_t r = 1; r < rows.size(); ++r) {
    ASSERT_EQ(rows[r].size(), 6u);
    EXPECT_EQ(rows[r][1], "1");
    EXPECT_EQ(std::stoul(rows[r][2]), (r - 1) % 40 + 1);
    EXPECT_GT(std::stod(rows[r][3]), 0.0);
  }
  EXPECT_EQ(std::stod(rows[1][4]), 0.0) << "h_0 = 0: step 1 adds nothing to dW_hh";
  // rho = 0.9 over 39 steps, times tanh' <= 1: t = 1 at most 0.9^39 = 0.016 of t = 40.
  EXPECT_LT(std::stod(rows[1][3]), 0.02 * std::stod(rows[40][3]));
}

TEST_F(CliRnn, TimeOutNeedsARecurrentLayer) {
  const fs::path scene = write("dense.toml",
                               "[network]\nsizes = [2, 4, 2]\n[data]\nkind = \"xor\"\n"
                               "[train]\nsteps = 2\n");
  const fs::path out = dir_ / "t.csv";
  const test::CliRun r = test::run_cli("train " + scene.string() + " --time-out " + out.string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--time-out " + out.string() + ": the scene's network has no recurrent"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(out));
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_NE(e.path().filename().string().rfind("t.csv", 0), 0u) << e.path();
}

}  // namespace
}  // namespace gt
