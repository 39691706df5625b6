// Scene input that must never crash: keys of thousands of dotted parts and values nested
// thousands deep (toml++ would overflow the stack on the first), in files and in --set, named
// by line and key with the limit; huge --set values echoed shortened; FIFOs, devices and files
// over 16 MiB refused before they are read.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "scene/prescan.hpp"
#include "scene/scene.hpp"
#include "scene_test_util.hpp"

namespace gt::scene {
namespace {

using namespace testing_util;

std::string repeat(const std::string& s, size_t n, const std::string& sep = "") {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += (i ? sep : "") + s;
  return out;
}

TEST(SceneLimits, TableHeaderOfFiftyThousandPartsIsRefusedWithItsLine) {
  const std::string text = "title = \"t\"\n\n[" + repeat("a", 50000, ".") + "]\n";
  // The key is named by its first 40 bytes.
  EXPECT_EQ(parse_error(text), "scenes/x.toml:3: " + repeat("a.", 20) +
                                   "\u2026: a dotted key or table header of more than 64 parts "
                                   "(the limit)");
}

TEST(SceneLimits, DottedKeyOfAHundredThousandPartsIsRefused) {
  const std::string message = parse_error("[network]\n" + repeat("a", 100000, ".") + " = 1\n");
  EXPECT_TRUE(starts_with(message, "scenes/x.toml:2: a.a.a")) << message.substr(0, 200);
  EXPECT_NE(message.find("more than 64 parts (the limit)"), std::string::npos)
      << message.substr(0, 200);
  EXPECT_LT(message.size(), 200u);
}

TEST(SceneLimits, ValuesNestedAHundredThousandDeepAreRefused) {
  const std::string arrays = "[data]\ninput = " + repeat("[", 100000) + repeat("]", 100000) + "\n";
  EXPECT_EQ(parse_error(arrays),
            "scenes/x.toml:2: data.input: arrays and inline tables nested more than 64 deep (the "
            "limit)");
  const std::string tables = "x = " + repeat("{a = ", 100000) + "1" + repeat("}", 100000) + "\n";
  EXPECT_EQ(parse_error(tables),
            "scenes/x.toml:1: x: arrays and inline tables nested more than 64 deep (the limit)");
  const std::string header = "\n" + repeat("[", 100000) + "\n";
  EXPECT_EQ(parse_error(header),
            "scenes/x.toml:2: table header: arrays and inline tables nested more than 64 deep "
            "(the limit)");
}

TEST(SceneLimits, TheLimitsThemselvesAreAccepted) {
  // 64 parts and 64 levels pass the scan (and then fail as unknown keys, or parse).
  const std::string parts = parse_error("[" + repeat("a", 64, ".") + "]\n");
  EXPECT_EQ(parts.find("the limit"), std::string::npos) << parts;
  EXPECT_TRUE(starts_with(parts, "scenes/x.toml:1: a: unknown")) << parts;
  const std::string deep = parse_error("x = " + repeat("[", 64) + repeat("]", 64) + "\n");
  EXPECT_EQ(deep.find("the limit"), std::string::npos) << deep;
}

TEST(SceneLimits, DotsInStringsCommentsAndNumbersAreNotKeyParts) {
  using detail::find_shape_problem;
  const std::string dots = repeat("x", 100, ".");
  EXPECT_FALSE(find_shape_problem("title = \"" + dots + "\"\n"));
  EXPECT_FALSE(find_shape_problem("title = '" + dots + "'\n"));
  EXPECT_FALSE(find_shape_problem("title = \"\"\"\n" + dots + "\n\"\"\"\n"));
  EXPECT_FALSE(find_shape_problem("title = '''" + dots + "''''\n"));
  EXPECT_FALSE(find_shape_problem("# " + dots + "\nx = 1\n"));
  EXPECT_FALSE(find_shape_problem("x = [" + repeat("1.5", 100, ", ") + "]\n"));
  EXPECT_FALSE(find_shape_problem("x = \"[[[[[[[[\\\"{{{{{{{{{{\"\n" + repeat("[", 3) + "\n"));
  // Quoted parts are parts; the line counts newlines inside multi-line strings.
  const auto quoted =
      find_shape_problem("s = \"\"\"\n\n\"\"\"\n" + repeat("\"q.q\"", 65, " . ") + " = 1\n");
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->line, 4u);
  // An unterminated string ends at its line, a backslash before the newline included.
  const auto escaped = find_shape_problem("x = \"a\\\n" + repeat("[", 65) + "\n");
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->line, 2u);
}

