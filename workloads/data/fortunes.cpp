#include "workloads/data/fortunes.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace flemu {

namespace fs = std::filesystem;

int FortunesCorpus::index_of(const std::string& category) const {
  auto it = std::lower_bound(categories.begin(), categories.end(), category);
  if (it != categories.end() && *it == category) return static_cast<int>(it - categories.begin());
  std::string known;
  for (size_t i = 0; i < categories.size(); ++i) known += (i ? ", " : "") + categories[i];
  throw std::invalid_argument("no fortune category \"" + category + "\" in " + dir + " (there are: " + known + ")");
}

const std::vector<std::string>& FortunesCorpus::texts_of(const std::string& category) const {
  return texts[index_of(category)];
}

int64_t FortunesCorpus::total_texts() const {
  int64_t n = 0;
  for (const auto& t : texts) n += static_cast<int64_t>(t.size());
  return n;
}

std::string clean_fortune_text(const std::string& raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\b') {
      if (!out.empty()) out.pop_back();
    } else if (u >= 0x20 || c == '\n' || c == '\t') {
      out.push_back(c);
    }
  }
  // Trim blank lines (and trailing spaces) at both ends; inner layout is part of the text.
  const size_t first = out.find_first_not_of(" \t\n");
  if (first == std::string::npos) return {};
  size_t line_start = out.rfind('\n', first);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  const size_t last = out.find_last_not_of(" \t\n");
  return out.substr(line_start, last + 1 - line_start);
}

std::vector<std::string> split_fortune_records(const std::string& file_text) {
  std::vector<std::string> records;
  std::string current;
  std::istringstream in(file_text);
  std::string line;
  auto flush = [&] {
    std::string text = clean_fortune_text(current);
    if (!text.empty()) records.push_back(std::move(text));
    current.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "%") {
      flush();
    } else {
      current += line;
      current += '\n';
    }
  }
  flush();
  return records;
}

FortunesCorpus load_fortunes(const std::string& dir) {
  const std::string install = "install Debian's packages \"fortunes\" and \"fortunes-min\" (setup.sh does)";
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error("fortunes corpus: no directory " + dir + ": " + install);
  FortunesCorpus corpus;
  corpus.dir = dir;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path& p = entry.path();
    const std::string name = p.filename().string();
    if (entry.is_symlink() || !entry.is_regular_file() || name.empty() || name[0] == '.') continue;
    if (p.extension() == ".dat" || p.extension() == ".u8") continue;
    files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("fortunes corpus: cannot read " + p.string());
    std::stringstream text;
    text << in.rdbuf();
    auto records = split_fortune_records(text.str());
    if (records.empty()) continue;
    corpus.categories.push_back(p.filename().string());
    corpus.texts.push_back(std::move(records));
  }
  if (corpus.categories.empty())
    throw std::runtime_error("fortunes corpus: " + dir + " holds no fortune file: " + install);
  return corpus;
}

std::map<std::string, int64_t> word_counts(const std::vector<std::string>& texts) {
  std::map<std::string, int64_t> counts;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 && (c & 0x80) == 0; };
  for (const auto& t : texts) {
    std::string word;
    for (size_t i = 0; i <= t.size(); ++i) {
      const char c = i < t.size() ? t[i] : ' ';
      if (alnum(c)) {
        word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      } else if (c == '\'' && !word.empty() && i + 1 < t.size() && alnum(t[i + 1])) {
        word.push_back('\'');
      } else if (!word.empty()) {
        ++counts[word];
        word.clear();
      }
    }
  }
  return counts;
}

}  // namespace flemu
