#include "emulator/cli/catalog.hpp"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <stdexcept>

#include <fmt/format.h>

namespace flemu {

using nlohmann::json;

namespace {

/// The schema node at `pointer`, following "$ref"s ("#/..."); nullptr when absent.
const json* node_at(const json& schema, const std::string& pointer) {
  try {
    const json::json_pointer p(pointer);
    if (!schema.contains(p)) return nullptr;
    const json* node = &schema.at(p);
    for (int guard = 0; node->is_object() && node->contains("$ref") && guard < 16; ++guard) {
      const std::string ref = (*node)["$ref"];
      if (ref.rfind("#", 0) != 0) break;
      const json::json_pointer target(ref.substr(1));
      if (!schema.contains(target)) return nullptr;
      node = &schema.at(target);
    }
    return node;
  } catch (const json::exception&) {
    return nullptr;
  }
}

const json* follow(const json& schema, const json& node) {
  if (node.is_object() && node.contains("$ref") && node["$ref"].is_string()) {
    const std::string ref = node["$ref"];
    if (ref.rfind("#", 0) == 0) return node_at(schema, ref.substr(1));
  }
  return &node;
}

std::string text_of(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

/// The first sentence of a description, without its type annotation ("(string, default 1)"):
/// a list shows one line per item.
std::string first_sentence(const std::string& s) {
  size_t end = s.find(". ");
  while (end != std::string::npos && end >= 6 && s.compare(end - 6, 6, "et al") == 0) end = s.find(". ", end + 2);
  std::string out = end == std::string::npos ? s : s.substr(0, end + 1);
  static const std::regex annotation(R"(\s*\((string|number|integer|object|array|boolean)[^()]*\)\.?$)");
  out = std::regex_replace(out, annotation, "");
  if (!out.empty() && out.back() != '.') out += '.';
  return out;
}

CatalogKey key_of(const std::string& name, const json& prop) {
  CatalogKey k;
  k.name = name;
  if (prop.is_object() && prop.contains("default")) k.default_value = prop["default"].dump();
  k.description = first_sentence(text_of(prop, "description"));
  return k;
}

bool reads(const json& prop, const std::string& name, const std::string& family) {
  if (!prop.is_object() || !prop.contains("x-for")) return false;
  for (const auto& who : prop["x-for"])
    if (who == name || (!family.empty() && who == family)) return true;
  return false;
}

/// A property of object schema `node` that picks the kind: required, with an enum or a
/// oneOf of constants; else one called kind/type/name/model.
const json* discriminator(const json& schema, const json& node, std::string& prop_name) {
  if (!node.is_object() || !node.contains("properties")) return nullptr;
  std::vector<std::string> candidates;
  if (node.contains("required"))
    for (const auto& r : node["required"]) candidates.push_back(r);
  for (const char* n : {"kind", "type", "name", "model", "graph"}) candidates.push_back(n);
  for (const auto& c : candidates) {
    if (!node["properties"].contains(c)) continue;
    const json* p = follow(schema, node["properties"][c]);
    if (p && p->is_object() && (p->contains("enum") || p->contains("oneOf") || p->contains("anyOf"))) {
      prop_name = c;
      return p;
    }
  }
  return nullptr;
}

void read_values(const json& schema, const json& node, const json* catalog, const json* keys, Catalog& out) {
  // An enum: names, with summaries from a catalog.
  if (node.contains("enum")) {
    const json* cat = catalog ? catalog : (node.contains("x-catalog") ? &node["x-catalog"] : nullptr);
    for (const auto& v : node["enum"]) {
      CatalogEntry e;
      e.name = v.is_string() ? v.get<std::string>() : v.dump();
      if (cat && cat->contains(e.name)) {
        const json& c = (*cat)[e.name];
        e.summary = c.is_string() ? c.get<std::string>() : text_of(c, "summary");
        e.family = text_of(c, "family");
        e.paper = text_of(c, "paper");
      }
      if (keys)
        for (const auto& [k, prop] : keys->items())
          if (reads(prop, e.name, e.family)) e.keys.push_back(key_of(k, prop));
      out.entries.push_back(std::move(e));
    }
    // Keys without x-for are read by every entry; worth saying only where some keys are not.
    bool some_specific = false;
    if (keys)
      for (const auto& [k, prop] : keys->items()) some_specific = some_specific || prop.contains("x-for");
    if (some_specific)
      for (const auto& [k, prop] : keys->items())
        if (!prop.contains("x-for") && k != out.scenario_key.substr(out.scenario_key.rfind('/') + 1))
          out.common_keys.push_back(key_of(k, prop));
    return;
  }
  // Branches that each fix a discriminating constant.
  for (const char* kw : {"oneOf", "anyOf"}) {
    if (!node.contains(kw)) continue;
    for (const auto& raw : node[kw]) {
      const json* branch = follow(schema, raw);
      if (!branch || !branch->is_object()) continue;
      CatalogEntry e;
      std::string disc;
      if (branch->contains("const")) {
        e.name = (*branch)["const"].is_string() ? (*branch)["const"].get<std::string>() : (*branch)["const"].dump();
        e.summary = first_sentence(text_of(*branch, "description"));
      } else if (branch->contains("properties")) {
        for (const auto& [k, p] : (*branch)["properties"].items())
          if (p.is_object() && p.contains("const")) {
            disc = k;
            e.name = p["const"].is_string() ? p["const"].get<std::string>() : p["const"].dump();
            e.summary = first_sentence(text_of(p, "description"));
            break;
          }
        if (!disc.empty())
          for (const auto& [k, p] : (*branch)["properties"].items())
            if (k != disc) e.keys.push_back(key_of(k, p));
      }
      if (e.summary.empty()) e.summary = first_sentence(text_of(*branch, "description"));
      if (!e.name.empty()) out.entries.push_back(std::move(e));
    }
    return;
  }
  // An object whose kind is one of its properties.
  std::string prop;
  if (const json* d = discriminator(schema, node, prop)) {
    out.scenario_key += "/" + prop;
    read_values(schema, *d, catalog, &node["properties"], out);
  }
}

}  // namespace

std::vector<std::string> catalog_lists(const json& schema) {
  std::vector<std::string> out;
  if (schema.contains("x-lists"))
    for (const auto& [name, spec] : schema["x-lists"].items()) out.push_back(name);
  return out;
}

Catalog read_catalog(const json& schema, const std::string& list) {
  const auto lists = catalog_lists(schema);
  if (std::find(lists.begin(), lists.end(), list) == lists.end()) {
    std::string known;
    for (const auto& l : lists) known += (known.empty() ? "" : ", ") + l;
    throw std::invalid_argument("flemu list: expected one of " + known + ", got \"" + list + "\"");
  }
  const json& spec = schema["x-lists"][list];
  Catalog c;
  c.list = list;
  const std::string values = text_of(spec, "values");
  // "at" says where a scenario names the value when the pointer does not (a $defs entry).
  // "/properties/workload/properties/model" -> "/workload/model": where a scenario names it.
  for (size_t pos = 0; pos < values.size();) {
    const size_t next = values.find('/', pos + 1);
    const std::string token = values.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    if (token != "properties" && token != "$defs") c.scenario_key += "/" + token;
    pos = next == std::string::npos ? values.size() : next;
  }
  if (spec.contains("at")) c.scenario_key = text_of(spec, "at");
  const json* node = node_at(schema, values);
  if (!node) {
    c.note = "none declared yet: the schema has no " + values + (spec.contains("note") ? " (" + text_of(spec, "note") + ")" : std::string());
    return c;
  }
  const json* catalog = spec.contains("catalog") ? node_at(schema, text_of(spec, "catalog")) : nullptr;
  const json* keys = spec.contains("keys") ? node_at(schema, text_of(spec, "keys")) : nullptr;
  read_values(schema, *node, catalog, keys, c);
  if (c.entries.empty()) c.note = "none declared yet at " + values;
  return c;
}

std::string format_catalog(const Catalog& c) {
  std::string s = fmt::format("{} ({} in the schema; a scenario names one at {})\n", c.list, c.entries.size(),
                              c.scenario_key.empty() ? std::string("?") : c.scenario_key);
  if (c.entries.empty()) return s + "  " + c.note + "\n";
  size_t width = 0;
  for (const auto& e : c.entries) width = std::max(width, e.name.size() + (e.family.empty() ? 0 : e.family.size() + 3));
  for (const auto& e : c.entries) {
    const std::string head = e.family.empty() ? e.name : e.name + " (" + e.family + ")";
    s += fmt::format("  {:<{}}  {}{}\n", head, width, e.summary.empty() ? "(no summary in the schema)" : e.summary,
                     e.paper.empty() ? "" : " [" + e.paper + "]");
    if (!e.keys.empty()) {
      std::string keys;
      for (const auto& k : e.keys) keys += (keys.empty() ? "" : ", ") + k.name + (k.default_value.empty() ? "" : "=" + k.default_value);
      s += fmt::format("  {:<{}}  keys: {}\n", "", width, keys);
    }
  }
  if (!c.common_keys.empty()) {
    std::string keys;
    for (const auto& k : c.common_keys) keys += (keys.empty() ? "" : ", ") + k.name + (k.default_value.empty() ? "" : "=" + k.default_value);
    s += "  keys every one reads: " + keys + "\n";
  }
  return s;
}

json catalog_json(const Catalog& c) {
  auto keys_json = [](const std::vector<CatalogKey>& keys) {
    json a = json::array();
    for (const auto& k : keys)
      a.push_back({{"name", k.name},
                   {"default", k.default_value.empty() ? json() : json::parse(k.default_value)},
                   {"description", k.description}});
    return a;
  };
  json entries = json::array();
  for (const auto& e : c.entries)
    entries.push_back({{"name", e.name}, {"family", e.family}, {"summary", e.summary}, {"paper", e.paper},
                       {"keys", keys_json(e.keys)}});
  json j = {{"list", c.list}, {"scenario_key", c.scenario_key}, {"entries", entries}, {"common_keys", keys_json(c.common_keys)}};
  if (!c.note.empty()) j["note"] = c.note;
  return j;
}

std::string schema_file(const std::string& which) {
  if (which != "scenario" && which != "sweep")
    throw std::invalid_argument("flemu schema: expected \"scenario\" or \"sweep\", got \"" + which + "\"");
  return std::string(FLEMU_SOURCE_DIR) + "/scenarios/" + which + ".schema.json";
}

}  // namespace flemu
