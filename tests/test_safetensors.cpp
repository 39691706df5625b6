// safetensors: exact bytes of a known file, round trips, other dtypes, every kind of corruption,
// and writes that fail without leaving anything behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "io/checkpoint.hpp"
#include "io/safetensors.hpp"

namespace gt::io {
namespace {

namespace fs = std::filesystem;

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

void append_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A file as the format defines it: header length, header, data.
std::string make_file(const std::string& header, const std::string& data) {
  std::string out;
  append_le(out, header.size(), 8);
  return out + header + data;
}

std::string f32_bytes(const std::vector<float>& values) {
  std::string out;
  for (const float v : values)
    append_le(out, std::bit_cast<uint32_t>(v), 4);
  return out;
}

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gt_test_st_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path put(const std::string& name, const std::string& bytes) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  // An error naming the file and containing `what`.
  void expect_read_error(const std::string& bytes, const std::string& what) {
    const fs::path p = put("corrupt.safetensors", bytes);
    const std::string message = error_of([&] { read_safetensors(p); });
    EXPECT_EQ(message.rfind(p.string() + ": ", 0), 0u) << message;
    EXPECT_TRUE(contains(message, what)) << message;
  }

  fs::path dir_;
};

constexpr char kTinyHeader[] = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";

TEST_F(SafetensorsTest, WritesKnownFileByteForByte) {
  const fs::path p = dir_ / "tiny.safetensors";
  write_safetensors(p, {{"a", {2}, {1.0f, 2.0f}}});
  const std::string expected =
      std::string("\x38\0\0\0\0\0\0\0", 8) + kTinyHeader + "  " +  // 54 bytes padded to 56
      std::string("\x00\x00\x80\x3f\x00\x00\x00\x40", 8);          // 1.0f, 2.0f little-endian
  ASSERT_EQ(expected.size(), 72u);
  EXPECT_EQ(slurp(p), expected);
}

TEST_F(SafetensorsTest, ReadsKnownFile) {
  const fs::path p = put("tiny.safetensors", make_file(kTinyHeader, f32_bytes({1.0f, 2.0f})));
  const std::vector<Tensor> t = read_safetensors(p);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].name, "a");
  EXPECT_EQ(t[0].shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(t[0].data, (std::vector<float>{1.0f, 2.0f}));
}

TEST_F(SafetensorsTest, RoundTripKeepsOrderShapesAndValues) {
  const std::vector<Tensor> in = {
      {"layers.1.w", {2, 3}, {1.5f, -2.25f, 0.0f, 1e-30f, -1e30f, 3.0f}},
      {"layers.0.b", {3}, {7.0f, 8.0f, std::numeric_limits<float>::infinity()}},
      {"scalar", {}, {42.0f}},
      {"empty", {0, 4}, {}},
      {"denormal \"quoted\" \\ \u00e9", {1}, {std::numeric_limits<float>::denorm_min()}},
  };
  const fs::path p = dir_ / "model.safetensors";
  write_safetensors(p, in);
  EXPECT_EQ((fs::file_size(p) - 13 * 4) % 8, 0u);  // the header is padded to 8 bytes
  const std::vector<Tensor> out = read_safetensors(p);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].name, in[i].name);
    EXPECT_EQ(out[i].shape, in[i].shape);
    EXPECT_EQ(out[i].data, in[i].data);
  }
  ASSERT_NE(find(out, "scalar"), nullptr);
  EXPECT_EQ(find(out, "scalar")->data, (std::vector<float>{42.0f}));
  EXPECT_EQ(find(out, "layers.0.b"), &out[1]);
  EXPECT_EQ(find(out, "missing"), nullptr);
  // Overwriting replaces the old contents.
  write_safetensors(p, {{"only", {1}, {5.0f}}});
  ASSERT_EQ(read_safetensors(p).size(), 1u);
}

TEST_F(SafetensorsTest, ReadsF64F16Bf16AndMetadata) {
  std::string data;
  for (const double v : {0.5, -2.0, 1e10})
    append_le(data, std::bit_cast<uint64_t>(v), 8);
  // F16: 1, -2, 0.5, smallest subnormal 2^-24, largest 65504, +inf.
  for (const uint64_t h : {0x3c00u, 0xc000u, 0x3800u, 0x0001u, 0x7bffu, 0x7c00u})
    append_le(data, h, 2);
  for (const uint64_t b : {0x3f80u, 0xc040u})
    append_le(data, b, 2);  // BF16: 1, -3
  const std::string header = R"({"__metadata__":{"format":"pt"},)"
                             R"("h":{"dtype":"F16","shape":[2,3],"data_offsets":[24,36]},)"
                             R"("d":{"dtype":"F64","shape":[3],"data_offsets":[0,24]},)"
                             R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[36,40]}})";
  const std::vector<Tensor> t = read_safetensors(put("mixed.safetensors", make_file(header, data)));
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].name, "d");  // in data order, not header order
  EXPECT_EQ(t[0].data, (std::vector<float>{0.5f, -2.0f, 1e10f}));
  EXPECT_EQ(t[1].name, "h");
  EXPECT_EQ(t[1].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t[1].data, (std::vector<float>{1.0f, -2.0f, 0.5f, 0x1p-24f, 65504.0f,
                                           std::numeric_limits<float>::infinity()}));
  EXPECT_EQ(t[2].name, "b");
  EXPECT_EQ(t[2].data, (std::vector<float>{1.0f, -3.0f}));
}

