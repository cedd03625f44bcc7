// JSON Schema subset validator; the supported keywords and the reporting order are the
// contract documented in json_schema.hpp.
#include "emulator/config/json_schema.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <regex>
#include <stdexcept>

namespace flemu::json_schema {
namespace {

std::string escape_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

size_t depth(const std::string& pointer) {
  return static_cast<size_t>(std::count(pointer.begin(), pointer.end(), '/'));
}

size_t utf8_length(const std::string& s) {
  // Count code points, not bytes: JSON Schema lengths are in characters.
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string one_of_phrase(const std::vector<std::string>& allowed) {
  return allowed.size() == 1 ? allowed.front() : "one of " + join(allowed, ", ");
}

/// A violation plus what the oneOf/anyOf ranking needs to know about it.
struct Failure {
  SchemaViolation violation;
  /// Set for a discriminator mismatch: the values that would have selected this branch.
  std::vector<std::string> discriminator_values;
};

template <class Json>
class Validator {
 public:
  Validator(const Json& root, const FormatCheckers& formats) : root_(root), formats_(formats) {}

  std::optional<Failure> check(const Json& node, const Json& value, const std::string& ptr) {
    if (node.is_boolean()) {
      if (node.template get<bool>()) return std::nullopt;
      return fail(ptr, "no value here", &value);
    }
    require_object(node, ptr);
    if (auto it = node.find("$ref"); it != node.end())
      if (auto f = check(resolve(*it), value, ptr)) return f;

    if (auto it = node.find("type"); it != node.end() && !type_matches(*it, value))
      return fail(ptr, describe(node), &value, {}, enum_hint(node, value));
    if (auto it = node.find("const"); it != node.end() && value != *it)
      return fail(ptr, describe(node), &value);
    if (auto it = node.find("enum"); it != node.end()) {
      const auto& options = *it;
      if (std::find(options.begin(), options.end(), value) == options.end())
        return fail(ptr, describe(node), &value, {}, enum_hint(node, value));
    }
    if (value.is_string()) {
      if (auto f = check_string(node, value, ptr)) return f;
    }
    if (value.is_number() && !bounds_hold(node, value.template get<double>()))
      return fail(ptr, describe(node), &value);
    if (value.is_object())
      if (auto f = check_object(node, value, ptr)) return f;
    if (value.is_array())
      if (auto f = check_array(node, value, ptr)) return f;
    if (auto it = node.find("oneOf"); it != node.end())
      if (auto f = check_alternatives(*it, value, ptr, /*exactly_one=*/true)) return f;
    if (auto it = node.find("anyOf"); it != node.end())
      if (auto f = check_alternatives(*it, value, ptr, /*exactly_one=*/false)) return f;
    return std::nullopt;
  }

  /// The phrase that follows "expected " for a value failing `node` on its own.
  std::string describe(const Json& node) {
    if (node.is_boolean()) return node.template get<bool>() ? "any value" : "no value here";
    if (auto it = node.find("format"); it != node.end()) {
      auto checker = formats_.find(it->template get<std::string>());
      if (checker != formats_.end()) return checker->second.expected;
    }
    if (auto it = node.find("const"); it != node.end()) return it->dump();
    if (auto it = node.find("enum"); it != node.end()) {
      std::vector<std::string> allowed;
      for (const auto& v : *it) allowed.push_back(v.dump());
      return one_of_phrase(allowed);
    }
    auto type = node.find("type");
    if (type == node.end()) {
      if (auto ref = node.find("$ref"); ref != node.end()) return describe(resolve(*ref));
      return "a valid value";
    }
    if (type->is_array()) {
      std::vector<std::string> names;
      for (const auto& t : *type) names.push_back(type_phrase(t.template get<std::string>()));
      return join(names, " or ");
    }
    const std::string name = type->template get<std::string>();
    std::string text = type_phrase(name);
    if (name == "integer" || name == "number") {
      std::vector<std::string> bounds;
      if (auto b = node.find("minimum"); b != node.end()) bounds.push_back(">= " + b->dump());
      if (auto b = node.find("exclusiveMinimum"); b != node.end())
        bounds.push_back("> " + b->dump());
      if (auto b = node.find("maximum"); b != node.end()) bounds.push_back("<= " + b->dump());
      if (auto b = node.find("exclusiveMaximum"); b != node.end())
        bounds.push_back("< " + b->dump());
      if (!bounds.empty()) text += " " + join(bounds, " and ");
    } else if (name == "string") {
      if (auto m = node.find("minLength"); m != node.end()) {
        const auto n = m->template get<int64_t>();
        if (n == 1)
          text = "a non-empty string";
        else if (n > 1)
          text += " of at least " + std::to_string(n) + " characters";
      }
      if (auto p = node.find("pattern"); p != node.end()) text += " matching " + p->dump();
    } else if (name == "array") {
      if (auto m = node.find("minItems"); m != node.end()) {
        const auto n = m->template get<int64_t>();
        if (n == 1)
          text = "a non-empty array";
        else if (n > 1)
          text += " of at least " + std::to_string(n) + " items";
      }
    }
    return text;
  }

  const Json& resolve(const Json& ref) {
    const std::string target = ref.is_string() ? ref.template get<std::string>() : "";
    if (target.rfind("#", 0) != 0)
      throw std::invalid_argument("json_schema: only local $ref \"#/...\" is supported, got " +
                                  ref.dump());
    try {
      return root_.at(typename Json::json_pointer(target.substr(1)));
    } catch (const std::exception&) {
      throw std::invalid_argument("json_schema: $ref " + ref.dump() + " points nowhere");
    }
  }

 private:
  static std::optional<Failure> fail(const std::string& ptr, std::string expected, const Json* found = nullptr,
                                     std::vector<std::string> discriminator_values = {}, std::string note = "") {
    return Failure{SchemaViolation{ptr, std::move(expected), found ? shown(*found) : "", std::move(note)},
                   std::move(discriminator_values)};
  }

  /// "did you mean" for a string outside an enum of strings.
  static std::string enum_hint(const Json& node, const Json& value) {
    auto options = node.find("enum");
    if (options == node.end() || !value.is_string()) return "";
    std::vector<std::string> names;
    for (const auto& o : *options)
      if (o.is_string()) names.push_back(o.template get<std::string>());
    const std::string best = closest_match(value.template get<std::string>(), names);
    return best.empty() ? "" : "did you mean \"" + best + "\"?";
  }

  static void require_object(const Json& node, const std::string& ptr) {
    if (!node.is_object())
      throw std::invalid_argument("json_schema: the schema for " + (ptr.empty() ? "/" : ptr) +
                                  " is neither an object nor a boolean");
  }

  static std::string type_phrase(const std::string& name) {
    if (name == "integer") return "an integer";
    if (name == "object") return "an object";
    if (name == "array") return "an array";
    if (name == "null") return "null";
    return "a " + name;  // string, number, boolean
  }

  static bool type_matches(const Json& type, const Json& value) {
    if (type.is_array())
      return std::any_of(type.begin(), type.end(),
                         [&](const Json& t) { return type_matches(t, value); });
    const std::string name = type.template get<std::string>();
    if (name == "object") return value.is_object();
    if (name == "array") return value.is_array();
    if (name == "string") return value.is_string();
    if (name == "boolean") return value.is_boolean();
    if (name == "null") return value.is_null();
    if (name == "number") return value.is_number();
    if (name == "integer") {
      if (value.is_number_integer()) return true;
      if (!value.is_number_float()) return false;
      const double d = value.template get<double>();
      return std::isfinite(d) && std::floor(d) == d;
    }
    throw std::invalid_argument("json_schema: unknown type " + type.dump());
  }

  static bool bounds_hold(const Json& node, double v) {
    auto bound = [&](const char* key, auto ok) {
      auto it = node.find(key);
      return it == node.end() || ok(v, it->template get<double>());
    };
    return bound("minimum", [](double x, double b) { return x >= b; }) &&
           bound("exclusiveMinimum", [](double x, double b) { return x > b; }) &&
           bound("maximum", [](double x, double b) { return x <= b; }) &&
           bound("exclusiveMaximum", [](double x, double b) { return x < b; });
  }

  std::optional<Failure> check_string(const Json& node, const Json& value, const std::string& ptr) {
    const std::string s = value.template get<std::string>();
    if (auto it = node.find("format"); it != node.end()) {
      auto checker = formats_.find(it->template get<std::string>());
      if (checker != formats_.end() && !checker->second.accepts(s))
        return fail(ptr, describe(node), &value);
    }
    if (auto it = node.find("pattern");
        it != node.end() && !std::regex_search(s, regex(it->template get<std::string>())))
      return fail(ptr, describe(node), &value);
    if (auto it = node.find("minLength");
        it != node.end() && utf8_length(s) < it->template get<size_t>())
      return fail(ptr, describe(node), &value);
    return std::nullopt;
  }

  std::optional<Failure> check_object(const Json& node, const Json& value, const std::string& ptr) {
    static const Json no_properties = Json::object();
    auto props_it = node.find("properties");
    const Json& props = props_it != node.end() ? *props_it : no_properties;
    auto additional = node.find("additionalProperties");

    // Unknown keys first: a misspelt key usually also explains a "missing" required one.
    if (additional != node.end() && additional->is_boolean() && !additional->template get<bool>()) {
      for (const auto& [key, member] : value.items()) {
        if (props.contains(key)) continue;
        std::vector<std::string> known;
        for (const auto& [name, schema] : props.items()) known.push_back(name);
        std::sort(known.begin(), known.end());
        const Json key_text = key;
        if (known.empty()) return fail(ptr + "/" + escape_token(key), "no keys here", &key_text);
        const std::string best = closest_match(key, known);
        return fail(ptr + "/" + escape_token(key),
                    best.empty() ? "a known key" : "a known key (did you mean \"" + best + "\"?)", &key_text, {},
                    "known keys: " + join(known, ", "));
      }
    }
    if (auto req = node.find("required"); req != node.end()) {
      for (const auto& key_json : *req) {
        const std::string key = key_json.template get<std::string>();
        if (value.contains(key)) continue;
        const std::string what = props.contains(key) ? describe(props.at(key)) : "a value";
        return fail(ptr + "/" + escape_token(key), what + " (required key)");
      }
    }
    for (const auto& [key, member] : value.items()) {
      const std::string child = ptr + "/" + escape_token(key);
      if (props.contains(key)) {
        if (auto f = check(props.at(key), member, child)) return f;
      } else if (additional != node.end() && additional->is_object()) {
        if (auto f = check(*additional, member, child)) return f;
      }
    }
    return std::nullopt;
  }

  std::optional<Failure> check_array(const Json& node, const Json& value, const std::string& ptr) {
    if (auto it = node.find("minItems");
        it != node.end() && value.size() < it->template get<size_t>())
      return fail(ptr, describe(node), &value);
    if (auto items = node.find("items"); items != node.end()) {
      for (size_t i = 0; i < value.size(); ++i)
        if (auto f = check(*items, value[i], ptr + "/" + std::to_string(i))) return f;
    }
    return std::nullopt;
  }

  /// A branch does not apply when one of its "const" properties is absent or different: the
  /// document plainly chose another branch, so that branch's complaints are noise.
  std::optional<Failure> discriminator_mismatch(const Json& branch, const Json& value,
                                                const std::string& ptr) {
    const Json& b =
        branch.is_object() && branch.contains("$ref") ? resolve(branch["$ref"]) : branch;
    if (!b.is_object() || !value.is_object()) return std::nullopt;
    auto props = b.find("properties");
    if (props == b.end()) return std::nullopt;
    for (const auto& [key, schema] : props->items()) {
      if (!schema.is_object() || !schema.contains("const")) continue;
      auto member = value.find(key);
      if (member == value.end() || *member != schema["const"])
        return fail(ptr + "/" + escape_token(key), describe(schema), member == value.end() ? nullptr : &*member,
                    {schema["const"].dump()});
    }
    return std::nullopt;
  }

  std::optional<Failure> check_alternatives(const Json& branches, const Json& value,
                                            const std::string& ptr, bool exactly_one) {
    std::vector<Failure> failures;
    int matched = 0;
    for (const auto& branch : branches) {
      auto f = discriminator_mismatch(branch, value, ptr);
      if (!f) f = check(branch, value, ptr);
      if (!f) {
        ++matched;
        if (!exactly_one) return std::nullopt;
      } else {
        failures.push_back(std::move(*f));
      }
    }
    if (matched == 1 || (matched > 1 && !exactly_one)) return std::nullopt;
    if (matched > 1)
      return fail(
          ptr, "a value matching exactly one alternative (" + std::to_string(matched) + " match)", &value);
    if (failures.empty()) return fail(ptr, "a valid value", &value);  // "oneOf": [] matches nothing

    std::vector<const Failure*> specific;
    for (const auto& f : failures)
      if (f.discriminator_values.empty()) specific.push_back(&f);
    if (specific.empty()) {
      // Every branch was ruled out by its discriminator: list what would have selected one.
      const std::string& where = failures.front().violation.pointer;
      const bool same_place = std::all_of(failures.begin(), failures.end(), [&](const Failure& f) {
        return f.violation.pointer == where;
      });
      if (!same_place) return failures.front();
      std::vector<std::string> allowed;
      for (const auto& f : failures)
        for (const auto& v : f.discriminator_values)
          if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) allowed.push_back(v);
      Failure merged = failures.front();
      merged.violation.expected = one_of_phrase(allowed);
      merged.discriminator_values = allowed;
      std::vector<std::string> names;
      for (const auto& a : allowed) names.push_back(a.size() >= 2 && a.front() == '"' ? a.substr(1, a.size() - 2) : a);
      const std::string& found = merged.violation.found;
      if (found.size() >= 2 && found.front() == '"') {
        const std::string best = closest_match(found.substr(1, found.size() - 2), names);
        merged.violation.note = best.empty() ? "" : "did you mean \"" + best + "\"?";
      }
      return merged;
    }
    const Failure* best = specific.front();
    for (const Failure* f : specific)
      if (depth(f->violation.pointer) > depth(best->violation.pointer)) best = f;
    return *best;
  }

  const std::regex& regex(const std::string& pattern) {
    auto it = regex_cache_.find(pattern);
    if (it == regex_cache_.end()) {
      try {
        it = regex_cache_.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
      } catch (const std::regex_error& e) {
        throw std::invalid_argument("json_schema: bad pattern " + pattern + ": " + e.what());
      }
    }
    return it->second;
  }

  const Json& root_;
  const FormatCheckers& formats_;
  std::map<std::string, std::regex> regex_cache_;
};

template <class Json>
std::vector<SchemaViolation> validate_impl(const Json& schema, const Json& doc,
                                           const FormatCheckers& formats) {
  Validator<Json> validator(schema, formats);
  if (auto f = validator.check(schema, doc, "")) return {f->violation};
  return {};
}

/// The "default" of a property schema, looked up through a $ref; nullptr when it has none.
const nlohmann::json* default_of(Validator<nlohmann::json>& validator,
                                 const nlohmann::json& schema) {
  if (!schema.is_object()) return nullptr;
  if (auto def = schema.find("default"); def != schema.end()) return &*def;
  if (auto ref = schema.find("$ref"); ref != schema.end())
    return default_of(validator, validator.resolve(*ref));
  return nullptr;
}

void fill(Validator<nlohmann::json>& validator, const nlohmann::json& node, nlohmann::json& value) {
  if (!node.is_object()) return;
  if (auto ref = node.find("$ref"); ref != node.end())
    fill(validator, validator.resolve(*ref), value);
  for (const char* combinator : {"oneOf", "anyOf"}) {
    auto branches = node.find(combinator);
    if (branches == node.end()) continue;
    for (const auto& branch : *branches) {
      if (validator.check(branch, value, "")) continue;
      fill(validator, branch, value);  // the branch the document chose
      break;
    }
  }
  if (auto props = node.find("properties"); props != node.end() && value.is_object()) {
    for (const auto& [key, schema] : props->items()) {
      if (!value.contains(key)) {
        const nlohmann::json* def = default_of(validator, schema);
        if (!def) continue;
        value[key] = *def;  // then filled in turn: a default {} gains its members' defaults
      }
      fill(validator, schema, value[key]);
    }
  }
  if (auto extra = node.find("additionalProperties");
      extra != node.end() && extra->is_object() && value.is_object()) {
    const auto props = node.find("properties");
    for (auto& [key, member] : value.items())
      if (props == node.end() || !props->contains(key)) fill(validator, *extra, member);
  }
  if (auto items = node.find("items"); items != node.end() && value.is_array())
    for (auto& element : value) fill(validator, *items, element);
}

template <class Json>
std::string shown_impl(const Json& value, size_t max_chars) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > max_chars) {
    size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
    text = text.substr(0, cut) + "...";
  }
  return text;
}

