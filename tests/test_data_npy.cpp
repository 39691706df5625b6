// The .npy and safetensors data-set loaders: exact values from hand-made files, and every kind of
// malformed file refused with a message naming the file, the shape, the dtype or the row.
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "data/npy.hpp"
#include "data/tensor_file.hpp"
#include "io/safetensors.hpp"

namespace gt::data {
namespace {

namespace fs = std::filesystem;

// The message of a data::Error; an io::Error that is no data::Error comes back marked "[io] ".
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (const io::Error& e) {
    return std::string("[io] ") + e.what();
  }
  return "<no error>";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

template <typename T>
std::string le(const std::vector<T>& values) {
  std::string out;
  for (const T v : values) {
    uint64_t bits = 0;
    if constexpr (std::is_same_v<T, float>) {
      bits = std::bit_cast<uint32_t>(v);
    } else if constexpr (std::is_same_v<T, double>) {
      bits = std::bit_cast<uint64_t>(v);
    } else {
      bits = static_cast<uint64_t>(v);
    }
    for (size_t i = 0; i < sizeof(T); ++i)
      out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }
  return out;
}

// A .npy file as NumPy writes it: magic, version, header length, the header padded with spaces
// to a multiple of 64 and ended by '\n', then the data.
std::string npy_raw(const std::string& header, const std::string& data, int major = 1) {
  const size_t len_bytes = major == 1 ? 2 : 4;
  std::string h = header;
  while ((10 + len_bytes - 2 + h.size() + 1) % 64 != 0)
    h += ' ';
  h += '\n';
  std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
  for (size_t i = 0; i < len_bytes; ++i)
    out.push_back(static_cast<char>((h.size() >> (8 * i)) & 0xff));
  return out + h + data;
}

std::string npy(const std::string& descr, const std::string& shape, const std::string& data,
                int major = 1) {
  return npy_raw("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }",
                 data, major);
}

class DataFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gt_test_data_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path put(const std::string& name, const std::string& bytes) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

  fs::path dir_;
};

using DataNpy = DataFiles;
using DataTensorFile = DataFiles;

const std::string kX23 = npy("<f4", "(2, 3)", le<float>({1, 2, 3, 4, 5, 6}));

TEST_F(DataNpy, F4InputsAndF8TargetsExact) {
  const std::vector<float> x = {0.1f, -2.5f, 1e-30f, 3.0f, 65504.0f, -0.0f};
  const std::vector<double> y = {0.25, -1e10, 7.0, 1.0 / 3.0};
  const fs::path xp = put("x.npy", npy("<f4", "(2, 3)", le(x)));
  const fs::path yp = put("y.npy", npy("<f8", "(2, 2)", le(y)));

  const NpyArray a = read_npy(xp);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.dtype, "<f4");
  EXPECT_FALSE(a.integral);
  ASSERT_EQ(a.values.size(), 6u);
  for (size_t i = 0; i < 6; ++i)
    EXPECT_EQ(a.values[i], static_cast<double>(x[i])) << i;

  const Dataset d = read_npy_pair(xp, yp, 0);
  EXPECT_EQ(d.rows, 2u);
  EXPECT_EQ(d.features, 3u);
  EXPECT_EQ(d.outputs, 2u);
  EXPECT_EQ(d.classes, 0u);
  EXPECT_EQ(d.input, x);
  EXPECT_EQ(d.target, (std::vector<float>{0.25f, -1e10f, 7.0f, static_cast<float>(1.0 / 3.0)}));
  EXPECT_TRUE(contains(d.source, xp.string()) && contains(d.source, yp.string())) << d.source;
}

