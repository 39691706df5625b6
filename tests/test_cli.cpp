// The gradtower CLI end to end: exit codes, error messages naming file, line and key, no
// half-written output, the stats CSV columns, and dump / --init-from round trips. Runs the
// built binary (GT_CLI), with the validation layer on (GT_VALIDATION=1 from the environment of
// the suite, or --validation here).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_run.hpp"
#include "io/checkpoint.hpp"
#include "io/safetensors.hpp"
#include "net/reference.hpp"
#include "scene/scene.hpp"

namespace gt {
namespace {

namespace fs = std::filesystem;

using test::CliRun;

CliRun run(const std::string& args) {
  return test::run_cli(args);
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("gt_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
         "_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
  fs::path dir_;
};

const std::string kScene = std::string(GT_SOURCE_DIR) + "/scenes/default.toml";

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

TEST_F(Cli, TrainWritesStatsCsvWithTheDocumentedColumns) {
  const fs::path csv = dir_ / "stats.csv";
  CliRun r = run("train " + kScene +
                 " --steps 4 --stats-every 2 --validation --quiet --stats-out " + csv.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const std::vector<std::string> lines = lines_of(csv);
  ASSERT_FALSE(lines.empty());
  // The first eleven columns are fixed; later ones are only ever appended.
  EXPECT_EQ(lines[0],
            "step,layer,loss,grad_w_norm,grad_w_mean_abs,grad_w_max_abs,grad_b_norm,delta_rms,"
            "weight_norm,update_ratio,nonfinite,act_mean,act_std,saturated");
  ASSERT_EQ(lines.size(), 1u + 2 * 33) << "steps 0 and 2, 33 layers each";
  EXPECT_EQ(std::count(lines[1].begin(), lines[1].end(), ','), 13) << lines[1];
  EXPECT_EQ(lines[1].rfind("0,1,", 0), 0u) << lines[1];
  EXPECT_EQ(lines[33].rfind("0,33,", 0), 0u) << lines[33];
  EXPECT_EQ(lines[34].rfind("2,1,", 0), 0u) << lines[34];
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename(), "stats.csv") << "no temporary files left";
}

TEST_F(Cli, BadSceneNamesFileLineAndKeyAndWritesNothing) {
  const fs::path scene = write("bad.toml", "[network]\ndepth = 4\nactivation = \"sigmoidd\"\n");
  const fs::path csv = dir_ / "stats.csv";
  CliRun r = run("train " + scene.string() + " --stats-out " + csv.string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find(scene.string() + ":3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("network.activation"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(csv));
}

TEST_F(Cli, BadOverrideNamesTheSet) {
  CliRun r = run("train " + kScene + " --set network.depth=-3");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--set network.depth=-3"), std::string::npos) << r.output;
}

TEST_F(Cli, UnknownFlagAndMissingSceneFail) {
  CliRun r = run("train " + kScene + " --no-such-flag");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--no-such-flag"), std::string::npos) << r.output;
  CliRun m = run("train " + (dir_ / "missing.toml").string());
  EXPECT_NE(m.code, 0);
  EXPECT_NE(m.output.find("missing.toml"), std::string::npos) << m.output;
}

TEST_F(Cli, DumpStepOutOfRangeFailsBeforeWriting) {
  const fs::path dump = dir_ / "d.safetensors";
  CliRun r = run("train " + kScene + " --steps 3 --dump-step 3 --dump-out " + dump.string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--dump-step"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dump));
  CliRun half = run("train " + kScene + " --steps 3 --dump-step 1");
  EXPECT_NE(half.code, 0);
  EXPECT_NE(half.output.find("--dump-out"), std::string::npos) << half.output;
}

TEST_F(Cli, UnwritableOutputsFailBeforeTraining) {
  // 100000 steps would take minutes: the checks must come first.
  CliRun d = run("train " + kScene + " --steps 100000 --stats-out " + dir_.string());
  EXPECT_NE(d.code, 0);
  EXPECT_NE(d.output.find("--stats-out"), std::string::npos) << d.output;
  EXPECT_NE(d.output.find("is a directory"), std::string::npos) << d.output;
  CliRun m = run("train " + kScene + " --steps 100000 --dump-step 5 --dump-out " +
                 (dir_ / "no/such/d.st").string());
  EXPECT_NE(m.code, 0);
  EXPECT_NE(m.output.find("does not exist"), std::string::npos) << m.output;
}

TEST_F(Cli, NetworkBeyondDeviceMemoryIsRefusedClearly) {
  CliRun r =
      run("train " + kScene + " --steps 1 --set network.width=65536 --set network.depth=1000");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("device"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("needs"), std::string::npos) << r.output;
}

TEST_F(Cli, DumpHoldsTheStepAndInitFromRestoresIt) {
  const fs::path dump = dir_ / "d.safetensors", csv = dir_ / "s.csv";
  CliRun r = run("train " + kScene + " --steps 3 --dump-step 2 --quiet --validation --dump-out " +
                 dump.string() + " --stats-out " + csv.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const std::vector<io::Tensor> t = io::read_safetensors(dump);
  const io::Tensor* w0 = io::find(t, "layers.0.weight");
  const io::Tensor* g32 = io::find(t, "layers.32.weight.grad");
  const io::Tensor* in = io::find(t, "input");
  const io::Tensor* target = io::find(t, "target");
  const io::Tensor* loss = io::find(t, "loss");
  ASSERT_TRUE(w0 && g32 && in && target && loss);
  EXPECT_EQ(w0->shape, (std::vector<int64_t>{64, 2}));
  EXPECT_EQ(g32->shape, (std::vector<int64_t>{3, 64}));
  EXPECT_EQ(in->shape, (std::vector<int64_t>{128, 2}));
  EXPECT_EQ(target->shape, (std::vector<int64_t>{128, 3}));
  for (int64_t b = 0; b < 128; ++b) {  // one-hot targets
    float sum = 0;
    for (int64_t j = 0; j < 3; ++j)
      sum += target->data[b * 3 + j];
    EXPECT_EQ(sum, 1.0f);
  }
  // The dump is one consistent step: the CPU reference, run on the dumped parameters and batch,
  // gives the dumped gradients and loss (so the parameters are those before the update).
  const net::Scene scene = scene::load(kScene);
  net::Params params(scene.network.num_layers());
  for (uint32_t i = 0; i < params.size(); ++i) {
    const std::string name = "layers." + std::to_string(i);
    params[i].out = uint32_t(io::find(t, name + ".weight")->shape[0]);
    params[i].in = uint32_t(io::find(t, name + ".weight")->shape[1]);
    params[i].w = io::find(t, name + ".weight")->data;
    params[i].b = io::find(t, name + ".bias")->data;
  }
  net::ref::Batch batch;
  batch.size = 128;
  batch.input.assign(in->data.begin(), in->data.end());
  batch.target.assign(target->data.begin(), target->data.end());
  const net::ref::Gradients ref =
      net::ref::backward(net::ref::Net::from(scene.network, params), batch, scene.train.loss);
  EXPECT_NEAR(loss->data[0], ref.loss, 1e-5 * ref.loss);
  for (uint32_t i = 0; i < params.size(); i += 8) {
    const io::Tensor* g = io::find(t, "layers." + std::to_string(i) + ".weight.grad");
    double scale = 0, worst = 0;
    for (size_t k = 0; k < g->data.size(); ++k) {
      scale = std::max(scale, std::abs(ref.dw[i][k]));
      worst = std::max(worst, std::abs(g->data[k] - ref.dw[i][k]));
    }
    EXPECT_LE(worst, 1e-4 * scale + 1e-30) << "dW of layer " << i;
  }
  // The dumped loss is step 2's, as in the CSV.
  const std::vector<std::string> lines = lines_of(csv);
  const std::string row = lines[1 + 2 * 33];
  ASSERT_EQ(row.rfind("2,1,", 0), 0u);
  EXPECT_NEAR(std::stod(row.substr(4)), loss->data[0], 1e-6 * std::abs(loss->data[0]));

  // Starting from the dumped parameters reproduces the dumped parameters' norms at step 0.
  const fs::path csv2 = dir_ / "s2.csv";
  CliRun r2 = run("train " + kScene + " --steps 1 --quiet --validation --init-from " +
                  dump.string() + " --stats-out " + csv2.string());
  ASSERT_EQ(r2.code, 0) << r2.output;
  double norm = 0;
  for (float v : w0->data)
    norm += double(v) * v;
  const std::vector<std::string> l2 = lines_of(csv2);
  std::vector<std::string> cols;
  std::stringstream ss(l2[1]);
  for (std::string c; std::getline(ss, c, ',');)
    cols.push_back(c);
  EXPECT_NEAR(std::stod(cols[8]), std::sqrt(norm), 1e-5 * std::sqrt(norm))
      << "weight_norm of layer 1";
}

TEST_F(Cli, InitFromWithWrongShapesNamesFileAndTensor) {
  io::write_safetensors(dir_ / "w.safetensors",
                        {{"layers.0.weight", {3, 3}, std::vector<float>(9)}});
  CliRun r = run("train " + kScene + " --steps 1 --init-from " + (dir_ / "w.safetensors").string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("w.safetensors"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("layers.0.weight"), std::string::npos) << r.output;
}

// Width and height from a PNG's IHDR chunk (big-endian, after the 8-byte signature).
std::pair<uint32_t, uint32_t> png_size(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  unsigned char h[24] = {};
  in.read(reinterpret_cast<char*>(h), 24);
  const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (std::memcmp(h, sig, 8) != 0) return {0, 0};
  auto be = [&](int o) {
    return uint32_t(h[o]) << 24 | uint32_t(h[o + 1]) << 16 | uint32_t(h[o + 2]) << 8 | h[o + 3];
  };
  return {be(16), be(20)};
}

TEST_F(Cli, RenderWritesAPngOfTheAskedSize) {
  const fs::path png = dir_ / "tower.png";
  CliRun r = run("render " + kScene + " --steps 2 --width 96 --height 80 --validation --out " +
                 png.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(png_size(png), (std::pair<uint32_t, uint32_t>{96, 80}));
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename(), "tower.png");
}

TEST_F(Cli, RenderWithBadRangeOrSizeWritesNothing) {
  const fs::path png = dir_ / "tower.png";
  CliRun r = run("render " + kScene + " --steps 1 --range 0:-3 --out " + png.string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--range"), std::string::npos) << r.output;
  CliRun s = run("render " + kScene + " --steps 1 --width 5 --out " + png.string());
  EXPECT_NE(s.code, 0);
  EXPECT_NE(s.output.find("--width"), std::string::npos) << s.output;
  EXPECT_FALSE(fs::exists(png));
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// record end to end, checked by ffprobe: codec, size, pixel format and frame count.
TEST_F(Cli, RecordWritesAnH264VideoWithTheAskedFrames) {
  const fs::path mp4 = dir_ / "v.mp4";
  CliRun r = run("record " + kScene +
                 " --frames 7 --steps-per-frame 2 --width 160 --height 90 --validation --out " +
                 mp4.string());
  ASSERT_EQ(r.code, 0) << r.output;
  // ffprobe: apt-get install ffmpeg
  EXPECT_EQ(test::probe_video(mp4.string()), "h264,160,90,yuv420p,7\n");
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename(), "v.mp4");
}

TEST_F(Cli, RecordRefusesOddSizesAndWritesNothing) {
  const fs::path mp4 = dir_ / "v.mp4";
  CliRun r = run("record " + kScene + " --frames 2 --width 161 --height 90 --out " + mp4.string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("even"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::is_empty(dir_));
}

// The same scene gives bit-identical frames (PNG bytes) run after run.
TEST_F(Cli, RecordedFramesAreBitIdenticalAcrossRuns) {
  for (const char* d : {"a", "b"}) {
    CliRun r = run("record " + kScene + " --frames 3 --width 128 --height 72 --png-dir " +
                   (dir_ / d).string());
    ASSERT_EQ(r.code, 0) << r.output;
  }
  for (const char* f : {"frame_00000.png", "frame_00001.png", "frame_00002.png"}) {
    const std::string a = read_file(dir_ / "a" / f), b = read_file(dir_ / "b" / f);
    EXPECT_FALSE(a.empty()) << f;
    EXPECT_EQ(a, b) << f;
  }
  EXPECT_EQ(png_size(dir_ / "a" / "frame_00002.png"), (std::pair<uint32_t, uint32_t>{128, 72}));
}

TEST_F(Cli, InfoListsTheChosenDeviceAndLimits) {
  CliRun r = run("info --validation");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("chosen:"), std::string::npos);
  EXPECT_NE(r.output.find("max storage buffer range"), std::string::npos);
  EXPECT_NE(r.output.find("subgroup size"), std::string::npos);
}

TEST_F(Cli, BenchTakesResidualAndNormAndNamesThemInItsHeader) {
  CliRun r =
      run("bench --depth 3 --width 8 --batch 4 --steps 1 --warmup 0 --no-peer --norm batch "
          "--residual 1 --validation");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("3 layers x 8 wide, batch 4, tanh, residual blocks of 1 hidden layer, "
                          "batch norm, SGD"),
            std::string::npos)
      << r.output;
  // 3 forward and 3 backward, 2 norm layers x 2, loss, gradient norm, update, finalize, counter.
  EXPECT_NE(r.output.find("dispatches per step: 15"), std::string::npos) << r.output;
  CliRun bad = run("bench --depth 3 --width 8 --no-peer --norm foo");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.output.find("--norm"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("foo"), std::string::npos) << bad.output;
}

// The live window's errors come before any window opens, so they need no display.
TEST_F(Cli, LiveRefusesBadInputBeforeOpeningAWindow) {
  const fs::path bad = write("bad.toml", "[network]\ndepth = 4\nwidht = 3\n");
  CliRun r = run("live " + bad.string() + " --frames 1");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("bad.toml:3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("widht"), std::string::npos) << r.output;
  r = run("live " + kScene + " --screenshot " + (dir_ / "x.png").string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--screenshot needs --frames"), std::string::npos) << r.output;
  r = run("live " + kScene + " --frames 1 --screenshot " + (dir_ / "missing" / "x.png").string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--screenshot"), std::string::npos) << r.output;
}

TEST_F(Cli, LiveWithoutADisplaySaysHowToGetOne) {
  const std::string cmd = "env -u DISPLAY -u WAYLAND_DISPLAY " + std::string(GT_CLI) + " live " +
                          kScene + " --frames 1 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p))
    out.append(buf, n);
  const int status = pclose(p);
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_NE(out.find("xvfb-run"), std::string::npos) << out;
  EXPECT_TRUE(fs::is_empty(dir_));
}

// Mean-field theory needs no device: the default scene's chi1, the verdict and a CSV row per layer;
// a bad override names its key.
TEST_F(Cli, TheoryPrintsChi1AndWritesEveryLayer) {
  const fs::path csv = dir_ / "theory.csv";
  CliRun r = run("theory " + kScene + " --csv " + csv.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("chi1         0.0557"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ordered/vanishing"), std::string::npos) << r.output;
  const std::vector<std::string> lines = lines_of(csv);
  ASSERT_EQ(lines.size(), 1u + 33u);
  EXPECT_EQ(lines[0].rfind("layer,q,predicted_log10_ratio,", 0), 0u) << lines[0];
  EXPECT_EQ(lines.back().rfind("33,", 0), 0u) << lines.back();
  r = run("theory " + kScene + " --set network.sigma_vv=2");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("sigma_vv"), std::string::npos) << r.output;
}

// why: finite differences on a few parameters of the default scene against backprop, with the
// table, which numbers are measured and which extrapolated, and the statement.
TEST_F(Cli, WhyComparesFiniteDifferencesWithBackprop) {
  CliRun r = run("why " + kScene + " --max-params 40 --validation");
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* want :
       {"P = 129,347", "N = 40 of the P parameters", "finite differences, N params   80 forward",
        "finite differences, all P      258,694 forward", "EXTRAPOLATED time",
        "backprop, all P                1 forward + 1 backward",
        "finite differences need 2P forward passes; backprop needs one forward and one backward "
        "pass whatever P is."})
    EXPECT_NE(r.output.find(want), std::string::npos) << want << "\n" << r.output;
  // The measured row's max|diff|, the next-to-last column: FD agrees with backprop.
  const size_t at = r.output.find("finite differences, N params");
  ASSERT_NE(at, std::string::npos);
  std::istringstream row(r.output.substr(at, r.output.find('\n', at) - at));
  std::vector<std::string> cells;
  for (std::string c; row >> c;)
    cells.push_back(c);
  ASSERT_GE(cells.size(), 2u) << r.output;
  EXPECT_LT(std::stod(cells[cells.size() - 2]), 1e-6) << r.output;
  r = run("why " + kScene + " --max-params -1");
  EXPECT_NE(r.code, 0);
}

// why on an op list with norms ([[network.op]]: network.norm stays none, the ops carry them):
// P counts every normalized layer's scale and shift, and the text says so.
TEST_F(Cli, WhyCountsTheNormsOfAnOpList) {
  CliRun r = run("why " + std::string(GT_SOURCE_DIR) +
                 "/scenes/op_list_residual.toml --max-params 20 --validation");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("and each normalized layer's scale and shift"), std::string::npos)
      << r.output;
}

// --hist-out: one row per layer for every --stats-every K-th step, each row's counts adding up to
// the layer's weights; written through a temporary file like the statistics.
TEST_F(Cli, TrainWritesHistogramCsv) {
  const fs::path hist = dir_ / "hist.csv";
  CliRun r = run("train " + kScene +
                 " --steps 5 --stats-every 2 --validation --quiet --set train.hist_lo=-9 "
                 "--set train.hist_hi=1 --hist-out " +
                 hist.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const std::vector<std::string> lines = lines_of(hist);
  ASSERT_FALSE(lines.empty());
  std::string header = "step,layer,lo,hi";
  for (int b = 0; b < 64; ++b)
    header += ",bin" + std::to_string(b);
  EXPECT_EQ(lines[0], header + ",underflow,overflow,zero,nonfinite");
  ASSERT_EQ(lines.size(), 1u + 3 * 33) << "steps 0, 2 and 4, 33 layers each";
  EXPECT_EQ(lines[1].rfind("0,1,-9,1,", 0), 0u) << lines[1];
  EXPECT_EQ(lines[34].rfind("2,1,", 0), 0u) << lines[34];
  EXPECT_EQ(lines.back().rfind("4,33,", 0), 0u) << lines.back();
  // Every row's counts add up to its layer's in x out weights.
  const net::Scene scene = scene::load(kScene);
  const std::vector<uint32_t> sizes = scene.network.sizes();
  for (size_t i = 1; i < lines.size(); ++i) {
    std::stringstream row(lines[i]);
    std::vector<std::string> cells;
    for (std::string cell; std::getline(row, cell, ',');)
      cells.push_back(cell);
    ASSERT_EQ(cells.size(), 4u + 64 + 4) << lines[i];
    uint64_t total = 0;
    for (size_t c = 4; c < cells.size(); ++c)
      total += std::stoull(cells[c]);
    const size_t layer = std::stoul(cells[1]);
    EXPECT_EQ(total, uint64_t(sizes[layer - 1]) * sizes[layer]) << lines[i];
  }
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename(), "hist.csv") << "no temporary files left";
  r = run("train " + kScene + " --steps 1 --set train.hist_lo=0 --set train.hist_hi=0");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("hist_lo < hist_hi"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace gt

namespace gt {
namespace {

// Normalization from the command line: the dump holds gamma and beta (and their gradients) under
// PyTorch-style names, and --init-from puts them back: the next run starts from the same loss.
TEST_F(Cli, NormTrainsDumpsAndRestoresGammaAndBeta) {
  const std::string sets = " --set network.norm=batch --set network.depth=6 --set network.width=12";
  const fs::path dump = dir_ / "n.safetensors", csv = dir_ / "n.csv";
  CliRun r = run("train " + kScene + sets + " --steps 3 --dump-step 2 --quiet --validation" +
                 " --dump-out " + dump.string() + " --stats-out " + csv.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const std::vector<io::Tensor> t = io::read_safetensors(dump);
  for (const char* name : {"layers.0.norm.weight", "layers.5.norm.bias",
                           "layers.3.norm.weight.grad", "layers.3.norm.bias.grad"}) {
    const io::Tensor* g = io::find(t, name);
    ASSERT_TRUE(g) << name;
    EXPECT_EQ(g->shape, (std::vector<int64_t>{12})) << name;
  }
  EXPECT_FALSE(io::find(t, "layers.6.norm.weight")) << "the output layer has no norm";
  // After two SGD steps gamma has moved off its initial 1.
  const io::Tensor* gamma = io::find(t, "layers.2.norm.weight");
  EXPECT_NE(gamma->data, std::vector<float>(12, 1.0f));
  // --init-from the dump, then dump step 0 of that run: its parameters before the update are
  // exactly the file's, gamma and beta included.
  const fs::path again = dir_ / "again.safetensors";
  CliRun ri = run("train " + kScene + sets + " --steps 1 --dump-step 0 --quiet --validation" +
                  " --init-from " + dump.string() + " --dump-out " + again.string());
  ASSERT_EQ(ri.code, 0) << ri.output;
  const std::vector<io::Tensor> t2 = io::read_safetensors(again);
  for (int i = 0; i < 6; ++i) {
    for (const std::string name : {".norm.weight", ".norm.bias", ".weight"}) {
      const std::string full = "layers." + std::to_string(i) + name;
      ASSERT_TRUE(io::find(t2, full)) << full;
      EXPECT_EQ(io::find(t2, full)->data, io::find(t, full)->data) << full;
    }
  }
  // Without the norm tensors the file does not fit a norm network: named file and tensor.
  std::vector<io::Tensor> plain;
  for (const io::Tensor& x : t)
    if (x.name.find(".norm.") == std::string::npos) plain.push_back(x);
  io::write_safetensors(dir_ / "p.safetensors", plain);
  CliRun rp =
      run("train " + kScene + sets + " --steps 1 --init-from " + (dir_ / "p.safetensors").string());
  EXPECT_NE(rp.code, 0);
  EXPECT_NE(rp.output.find("layers.0.norm.weight is missing"), std::string::npos) << rp.output;
}

TEST_F(Cli, TheorySaysItDoesNotCoverResidualOrNorm) {
  for (const char* set : {"network.residual=true", "network.norm=layer"}) {
    CliRun r = run("theory " + kScene + " --set " + set);
    EXPECT_EQ(r.code, 1) << set;
    EXPECT_NE(r.output.find("no prediction"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("chi1"), std::string::npos) << "no numbers: " << r.output;
  }
}

}  // namespace
}  // namespace gt
