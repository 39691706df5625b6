// CSV data sets: exact values of small hand-made files (features in file order, one-hot labels,
// regression targets in the order asked for, BOM, CRLF, quotes, blank lines), and every kind of
// malformed file with the file, line and column its message names.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/csv.hpp"

namespace gt::data {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

CsvColumns label(const std::string& name, uint32_t classes) {
  return {name, {}, classes};
}
CsvColumns targets(std::vector<std::string> names) {
  return {"", std::move(names), 0};
}

class DataCsv : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gt_test_csv_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path put(const std::string& text, const std::string& name = "data.csv") {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  // "<dir>/data.csv:" and the rest: the start of every message about a line.
  std::string at(const std::string& rest) const { return (dir_ / "data.csv").string() + rest; }

  // The message read_csv throws for `text`, or "<no error>".
  std::string error_of(const std::string& text, const CsvColumns& columns) {
    const fs::path p = put(text);
    try {
      read_csv(p, columns);
    } catch (const Error& e) {
      return e.what();
    }
    return "<no error>";
  }

  fs::path dir_;
};

TEST_F(DataCsv, ClassificationFeaturesInFileOrderAndOneHotTargets) {
  const fs::path p =
      put("a,species,b,c\n"
          "1.5,2,-3,4e2\n"
          "0,0,0.25,-1e-3\n"
          "7,1,8,9\n");
  const Dataset ds = read_csv(p, label("species", 3));
  EXPECT_EQ(ds.source, p.string());
  EXPECT_EQ(ds.rows, 3u);
  EXPECT_EQ(ds.features, 3u);
  EXPECT_EQ(ds.outputs, 3u);
  EXPECT_EQ(ds.classes, 3u);
  EXPECT_EQ(ds.input, (std::vector<float>{1.5f, -3, 400, 0, 0.25f, -1e-3f, 7, 8, 9}));
  EXPECT_EQ(ds.target, (std::vector<float>{0, 0, 1, 1, 0, 0, 0, 1, 0}));
}

TEST_F(DataCsv, RegressionTargetsInTheOrderAsked) {
  const fs::path p =
      put("y1,x,y2,z\n"
          "10,1,20,2\n"
          "11,3,21,4\n");
  const Dataset ds = read_csv(p, targets({"y2", "y1"}));
  EXPECT_EQ(ds.rows, 2u);
  EXPECT_EQ(ds.features, 2u);
  EXPECT_EQ(ds.outputs, 2u);
  EXPECT_EQ(ds.classes, 0u);
  EXPECT_EQ(ds.input, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(ds.target, (std::vector<float>{20, 10, 21, 11}));
}

TEST_F(DataCsv, BomCrlfQuotedHeaderBlankLinesAndSpaces) {
  const fs::path p =
      put("\xEF\xBB\xBF"
          " \"petal \"\"w\"\"\" , \"a,b\" ,\ty \r\n"
          "\r\n"
          " 1 ,\t2\t, 0\r\n"
          "   \r\n"
          "+3,\"4.5\",1\r\n"
          "\n");
  const Dataset ds = read_csv(p, label("y", 2));
  EXPECT_EQ(ds.rows, 2u);
  EXPECT_EQ(ds.features, 2u);
  EXPECT_EQ(ds.input, (std::vector<float>{1, 2, 3, 4.5f}));
  EXPECT_EQ(ds.target, (std::vector<float>{1, 0, 0, 1}));
  // The quoted names are the header's: a target by one of them finds it.
  const Dataset reg = read_csv(p, targets({"a,b", "petal \"w\""}));
  EXPECT_EQ(reg.input, (std::vector<float>{0, 1}));
  EXPECT_EQ(reg.target, (std::vector<float>{2, 1, 4.5f, 3}));
}

TEST_F(DataCsv, NoFinalNewlineAndNumbersTooCloseToZeroForADouble) {
  const Dataset ds = read_csv(put("x,y\n1e-400,0\n-2.5e-50,1"), label("y", 2));
  EXPECT_EQ(ds.rows, 2u);
  EXPECT_EQ(ds.input, (std::vector<float>{0, -0.0f}));
  EXPECT_EQ(ds.target, (std::vector<float>{1, 0, 0, 1}));
}

TEST_F(DataCsv, ColumnsGivenWrong) {
  const std::string text = "x,y\n1,0\n";
  EXPECT_PRED2(contains, error_of(text, {}), at(": no label column and no target columns"));
  EXPECT_PRED2(contains, error_of(text, {"y", {"x"}, 2}),
               at(": both a label column (\"y\") and target columns"));
  EXPECT_PRED2(contains, error_of(text, {"y", {"x", "y"}, 2}),
               at(": column \"y\" is both the label column and a target column"));
  EXPECT_PRED2(contains, error_of(text, label("y", 0)),
               at(": label column \"y\" given without a number of classes"));
  EXPECT_PRED2(contains, error_of(text, {"", {"y"}, 2}),
               at(": classes (2) given with target columns"));
  EXPECT_PRED2(contains, error_of(text, targets({"y", "y"})),
               at(": target column \"y\" is listed twice"));
}

TEST_F(DataCsv, MissingColumnsListTheHeader) {
  const std::string text = "sepal,petal,kind\n1,2,0\n";
  EXPECT_PRED2(contains, error_of(text, label("species", 3)),
               at(":1: the header has no column \"species\" (the label column); its columns: "
                  "\"sepal\", \"petal\", \"kind\""));
  EXPECT_PRED2(contains, error_of(text, targets({"petal", "width"})),
               at(":1: the header has no column \"width\" (a target column); its columns: "
                  "\"sepal\", \"petal\", \"kind\""));
}

TEST_F(DataCsv, BadHeaders) {
  EXPECT_PRED2(contains, error_of("a,b,c,b\n1,2,3,4\n", label("a", 2)),
               at(":1: columns 2 and 4 are both named \"b\""));
  EXPECT_PRED2(contains, error_of("\n\na,,c\n1,2,3\n", label("a", 2)),
               at(":3: column 2: empty column name in the header"));
  EXPECT_PRED2(contains, error_of("a,\"\",c\n1,2,3\n", label("a", 2)),
               at(":1: column 2: empty column name"));
  EXPECT_PRED2(contains, error_of("a,\"b\n1,2\n", label("a", 2)),
               at(":1: column 2: a quote that is not closed on its line"));
  EXPECT_PRED2(contains, error_of("a,\"b\"x,c\n1,2,3\n", label("a", 2)),
               at(":1: column 2: text after the closing quote"));
}

TEST_F(DataCsv, NoFeatureColumns) {
  EXPECT_PRED2(contains, error_of("y\n1\n", label("y", 2)),
               at(":1: no feature columns: every column (\"y\") is the label or a target"));
  EXPECT_PRED2(contains, error_of("u,v\n1,2\n", targets({"v", "u"})), at(":1: no feature columns"));
}

TEST_F(DataCsv, EmptyFileAndNoDataRows) {
  EXPECT_PRED2(contains, error_of("", label("y", 2)), at(": empty: no header row"));
  EXPECT_PRED2(contains, error_of("\xEF\xBB\xBF\r\n \n", label("y", 2)), at(": empty"));
  EXPECT_PRED2(contains, error_of("x,y\n", label("y", 2)),
               at(": no data rows after the header (line 1)"));
  EXPECT_PRED2(contains, error_of("\nx,y\r\n\r\n\n", label("y", 2)),
               at(": no data rows after the header (line 2)"));
}

TEST_F(DataCsv, NotANumberNamesLineAndColumnCountingBlankLines) {
  const std::string text =
      "sepal_length,sepal_width,petal_width,species\n"
      "1,2,3,0\n"
      "\n"
      "4,5,6,1\n"
      "\r\n"
      "\n"
      "7,8,abc,2\n";
  EXPECT_EQ(error_of(text, label("species", 3)),
            at(":7: column 3 (\"petal_width\"): \"abc\" is not a number"));
  EXPECT_PRED2(contains, error_of("x,y\n1,0\n# a comment,0\n", label("y", 2)),
               at(":3: column 1 (\"x\"): \"# a comment\" is not a number"));
  EXPECT_PRED2(contains, error_of("x,y\n1 2,0\n", label("y", 2)),
               at(":2: column 1 (\"x\"): \"1 2\" is not a number"));
  EXPECT_PRED2(contains, error_of("x,y\n0x10,0\n", label("y", 2)),
               at(":2: column 1 (\"x\"): \"0x10\" is not a number"));
  EXPECT_PRED2(contains, error_of("x,y\n1,0\r\r\n", label("y", 2)),
               at(":2: column 2 (\"y\"): \"0\r\" is not a number"));
}

TEST_F(DataCsv, EmptyField) {
  EXPECT_PRED2(contains, error_of("x,y,z\n1,2,0\n3, ,1\n", label("z", 2)),
               at(":3: column 2 (\"y\"): empty field"));
  EXPECT_PRED2(contains, error_of("x,y,z\n1,2,\n", label("z", 2)),
               at(":2: column 3 (\"z\"): empty field"));
}

TEST_F(DataCsv, NanAndInfAreNotFinite) {
  for (const std::string v : {"nan", "NaN", "-nan", "inf", "-inf", "Infinity"}) {
    EXPECT_PRED2(contains, error_of("x,y\n1,0\n" + v + ",1\n", label("y", 2)),
                 at(":3: column 1 (\"x\"): \"" + v + "\" is not finite"));
  }
  EXPECT_PRED2(contains, error_of("x,t\n1,inf\n", targets({"t"})),
               at(":2: column 2 (\"t\"): \"inf\" is not finite"));
}

TEST_F(DataCsv, OverflowingFloat32IsRefused) {
  for (const std::string v : {"1e39", "-3.5e38", "1e400", "-1e400", "123456789e300"}) {
    EXPECT_PRED2(contains, error_of("x,y\n" + v + ",1\n", label("y", 2)),
                 at(":2: column 1 (\"x\"): \"" + v + "\" is out of float32's range"));
  }
  // The largest float32 itself is fine.
  const Dataset ds = read_csv(put("x,y\n3.4028234e38,1\n"), label("y", 2));
  EXPECT_EQ(ds.input, (std::vector<float>{3.4028234e38f}));
}

TEST_F(DataCsv, RaggedRows) {
  const std::string head = "a,b,c,d\n1,2,3,0\n";
  EXPECT_PRED2(contains, error_of(head + "1,2,0\n", label("d", 2)),
               at(":3: 3 fields, but the header has 4 columns (too few)"));
  EXPECT_PRED2(contains, error_of(head + "1,2,3,0,5\n", label("d", 2)),
               at(":3: 5 fields, but the header has 4 columns (too many)"));
  EXPECT_PRED2(contains, error_of(head + "\n1\n", label("d", 2)),
               at(":4: 1 field, but the header has 4 columns (too few)"));
  EXPECT_PRED2(contains, error_of(head + "1,2,3,0,\n", label("d", 2)),
               at(":3: 5 fields, but the header has 4 columns (too many)"));
}

TEST_F(DataCsv, LabelNotAnInteger) {
  EXPECT_PRED2(contains, error_of("x,y\n1,0\n2,2.5\n", label("y", 3)),
               at(":3: column 2 (\"y\"): label \"2.5\" is not an integer"));
  // An integer written as a float is that integer.
  const Dataset ds = read_csv(put("x,y\n1,2.0\n2,1e0\n"), label("y", 3));
  EXPECT_EQ(ds.target, (std::vector<float>{0, 0, 1, 0, 1, 0}));
}

TEST_F(DataCsv, LabelOutOfRange) {
  EXPECT_PRED2(contains, error_of("x,kind\n1,0\n2,3\n", label("kind", 3)),
               at(":3: column 2 (\"kind\"): label \"3\" is out of range [0, 3)"));
  EXPECT_PRED2(contains, error_of("x,kind\n1,-1\n", label("kind", 3)),
               at(":2: column 2 (\"kind\"): label \"-1\" is out of range [0, 3)"));
  EXPECT_PRED2(contains, error_of("x,kind\n1,abc\n", label("kind", 3)),
               at(":2: column 2 (\"kind\"): \"abc\" is not a number"));
}

TEST_F(DataCsv, TooManyRows) {
  const CsvColumns columns = label("y", 2);
  EXPECT_EQ(parse_csv("x,y\n1,0\n2,1\n", columns, "mem.csv", 2).rows, 2u);
  try {
    parse_csv("x,y\n1,0\n\n2,1\n3,0\n", columns, "mem.csv", 2);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_PRED2(contains, std::string(e.what()), "mem.csv:5: more than 2 data rows");
  }
}

TEST_F(DataCsv, OneHotTargetsTooLargeAreRefused) {
  EXPECT_PRED2(contains, error_of("x,y\n1,0\n2,1\n3,2\n", label("y", 1u << 31)),
               at(":4: 3 rows of one-hot targets over 2147483648 classes are over"));
}

TEST_F(DataCsv, FilesThatCannotBeRead) {
  const fs::path missing = dir_ / "missing.csv";
  try {
    read_csv(missing, label("y", 2));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_PRED2(contains, std::string(e.what()), missing.string() + ": cannot open");
  }
  const fs::path fifo = dir_ / "fifo.csv";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    read_csv(fifo, label("y", 2));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_PRED2(contains, std::string(e.what()), fifo.string() + ": cannot open: a FIFO");
  }
}

}  // namespace
}  // namespace gt::data
