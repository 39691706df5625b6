// CSV files of user data sets: a header row of column names, then one sample a row, every field a
// finite number. One column is the class label (classification, one-hot targets) or some columns
// are regression targets; every other column is an input feature, in file order.
//
// Fields are separated by commas and trimmed of surrounding spaces and tabs; a field may be
// quoted RFC 4180 style ("a ""b"" c"), without embedded newlines. A UTF-8 byte order mark, CRLF
// line ends and blank lines are accepted; nothing else is special (a '#' line is data).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.hpp"

namespace gt::data {

// Which columns are targets. Exactly one of `label` and `target` is set.
struct CsvColumns {
  std::string label;                // classification: the header name of the class column
  std::vector<std::string> target;  // regression: the header names of the target columns
  uint32_t classes = 0;             // with label: every label must be an integer in [0, classes)
};

// Reads a whole CSV file (at most 4 GiB); throws data::Error naming the file, the line, and the
// column by number and name ("data.csv:7: column 3 (\"petal_width\"): \"abc\" is not a number").
// With `label`: outputs = classes = columns.classes, one-hot targets. With `target`: outputs =
// target.size(), classes = 0, the targets in the order of columns.target.
Dataset read_csv(const std::filesystem::path& file, const CsvColumns& columns);

// The same from the text of a file already read (`name` for messages and Dataset::source), with
// at most `max_rows` data rows (a smaller limit lets a test reach it).
Dataset parse_csv(std::string_view text, const CsvColumns& columns, const std::string& name,
                  uint64_t max_rows = kMaxRows);

}  // namespace gt::data
