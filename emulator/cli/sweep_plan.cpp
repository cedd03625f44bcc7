#include "emulator/cli/sweep_plan.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "emulator/config/json_schema.hpp"
#include "emulator/config/scenario.hpp"
#include "emulator/config/smoke.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace flemu {

namespace {

[[noreturn]] void fail(const std::string& src, const std::string& ptr, const std::string& what) {
  throw ScenarioError(src + ": " + (ptr.empty() ? "/" : ptr) + ": expected " + what);
}

std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
  return out.substr(0, 60);
}

/// RFC 6901 tokens (the pointer is already known to be well formed).
std::vector<std::string> tokens_of(const std::string& pointer) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= pointer.size()) {
    const size_t slash = pointer.find('/', start);
    std::string raw = pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    std::string t;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size()) {
        t += raw[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        t += raw[i];
      }
    }
    out.push_back(t);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

/// The tokens of a resolved pointer as people read them: an array index whose element has
/// a "name" becomes that name (/platform/classes/0/uplink -> platform, classes, phone, uplink).
std::vector<std::string> readable_tokens(const json& base, const std::string& resolved) {
  std::vector<std::string> out;
  const json* node = &base;
  for (const auto& t : tokens_of(resolved)) {
    std::string shown = t;
    const json* next = nullptr;
    if (node && node->is_array()) {
      const size_t i = std::stoul(t);
      if (i < node->size()) {
        next = &(*node)[i];
        if (next->is_object() && next->contains("name") && (*next)["name"].is_string())
          shown = (*next)["name"].get<std::string>();
      }
    } else if (node && node->is_object() && node->contains(t)) {
      next = &(*node)[t];
    }
    out.push_back(shown);
    node = next;
  }
  return out;
}

/// Label key of each pointer: its last token, lengthened ("phone/uplink") until no two
/// different pointers read alike.
std::map<std::string, std::string> label_keys(const json& base, const std::vector<std::string>& resolved) {
  std::map<std::string, std::vector<std::string>> tokens;
  std::map<std::string, size_t> length;
  for (const auto& p : resolved) {
    tokens[p] = readable_tokens(base, p);
    length[p] = 1;
  }
  auto key = [&](const std::string& p) {
    const auto& t = tokens[p];
    const size_t n = std::min(length[p], t.size());
    std::string k;
    for (size_t i = t.size() - n; i < t.size(); ++i) k += (k.empty() ? "" : "/") + t[i];
    return k;
  };
  for (bool changed = true; changed;) {
    changed = false;
    std::map<std::string, std::vector<std::string>> by_key;
    for (const auto& [p, t] : tokens) by_key[key(p)].push_back(p);
    for (const auto& [k, ps] : by_key)
      if (ps.size() > 1)
        for (const auto& p : ps)
          if (length[p] < tokens[p].size()) length[p]++, changed = true;
  }
  std::map<std::string, std::string> out;
  for (const auto& [p, t] : tokens) out[p] = key(p);
  return out;
}

struct Setting {
  std::string pointer;  ///< as given
  json value;
};

/// A variant before it is labelled: its own settings (grid or list entry), the --vary
/// settings, and its seed.
struct Combo {
  std::string custom_label;   ///< a list entry's "label"
  std::vector<Setting> own, vary;
  bool has_seed = false;
  uint64_t seed = 0;
  std::string where;          ///< what in the sweep produced it, for messages
};

std::vector<std::string> split_top_level(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      cur += c;
      if (c == '\\' && i + 1 < s.size()) cur += s[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(cur);
  return out;
}

json read_sweep_or_scenario(const std::string& path) { return read_json_file(path); }

}  // namespace

const json& sweep_schema() {
  static const json schema = [] {
    const std::string path = std::string(FLEMU_SOURCE_DIR) + "/scenarios/sweep.schema.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("flemu: cannot read the sweep schema " + path);
    return json::parse(in);
  }();
  return schema;
}

bool is_sweep_document(const json& doc) { return doc.is_object() && doc.contains("base") && !doc.contains("platform"); }

VaryAxis parse_vary_option(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || text.empty() || text[0] != '/')
    throw ScenarioError("--vary " + text + ": expected POINTER=v1,v2,..., like /platform/classes/phone/uplink=1Mbps,10Mbps");
  VaryAxis axis;
  axis.pointer = text.substr(0, eq);
  for (const auto& v : split_top_level(text.substr(eq + 1))) {
    if (v.empty()) throw ScenarioError("--vary " + text + ": expected comma-separated values, got an empty one");
    try {
      axis.values.push_back(parse_cli_value(v));
    } catch (const ScenarioError& e) {
      throw ScenarioError("--vary " + text + ": " + e.what());
    }
  }
  return axis;
}