/// Optimal string alignment distance (Levenshtein with swaps of neighbours).
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                                  std::tolower(static_cast<unsigned char>(b[j - 1]))
                              ? 0
                              : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  if (word.size() > 200) return "";  // a long string is no typo of a key
  std::string best;
  size_t best_distance = 0;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (best.empty() || d < best_distance) best = c, best_distance = d;
  }
  // A typo changes a few characters: at most a third of the word, and at least one.
  const size_t allowed = std::max<size_t>(1, std::min<size_t>(3, std::max(word.size(), best.size()) / 3));
  return !best.empty() && best_distance <= allowed ? best : "";
}

std::string shown(const nlohmann::json& value, size_t max_chars) { return shown_impl(value, max_chars); }
std::string shown(const nlohmann::ordered_json& value, size_t max_chars) { return shown_impl(value, max_chars); }

std::vector<SchemaViolation> validate(const nlohmann::json& schema, const nlohmann::json& doc,
                                      const FormatCheckers& formats) {
  return validate_impl(schema, doc, formats);
}

std::vector<SchemaViolation> validate(const nlohmann::ordered_json& schema,
                                      const nlohmann::ordered_json& doc,
                                      const FormatCheckers& formats) {
  return validate_impl(schema, doc, formats);
}

void apply_defaults(const nlohmann::json& schema, nlohmann::json& doc,
                    const FormatCheckers& formats) {
  Validator<nlohmann::json> validator(schema, formats);
  fill(validator, schema, doc);
}

}  // namespace flemu::json_schema
