// Writes the safetensors seed corpus (tests/fuzz/corpus/safetensors): small valid files made by
// the writer, valid files of the other dtypes the reader takes (the writer writes F32 only), and
// malformed ones, each named for what it is. Run after a change to the format:
//   build-asan/tests/fuzz/make_safetensors_seeds tests/fuzz/corpus/safetensors
#include <bit>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "io/safetensors.hpp"

namespace {

namespace fs = std::filesystem;
using gt::io::Tensor;

void append_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

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

void put(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

void write_valid(const fs::path& dir) {
  const float inf = std::numeric_limits<float>::infinity();
  gt::io::write_safetensors(dir / "valid_one.safetensors", {{"a", {2}, {1.0f, 2.0f}}});
  gt::io::write_safetensors(dir / "valid_scalar.safetensors", {{"s", {}, {42.0f}}});
  gt::io::write_safetensors(dir / "valid_layers.safetensors",
                            {{"layers.0.w", {2, 3}, {1.5f, -2.25f, 0.0f, 1e-30f, -1e30f, 3.0f}},
                             {"layers.0.b", {3}, {7.0f, 8.0f, inf}},
                             {"layers.1.w", {1, 3}, {0.5f, -0.5f, 0.25f}},
                             {"layers.1.b", {1}, {0.0f}}});
  gt::io::write_safetensors(dir / "valid_escaped_name.safetensors",
                            {{"quoted \"name\" \\ \u00e9", {1}, {1e-45f}}});

  std::string mixed;
  for (const double v : {0.5, -2.0, 1e10})
    append_le(mixed, std::bit_cast<uint64_t>(v), 8);
  for (const uint64_t h : {0x3c00u, 0xc000u, 0x3800u, 0x0001u, 0x7bffu, 0x7c00u})
    append_le(mixed, h, 2);
  for (const uint64_t b : {0x3f80u, 0xc040u})
    append_le(mixed, b, 2);
  put(dir / "valid_f64_f16_bf16_metadata.safetensors",
      make_file(R"({"__metadata__":{"format":"pt"},)"
                R"("h":{"dtype":"F16","shape":[2,3],"data_offsets":[24,36]},)"
                R"("d":{"dtype":"F64","shape":[3],"data_offsets":[0,24]},)"
                R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[36,40]}})",
                mixed));
  // An empty tensor next to a full one, both at offset 0 (made by hand: see the writer's own test).
  put(dir / "valid_empty.safetensors",
      make_file(R"({"e":{"dtype":"F32","shape":[0,4],"data_offsets":[0,0]},)"
                R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                f32_bytes({1.0f, 2.0f})));
}

void write_malformed(const fs::path& dir) {
  const std::string two = f32_bytes({1.0f, 2.0f});
  const std::string tiny = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string good = make_file(tiny, two);
  put(dir / "bad_too_short", good.substr(0, 5));
  put(dir / "bad_header_past_end", good.substr(0, 40));
  put(dir / "bad_data_truncated", good.substr(0, good.size() - 4));
  put(dir / "bad_trailing_bytes", good + "xxxx");
  put(dir / "bad_json", make_file(R"({"a":{"dtype":"F32",)", ""));
  put(dir / "bad_not_object", make_file("[1,2]", ""));
  put(dir / "bad_overlap", make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                     R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                     two));
  put(dir / "bad_duplicate", make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                       R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                       two));
  put(dir / "bad_shape_overflow",
      make_file(R"({"a":{"dtype":"F64","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}})",
                two));
  put(dir / "bad_offsets_reversed",
      make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", two));
  put(dir / "bad_metadata_value", make_file(R"({"__metadata__":{"k":1}})", ""));
  std::string huge;
  append_le(huge, 1ull << 62, 8);
  put(dir / "bad_huge_length", huge + "{}");
  put(dir / "bad_deep_json",
      make_file(R"({"__metadata__":)" + std::string(2000, '[') + std::string(2000, ']') + "}", ""));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 1;
  }
  const fs::path dir = argv[1];
  fs::create_directories(dir);
  try {
    write_valid(dir);
  } catch (const gt::io::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  write_malformed(dir);
  return 0;
}
