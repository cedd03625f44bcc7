// The fortunes corpus reader (workloads/data/fortunes.hpp).
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/test_support.hpp"
#include "workloads/data/fortunes.hpp"

using namespace flemu;
using Catch::Contains;
namespace fs = std::filesystem;

TEST_CASE("fortune records split at % lines and lose their overstriking", "[fortunes]") {
  const auto r = split_fortune_records("first line\nsecond\n%\n\n  _\bu_\bn_\bd_\be_\br bold: B\bBo\bol\bld\bd\a\n\n%\n%\nlast\n");
  REQUIRE(r.size() == 3);
  CHECK(r[0] == "first line\nsecond");
  CHECK(r[1] == "  under bold: Bold");  // leading blank line trimmed, indentation kept, bell dropped
  CHECK(r[2] == "last");
  CHECK(clean_fortune_text("\t tab\tkept\n") == "\t tab\tkept");
  CHECK(clean_fortune_text("\n \n") == "");
  CHECK(clean_fortune_text("caf\xc3\xa9") == "caf\xc3\xa9");  // UTF-8 bytes kept
}

TEST_CASE("word counts: lower case, inner apostrophes, punctuation separates", "[fortunes]") {
  const auto c = word_counts({"Don't panic! DON'T.", "42 is 'the' answer's end"});
  CHECK(c.at("don't") == 2);
  CHECK(c.at("panic") == 1);
  CHECK(c.at("42") == 1);
  CHECK(c.at("the") == 1);
  CHECK(c.at("answer's") == 1);
  CHECK(c.count("'the'") == 0);
}

TEST_CASE("a fortunes directory: categories sorted, .dat and .u8 skipped", "[fortunes]") {
  const auto dir = test::scratch_dir("fortunes");
  test::write_file(dir / "zoo", "a zebra\n%\nan ox\n");
  test::write_file(dir / "art", "one\n%\n");
  test::write_file(dir / "art.dat", "binary index");
  fs::create_symlink(dir / "art", dir / "art.u8");
  test::write_file(dir / "empty", "%\n%\n");  // no record: not a category
  const auto c = load_fortunes(dir.string());
  REQUIRE(c.categories == std::vector<std::string>{"art", "zoo"});
  CHECK(c.texts_of("zoo") == std::vector<std::string>{"a zebra", "an ox"});
  CHECK(c.total_texts() == 3);
  CHECK(c.index_of("zoo") == 1);
  CHECK_THROWS_WITH(c.index_of("people"), Contains("no fortune category \"people\"") && Contains("art, zoo"));
}

TEST_CASE("a missing fortunes directory says which packages to install", "[fortunes]") {
  CHECK_THROWS_WITH(load_fortunes("/nonexistent/fortunes"),
                    Contains("/nonexistent/fortunes") && Contains("fortunes-min") && Contains("setup.sh"));
  const auto empty = test::scratch_dir("fortunes-empty");
  CHECK_THROWS_WITH(load_fortunes(empty.string()), Contains("holds no fortune file"));
}

TEST_CASE("Debian's fortunes: 43 categories, about 15k texts", "[fortunes]") {
  if (!fs::is_directory(kFortunesDir)) {
    WARN("fortunes not installed (run setup.sh): skipping the check of the real corpus");
    return;
  }
  const auto c = load_fortunes();
  CHECK(c.categories.size() == 43);
  CHECK(c.total_texts() > 14500);
  CHECK(c.total_texts() < 16000);
  CHECK(c.texts_of("people").size() == 1251);  // 1250 "%" lines; the last record has none after it
  CHECK(c.texts_of("riddles").size() > 100);  // from fortunes-min
  for (const auto& texts : c.texts)
    for (const auto& t : texts) REQUIRE(t.find('\b') == std::string::npos);
}
