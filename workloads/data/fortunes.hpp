// Debian's fortune cookies (packages `fortunes` and `fortunes-min`) as a text corpus with a
// natural non-IID split: one category per file under /usr/share/games/fortunes, records
// separated by a line holding only "%". 43 categories, ~15k texts, very unequal sizes
// (../shared/cards/analytics-and-data.md, Part B).
//
// Torch-free and I/O only at load time: language-model workloads (text_dataset.hpp) and
// analytics workloads (word counts for heavy hitters) both start from a FortunesCorpus.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace flemu {

/// Where Debian installs the fortune files.
inline constexpr const char* kFortunesDir = "/usr/share/games/fortunes";

struct FortunesCorpus {
  std::string dir;                              ///< where it was read from
  std::vector<std::string> categories;          ///< file names, sorted
  std::vector<std::vector<std::string>> texts;  ///< per category (same order), in file order, cleaned

  /// Index of `category` in `categories`; throws std::invalid_argument naming the known ones.
  int index_of(const std::string& category) const;
  /// The texts of `category` (throws like index_of).
  const std::vector<std::string>& texts_of(const std::string& category) const;
  int64_t total_texts() const;
};

/// Reads every category file of `dir`: regular files only, skipping the strfile indexes
/// (`*.dat`), the `*.u8` symlinks (duplicates of the plain files) and hidden files. Throws
/// std::runtime_error when `dir` does not exist or holds no category, saying to install the
/// Debian packages `fortunes fortunes-min` (setup.sh does).
FortunesCorpus load_fortunes(const std::string& dir = kFortunesDir);

/// The records of one fortune file: split at lines that are exactly "%", each cleaned with
/// clean_fortune_text; empty records dropped.
std::vector<std::string> split_fortune_records(const std::string& file_text);

/// Strips typewriter overstriking ("_\bX" underlines, "X\bX" bold: a backspace deletes the
/// character before it), drops control characters other than newline and tab, and trims
/// leading and trailing blank lines. Bytes >= 0x80 (UTF-8) are kept as they are.
std::string clean_fortune_text(const std::string& raw);

/// Lower-cased words of `texts` with their counts: maximal runs of ASCII letters and digits,
/// with inner apostrophes kept ("don't"); everything else separates words. For heavy-hitter
/// workloads (one party per category).
std::map<std::string, int64_t> word_counts(const std::vector<std::string>& texts);

}  // namespace flemu
