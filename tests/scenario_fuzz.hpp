// Scenario mutants for the fuzz harness (tests/test_fuzz.cpp): a shipped scenario changed in
// one place the way people and broken tools change files: a value of the wrong type, an
// extreme number, NaN/Infinity text, an unknown or misspelt key, an empty array or object, a
// removed key, a broken unit, unicode and invalid UTF-8, deep nesting, a duplicate key, or
// the text cut short. Every mutant is a pure function of (scenario text, seed).
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flemu::test::fuzz {

using nlohmann::ordered_json;

enum class Kind {
  WrongType, ExtremeNumber, NumberText, UnknownKey, Empty, RemovedKey, BrokenUnit, Unicode, DeepNesting,
  DuplicateKey, Truncated
};
constexpr int kKinds = 11;

inline const char* kind_name(Kind k) {
  static const char* names[] = {"wrong type", "extreme number", "NaN/Infinity/out-of-range text", "unknown key",
                                "empty array/object", "removed key", "broken unit", "unicode",
                                "deep nesting", "duplicate key", "truncated"};
  return names[static_cast<int>(k)];
}

struct Mutant {
  Kind kind;
  std::string where;  ///< the JSON pointer changed ("" for text-level changes)
  std::string text;   ///< the mutated file
};

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  Mutant mutate(const std::string& original) {
    const ordered_json doc = ordered_json::parse(original);
    const Kind kind = static_cast<Kind>(below(kKinds));
    Mutant m{kind, "", ""};
    std::vector<std::string> values, objects, arrays, strings, members;
    collect(doc, "", values, objects, arrays, strings, members);
    ordered_json out = doc;
    const std::string raw = "@@RAW@@";
    std::string raw_text;
    switch (kind) {
      case Kind::WrongType: {
        m.where = pick(values);
        static const std::vector<ordered_json> others = {"text", 42, -1, true, nullptr, ordered_json::array(),
                                                         ordered_json::object(), 3.5, "10Mbps"};
        out[ptr(m.where)] = others[below(others.size())];
        break;
      }
      case Kind::ExtremeNumber: {
        m.where = pick(values);
        static const std::vector<ordered_json> numbers = {
            1e308, -1e308, 0, -1, 1e-308, 4.9e-324, 4294967296LL, INT64_MAX, INT64_MIN, UINT64_MAX, 0.5, 1e15, 2147483648LL};
        out[ptr(m.where)] = numbers[below(numbers.size())];
        break;
      }
      case Kind::NumberText: {
        m.where = pick(values);
        static const std::vector<std::string> texts = {"1e400", "-1e400", "NaN", "Infinity", "-Infinity", "nan",
                                                       "1e-400", "00012", "+1", ".5", "1.", "0x10", "1e99999999999"};
        out[ptr(m.where)] = raw;
        raw_text = texts[below(texts.size())];
        break;
      }
      case Kind::UnknownKey: {
        m.where = pick(objects);
        ordered_json& obj = out[ptr(m.where)];
        std::string key = "zzz_unknown";
        if (!obj.empty() && below(2) == 0) {  // a typo of a key that is there
          auto it = obj.begin();
          std::advance(it, static_cast<long>(below(obj.size())));
          key = it.key();
          if (key.size() > 1) key.erase(below(key.size()), 1);
          else key += "s";
          if (obj.contains(key)) key += "_";
        }
        obj[key] = 1;
        m.where += "/" + key;
        break;
      }
      case Kind::Empty: {
        if (!arrays.empty() && below(2) == 0) {
          m.where = pick(arrays);
          out[ptr(m.where)] = ordered_json::array();
        } else {
          m.where = pick(objects);
          out[ptr(m.where)] = ordered_json::object();
        }
        break;
      }
      case Kind::RemovedKey: {
        m.where = pick(members);
        const auto p = ptr(m.where);
        out[p.parent_pointer()].erase(p.back());
        break;
      }
      case Kind::BrokenUnit: {
        m.where = strings.empty() ? pick(values) : pick(strings);
        static const std::vector<std::string> units = {"10 Mbps", "Mbps",    "10",     "-5ms",  "1e999Gf", "",
                                                       "10Xb",    "NaNs",    "infms",  "1e-320s", "0x10Mbps",
                                                       "10MBPS",  "\u0663ms", "5ms5ms", " 5ms",  "1e308Tbps"};
        out[ptr(m.where)] = units[below(units.size())];
        break;
      }
      case Kind::Unicode: {
        m.where = strings.empty() ? pick(values) : pick(strings);
        static const std::vector<std::string> texts = {"\u65e5\u672c\u8a9e", "emoji \U0001F680", std::string("nul\0x", 5),
                                                       "\u202eright-to-left", "caf\u00e9"};
        if (below(4) == 0) {
          out[ptr(m.where)] = raw;
          raw_text = "\"\xff\xfe broken utf-8\"";
        } else {
          out[ptr(m.where)] = texts[below(texts.size())];
        }
        break;
      }
      case Kind::DeepNesting: {
        m.where = pick(values);
        static const std::vector<size_t> depths = {65, 1000, 100000};
        const size_t depth = depths[below(depths.size())];
        out[ptr(m.where)] = raw;
        raw_text = std::string(depth, '[') + std::string(depth, ']');
        break;
      }
      case Kind::DuplicateKey:
      case Kind::Truncated:
        break;
    }
    std::string text = out.dump(2, ' ', false, ordered_json::error_handler_t::replace);
    if (!raw_text.empty()) {
      const std::string quoted = "\"" + raw + "\"";
      text.replace(text.find(quoted), quoted.size(), raw_text);
    }
    if (kind == Kind::DuplicateKey) {
      // The first member of some object, written twice.
      const std::string object = pick(objects);
      const ordered_json& obj = doc[ptr(object)];
      m.where = object;
      if (!obj.empty()) {
        const std::string first = ordered_json(obj.begin().key()).dump();
        const size_t at = text.find(first);
        if (at != std::string::npos) text.insert(at, first + ": 0, ");
      }
    }
    if (kind == Kind::Truncated) text.resize(below(text.size()));
    m.text = std::move(text);
    return m;
  }

 private:
  static ordered_json::json_pointer ptr(const std::string& p) { return ordered_json::json_pointer(p); }

  static std::string escape(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
  }

  static void collect(const ordered_json& node, const std::string& at, std::vector<std::string>& values,
                      std::vector<std::string>& objects, std::vector<std::string>& arrays,
                      std::vector<std::string>& strings, std::vector<std::string>& members) {
    if (!at.empty()) values.push_back(at);
    if (node.is_string()) strings.push_back(at);
    if (node.is_object()) {
      objects.push_back(at);
      for (auto it = node.begin(); it != node.end(); ++it) {
        members.push_back(at + "/" + escape(it.key()));
        collect(*it, at + "/" + escape(it.key()), values, objects, arrays, strings, members);
      }
    }
    if (node.is_array()) {
      arrays.push_back(at);
      for (size_t i = 0; i < node.size(); ++i)
        collect(node[i], at + "/" + std::to_string(i), values, objects, arrays, strings, members);
    }
  }

  uint64_t below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  std::string pick(const std::vector<std::string>& from) { return from.empty() ? "" : from[below(from.size())]; }

  std::mt19937_64 rng_;
};

}  // namespace flemu::test::fuzz
