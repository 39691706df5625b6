// IDX files (gzip'd or not) and Fashion-MNIST: exact values of hand-made files, every malformed
// case with its message, the normalization against a hand computation, and Debian's real files
// against the figures the data set publishes.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "data/fashion_mnist.hpp"
#include "data/gunzip.hpp"
#include "data/idx.hpp"

namespace gt::data {
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

// An IDX file of unsigned bytes: magic, big-endian dimensions, data.
std::string idx_bytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data,
                      uint8_t type = 0x08) {
  std::string out = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (const uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((d >> shift) & 0xff));
  out.append(data.begin(), data.end());
  return out;
}

// gzip's format, as `gzip` writes it (zlib's deflate with a gzip wrapper).
std::string gzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

class DataIdx : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gt_data_idx_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& bytes) const {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  std::string idx_error(const std::string& bytes, uint32_t rank) const {
    const fs::path p = write("bad.idx", bytes);
    return error_of([&] { read_idx(p, rank); });
  }

  fs::path dir_;
};

TEST_F(DataIdx, ReadsDimensionsAndBytesGzippedOrNot) {
  const std::vector<uint8_t> data = {0, 1, 2, 3, 250, 255};
  const std::string raw = idx_bytes({2, 1, 3}, data);
  for (const fs::path& p : {write("a.idx", raw), write("a.idx.gz", gzip(raw)),
                            write("two.gz", gzip(raw.substr(0, 9)) + gzip(raw.substr(9)))}) {
    const IdxArray a = read_idx(p, 3);
    EXPECT_EQ(a.dims, (std::vector<uint32_t>{2, 1, 3})) << p;
    EXPECT_EQ(a.data, data) << p;
  }
}

TEST_F(DataIdx, EveryMalformedHeaderIsNamed) {
  const std::vector<uint8_t> six(6, 7);
  EXPECT_TRUE(contains(idx_error(std::string(2, '\0'), 1),
                       "2 bytes; an IDX file starts with a 4-byte magic"));
  std::string bad_magic = idx_bytes({6}, six);
  bad_magic[0] = 'P';
  EXPECT_TRUE(contains(idx_error(bad_magic, 1), "bad.idx: not an IDX file"));
  EXPECT_TRUE(contains(idx_error(idx_bytes({6}, six, 0x0D), 1),
                       "IDX element type 0x0d (float); expected 0x08 (unsigned byte)"));
  EXPECT_TRUE(contains(idx_error(idx_bytes({2, 3}, six), 3), "2 dimensions; expected 3 (images"));
  EXPECT_TRUE(contains(idx_error(idx_bytes({2, 3}, six), 1), "2 dimensions; expected 1 (labels)"));
  EXPECT_TRUE(contains(idx_error(idx_bytes({6}, six).substr(0, 6), 1), "ends inside its header"));
  EXPECT_TRUE(contains(idx_error(idx_bytes({0, 3, 2}, {}), 3), "dimension 1 is 0"));
}

TEST_F(DataIdx, DataShorterOrLongerThanTheDimensionsIsRefused) {
  const std::string short_ = idx_error(idx_bytes({2, 2, 2}, std::vector<uint8_t>(7)), 3);
  EXPECT_TRUE(contains(short_,
                       "dimensions 2 x 2 x 2 need 8 bytes of data but the file has 7 "
                       "(truncated)"))
      << short_;
  const std::string long_ = idx_error(idx_bytes({3}, std::vector<uint8_t>(4)), 1);
  EXPECT_TRUE(contains(long_, "need 3 bytes of data but the file has 4 (bytes after the data)"))
      << long_;
  const std::string huge = idx_error(idx_bytes({65536, 65536, 65536}, {}), 3);
  EXPECT_TRUE(contains(huge, "exceed")) << huge;
}

TEST_F(DataIdx, CorruptOrTruncatedGzipIsRefused) {
  const std::string gz = gzip(idx_bytes({4}, {1, 2, 3, 4}));
  const fs::path cut = write("cut.gz", gz.substr(0, gz.size() - 6));
  EXPECT_TRUE(contains(error_of([&] { read_maybe_gzip(cut, 1 << 20); }), "cut.gz: the gzip"));
  std::string flipped = gz;
  flipped[gz.size() - 3] ^= 0x55;  // the length in the trailer
  const fs::path bad = write("bad.gz", flipped);
  EXPECT_TRUE(contains(error_of([&] { read_maybe_gzip(bad, 1 << 20); }),
                       "bad.gz: not a valid gzip stream (zlib: "));
  const fs::path trailing = write("trailing.gz", gz + "junk");
  EXPECT_TRUE(contains(error_of([&] { read_maybe_gzip(trailing, 1 << 20); }),
                       "bytes after the end of the gzip stream"));
  const fs::path big = write("big.gz", gzip(std::string(5000, 'x')));
  EXPECT_TRUE(contains(error_of([&] { read_maybe_gzip(big, 4096); }), "decompresses to over"));
  EXPECT_TRUE(contains(error_of([&] { read_maybe_gzip(dir_ / "none.gz", 1 << 20); }),
                       "none.gz: cannot open: No such file or directory"));
  EXPECT_TRUE(
      contains(error_of([&] { read_maybe_gzip("/dev/zero", 1 << 20); }), "not a regular file"));
}