TEST_F(DataNpy, I8LabelsBecomeOneHot) {
  const fs::path xp = put("x.npy", npy("<f4", "(3, 1)", le<float>({1, 2, 3})));
  const fs::path yp = put("y.npy", npy("<i8", "(3,)", le<int64_t>({2, 0, 1})));
  EXPECT_TRUE(read_npy(yp).integral);
  const Dataset d = read_npy_pair(xp, yp, 3);
  EXPECT_EQ(d.rows, 3u);
  EXPECT_EQ(d.outputs, 3u);
  EXPECT_EQ(d.classes, 3u);
  EXPECT_EQ(d.target, (std::vector<float>{0, 0, 1, 1, 0, 0, 0, 1, 0}));
}

TEST_F(DataNpy, U1InputsWithV2HeaderAndFloatVectorTargets) {
  const fs::path xp = put("x.npy", npy("|u1", "(2, 2)", std::string("\x00\xff\x07\x80", 4), 2));
  const fs::path yp = put("y.npy", npy("<f4", "(2,)", le<float>({-1.5f, 2.0f}), 3));
  const Dataset d = read_npy_pair(xp, yp, 0);
  EXPECT_EQ(d.input, (std::vector<float>{0, 255, 7, 128}));
  EXPECT_EQ(d.outputs, 1u);
  EXPECT_EQ(d.target, (std::vector<float>{-1.5f, 2.0f}));
}

TEST_F(DataNpy, EveryDtypeDecodes) {
  struct Case {
    std::string descr, data;
    std::vector<double> values;
  };
  const Case cases[] = {
      {"|i1", le<int8_t>({-128, 127}), {-128, 127}},
      {"<i2", le<int16_t>({-32768, 5}), {-32768, 5}},
      {"<u2", le<uint16_t>({65535, 0}), {65535, 0}},
      {"<i4", le<int32_t>({-2147483647 - 1, 9}), {-2147483648.0, 9}},
      {"=u4", le<uint32_t>({4294967295u, 1}), {4294967295.0, 1}},
      {"<u8", le<uint64_t>({1ull << 53, 3}), {9007199254740992.0, 3}},
      {"<i8", le<int64_t>({-(1ll << 40), 0}), {-1099511627776.0, 0}},
      {"<u1", std::string("\x01\xfe", 2), {1, 254}},
      {"|b1", std::string("\x00\x01", 2), {0, 1}},
      {"<f2", std::string("\x00\x3e\x01\x80", 4), {1.5, -std::ldexp(1.0, -24)}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.descr);
    const NpyArray a = read_npy(put("a.npy", npy(c.descr, "(2,)", c.data)));
    EXPECT_EQ(a.values, c.values);
    EXPECT_EQ(a.integral, c.descr != "<f2");
  }
  // One dimension reads the same in either order; a scalar has shape ().
  const std::string one_d = "{'descr': '<f4', 'fortran_order': True, 'shape': (2,)}";
  EXPECT_EQ(read_npy(put("f.npy", npy_raw(one_d, le<float>({1, 2})))).values,
            (std::vector<double>{1, 2}));
  const NpyArray s = read_npy(put("s.npy", npy("<f8", "()", le<double>({4.5}))));
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.values, std::vector<double>{4.5});
}