TEST(SceneLimits, SetOverridesAreScannedToo) {
  const std::string text = "[network]\ndepth = 4\n";
  const std::string deep = parse_error(text, {"data.input=" + repeat("[", 100000)});
  EXPECT_NE(deep.find(": data.input: arrays and inline tables nested more than 64 deep (the "
                      "limit)"),
            std::string::npos)
      << deep.substr(0, 300);
  const std::string keyed =
      parse_error(text, {"data.input={" + repeat("a", 100000, ".") + " = 1}"});
  EXPECT_NE(keyed.find(": data.input: a dotted key or table header of more than 64 parts"),
            std::string::npos)
      << keyed.substr(0, 300);
}

TEST(SceneLimits, HugeSetValuesAreEchoedShortened) {
  const std::string value(100000, '7');
  const std::string message = parse_error("", {"network.depth=" + value});
  EXPECT_TRUE(starts_with(message, "--set network.depth=" + std::string(66, '7') +
                                       "\u2026 (100014 bytes): network.depth: "))
      << message.substr(0, 300);
  EXPECT_LT(message.size(), 300u) << message.substr(0, 300);
  const std::string word = parse_error("", {"network.depth=" + std::string(100000, 'x')});
  EXPECT_LT(word.size(), 400u) << word.substr(0, 400);
  EXPECT_NE(word.find("cannot read \"" + std::string(80, 'x') + "\u2026 (100000 bytes)\""),
            std::string::npos)
      << word.substr(0, 400);
}

TEST(SceneLimits, ShortenedCutsWholeUtf8Characters) {
  using detail::shortened;
  EXPECT_EQ(shortened("abc", 3), "abc");
  EXPECT_EQ(shortened("abcd", 3), "abc\u2026 (4 bytes)");
  EXPECT_EQ(shortened("a\u00e9b", 2), "a\u2026 (4 bytes)");  // é is 2 bytes: not split
}

// /dev/zero would be read until memory runs out; a FIFO blocks the open (or, with a writer, the
// read) for ever.
TEST_F(SceneFiles, OnlyRegularFilesAreRead) {
  EXPECT_EQ(error_of([&] { load("/dev/zero"); }),
            "/dev/zero: cannot open: a character device, not a regular file");
  const std::filesystem::path fifo = dir_ / "fifo.toml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(error_of([&] { load_runs(fifo); }),
            fifo.string() + ": cannot open: a FIFO, not a regular file");
}

TEST_F(SceneFiles, FilesOverSixteenMiBAreRefusedUnread) {
  const std::filesystem::path big = write("big.toml", "title = \"big\"\n");
  std::filesystem::resize_file(big, kMaxSceneBytes + 1);  // sparse: no disk, and never read
  EXPECT_EQ(error_of([&] { load(big); }),
            big.string() + ": is 16777217 bytes; a scene file is at most 16 MiB");
  // 16 MiB itself is read (blank lines after the title).
  const std::filesystem::path limit =
      write("limit.toml", "title = \"limit\"\n" + std::string(kMaxSceneBytes - 16, '\n'));
  ASSERT_EQ(std::filesystem::file_size(limit), kMaxSceneBytes);
  EXPECT_EQ(load(limit).title, "limit");
}

}  // namespace
}  // namespace gt::scene
