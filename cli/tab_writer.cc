// text/tabwriter's column blocks (its format and writeLines, without the flags kubectl does not set).
#include "cli/tab_writer.h"

#include <algorithm>
#include <vector>

namespace crilet::cli {
namespace {

struct Cell {
  std::string text;
  size_t width = 0;  // in UTF-8 characters
};
using Line = std::vector<Cell>;

size_t Utf8Width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

class Aligner {
 public:
  Aligner(std::vector<Line> lines, bool final_newline, size_t padding)
      : lines_(std::move(lines)), final_newline_(final_newline), padding_(padding) {}

  std::string Run() {
    Format(0, lines_.size());
    return std::move(out_);
  }

 private:
  // Go's Writer.format: the blocks of column widths_.size() within [line0, line1), each formatted to the
  // right recursively, then written.
  void Format(size_t line0, size_t line1) {
    const size_t column = widths_.size();
    for (size_t row = line0; row < line1; ++row) {
      if (column + 1 >= lines_[row].size()) continue;
      Write(line0, row);
      line0 = row;
      size_t width = 0;
      for (; row < line1 && column + 1 < lines_[row].size(); ++row) width = std::max(width, lines_[row][column].width + padding_);
      widths_.push_back(width);
      Format(line0, row);
      widths_.pop_back();
      line0 = row;
      if (row == line1) break;
    }
    Write(line0, line1);
  }

  void Write(size_t line0, size_t line1) {
    for (size_t i = line0; i < line1; ++i) {
      const Line& line = lines_[i];
      for (size_t j = 0; j < line.size(); ++j) {
        out_ += line[j].text;
        if (j < widths_.size() && widths_[j] > line[j].width) out_ += std::string(widths_[j] - line[j].width, ' ');
      }
      if (i + 1 < lines_.size() || final_newline_) out_ += '\n';
    }
  }

  std::vector<Line> lines_;
  bool final_newline_;
  size_t padding_;
  std::vector<size_t> widths_;
  std::string out_;
};

}  // namespace

std::string AlignTabs(const std::string& text, size_t padding) {
  std::vector<Line> lines;
  Line line;
  std::string cell;
  auto end_cell = [&] {
    Cell c;
    c.width = Utf8Width(cell);
    c.text = std::move(cell);
    cell.clear();
    line.push_back(std::move(c));
  };
  for (char c : text) {
    if (c == '\t') {
      end_cell();
    } else if (c == '\n') {
      end_cell();
      lines.push_back(std::move(line));
      line.clear();
    } else {
      cell += c;
    }
  }
  const bool final_newline = text.empty() || text.back() == '\n';
  if (!final_newline) {
    end_cell();
    lines.push_back(std::move(line));
  }
  return Aligner(std::move(lines), final_newline, padding).Run();
}

}  // namespace crilet::cli
