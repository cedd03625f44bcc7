#include "emulator/config/overrides.hpp"

#include <cctype>

#include "emulator/config/scenario.hpp"

namespace flemu {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

[[noreturn]] void fail(const std::string& where, const std::string& pointer, const std::string& expected) {
  throw ScenarioError(where + ": " + pointer + ": expected " + expected);
}

std::string escape_token(const std::string& key) {  // RFC 6901: "~" -> "~0", "/" -> "~1"
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

/// RFC 6901 tokens of `pointer`; "" is the whole document.
std::vector<std::string> split_pointer(const std::string& pointer, const std::string& where) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/')
    fail(where, pointer, "a JSON pointer starting with \"/\", like /platform/classes/phone/uplink");
  size_t start = 1;
  while (true) {
    const size_t slash = pointer.find('/', start);
    std::string raw = pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '~') {
        token += raw[i];
        continue;
      }
      if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        fail(where, pointer, "\"~\" written as \"~0\" and \"/\" inside a key as \"~1\" (RFC 6901)");
      }
    }
    tokens.push_back(std::move(token));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return tokens;
}

bool is_index(const std::string& token) {
  return !token.empty() && token.size() <= 9 && token.find_first_not_of("0123456789") == std::string::npos &&
         (token == "0" || token[0] != '0');
}

/// Index of array element named `token`, or of the index `token`; -1 if neither.
template <class Json>
long element_index(const Json& array, const std::string& token) {
  if (is_index(token)) {
    const long i = std::stol(token);
    return i < static_cast<long>(array.size()) ? i : -1;
  }
  for (size_t i = 0; i < array.size(); ++i)
    if (array[i].is_object()) {
      auto it = array[i].find("name");
      if (it != array[i].end() && it->is_string() && it->template get<std::string>() == token)
        return static_cast<long>(i);
    }
  return -1;
}

template <class Json>
std::string element_choices(const Json& array) {
  std::string names;
  for (const auto& e : array)
    if (e.is_object() && e.contains("name") && e["name"].is_string())
      names += (names.empty() ? "\"" : ", \"") + e["name"].template get<std::string>() + "\"";
  const std::string range = array.empty() ? "none: the array is empty" : "0 to " + std::to_string(array.size() - 1);
  return names.empty() ? "an index (" + range + ")" : "a name (" + names + ") or an index (" + range + ")";
}

/// Walks `tokens` through `doc`, turning names into indices. With `create`, missing object
/// members on the way (not the last token) become empty objects. Returns the resolved pointer.
template <class Json>
std::string walk(Json& doc, const std::vector<std::string>& tokens, const std::string& given, const std::string& where,
                 bool create) {
  Json* node = &doc;
  std::string resolved;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    const bool last = i + 1 == tokens.size();
    if (node->is_array()) {
      const long idx = element_index(*node, token);
      if (idx < 0) fail(where, given, element_choices(*node) + " at " + (resolved.empty() ? "/" : resolved) + ", got \"" + token + "\"");
      resolved += "/" + std::to_string(idx);
      node = &(*node)[static_cast<size_t>(idx)];
      continue;
    }
    if (node->is_null() && create) *node = Json::object();
    if (!node->is_object())
      fail(where, given, "an object or array at " + (resolved.empty() ? std::string("/") : resolved) + " to go into, found " +
                             std::string(node->type_name()) + " " + node->dump());
    resolved += "/" + escape_token(token);
    if (!node->contains(token)) {
      if (last) break;
      if (!create) fail(where, given, "an existing key at " + resolved);
      (*node)[token] = Json::object();
    }
    node = &(*node)[token];
  }
  return resolved;
}

template <class Json>
void apply_all(Json& doc, const std::vector<Override>& overrides, const std::string& where) {
  if (!doc.is_object()) fail(where, "", "a JSON object to apply overrides to");
  Json record = Json::array();
  for (const auto& o : overrides) {
    const std::string who = where + ": " + o.from + " " + o.pointer;
    const auto tokens = split_pointer(o.pointer, who);
    if (tokens.empty()) fail(who, "", "a pointer below the document root");
    if (tokens[0] == "overrides")
      fail(where + " (" + o.from + ")", o.pointer, "a scenario key; \"overrides\" is flemu's record of them");
    const std::string resolved = walk(doc, tokens, o.pointer, where + " (" + o.from + ")", /*create=*/true);
    // Walk again on the resolved pointer: names are gone, every parent now exists.
    Json* node = &doc;
    const auto rtokens = split_pointer(resolved, who);
    for (size_t i = 0; i + 1 < rtokens.size(); ++i)
      node = node->is_array() ? &(*node)[std::stoul(rtokens[i])] : &(*node)[rtokens[i]];
    if (node->is_array()) (*node)[std::stoul(rtokens.back())] = Json(o.value);
    else (*node)[rtokens.back()] = Json(o.value);

    Json entry = Json::object();
    entry["pointer"] = resolved;
    if (resolved != o.pointer) entry["given"] = o.pointer;
    entry["value"] = Json(o.value);
    entry["from"] = o.from;
    record.push_back(std::move(entry));
  }
  if (record.empty()) return;
  if (!doc.contains("overrides") || !doc["overrides"].is_object()) doc["overrides"] = Json::object();
  Json& set = doc["overrides"]["set"];
  if (!set.is_array()) set = Json::array();
  for (auto& e : record) set.push_back(std::move(e));
}

}  // namespace

json parse_cli_value(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::out_of_range&) {
    throw ScenarioError("value " + text + ": expected a number JSON can hold (a double), got one out of range");
  } catch (const json::exception&) {
    return text;  // not JSON: a unit string like 1Mbps, or a name like fedbuff
  }
}

Override parse_set_option(const std::string& text, const std::string& from) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || text.empty() || text[0] != '/')
    throw ScenarioError(from + " " + text + ": expected POINTER=VALUE, like /platform/classes/phone/uplink=1Mbps");
  Override o;
  o.pointer = text.substr(0, eq);
  o.from = from;
  try {
    o.value = parse_cli_value(text.substr(eq + 1));
  } catch (const ScenarioError& e) {
    throw ScenarioError(from + " " + text + ": " + e.what());
  }
  return o;
}

std::string resolve_pointer(const json& doc, const std::string& pointer, const std::string& where) {
  json copy = doc;  // walk() may create objects; the caller's document stays as it was
  return walk(copy, split_pointer(pointer, where), pointer, where, /*create=*/true);
}

std::string resolve_pointer(const ordered_json& doc, const std::string& pointer, const std::string& where) {
  ordered_json copy = doc;
  return walk(copy, split_pointer(pointer, where), pointer, where, /*create=*/true);
}

void apply_overrides(json& doc, const std::vector<Override>& overrides, const std::string& where) {
  apply_all(doc, overrides, where);
}

void apply_overrides(ordered_json& doc, const std::vector<Override>& overrides, const std::string& where) {
  apply_all(doc, overrides, where);
}

std::string override_text(const std::string& key, const json& value) {
  return key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
}

}  // namespace flemu