// A tiny Fashion-MNIST layout: 4 training images of 2 x 3 pixels, 3 test images.
class DataFashionMnist : public DataIdx {
 protected:
  void SetUp() override {
    DataIdx::SetUp();
    train_pixels_ = {0, 255, 51, 102, 0, 0, 255, 255, 255, 255, 10,  20,
                     0, 0,   0,  0,   0, 1, 30,  60,  90,  120, 150, 180};
    write_split("train", train_pixels_, {3, 0, 9, 3});
    write_split("t10k", {255, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 255}, {1, 2, 3});
  }
  void write_split(const std::string& stem, const std::vector<uint8_t>& pixels,
                   const std::vector<uint8_t>& labels, bool gz = true) {
    const auto n = static_cast<uint32_t>(labels.size());
    write(stem + "-images-idx3-ubyte" + (gz ? ".gz" : ""),
          gz ? gzip(idx_bytes({n, 2, 3}, pixels)) : idx_bytes({n, 2, 3}, pixels));
    write(stem + "-labels-idx1-ubyte" + (gz ? ".gz" : ""),
          gz ? gzip(idx_bytes({n}, labels)) : idx_bytes({n}, labels));
  }
  // The population mean and std of the training pixels / 255, computed here in long double.
  PixelNorm expected_norm() const {
    long double sum = 0, sq = 0;
    for (const uint8_t v : train_pixels_)
      sum += v / 255.0L;
    const long double mean = sum / train_pixels_.size();
    for (const uint8_t v : train_pixels_)
      sq += (v / 255.0L - mean) * (v / 255.0L - mean);
    return {double(mean), double(std::sqrt(sq / train_pixels_.size()))};
  }

  std::vector<uint8_t> train_pixels_;
};

TEST_F(DataFashionMnist, PixelsAreNormalizedByTheTrainingSetsMeanAndStd) {
  const PixelNorm want = expected_norm();
  for (const Split split : {Split::train, Split::test}) {
    const FashionMnist f = load_fashion_mnist(dir_, split);
    EXPECT_NEAR(f.norm.mean, want.mean, 1e-15);
    EXPECT_NEAR(f.norm.std, want.std, 1e-15);
    const Dataset& d = f.set;
    EXPECT_EQ(d.rows, split == Split::train ? 4u : 3u);
    EXPECT_EQ(d.features, 6u);
    EXPECT_EQ(d.classes, 10u);
    EXPECT_EQ(d.outputs, 10u);
    ASSERT_EQ(d.input.size(), size_t(d.rows) * 6);
    ASSERT_EQ(d.target.size(), size_t(d.rows) * 10);
    const std::vector<uint8_t> px =
        split == Split::train ? train_pixels_ : std::vector<uint8_t>{255, 0, 0, 0, 0, 0, 1, 2, 3,
                                                                     4,   5, 6, 0, 0, 0, 0, 0, 255};
    for (size_t i = 0; i < px.size(); ++i)
      EXPECT_FLOAT_EQ(d.input[i], float((px[i] / 255.0 - want.mean) / want.std)) << i;
    const std::vector<uint32_t> labels =
        split == Split::train ? std::vector<uint32_t>{3, 0, 9, 3} : std::vector<uint32_t>{1, 2, 3};
    for (uint32_t r = 0; r < d.rows; ++r) {
      EXPECT_EQ(d.label(r), labels[r]);
      EXPECT_EQ(std::accumulate(d.target.begin() + r * 10, d.target.begin() + r * 10 + 10, 0.0f),
                1.0f);
    }
  }
}

TEST_F(DataFashionMnist, ALimitKeepsTheFirstSamplesAndTheWholeSetsNormalization) {
  const FashionMnist f = load_fashion_mnist(dir_, Split::train, 2);
  EXPECT_EQ(f.set.rows, 2u);
  EXPECT_EQ(f.set.input.size(), 12u);
  EXPECT_EQ(f.set.label(1), 0u);
  EXPECT_NEAR(f.norm.mean, expected_norm().mean, 1e-15);
  EXPECT_EQ(load_fashion_mnist(dir_, Split::train, 99).set.rows, 4u);
}