TEST_F(DataNpy, MalformedFilesAreRefused) {
  const std::string f4x2 = le<float>({1, 2});
  struct Case {
    std::string bytes;
    std::vector<std::string> parts;
  };
  const Case cases[] = {
      {"PK\x03\x04 not numpy at all", {"bad magic"}},
      {"\x93NUM", {"bad magic"}},
      {std::string("\x93NUMPY\x04\x00\x10\x00", 10), {"version 4.0"}},
      {std::string("\x93NUMPY\x01\x00\xff\x00{}", 12), {"truncated", "header is 255 bytes"}},
      {npy_raw("['descr', '<f4']", f4x2), {"bad header", "not a dict"}},
      {npy_raw("{'descr': '<f4', 'shape': (2,)}", f4x2), {"bad header", "no 'fortran_order'"}},
      {npy_raw("{'descr': '<f4', 'fortran_order': False}", f4x2), {"no 'shape' key"}},
      {npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", f4x2),
       {"unexpected key 'x'"}},
      {npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (2,", f4x2), {"bad header"}},
      {npy_raw("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}", f4x2),
       {"bad header", "unexpected 'M'"}},
      {npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", ""), {"negative size"}},
      {npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': 2}", f4x2),
       {"'shape' is not a tuple"}},
      {npy("<c8", "(2,)", f4x2 + f4x2),
       {"dtype '<c8' is not supported (expected a float, integer or bool dtype)"}},
      {npy("<U3", "(2,)", std::string(24, 'a')), {"dtype '<U3' is not supported"}},
      {npy(">f4", "(2,)", f4x2), {"dtype '>f4' is big-endian", "astype('<f4')"}},
      {npy("|O", "(2,)", std::string(16, '\0')), {"dtype '|O'", "objects", "not supported"}},
      {npy_raw("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", f4x2),
       {"structured dtype", "not supported"}},
      {npy_raw("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2)}", f4x2),
       {"shape (1, 2) of '<f4'", "Fortran order", "C order is needed", "np.ascontiguousarray"}},
      {npy("<f4", "(3,)", f4x2),
       {"truncated", "shape (3,) of '<f4'", "needs 12 bytes", "but 8 are present"}},
      {npy("<f4", "(1,)", f4x2), {"4 trailing bytes", "needs 4 bytes", "8 are present"}},
  };
  for (const Case& c : cases) {
    const fs::path p = put("bad.npy", c.bytes);
    const std::string message = error_of([&] { read_npy(p); });
    SCOPED_TRACE(message);
    EXPECT_EQ(message.rfind(p.string() + ": ", 0), 0u);
    for (const std::string& part : c.parts)
      EXPECT_TRUE(contains(message, part)) << part;
  }
}

TEST_F(DataNpy, BadPairsNameFileShapeAndRow) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  struct Case {
    std::string x, y;
    uint32_t classes;
    std::string bad;  // "x" or "y": the file the message starts with
    std::vector<std::string> parts;
  };
  const std::string y2 = npy("<i8", "(2,)", le<int64_t>({0, 1}));
  const std::string x2 = npy("<f4", "(2, 1)", le<float>({1, 2}));
  const Case cases[] = {
      {npy("<f4", "(2,)", le<float>({1, 2})),
       y2,
       2,
       "x",
       {"shape (2,) of '<f4'", "inputs must be [N, features]"}},
      {npy("<f4", "(100, 2, 3)", le<float>(std::vector<float>(600))),
       y2,
       2,
       "x",
       {"shape (100, 2, 3)", "inputs must be [N, features]"}},
      {x2,
       npy("<f4", "(2, 1, 1)", le<float>({1, 2})),
       0,
       "y",
       {"shape (2, 1, 1) of '<f4'", "targets must be [N] or [N, outputs]"}},
      {x2, npy("<f4", "()", le<float>({1})), 0, "y", {"shape ()", "targets must be"}},
      {kX23,
       npy("<i8", "(3,)", le<int64_t>({0, 1, 0})),
       2,
       "",
       {"x.npy has 2 rows but ", "y.npy has 3"}},
      {x2,
       npy("<i8", "(2,)", le<int64_t>({1, 12})),
       10,
       "y",
       {"row 1", "label 12", "out of range [0, 10)"}},
      {x2, npy("<i4", "(2,)", le<int32_t>({-1, 0})), 10, "y", {"row 0", "label -1 is negative"}},
      {x2,
       npy("<u8", "(2,)", le<uint64_t>({0, ~0ull})),
       10,
       "y",
       {"row 1", "18446744073709551616", "out of range"}},
      {x2, y2, 0, "y", {"shape (2,) of '<i8'", "integer class labels", "classes is 0"}},
      {x2,
       npy("<f4", "(2,)", le<float>({0, 1})),
       3,
       "y",
       {"shape (2,) of '<f4'", "classes is 3", "np.int64"}},
      {npy("<f4", "(2, 2)", le<float>({1, 2, 3, nan})), y2, 2, "x", {"row 1, column 1 is NaN"}},
      {npy("<f2", "(2, 1)", std::string("\x00\x3c\x00\xfc", 4)),
       y2,
       2,
       "x",
       {"row 1, column 0 is -inf"}},
      {npy("<f8", "(2, 1)", le<double>({1e300, 0})),
       y2,
       2,
       "x",
       {"row 0, column 0 is 1.0000000000000001e+300, out of float32 range"}},
      {x2, npy("<f4", "(2, 2)", le<float>({0, 1, inf, 0})), 0, "y", {"row 1, column 0 is inf"}},
      {x2, npy("<f4", "(2,)", le<float>({nan, 0})), 0, "y", {"row 0, column 0 is NaN"}},
      {x2, npy("<f4", "(2, 2)", le<float>({0, 1, 0.5f, 0.5f})), 2, "y", {"row 1 is not one-hot"}},
      {x2,
       npy("<f4", "(2, 3)", le<float>({0, 1, 0, 1, 0, 0})),
       2,
       "y",
       {"shape (2, 3) of '<f4'", "3 outputs, but classes is 2"}},
      {npy("<f4", "(0, 3)", ""), npy("<i8", "(0,)", ""), 2, "x", {"shape (0, 3)", "no rows"}},
      {npy("<f4", "(2, 0)", ""), y2, 2, "x", {"shape (2, 0)", "no features"}},
      {npy("|u1", "(1073741825, 0)", ""),
       y2,
       2,
       "x",
       {"1073741825 rows, over the limit of 1073741824"}},
      {npy("|u1", "(0, 1048577)", ""), y2, 2, "x", {"1048577 features, over the limit of 1048576"}},
      {x2, npy("<f4", "(4,)", le<float>({1, 2, 3})), 0, "y", {"truncated", "needs 16 bytes"}},
  };
  for (const Case& c : cases) {
    const fs::path xp = put("x.npy", c.x), yp = put("y.npy", c.y);
    const std::string message = error_of([&] { read_npy_pair(xp, yp, c.classes); });
    SCOPED_TRACE(message);
    if (!c.bad.empty()) {
      EXPECT_EQ(message.rfind((c.bad == "x" ? xp : yp).string() + ": ", 0), 0u);
    }
    for (const std::string& part : c.parts)
      EXPECT_TRUE(contains(message, part)) << part;
  }
  EXPECT_TRUE(contains(error_of([&] { read_npy_pair(dir_ / "none.npy", put("y.npy", y2), 2); }),
                       "none.npy: cannot open"));
}

TEST_F(DataTensorFile, LoadsRegressionAndOneHot) {
  const std::vector<float> x = {0.5f, -1, 2, 3, 4, 1e-20f};
  const fs::path p = dir_ / "dump.safetensors";
  io::write_safetensors(p, {{"layer0.weight", {1, 2}, {9, 9}},
                            {"input", {2, 3}, x},
                            {"target", {2, 2}, {0, 1, 1, 0}},
                            {"loss", {1}, {0.7f}}});
  const Dataset r = read_tensor_file(p, 0);
  EXPECT_EQ(r.source, p.string());
  EXPECT_EQ(r.rows, 2u);
  EXPECT_EQ(r.features, 3u);
  EXPECT_EQ(r.outputs, 2u);
  EXPECT_EQ(r.classes, 0u);
  EXPECT_EQ(r.input, x);
  EXPECT_EQ(r.target, (std::vector<float>{0, 1, 1, 0}));
  const Dataset c = read_tensor_file(p, 2);
  EXPECT_EQ(c.classes, 2u);
  EXPECT_EQ(c.target, r.target);
}

TEST_F(DataTensorFile, ReadsF64ByteMadeFile) {
  const std::string header = R"({"input":{"dtype":"F64","shape":[1,2],"data_offsets":[0,16]},)"
                             R"("target":{"dtype":"F32","shape":[1,1],"data_offsets":[16,20]}})";
  std::string bytes = le<uint64_t>({header.size()}) + header;
  bytes += le<double>({0.1, -3}) + le<float>({2.5f});
  const Dataset d = read_tensor_file(put("f64.safetensors", bytes), 0);
  EXPECT_EQ(d.input, (std::vector<float>{0.1f, -3.0f}));
  EXPECT_EQ(d.target, std::vector<float>{2.5f});
}

TEST_F(DataTensorFile, BadFilesNameTensorShapeAndRow) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const io::Tensor in = {"input", {2, 1}, {1, 2}};
  const io::Tensor onehot = {"target", {2, 2}, {1, 0, 0, 1}};
  struct Case {
    std::vector<io::Tensor> tensors;
    uint32_t classes;
    std::vector<std::string> parts;
  };
  const Case cases[] = {
      {{onehot, {"loss", {1}, {0}}}, 2, {"no tensor \"input\"", "\"target\", \"loss\""}},
      {{in}, 0, {"no tensor \"target\"", "the file has \"input\""}},
      {{}, 0, {"no tensor \"input\"", "the file has no tensors"}},
      {{{"input", {2}, {1, 2}}, onehot},
       2,
       {"tensor \"input\" of shape [2]", "must be [N, features]"}},
      {{in, {"target", {2, 1, 1}, {0, 1}}},
       0,
       {"tensor \"target\" of shape [2, 1, 1]", "must be [N, outputs]"}},
      {{{"input", {3, 1}, {1, 2, 3}}, onehot},
       2,
       {"tensor \"input\" has 3 rows but tensor \"target\" has 2"}},
      {{in, onehot}, 3, {"tensor \"target\" of shape [2, 2]", "2 outputs, but classes is 3"}},
      {{in, {"target", {2, 2}, {1, 0, 1, 1}}}, 2, {"shape [2, 2]", "row 1 is not one-hot"}},
      {{in, {"target", {2, 2}, {0.5f, 0.5f, 0, 1}}}, 2, {"row 0 is not one-hot"}},
      {{{"input", {2, 3}, {1, 2, 3, 4, 5, nan}}, onehot},
       2,
       {"tensor \"input\" of shape [2, 3]", "row 1, column 2 is NaN"}},
      {{in, {"target", {2, 1}, {1, -std::numeric_limits<float>::infinity()}}},
       0,
       {"tensor \"target\"", "row 1, column 0 is -inf"}},
      {{{"input", {0, 3}, {}}, {"target", {0, 1}, {}}}, 0, {"shape [0, 3]", "no rows"}},
      // rows > kMaxRows cannot be tested here: io::read_safetensors refuses a [1073741825, 0]
      // tensor in a file with less than 1073741825 bytes of data (its element count check).
      {{{"input", {0, 1048577}, {}}, onehot}, 2, {"1048577 features, over the limit of 1048576"}},
  };
  for (const Case& c : cases) {
    const fs::path p = dir_ / "bad.safetensors";
    io::write_safetensors(p, c.tensors);
    const std::string message = error_of([&] { read_tensor_file(p, c.classes); });
    SCOPED_TRACE(message);
    EXPECT_EQ(message.rfind(p.string() + ": ", 0), 0u);
    for (const std::string& part : c.parts)
      EXPECT_TRUE(contains(message, part)) << part;
  }
}

TEST_F(DataTensorFile, FormatErrorsPassThroughAsIoErrors) {
  const std::string header = R"({"input":{"dtype":"I32","shape":[1,1],"data_offsets":[0,4]}})";
  const fs::path p =
      put("i32.safetensors", le<uint64_t>({header.size()}) + header + std::string(4, '\0'));
  const std::string message = error_of([&] { read_tensor_file(p, 0); });
  EXPECT_EQ(message.rfind("[io] " + p.string() + ": ", 0), 0u) << message;
  EXPECT_TRUE(contains(message, "unsupported dtype \"I32\"")) << message;
}

}  // namespace
}  // namespace gt::data