TEST_F(SafetensorsTest, CorruptFilesNameTheFileAndTheProblem) {
  const std::string good = make_file(kTinyHeader, f32_bytes({1.0f, 2.0f}));
  expect_read_error(good.substr(0, 5), "too short");
  expect_read_error(good.substr(0, 40), "header length 54 exceeds the rest of the file (32 bytes)");
  expect_read_error(good.substr(0, good.size() - 4), "run past the end of the data (4 bytes)");
  expect_read_error(good + "xxxx", "4 bytes after the last tensor belong to no tensor");
  expect_read_error(make_file(R"({"a":{"dtype":"F32",)", ""), "header is not valid JSON");
  expect_read_error(make_file("[1,2]", ""), "header is not a JSON object");
  expect_read_error(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})",
                              f32_bytes({1.0f, 2.0f})),
                    "tensor \"a\": data_offsets [0, 16] run past the end");
  expect_read_error(make_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
                              f32_bytes({1.0f, 2.0f})),
                    "tensor \"a\": shape [3] of F32 does not match data_offsets size of 8 bytes");
  expect_read_error(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                              R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                              f32_bytes({1.0f, 2.0f})),
                    "tensor \"b\": data overlaps tensor \"a\"");
  expect_read_error(make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                              f32_bytes({1.0f, 2.0f})),
                    "data bytes 0..4 belong to no tensor");
  expect_read_error(make_file(R"({"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})",
                              f32_bytes({1.0f, 2.0f})),
                    "tensor \"a\": unsupported dtype \"I32\"");
  expect_read_error(make_file(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
                              f32_bytes({1.0f, 2.0f})),
                    "shape entries must be non-negative integers");
  expect_read_error(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})",
                              f32_bytes({1.0f, 2.0f})),
                    "begin > end");
  expect_read_error(make_file(R"({"a":{"dtype":"F32","shape":[2]}})", f32_bytes({1.0f, 2.0f})),
                    "data_offsets must be two non-negative integers");
  expect_read_error(make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                              R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                              f32_bytes({1.0f, 2.0f})),
                    "tensor \"a\": appears twice");
  expect_read_error(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}})",
                              f32_bytes({1.0f, 2.0f})),
                    "unknown field \"x\"");
  expect_read_error(make_file(R"({"__metadata__":{"k":1}})", ""), "__metadata__ \"k\"");
  std::string huge_length;
  append_le(huge_length, 1ull << 62, 8);
  expect_read_error(huge_length + "{}", "exceeds the rest of the file");
}

TEST_F(SafetensorsTest, MissingFileCannotOpen) {
  const fs::path p = dir_ / "absent.safetensors";
  EXPECT_EQ(error_of([&] { read_safetensors(p); }),
            p.string() + ": cannot open: No such file or directory");
}

// A FIFO would block the open (and, with a writer, the read) for ever; a device never ends.
TEST_F(SafetensorsTest, OnlyRegularFilesAreRead) {
  EXPECT_EQ(error_of([&] { read_safetensors("/dev/zero"); }),
            "/dev/zero: cannot open: a character device, not a regular file");
  const fs::path fifo = dir_ / "fifo.safetensors";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const int writer = open(fifo.c_str(), O_RDWR | O_NONBLOCK);  // so no open of it can block
  ASSERT_GE(writer, 0);
  EXPECT_EQ(error_of([&] { read_safetensors(fifo); }),
            fifo.string() + ": cannot open: a FIFO, not a regular file");
  close(writer);
}

// The filter's tensors only: the others are validated but their data never read.
TEST_F(SafetensorsTest, FilterReadsTheChosenTensorsOnly) {
  const fs::path p =
      put("two.safetensors", make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                       R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                       f32_bytes({1.0f, 2.0f})));
  std::vector<std::string> seen;
  const std::vector<Tensor> t = read_safetensors(p, [&](const TensorInfo& info) {
    seen.emplace_back(info.name);
    return info.name == "b";
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].name, "b");
  EXPECT_EQ(t[0].data, (std::vector<float>{2.0f}));
}

net::NetworkSpec two_layers() {
  net::NetworkSpec spec;
  spec.input = 2;
  spec.depth = 1;
  spec.width = 3;
  spec.output = 1;
  return spec;
}

std::vector<Tensor> params_of(const net::NetworkSpec& spec, float fill) {
  std::vector<Tensor> t;
  const std::vector<uint32_t> sizes = spec.sizes();
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    const std::string name = "layers." + std::to_string(i);
    t.push_back({name + ".weight",
                 {sizes[i + 1], sizes[i]},
                 std::vector<float>(size_t(sizes[i + 1]) * sizes[i], fill)});
    t.push_back({name + ".bias", {sizes[i + 1]}, std::vector<float>(sizes[i + 1], fill)});
  }
  return t;
}