TEST_F(DataFashionMnist, UncompressedFilesAreReadToo) {
  fs::remove(dir_ / "t10k-images-idx3-ubyte.gz");
  fs::remove(dir_ / "t10k-labels-idx1-ubyte.gz");
  write_split("t10k", std::vector<uint8_t>(6, 9), {7}, false);
  const FashionMnist f = load_fashion_mnist(dir_, Split::test);
  EXPECT_EQ(f.set.rows, 1u);
  EXPECT_EQ(f.set.label(0), 7u);
}

TEST_F(DataFashionMnist, BadFilesAreNamed) {
  write_split("t10k", std::vector<uint8_t>(12, 0), {1, 10});
  std::string e = error_of([&] { load_fashion_mnist(dir_, Split::test); });
  EXPECT_TRUE(contains(e,
                       "t10k-labels-idx1-ubyte.gz: label 10 of sample 1 is out of range "
                       "[0, 10)"))
      << e;
  // Past the limit too: a corrupt file is refused whatever is used of it.
  e = error_of([&] { load_fashion_mnist(dir_, Split::test, 1); });
  EXPECT_TRUE(contains(e, "label 10 of sample 1")) << e;

  write_split("t10k", std::vector<uint8_t>(12, 0), {1, 2, 3});
  write("t10k-images-idx3-ubyte.gz", gzip(idx_bytes({2, 2, 3}, std::vector<uint8_t>(12, 0))));
  e = error_of([&] { load_fashion_mnist(dir_, Split::test); });
  EXPECT_TRUE(contains(e, "t10k-images-idx3-ubyte.gz has 2 images but")) << e;
  EXPECT_TRUE(contains(e, "t10k-labels-idx1-ubyte.gz has 3 labels")) << e;

  fs::remove(dir_ / "t10k-labels-idx1-ubyte.gz");
  e = error_of([&] { load_fashion_mnist(dir_, Split::test); });
  EXPECT_TRUE(contains(e,
                       "has neither t10k-labels-idx1-ubyte.gz nor t10k-labels-idx1-ubyte "
                       "(the Fashion-MNIST test split)"))
      << e;
}

TEST_F(DataFashionMnist, AMissingFolderNamesDebiansPackage) {
  const std::string e = error_of([&] { load_fashion_mnist(dir_ / "nowhere", Split::train); });
  EXPECT_TRUE(contains(e, "nowhere: no such folder (data.path: the folder of the four")) << e;
  const std::string debian = missing_folder_error(std::string(kFashionMnistFolder));
  EXPECT_TRUE(contains(debian,
                       "/usr/share/datasets/fashion-mnist: no such folder; Fashion-MNIST "
                       "comes from Debian's package dataset-fashion-mnist "
                       "(apt-get install dataset-fashion-mnist)"))
      << debian;
}

// Debian's files (installed by tools/install-deps.sh) against what the data set publishes: 60,000
// training and 10,000 test images of 28 x 28, 6,000 and 1,000 of each class; the pixel mean and
// std commonly used for it (0.2860, 0.3530).
TEST(DataFashionMnistDebian, TheRealFilesHaveThePublishedShapeBalanceAndStatistics) {
  for (const Split split : {Split::train, Split::test}) {
    const FashionMnist f = load_fashion_mnist(std::string(kFashionMnistFolder), split);
    const Dataset& d = f.set;
    const uint32_t n = split == Split::train ? 60000 : 10000;
    ASSERT_EQ(d.rows, n);
    EXPECT_EQ(d.features, 784u);
    std::vector<uint32_t> per_class(10, 0);
    for (uint32_t r = 0; r < d.rows; ++r)
      ++per_class[d.label(r)];
    EXPECT_EQ(per_class, std::vector<uint32_t>(10, n / 10));
    EXPECT_NEAR(f.norm.mean, 0.2860, 5e-5);
    EXPECT_NEAR(f.norm.std, 0.3530, 5e-5);
    if (split == Split::train) {
      // Normalized: the training inputs have mean 0 and std 1 (in float, summed in double).
      double sum = 0, sq = 0;
      for (const float v : d.input) {
        sum += v;
        sq += double(v) * v;
      }
      const double mean = sum / double(d.input.size());
      EXPECT_NEAR(mean, 0.0, 1e-6);
      EXPECT_NEAR(std::sqrt(sq / double(d.input.size()) - mean * mean), 1.0, 1e-6);
    }
  }
}

}  // namespace
}  // namespace gt::data