SweepPlan plan_sweep(const SweepRequest& req) {
  const std::string& path = req.path;
  // Grid axes and list entries keep the file's order (labels read in that order).
  const nlohmann::ordered_json ordered = read_json_document(path);
  const json doc = json::parse(ordered.dump());
  const bool from_file = is_sweep_document(doc);
  if (!from_file && req.vary.empty() && req.seeds <= 0)
    throw ScenarioError(path + ": expected a sweep file (with \"base\"), or a scenario with --vary or --seeds");

  SweepPlan plan;
  plan.source = path;
  std::string base_path;
  nlohmann::ordered_json sweep = nlohmann::ordered_json::object();
  if (from_file) {
    const auto violations = json_schema::validate(sweep_schema(), doc);
    if (!violations.empty()) fail(path, violations.front().pointer, violations.front().expected);
    sweep = ordered;
    if (!doc.contains("grid") && !doc.contains("list") && !doc.contains("seeds") && req.vary.empty() && req.seeds <= 0)
      fail(path, "", "a \"grid\", a \"list\" or \"seeds\" (or --vary / --seeds on the command line)");
    base_path = (fs::path(path).parent_path() / doc["base"].get<std::string>()).lexically_normal().string();
    plan.name = doc.value("name", fs::path(path).stem().string());
    plan.description = doc.value("description", "");
  } else {
    base_path = path;
    plan.name = fs::path(path).stem().string();
  }
  plan.base = base_path;

  // The base: read, --set applied, and valid on its own.
  json base;
  try {
    base = read_sweep_or_scenario(base_path);
  } catch (const ScenarioError& e) {
    if (from_file) fail(path, "/base", std::string("a readable scenario file: ") + e.what());
    throw;
  }
  if (is_sweep_document(base)) fail(path, "/base", "a scenario file, got a sweep file (" + base_path + ")");
  if (!req.base_set.empty()) apply_overrides(base, req.base_set, base_path);
  load_scenario(base, base_path, base_path);
  plan.base_scenario = base;

  // Variants before --vary and seeds: the grid's combinations, then the list.
  std::vector<Combo> combos;
  if (sweep.contains("grid")) {
    const auto& g = sweep["grid"];
    if (g.empty()) fail(path, "/grid", "an object of JSON pointer -> array of values (at least one pointer)");
    combos.push_back({"", {}, {}, false, 0, "/grid"});
    for (auto it = g.begin(); it != g.end(); ++it) {
      std::vector<Combo> next;
      for (const auto& c : combos)
        for (const auto& v : it.value()) {
          Combo n = c;
          n.own.push_back({it.key(), json::parse(v.dump())});
          next.push_back(std::move(n));
        }
      combos = std::move(next);
    }
  }
  if (sweep.contains("list"))
    for (size_t i = 0; i < sweep["list"].size(); ++i) {
      const auto& entry = sweep["list"][i];
      Combo c{entry.value("label", ""), {}, {}, false, 0, "/list/" + std::to_string(i)};
      for (auto it = entry["set"].begin(); it != entry["set"].end(); ++it)
        c.own.push_back({it.key(), json::parse(it.value().dump())});
      combos.push_back(std::move(c));
    }
  if (combos.empty()) combos.push_back({"", {}, {}, false, 0, "the base scenario"});

  std::string suffix;
  for (const auto& axis : req.vary) {
    std::vector<Combo> next;
    for (const auto& c : combos)
      for (const auto& v : axis.values) {
        Combo n = c;
        n.vary.push_back({axis.pointer, v});
        n.where = c.where + " x --vary " + axis.pointer;
        next.push_back(std::move(n));
      }
    combos = std::move(next);
    const auto t = tokens_of(axis.pointer);
    suffix += "-" + (t.empty() ? std::string("root") : t.back());
  }

  // Seeds: the innermost axis.
  std::vector<uint64_t> seeds;
  const uint64_t base_seed = base["seed"].get<uint64_t>();
  if (req.seeds > 0) {
    for (int i = 0; i < req.seeds; ++i) seeds.push_back(base_seed + i);
    suffix += "-seeds" + std::to_string(req.seeds);
  } else if (sweep.contains("seeds")) {
    if (sweep["seeds"].is_array())
      for (const auto& s : sweep["seeds"]) seeds.push_back(s.get<uint64_t>());
    else
      for (int i = 0; i < sweep["seeds"].get<int>(); ++i) seeds.push_back(base_seed + i);
  }
  plan.seeded = !seeds.empty();
  if (plan.seeded) {
    std::vector<Combo> next;
    for (const auto& c : combos)
      for (const auto s : seeds) {
        Combo n = c;
        n.has_seed = true;
        n.seed = s;
        next.push_back(std::move(n));
      }
    combos = std::move(next);
  }

  plan.name = slug(plan.name + suffix);
  plan.output_dir = sweep.contains("output") && sweep["output"].contains("directory")
                        ? sweep["output"]["directory"].get<std::string>() + suffix
                        : "out/" + plan.name;
  if (!req.output_dir.empty()) plan.output_dir = req.output_dir;
  else if (req.smoke) plan.output_dir += "-smoke";

  // Label keys over every pointer the sweep sets, resolved against the base.
  std::map<std::string, std::string> resolved_of;  // as given -> resolved
  std::vector<std::string> resolved;
  for (const auto& c : combos)
    for (const auto* list : {&c.own, &c.vary})
      for (const auto& s : *list) {
        if (resolved_of.count(s.pointer)) continue;
        const std::string where = path + " (" + c.where + ")";
        const std::string r = resolve_pointer(base, s.pointer, where);
        if (r == "/seed" && plan.seeded)
          fail(where, s.pointer, "no seed override when seeds are a sweep axis (\"seeds\" or --seeds)");
        resolved_of[s.pointer] = r;
        resolved.push_back(r);
      }
  const auto keys = label_keys(base, resolved);
  auto part = [&](const Setting& s) { return override_text(keys.at(resolved_of.at(s.pointer)), s.value); };

  for (size_t i = 0; i < combos.size(); ++i) {
    const Combo& c = combos[i];
    std::string group = c.custom_label;
    if (group.empty())
      for (const auto& s : c.own) group += (group.empty() ? "" : " ") + part(s);
    for (const auto& s : c.vary) group += (group.empty() ? "" : " ") + part(s);
    std::string label = group;
    if (c.has_seed) label += (label.empty() ? "" : " ") + std::string("seed=") + std::to_string(c.seed);
    if (group.empty()) group = "base";
    if (label.empty()) label = "base";

    SweepVariant v;
    v.label = label;
    v.group = group;
    v.id = fmt::format("v{:03d}-{}", i, slug(label));
    std::vector<Override> overrides;
    v.overrides = json::object();
    for (const auto* list : {&c.own, &c.vary})
      for (const auto& s : *list) {
        overrides.push_back({s.pointer, s.value, "sweep"});
        v.overrides[s.pointer] = s.value;
      }
    if (c.has_seed) {
      overrides.push_back({"/seed", c.seed, "sweep"});
      v.overrides["/seed"] = c.seed;
    }
    const std::string where = path + " (variant " + v.id + ": " + v.label + ")";
    json scenario = base;
    apply_overrides(scenario, overrides, where);
    auto& record = scenario["overrides"];
    record["sweep"] = plan.name;
    record["variant"] = v.id;
    record["label"] = v.label;
    record["group"] = v.group;
    record["base"] = base_path;
    // The variant's scenario.json lives in its own folder: a relative trace path must still
    // point where the base scenario meant.
    if (scenario["platform"].contains("availability_trace")) {
      const fs::path trace = scenario["platform"]["availability_trace"].get<std::string>();
      if (trace.is_relative())
        scenario["platform"]["availability_trace"] = fs::absolute(fs::path(base_path).parent_path() / trace).lexically_normal().string();
    }
    if (req.smoke) scenario = cut_down(scenario);
    scenario["name"] = plan.name + "." + v.id;  // a scenario name is an identifier: no '/'
    scenario["output"] = {{"directory", (fs::path(plan.output_dir) / v.id).string()}};
    load_scenario(scenario, where, base_path);  // every variant must be a valid scenario
    v.scenario = std::move(scenario);
    plan.variants.push_back(std::move(v));
  }
  return plan;
}

SweepPlan load_sweep(const std::string& path, bool smoke, const std::string& output_dir) {
  SweepRequest req;
  req.path = path;
  req.smoke = smoke;
  req.output_dir = output_dir;
  return plan_sweep(req);
}

}  // namespace flemu