// As a scene's [[network.layer]] values, initial parameters must be finite.
TEST_F(SafetensorsTest, InitialParametersMustBeFinite) {
  const net::NetworkSpec spec = two_layers();
  std::vector<Tensor> t = params_of(spec, 0.5f);
  t[2].data[2] = std::numeric_limits<float>::quiet_NaN();  // layers.1.weight, [1, 3]
  const fs::path p = dir_ / "w.safetensors";
  write_safetensors(p, t);
  EXPECT_EQ(error_of([&] { read_params(p, spec); }),
            p.string() +
                ": tensor layers.1.weight[2] (row 0, column 2): not finite (nan); parameters "
                "must be finite");
  t[2].data[2] = 0;
  t[1].data[1] = -std::numeric_limits<float>::infinity();  // layers.0.bias, [3]
  write_safetensors(p, t);
  EXPECT_EQ(error_of([&] { read_params(p, spec); }),
            p.string() + ": tensor layers.0.bias[1]: not finite (-inf); parameters must be finite");
  t[1].data[1] = 0;
  write_safetensors(p, t);
  EXPECT_EQ(read_params(p, spec)[1].w, (std::vector<float>{0.5f, 0.5f, 0.0f}));
}

// read_params reads the network's tensors only: a file also holding a 1 TiB tensor (sparse, so
// it takes no disk) costs no memory, and a needed tensor of the wrong shape is still named.
TEST_F(SafetensorsTest, ReadParamsSkipsTensorsTheNetworkDoesNotNeed) {
  const net::NetworkSpec spec = two_layers();
  const fs::path p = dir_ / "big.safetensors";
  write_safetensors(p, params_of(spec, 0.25f));
  const std::vector<Tensor> small = read_safetensors(p);
  // The same tensors plus "junk" of 2^38 floats after them, built by hand.
  std::ostringstream h;
  h << "{";
  uint64_t offset = 0;
  for (const Tensor& t : small) {
    const uint64_t end = offset + 4 * t.data.size();
    h << '"' << t.name << R"(":{"dtype":"F32","shape":[)" << t.shape[0];
    if (t.shape.size() == 2) h << "," << t.shape[1];
    h << R"(],"data_offsets":[)" << offset << "," << end << "]},";
    offset = end;
  }
  const uint64_t junk = 1ull << 38;
  h << R"("junk":{"dtype":"F32","shape":[)" << junk << R"(],"data_offsets":[)" << offset << ","
    << offset + 4 * junk << "]}}";
  const std::string header = h.str();
  std::string bytes;
  for (const Tensor& t : small)
    bytes += f32_bytes(t.data);
  const fs::path huge = put("huge.safetensors", make_file(header, bytes));
  fs::resize_file(huge, 8 + header.size() + offset + 4 * junk);
  const net::Params params = read_params(huge, spec);
  EXPECT_EQ(params[0].w, std::vector<float>(6, 0.25f));

  net::NetworkSpec wider = spec;
  wider.width = 4;
  EXPECT_EQ(error_of([&] { read_params(p, wider); }),
            p.string() +
                ": tensor layers.0.weight has shape [3, 2], the scene's network needs "
                "[4, 2]");
}

TEST_F(SafetensorsTest, FailedWritesLeaveNoFile) {
  const std::vector<Tensor> t = {{"a", {2}, {1.0f, 2.0f}}};
  const fs::path no_dir = dir_ / "no_such_dir" / "x.safetensors";
  EXPECT_TRUE(contains(error_of([&] { write_safetensors(no_dir, t); }), no_dir.string()));
  EXPECT_FALSE(fs::exists(no_dir));

  const fs::path is_dir = dir_ / "a_directory";
  fs::create_directory(is_dir);
  EXPECT_TRUE(contains(error_of([&] { write_safetensors(is_dir, t); }), is_dir.string()));
  EXPECT_TRUE(fs::is_directory(is_dir));

  // Invalid tensors are refused before anything is written, and an existing file survives.
  const fs::path p = dir_ / "kept.safetensors";
  write_safetensors(p, t);
  const std::string before = slurp(p);
  EXPECT_TRUE(contains(error_of([&] {
                         write_safetensors(p, {{"b", {3}, {1.0f}}});
                       }),
                       "tensor \"b\": shape [3] does not match 1 values"));
  EXPECT_TRUE(contains(error_of([&] { write_safetensors(p, {t[0], t[0]}); }), "name used twice"));
  EXPECT_TRUE(contains(error_of([&] {
                         write_safetensors(p, {{"", {}, {1.0f}}});
                       }),
                       "invalid name"));
  EXPECT_EQ(slurp(p), before);

  // Only the files we made are left: no temporaries.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a_directory", "kept.safetensors"}));
}

}  // namespace
}  // namespace gt::io
