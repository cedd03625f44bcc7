// Scenario file -> typed Scenario (scenario.hpp), in four steps:
//   1. read and parse the file (syntax errors with line and column, duplicate keys refused);
//   2. validate against scenarios/scenario.schema.json, unit strings re-parsed by units.cpp;
//   3. fill the schema's defaults, then check what a schema cannot say (names, references,
//      counts across sections) and resolve class inheritance of explicit devices;
//   4. type the resolved document, which is also kept verbatim and hashed.
// Every error is a ScenarioError "<file>: <json pointer>: expected <what>".
#include <xxhash.h>

#include <cerrno>
#include <cmath>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "emulator/config/compression_config.hpp"
#include "emulator/config/decentralized_config.hpp"
#include "emulator/config/json_schema.hpp"
#include "emulator/config/scenario.hpp"
#include "platforms/availability_trace.hpp"
#include "platforms/units.hpp"
#include "workloads/models/cnn5.hpp"
#include "workloads/models/llm_shape.hpp"

namespace flemu {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
namespace js = json_schema;
using units::Quantity;

/// Turns a pointer and a phrase into the one message shape every loader error has:
/// "<file>: <pointer>: expected <what>[, got <found>][; <note>]".
class Complaint {
 public:
  explicit Complaint(std::string source) : source_(std::move(source)) {}
  [[noreturn]] void at(const std::string& pointer, const std::string& expected, const std::string& found = "",
                       const std::string& note = "") const {
    throw ScenarioError(source_ + ": " + (pointer.empty() ? "/" : pointer) + ": expected " + expected +
                        (found.empty() ? "" : ", got " + found) + (note.empty() ? "" : "; " + note));
  }
  /// Same, showing the JSON value found.
  [[noreturn]] void at(const std::string& pointer, const std::string& expected, const json& found) const {
    at(pointer, expected, js::shown(found));
  }
  /// For errors with no JSON position (unreadable file, syntax error).
  [[noreturn]] void file(const std::string& where_and_what) const {
    throw ScenarioError(source_ + ": " + where_and_what);
  }

 private:
  std::string source_;
};

// --- schema ---------------------------------------------------------------------------

std::string schema_path() {
  return std::string(FLEMU_SOURCE_DIR) + "/scenarios/scenario.schema.json";
}

// The schema is part of the program: failing to read it is an installation fault, not bad
// scenario input, hence std::runtime_error rather than ScenarioError.
const ordered_json& ordered_schema() {
  static const ordered_json schema = [] {
    std::ifstream in(schema_path());
    if (!in) throw std::runtime_error("flemu: cannot read the scenario schema " + schema_path());
    return ordered_json::parse(in);
  }();
  return schema;
}

const json& sorted_schema() {
  static const json schema = json::parse(ordered_schema().dump());
  return schema;
}

js::FormatChecker quantity_format(Quantity q, bool positive) {
  // The message is units.cpp's own, so the schema path and the parser never disagree in words.
  return {units::describe(q, positive), [q, positive](const std::string& s) {
            try {
              units::parse(q, s, positive);
              return true;
            } catch (const units::UnitError&) {
              return false;
            }
          }};
}

const js::FormatCheckers& formats() {
  static const js::FormatCheckers checkers = {
      {"positive-rate", quantity_format(Quantity::Rate, true)},
      {"positive-flops", quantity_format(Quantity::Flops, true)},
      {"positive-bytes", quantity_format(Quantity::Bytes, true)},
      {"duration", quantity_format(Quantity::Duration, false)},
      {"positive-duration", quantity_format(Quantity::Duration, true)},
      {"power", quantity_format(Quantity::Power, false)},
      {"positive-energy", quantity_format(Quantity::Energy, true)},
      {"positive-bytes", quantity_format(Quantity::Bytes, true)},
      {"identifier",
       {"a name of letters, digits, \"_\", \".\" and \"-\", starting with a letter or digit",
        [](const std::string& s) {
          static const std::regex re("^[A-Za-z0-9][A-Za-z0-9_.-]*$");
          return std::regex_match(s, re);
        }}},
  };
  return checkers;
}

template <class Json>
void validate_or_throw(const Json& schema, const Json& doc, const Complaint& complain) {
  const auto violations = js::validate(schema, doc, formats());
  if (!violations.empty()) {
    const auto& v = violations.front();
    complain.at(v.pointer, v.expected, v.found, v.note);
  }
}

// --- step 1: reading ------------------------------------------------------------------

std::string escape_token(const std::string& key) {  // RFC 6901: "~" -> "~0", "/" -> "~1"
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

/// Parser callback refusing duplicate keys, which nlohmann would otherwise resolve silently
/// by keeping the last one (a "seed" given twice is a mistake, not an override), and nesting
/// deeper than any scenario needs (deep documents would exhaust the stack of the recursive
/// code that walks them). It also knows where the parser is, for errors it finds there (a
/// number too large for a double). Copies share their state: nlohmann keeps a copy.
class DuplicateKeyGuard {
 public:
  static constexpr size_t kMaxDepth = 64;

  explicit DuplicateKeyGuard(const Complaint& complain) : complain_(complain), frames_(std::make_shared<Frames>()) {}

  bool operator()(int, ordered_json::parse_event_t event, ordered_json& parsed) {
    using E = ordered_json::parse_event_t;
    Frames& frames = *frames_;
    switch (event) {
      case E::object_start:
      case E::array_start:
        if (frames.size() >= kMaxDepth)
          complain_.at(pointer_of_next_value(), "at most " + std::to_string(kMaxDepth) + " levels of nesting");
        count_array_element();
        frames.push_back({event == E::object_start, {}, {}, -1});
        break;
      case E::object_end:
      case E::array_end:
        frames.pop_back();
        break;
      case E::key: {
        Frame& top = frames.back();
        const std::string key = parsed.template get<std::string>();
        if (!top.keys.insert(key).second)
          complain_.at(pointer_to(key), "each key once (\"" + key + "\" appears twice)");
        top.current_key = key;
        break;
      }
      case E::value:
        count_array_element();
        break;
    }
    return true;
  }

  /// The JSON pointer of the value the parser is reading now.
  std::string pointer_of_next_value() const {
    const Frames& frames = *frames_;
    std::string pointer;
    for (size_t i = 0; i < frames.size(); ++i) {
      const bool innermost = i + 1 == frames.size();
      pointer += "/" + (frames[i].is_object ? escape_token(frames[i].current_key)
                                            : std::to_string(frames[i].index + (innermost ? 1 : 0)));
    }
    return pointer;
  }

 private:
  struct Frame {
    bool is_object;
    std::set<std::string> keys;
    std::string current_key;
    long index;
  };
  using Frames = std::vector<Frame>;

  void count_array_element() {
    if (!frames_->empty() && !frames_->back().is_object) ++frames_->back().index;
  }

  std::string pointer_to(const std::string& key) const {
    const Frames& frames = *frames_;
    std::string pointer;
    for (size_t i = 0; i + 1 < frames.size(); ++i)
      pointer += "/" + (frames[i].is_object ? escape_token(frames[i].current_key)
                                            : std::to_string(frames[i].index));
    return pointer + "/" + escape_token(key);
  }

  const Complaint& complain_;
  std::shared_ptr<Frames> frames_;
};

ordered_json read_document(const std::string& path, const Complaint& complain, const std::string& noun = "scenario file") {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec) && !ec) complain.file("expected an existing " + noun + " (no such file)");
  if (fs::is_directory(path, ec)) complain.file("expected a " + noun + ", not a directory");
  std::ifstream in(path);
  if (!in) complain.file("expected a readable " + noun + " (" + std::strerror(errno) + ")");
  std::stringstream text;
  text << in.rdbuf();
  const DuplicateKeyGuard guard(complain);
  try {
    return ordered_json::parse(text.str(), guard);
  } catch (const ordered_json::out_of_range& e) {
    // nlohmann: "[json.exception.out_of_range.406] number overflow parsing '1e400'".
    static const std::regex literal(R"(parsing '(.*)')");
    std::smatch m;
    const std::string what = e.what();
    complain.at(guard.pointer_of_next_value(), "a number a double can hold (magnitude below 1.8e308)",
                std::regex_search(what, m, literal) ? m[1].str() : "a number out of range");
  } catch (const ordered_json::parse_error& e) {
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line L, column C:
    // <detail>"; keep the position and the detail, drop the library's prefix.
    static const std::regex where(R"(at line (\d+), column (\d+): (.*)$)");
    std::smatch m;
    const std::string what = e.what();
    if (std::regex_search(what, m, where))
      complain.file("line " + m[1].str() + ", column " + m[2].str() + ": expected valid JSON (" +
                    m[3].str() + ")");
    complain.file("byte " + std::to_string(e.byte) + ": expected valid JSON (" + what + ")");
  } catch (const ordered_json::exception& e) {  // any other failure of the parser
    complain.file("expected valid JSON (" + std::string(e.what()) + ")");
  }
}

// --- step 3: semantic checks and inheritance ------------------------------------------

std::string index_pointer(const std::string& base, size_t i) {
  return base + "/" + std::to_string(i);
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", \"" : "\"") + names[i] + "\"";
  return out;
}

/// A link is "bandwidth" (both ways) or "uplink" + "downlink". `complete` says whether the
/// object must give a whole link by itself (classes, and devices without a class).
void check_link(const json& obj, const std::string& ptr, bool complete, const Complaint& complain) {
  const bool bw = obj.contains("bandwidth"), up = obj.contains("uplink"),
             down = obj.contains("downlink");
  if (bw && (up || down))
    complain.at(ptr + (up ? "/uplink" : "/downlink"),
                "either \"bandwidth\" or \"uplink\" and \"downlink\", not both");
  if (!complete) return;
  const std::string rate = units::describe(Quantity::Rate, true);
  if (!bw && !up && !down)
    complain.at(ptr + "/bandwidth",
                rate + " (required key unless \"uplink\" and \"downlink\" are given)");
  if (up != down)
    complain.at(ptr + (up ? "/downlink" : "/uplink"),
                rate + " (required key with \"" + (up ? "uplink" : "downlink") + "\")");
}

int to_int(const json& value, const std::string& ptr, const Complaint& complain) {
  // The schema guarantees an integer (possibly written 2.0) but not that it fits an int.
  const double d = value.get<double>();
  if (d > INT_MAX) complain.at(ptr, "an integer <= " + std::to_string(INT_MAX), value);
  return static_cast<int>(d);
}

/// The class whose expansion yields a device called `name` ("<class>-<i>", i < count), or
/// nullptr. Parsing the name keeps the check linear in explicit devices, whatever the counts.
const json* class_device_owner(const std::string& name, const json& classes,
                               const std::map<std::string, size_t>& class_index) {
  const size_t dash = name.rfind('-');
  if (dash == std::string::npos) return nullptr;
  const std::string digits = name.substr(dash + 1);
  const bool canonical = !digits.empty() && digits.size() <= 10 &&
                         digits.find_first_not_of("0123456789") == std::string::npos &&
                         (digits == "0" || digits[0] != '0');
  if (!canonical) return nullptr;
  auto cls = class_index.find(name.substr(0, dash));
  if (cls == class_index.end()) return nullptr;
  const json& owner = classes[cls->second];
  return std::stoll(digits) < owner["count"].get<int64_t>() ? &owner : nullptr;
}

/// Checks classes and devices, and writes each class-derived device's inherited keys into it
/// so that the resolved document states every device completely. Returns the device count.
int64_t resolve_platform(json& platform, const Complaint& complain) {
  json& classes = platform["classes"];
  json& devices = platform["devices"];

  std::map<std::string, size_t> class_index;
  int64_t device_count = 0;
  for (size_t c = 0; c < classes.size(); ++c) {
    const std::string ptr = index_pointer("/platform/classes", c);
    const std::string name = classes[c]["name"];
    if (auto [it, fresh] = class_index.emplace(name, c); !fresh)
      complain.at(ptr + "/name", "a unique class name (\"" + name + "\" is already " +
                                     index_pointer("/platform/classes", it->second) + ")");
    device_count += to_int(classes[c]["count"], ptr + "/count", complain);
    check_link(classes[c], ptr, /*complete=*/true, complain);
    // The jitter grid's default depends on the jitter (platform_spec.hpp): written here so
    // that the resolved document states it.
    if (!classes[c].contains("jitter_step")) classes[c]["jitter_step"] = default_jitter_step(classes[c]["jitter"]);
  }

  std::map<std::string, std::string> explicit_names;  // name -> its pointer
  for (size_t d = 0; d < devices.size(); ++d) {
    json& device = devices[d];
    const std::string ptr = index_pointer("/platform/devices", d);
    const std::string name = device["name"];
    if (const json* owner = class_device_owner(name, classes, class_index))
      complain.at(ptr + "/name", "a unique device name (\"" + name +
                                     "\" is already a device of class \"" +
                                     (*owner)["name"].get<std::string>() + "\")");
    if (auto [it, fresh] = explicit_names.emplace(name, ptr); !fresh)
      complain.at(ptr + "/name",
                  "a unique device name (\"" + name + "\" is already " + it->second + ")");

    if (!device.contains("class")) {
      check_link(device, ptr, /*complete=*/true, complain);
      if (!device.contains("speed"))
        complain.at(ptr + "/speed",
                    units::describe(Quantity::Flops, true) + " (required key without \"class\")");
      if (!device.contains("latency"))
        complain.at(ptr + "/latency",
                    units::describe(Quantity::Duration) + " (required key without \"class\")");
      if (!device.contains("cores")) device["cores"] = 1;
      continue;
    }

    const std::string class_name = device["class"];
    auto cls = class_index.find(class_name);
    if (cls == class_index.end()) {
      std::vector<std::string> names;
      for (const auto& c : classes) names.push_back(c["name"]);
      const std::string best = js::closest_match(class_name, names);
      complain.at(ptr + "/class",
                  names.empty()
                      ? "the name of a class in /platform/classes (there are none)"
                      : "one of " + quoted_list(names) + " (the classes in /platform/classes)",
                  js::shown(device["class"]), best.empty() ? "" : "did you mean \"" + best + "\"?");
    }
    check_link(device, ptr, /*complete=*/false, complain);
    const json& parent = classes[cls->second];
    for (const char* key : {"speed", "cores", "latency", "power", "battery", "availability", "memory", "memory_bandwidth",
                            "disk_read"})
      if (!device.contains(key) && parent.contains(key)) device[key] = parent[key];
    // Inherit the link half by half, so that overriding "uplink" keeps the class's downlink.
    const bool up = device.contains("uplink"), down = device.contains("downlink");
    if (device.contains("bandwidth") || (up && down)) continue;
    auto parent_rate = [&](const char* key) {
      return parent.contains(key) ? parent[key] : parent["bandwidth"];
    };
    if (up)
      device["downlink"] = parent_rate("downlink");
    else if (down)
      device["uplink"] = parent_rate("uplink");
    else
      for (const char* key : {"bandwidth", "uplink", "downlink"})
        if (parent.contains(key)) device[key] = parent[key];
  }
  return device_count + static_cast<int64_t>(devices.size());
}

// --- step 4: typing -------------------------------------------------------------------

uint64_t to_seed(const json& value, const Complaint& complain) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer()) return static_cast<uint64_t>(value.get<int64_t>());
  const double d = value.get<double>();  // an integral float such as 42.0
  if (d >= 18446744073709551616.0) complain.at("/seed", "an integer >= 0 and < 2^64", value);
  return static_cast<uint64_t>(d);
}

LinkSpec to_link(const json& obj) {
  LinkSpec link;
  if (obj.contains("bandwidth")) {
    link.up_bytes_per_s = link.down_bytes_per_s = units::parse_rate(obj["bandwidth"]);
  } else {
    link.up_bytes_per_s = units::parse_rate(obj["uplink"]);
    link.down_bytes_per_s = units::parse_rate(obj["downlink"]);
  }
  link.latency_s = units::parse_duration(obj["latency"]);
  return link;
}

PowerSpec to_power(const json& obj) {
  PowerSpec power;
  if (!obj.contains("power")) return power;
  const json& p = obj["power"];
  power.idle_w = units::parse_power(p["idle"]);
  power.busy_w = units::parse_power(p["busy"]);
  power.off_w = units::parse_power(p["off"]);
  power.radio_idle_w = units::parse_power(p["radio_idle"]);
  power.send_w = units::parse_power(p["send"]);
  power.receive_w = units::parse_power(p["receive"]);
  return power;
}

std::optional<BatterySpec> to_battery(const json& obj, const std::string& ptr, const Complaint& complain) {
  if (!obj.contains("battery")) return std::nullopt;
  const json& b = obj["battery"];
  BatterySpec spec;
  spec.capacity_j = units::parse_energy(b["capacity"]);
  spec.initial_fraction = b["initial"];
  spec.floor_fraction = b["floor"];
  if (spec.floor_fraction >= 1)
    complain.at(ptr + "/battery/floor", "a fraction < 1 (at 1 the device could never participate)", b["floor"]);
  spec.resume_fraction = b["resume"];  // filled in by fill_battery_resume when absent
  if (spec.resume_fraction <= spec.floor_fraction)
    complain.at(ptr + "/battery/resume", "a fraction above the floor (" + b["floor"].dump() + ")", b["resume"]);
  for (size_t i = 0; i < b["charging"].size(); ++i) {
    const json& w = b["charging"][i];
    const std::string wp = ptr + "/battery/charging/" + std::to_string(i);
    ChargingWindow win;
    win.start_s = units::parse_duration(w["from"]);
    win.end_s = units::parse_duration(w["to"]);
    win.period_s = units::parse_duration(w["every"]);
    win.power_w = units::parse_power(w["power"]);
    if (win.end_s <= win.start_s) complain.at(wp + "/to", "a time after \"from\" (" + w["from"].dump() + ")", w["to"]);
    if (win.period_s > 0 && win.period_s < win.end_s - win.start_s)
      complain.at(wp + "/every", "a period >= the window's length (to - from), or \"0s\"", w["every"]);
    spec.charging.push_back(win);
  }
  return spec;
}

AvailabilitySpec to_availability(const json& obj, const std::string& ptr, const Complaint& complain) {
  AvailabilitySpec spec;
  if (!obj.contains("availability")) return spec;
  const json& a = obj["availability"];
  const std::string model = a["model"];
  if (model == "exponential") {
    spec.kind = AvailabilitySpec::Exponential;
    for (const char* key : {"mean_on", "mean_off"})
      if (!a.contains(key))
        complain.at(ptr + "/availability/" + key,
                    units::describe(Quantity::Duration, true) + " (required with model \"exponential\")");
    spec.mean_on_s = units::parse_duration(a["mean_on"]);
    spec.mean_off_s = units::parse_duration(a["mean_off"]);
  } else if (model == "diurnal") {
    spec.kind = AvailabilitySpec::Diurnal;
    spec.period_s = units::parse_duration(a["period"]);
    spec.on_fraction = a["on_fraction"];
  }
  // Every change of state is an event of the run (and a line of its trace): periods far
  // shorter than any transfer make no sense and would flood the run.
  for (const char* key : {"mean_on", "mean_off", "period"})
    if (a.contains(key) && units::parse_duration(a[key]) < 1.0)
      complain.at(ptr + "/availability/" + key,
                  "a duration of at least \"1s\" (shorter on/off periods leave no time for a transfer and "
                  "flood the run with events)",
                  a[key]);
  return spec;
}

PlatformSpec to_platform(const json& p, const Complaint& complain) {
  PlatformSpec spec;
  spec.network = p["network"] == "exact" ? NetworkModel::Exact : NetworkModel::Lv08;
  const json& server = p["server"];
  spec.server.speed_flops = units::parse_flops(server["speed"]);
  spec.server.cores = to_int(server["cores"], "/platform/server/cores", complain);
  if (server.contains("bandwidth"))
    spec.server.bandwidth_bytes_per_s = units::parse_rate(server["bandwidth"]);
  spec.server.latency_s = units::parse_duration(server["latency"]);
  for (size_t c = 0; c < p["classes"].size(); ++c) {
    const json& cls = p["classes"][c];
    const std::string ptr = index_pointer("/platform/classes", c);
    DeviceClassSpec spec_class;
    spec_class.name = cls["name"];
    spec_class.count = to_int(cls["count"], ptr + "/count", complain);
    spec_class.speed_flops = units::parse_flops(cls["speed"]);
    spec_class.cores = to_int(cls["cores"], ptr + "/cores", complain);
    spec_class.link = to_link(cls);
    spec_class.jitter = cls["jitter"];
    spec_class.jitter_step = cls["jitter_step"];
    if (spec_class.jitter_step > spec_class.jitter)
      complain.at(ptr + "/jitter_step", "a step no larger than jitter (" + cls["jitter"].dump() + ")", cls["jitter_step"]);
    if (cls.contains("memory_bandwidth")) spec_class.memory_bytes_per_s = units::parse_rate(cls["memory_bandwidth"]);
    if (cls.contains("disk_read")) spec_class.disk_read_bytes_per_s = units::parse_rate(cls["disk_read"]);
    spec_class.power = to_power(cls);
    spec_class.battery = to_battery(cls, ptr, complain);
    spec_class.availability = to_availability(cls, ptr, complain);
    if (cls.contains("memory")) spec_class.memory_bytes = units::parse_bytes(cls["memory"]);
    spec.classes.push_back(std::move(spec_class));
  }
  for (size_t d = 0; d < p["devices"].size(); ++d) {
    const json& dev = p["devices"][d];
    DeviceSpec device;
    device.name = dev["name"];
    device.class_name = dev.value("class", "");
    device.speed_flops = units::parse_flops(dev["speed"]);
    device.cores = to_int(dev["cores"], index_pointer("/platform/devices", d) + "/cores", complain);
    device.link = to_link(dev);
    const std::string ptr = index_pointer("/platform/devices", d);
    if (dev.contains("memory_bandwidth")) device.memory_bytes_per_s = units::parse_rate(dev["memory_bandwidth"]);
    if (dev.contains("disk_read")) device.disk_read_bytes_per_s = units::parse_rate(dev["disk_read"]);
    device.power = to_power(dev);
    device.battery = to_battery(dev, ptr, complain);
    device.availability = to_availability(dev, ptr, complain);
    if (dev.contains("memory")) device.memory_bytes = units::parse_bytes(dev["memory"]);
    spec.devices.push_back(std::move(device));
  }
  spec.server.heartbeat_s = units::parse_duration(server["heartbeat"]);
  spec.server.link_solver = server["link_solver"] == "simgrid" ? SharedLinkSolver::SimGrid : SharedLinkSolver::Auto;
  if (p.contains("cluster")) {
    const json& c = p["cluster"];
    ClusterSpec cluster;
    cluster.nodes = to_int(c["nodes"], "/platform/cluster/nodes", complain);
    cluster.gpus_per_node = to_int(c["gpus_per_node"], "/platform/cluster/gpus_per_node", complain);
    cluster.gpu_speed_flops = units::parse_flops(c["gpu_speed"]);
    if (c.contains("gpu_memory")) cluster.gpu_memory_bytes = units::parse_bytes(c["gpu_memory"]);
    auto level = [](const json& l) {
      ClusterLinkSpec spec_level;
      spec_level.bytes_per_s = units::parse_rate(l["bandwidth"]);
      spec_level.latency_s = units::parse_duration(l["latency"]);
      spec_level.efficiency = l["efficiency"];
      return spec_level;
    };
    cluster.intra = level(c["intra_node"]);
    cluster.inter = level(c["inter_node"]);
    spec.cluster = cluster;
  }
  for (size_t i = 0; i < p["link_changes"].size(); ++i) {
    const json& c = p["link_changes"][i];
    const std::string ptr = index_pointer("/platform/link_changes", i);
    LinkChange change;
    change.from_s = units::parse_duration(c["from"]);
    if (c.contains("until")) {
      change.until_s = units::parse_duration(c["until"]);
      if (change.until_s <= change.from_s)
        complain.at(ptr + "/until", "a time after \"from\" (" + c["from"].dump() + ")", c["until"]);
    }
    change.devices = c["devices"];
    if (c.contains("uplink")) change.up_bytes_per_s = units::parse_rate(c["uplink"]);
    if (c.contains("downlink")) change.down_bytes_per_s = units::parse_rate(c["downlink"]);
    if (!c.contains("uplink") && !c.contains("downlink"))
      complain.at(ptr + "/uplink", units::describe(Quantity::Rate, true) + " (\"uplink\" and/or \"downlink\" is required)");
    spec.link_changes.push_back(change);
  }
  return spec;
}

bool is_text_dataset(const std::string& dataset) { return dataset == "fortunes" || dataset == "synthetic-text"; }

/// Text and language-model keys go with their dataset and model; fills their defaults' place.
void check_text_workload_keys(json& w, const Complaint& complain) {
  if (!w.contains("dataset")) return;  // analytics and zeroth-order workloads
  const bool text = is_text_dataset(w["dataset"]);
  const bool transformer = w["model"] == "transformer";
  if (text != transformer)
    complain.at("/workload/model", text ? "\"transformer\" with a text dataset (\"" + w["dataset"].get<std::string>() + "\")"
                                        : "\"mlp\", \"cnn\", \"cnn5\" or \"custom\" with an image dataset (\"transformer\" needs \"fortunes\" or \"synthetic-text\")");
  for (const char* key : {"transformer", "init"})
    if (!transformer && w.contains(key))
      complain.at(std::string("/workload/") + key, std::string("no \"") + key + "\" without model \"transformer\"");
  if (!text && w.contains("text")) complain.at("/workload/text", "no \"text\" with an image dataset");
  if (!text && w.contains("partition") && w["partition"].value("scheme", "") == "categories")
    complain.at("/workload/partition/scheme", "\"iid\", \"dirichlet\" or \"shards\" with an image dataset (\"categories\" is for text)");
  if (transformer) {
    if (!w.contains("transformer")) w["transformer"] = json::object();
    if (!w.contains("text")) w["text"] = json::object();
    if (w.contains("init")) {
      const json& init = w["init"];
      const bool pre = init.contains("pretrain"), ck = init.contains("checkpoint");
      if (pre == ck) complain.at("/workload/init", "exactly one of \"pretrain\" and \"checkpoint\"");
      if (init.contains("hash") && !ck) complain.at("/workload/init/hash", "no \"hash\" without \"checkpoint\"");
      if (init.contains("cache") && !pre) complain.at("/workload/init/cache", "no \"cache\" without \"pretrain\"");
    }
  }
}

ItemsSpec to_items(const json& i) {
  ItemsSpec spec;
  spec.arrival_spread_s = units::parse_duration(i["arrival_spread"]);
  spec.bits = i["bits"];
  if (i["source"] == "fortunes") {
    spec.source = ItemsSpec::Source::Fortunes;
    spec.categories = i["categories"].get<std::vector<std::string>>();
    spec.corpus = i["corpus"];
    spec.proportional_parties = i["proportional_parties"];
    return spec;
  }
  spec.source = ItemsSpec::Source::Zipf;
  spec.zipf.distinct = i["distinct"];
  spec.zipf.exponent = i["exponent"];
  spec.zipf.skew = i["skew"];
  spec.zipf.private_items = i["private_items"];
  spec.zipf.bits = spec.bits;
  return spec;
}

BlackBoxSpec to_objective(const json& o) {
  BlackBoxSpec spec;
  spec.function = black_box_from_name(o["function"]);
  spec.dimension = o["dimension"];
  spec.heterogeneity = o["heterogeneity"];
  spec.flops_per_query = o["flops_per_query"];
  return spec;
}

WorkloadSpec to_workload(const json& w, const std::string& source, const Complaint& complain) {
  WorkloadSpec spec;
  // Keys absent here do not apply to this algorithm (prune_workload_keys): defaults stay.
  if (w.contains("items")) spec.items = to_items(w["items"]);
  if (w.contains("objective")) spec.objective = to_objective(w["objective"]);
  if (w.value("model", "") == "llm") {
    // A language model (inference algorithms: no dataset) is a Custom model of its preset's
    // size (fp32); the inference schedules read its shape (workloads/models/llm_shape.hpp).
    if (!w.contains("llm")) complain.at("/workload/llm", "a language model preset (required with model \"llm\")");
    if (w.contains("custom_model")) complain.at("/workload/custom_model", "no custom_model with model \"llm\" (its preset gives the size)");
    const LlmShape shape = llm_preset(w["llm"]);
    spec.model = ModelKind::Custom;
    spec.llm = shape.name;
    spec.custom.name = shape.name;
    spec.custom.params = shape.params();
    spec.custom.bytes_per_param = shape.bytes_per_param;
    spec.custom.forward_flops_per_sample = 2 * shape.params();  // per token
    spec.custom.train_flops_per_sample = 6 * shape.params();
    return spec;
  }
  if (w.contains("llm")) complain.at("/workload/llm", "no llm unless model is \"llm\"");
  if (w.value("model", "") == "video-unet") {
    // A video U-Net (video-infinity: no dataset) is a Custom model of its preset's size; the
    // schedule reads its shape from Scenario::video (load_video).
    if (!w.contains("video_unet"))
      complain.at("/workload/video_unet", "a video U-Net preset like \"videocrafter2\" (required with model \"video-unet\")");
    if (w.contains("custom_model")) complain.at("/workload/custom_model", "no custom_model with model \"video-unet\" (its preset gives the size)");
    const video::VideoUnetShape m = video::video_unet_preset(w["video_unet"]);
    spec.model = ModelKind::Custom;
    spec.custom.name = m.name;
    spec.custom.params = m.params;
    spec.custom.bytes_per_param = m.bytes_per_element;
    spec.custom.forward_flops_per_sample = m.unet_flops_per_frame;  // per latent frame and step
    spec.custom.train_flops_per_sample = 3 * m.unet_flops_per_frame;
    return spec;
  }
  if (w.contains("video_unet")) complain.at("/workload/video_unet", "no video_unet unless model is \"video-unet\"");
  if (!w.contains("dataset")) return spec;
  spec.dataset = w["dataset"];
  const std::string model = w["model"];
  spec.model = model == "cnn"           ? ModelKind::Cnn
               : model == "cnn5"        ? ModelKind::Cnn5
               : model == "custom"      ? ModelKind::Custom
               : model == "transformer" ? ModelKind::Transformer
                                        : ModelKind::Mlp;
  if (spec.model == ModelKind::Custom) {
    if (!w.contains("custom_model"))
      complain.at("/workload/custom_model", "an object giving params and train_flops_per_sample (required with model \"custom\")");
    const json& c = w["custom_model"];
    spec.custom.name = c["name"];
    spec.custom.params = c["params"];
    spec.custom.bytes_per_param = c["bytes_per_param"];
    spec.custom.train_flops_per_sample = c["train_flops_per_sample"];
    spec.custom.forward_flops_per_sample =
        c.contains("forward_flops_per_sample") ? c["forward_flops_per_sample"].get<double>() : spec.custom.train_flops_per_sample / 3;
    if (spec.custom.forward_flops_per_sample >= spec.custom.train_flops_per_sample)
      complain.at("/workload/custom_model/forward_flops_per_sample", "a number below train_flops_per_sample");
  } else if (w.contains("custom_model")) {
    complain.at("/workload/custom_model", "no custom_model unless model is \"custom\"");
  }
  const json& partition = w["partition"];
  const std::string scheme = partition["scheme"];
  if (scheme == "categories") {
    spec.partition.scheme = PartitionScheme::Categories;
  } else if (scheme == "dirichlet") {
    spec.partition.scheme = PartitionScheme::Dirichlet;
    spec.partition.alpha = partition["alpha"];
  } else if (scheme == "shards") {
    spec.partition.scheme = PartitionScheme::Shards;
    spec.partition.shards_per_client =
        to_int(partition["shards_per_client"], "/workload/partition/shards_per_client", complain);
  } else {
    spec.partition.scheme = PartitionScheme::Iid;
  }
  spec.samples_per_client =
      to_int(w["samples_per_client"], "/workload/samples_per_client", complain);
  // The synthetic regression (DADAO's problem) has its own model, the linear one.
  const bool regression = spec.dataset == "synthetic-regression";
  if (regression != (w["model"] == "linear"))
    complain.at("/workload/model", regression ? "\"linear\" with dataset \"synthetic-regression\""
                                              : "\"mlp\", \"cnn\", \"cnn5\" or \"custom\" (\"linear\" is the synthetic-regression model)",
                w["model"]);
  if (regression) spec.model = ModelKind::Linear;
  if (w.contains("features") && !regression)
    complain.at("/workload/features", "no \"features\" unless dataset is \"synthetic-regression\"");
  if (regression) spec.features = w.contains("features") ? to_int(w["features"], "/workload/features", complain) : 2;
  if (spec.model != ModelKind::Transformer) return spec;
  const json& t = w["transformer"];
  TransformerSpec& m = spec.transformer;
  m.context = to_int(t["context"], "/workload/transformer/context", complain);
  m.d_model = to_int(t["d_model"], "/workload/transformer/d_model", complain);
  m.layers = to_int(t["layers"], "/workload/transformer/layers", complain);
  m.heads = to_int(t["heads"], "/workload/transformer/heads", complain);
  m.mlp_hidden = to_int(t["mlp_hidden"], "/workload/transformer/mlp_hidden", complain);
  if (m.d_model % m.heads != 0)
    complain.at("/workload/transformer/heads", "a divisor of d_model (" + std::to_string(m.d_model) + ")");
  const json& text = w["text"];
  spec.text.tokens = text["tokens"];
  m.vocab = spec.text.tokens == "byte" ? 257 : 0;  // "char": set from the corpus when it is read
  spec.text.categories = text["categories"].get<std::vector<std::string>>();
  spec.text.held_out = text["held_out"];
  if (w.contains("init")) {
    const json& init = w["init"];
    if (init.contains("pretrain")) {
      const json& p = init["pretrain"];
      spec.init.kind = InitSpec::Pretrain;
      spec.init.pretrain.categories = p["categories"].get<std::vector<std::string>>();
      spec.init.pretrain.steps = to_int(p["steps"], "/workload/init/pretrain/steps", complain);
      spec.init.pretrain.batch_size = to_int(p["batch_size"], "/workload/init/pretrain/batch_size", complain);
      spec.init.pretrain.lr = p["lr"];
      spec.init.pretrain.seed = p["seed"].get<uint64_t>();
      spec.init.pretrain.held_out = p["held_out"];
      spec.init.cache_dir = init["cache"];
      for (const auto& c : spec.text.categories)
        for (const auto& pc : spec.init.pretrain.categories)
          if (c == pc)
            complain.at("/workload/text/categories",
                        "categories the base model was not pretrained on (\"" + c + "\" is in init/pretrain/categories)");
    } else {
      namespace fs = std::filesystem;
      fs::path ck = init["checkpoint"].get<std::string>();
      if (ck.is_relative()) ck = fs::path(source).parent_path() / ck;
      spec.init.kind = InitSpec::Checkpoint;
      spec.init.checkpoint = ck.string();
      if (init.contains("hash")) spec.init.expected_hash = init["hash"];
    }
  }
  return spec;
}

AlgorithmSpec to_algorithm(const json& a, const Complaint& complain) {
  AlgorithmSpec spec;
  spec.name = a["name"];
  // Keys absent here do not apply to this algorithm (prune_algorithm_keys): defaults stay.
  auto has = [&](const char* key) { return a.contains(key); };
  if (has("clients_per_round"))
    spec.clients_per_round = to_int(a["clients_per_round"], "/algorithm/clients_per_round", complain);
  if (has("local_epochs")) spec.local_epochs = to_int(a["local_epochs"], "/algorithm/local_epochs", complain);
  if (has("local_steps")) spec.local_steps = to_int(a["local_steps"], "/algorithm/local_steps", complain);
  if (has("batch_size")) spec.batch_size = to_int(a["batch_size"], "/algorithm/batch_size", complain);
  if (has("lr")) spec.lr = a["lr"];
  if (has("server_lr")) spec.server_lr = a["server_lr"];
  if (has("weight_decay")) spec.weight_decay = a["weight_decay"];
  if (has("clip_norm")) spec.clip_norm = a["clip_norm"];
  if (has("clip_scope")) {
    const std::string scope = a["clip_scope"];
    spec.clip_scope = scope == "gradient" ? LocalStep::ClipScope::Gradient
                      : scope == "step"   ? LocalStep::ClipScope::Step
                                          : LocalStep::ClipScope::Corrected;
  }
  if (has("lr_decay")) spec.lr_decay = a["lr_decay"];
  if (has("participation") && a["participation"] == "bernoulli") {
    spec.participation = AlgorithmSpec::Participation::Bernoulli;
    spec.active_ratio = a["active_ratio"];
  }
  if (has("prox_mu")) spec.prox_mu = a["prox_mu"];
  if (has("rho")) spec.rho = a["rho"];
  if (has("lambda")) spec.lambda = a["lambda"];
  if (has("gradient_weight")) spec.gradient_weight = a["gradient_weight"];
  if (has("merge_alpha")) spec.merge_alpha = a["merge_alpha"];
  if (has("ascent") && a["ascent"] == "unnormalized") spec.ascent = LocalStep::Ascent::Unnormalized;
  if (has("dual_average") && a["dual_average"] == "active") spec.dual_average = AlgorithmSpec::DualAverage::Active;
  if (has("server_momentum")) spec.server_momentum = a["server_momentum"];
  if (has("server_beta2")) spec.server_beta2 = a["server_beta2"];
  if (has("server_epsilon")) spec.server_epsilon = a["server_epsilon"];
  if (has("budgets"))
    for (const auto& [cls, budget] : a["budgets"].items()) spec.budgets[cls] = budget.get<double>();
  if (has("gate_lr")) spec.gate_lr = a["gate_lr"];
  if (has("local_momentum")) spec.local_momentum = a["local_momentum"];
  if (has("block_split")) spec.block_split = to_int(a["block_split"], "/algorithm/block_split", complain);
  if (has("relu_logits")) spec.relu_logits = a["relu_logits"];
  if (has("online_aggregation")) spec.online_aggregation = a["online_aggregation"];
  if (has("gate_wire")) spec.sparse_wire = a["gate_wire"] == "sparse";
  if (has("local_step")) {
    const json& step = a["local_step"];
    const std::string rule = step["rule"];
    if (rule == "prox") {
      spec.local_step = AlgorithmSpec::ClientStep::Prox;
      spec.prox_mu = step["prox_mu"];
    } else if (rule == "sam") {
      spec.local_step = AlgorithmSpec::ClientStep::Sam;
      spec.rho = step["rho"];
    }
  }
  if (has("over_selection")) spec.over_selection = a["over_selection"];
  if (has("deadline")) spec.deadline_s = units::parse_duration(a["deadline"]);
  spec.concurrency =
      has("concurrency") ? to_int(a["concurrency"], "/algorithm/concurrency", complain) : spec.clients_per_round;
  if (has("alpha")) spec.alpha = a["alpha"];
  if (has("staleness")) {
    spec.staleness.function = staleness_function_from_name(a["staleness"]["function"]);
    spec.staleness.a = a["staleness"]["a"];
    spec.staleness.b = a["staleness"]["b"];
  }
  if (has("buffer_size")) spec.buffer_size = to_int(a["buffer_size"], "/algorithm/buffer_size", complain);
  if (has("updates_per_step"))
    spec.updates_per_step = to_int(a["updates_per_step"], "/algorithm/updates_per_step", complain);
  if (has("lora")) {
    spec.lora.rank = to_int(a["lora"]["rank"], "/algorithm/lora/rank", complain);
    spec.lora.alpha = a["lora"]["alpha"];
    spec.lora.targets = a["lora"]["targets"].get<std::vector<std::string>>();
  }
  if (has("density_up")) spec.flasc.density_up = a["density_up"];
  if (has("density_down")) spec.flasc.density_down = a["density_down"];
  if (has("server_optimizer")) spec.flasc.server_optimizer = a["server_optimizer"];
  if (has("adam")) {
    const json& o = a["adam"];
    spec.flasc.adam_lr = o["lr"];
    spec.flasc.adam_beta1 = o["beta1"];
    spec.flasc.adam_beta2 = o["beta2"];
    spec.flasc.adam_eps = o["eps"];
    spec.flasc.adam_weight_decay = o["weight_decay"];
  }
  if (has("seeds")) spec.ferret.seeds = to_int(a["seeds"], "/algorithm/seeds", complain);
  if (has("basis")) spec.ferret.basis = direction_law_from_name(a["basis"]);
  if (has("reconstruction_clip")) spec.ferret.reconstruction_clip = a["reconstruction_clip"];
  if (has("server_momentum")) spec.ferret.server_momentum = a["server_momentum"];
  if (has("download")) {
    const SeedDownload d = a["download"] == "history" ? SeedDownload::History : SeedDownload::Model;
    spec.ferret.download = spec.fedkseed.download = d;
  }
  if (has("candidate_seeds"))
    spec.fedkseed.candidate_seeds = to_int(a["candidate_seeds"], "/algorithm/candidate_seeds", complain);
  if (has("zo_epsilon")) spec.fedkseed.epsilon = a["zo_epsilon"];
  if (has("split")) {
    spec.split.points.head_layers = to_int(a["split"]["head_layers"], "/algorithm/split/head_layers", complain);
    spec.split.points.tail_layers = to_int(a["split"]["tail_layers"], "/algorithm/split/tail_layers", complain);
  }
  if (has("prompt_tokens")) spec.split.prompt_tokens = to_int(a["prompt_tokens"], "/algorithm/prompt_tokens", complain);
  if (has("keep_fraction")) spec.split.keep_fraction = a["keep_fraction"];
  if (has("local_loss_passes"))
    spec.split.local_loss_passes = to_int(a["local_loss_passes"], "/algorithm/local_loss_passes", complain);
  if (has("inner_steps")) spec.inner_steps = to_int(a["inner_steps"], "/algorithm/inner_steps", complain);
  if (has("allreduce")) spec.allreduce = a["allreduce"];
  if (has("buckets")) spec.buckets = to_int(a["buckets"], "/algorithm/buckets", complain);
  if (has("outer_lr")) spec.outer_lr = a["outer_lr"];
  if (has("outer_momentum")) spec.outer_momentum = a["outer_momentum"];
  if (has("gap_penalty")) spec.gap_penalty = a["gap_penalty"];
  if (has("gap_lambda")) spec.gap_lambda = a["gap_lambda"];
  if (has("outer_clip")) spec.outer_clip = a["outer_clip"];
  if (has("outer_staleness")) spec.outer_staleness = to_int(a["outer_staleness"], "/algorithm/outer_staleness", complain);
  if (has("layer_split"))
    for (size_t i = 0; i < a["layer_split"].size(); ++i)
      spec.layer_split.push_back(to_int(a["layer_split"][i], index_pointer("/algorithm/layer_split", i), complain));
  if (has("aux_depth")) spec.aux_depth = to_int(a["aux_depth"], "/algorithm/aux_depth", complain);
  if (has("pyramid")) spec.pyramid = a["pyramid"];
  if (has("micro_batches")) spec.micro_batches = to_int(a["micro_batches"], "/algorithm/micro_batches", complain);
  if (has("momentum")) spec.momentum = a["momentum"];
  if (has("prompt_length")) spec.prompt_length = to_int(a["prompt_length"], "/algorithm/prompt_length", complain);
  if (has("memory_scheduler")) spec.memory_scheduler = a["memory_scheduler"];
  if (has("memory_window")) spec.memory_window = to_int(a["memory_window"], "/algorithm/memory_window", complain);
  if (has("tensor_split")) spec.tensor_split = a["tensor_split"];
  if (has("tensor_allreduce")) spec.tensor_allreduce = a["tensor_allreduce"];
  if (has("policies"))
  for (const auto& [cls, p] : a["policies"].items()) {
    const std::string ptr = "/algorithm/policies/" + cls;
    ParticipationPolicy policy;
    policy.think_time_s = units::parse_duration(p["think_time"]);
    policy.participation = p["participation"];
    policy.min_charge = p["min_charge"];
    const std::string steps = p["steps"];
    policy.steps = steps == "charge"   ? ParticipationPolicy::Steps::Charge
                   : steps == "random" ? ParticipationPolicy::Steps::Random
                                       : ParticipationPolicy::Steps::Fixed;
    policy.min_steps = to_int(p["min_steps"], ptr + "/min_steps", complain);
    policy.max_steps = to_int(p["max_steps"], ptr + "/max_steps", complain);
    if (policy.max_steps < policy.min_steps)
      complain.at(ptr + "/max_steps", "an integer >= min_steps (" + p["min_steps"].dump() + ")", p["max_steps"]);
    spec.policies[cls] = policy;
  }
  // Analytics
  analytics::HhParams& hh = spec.heavy_hitters;
  if (has("epsilon")) hh.epsilon = a["epsilon"];
  if (has("k")) hh.k = to_int(a["k"], "/algorithm/k", complain);
  if (has("oracle")) hh.oracle = analytics::oracle_from_name(a["oracle"]);
  if (has("step_bits")) hh.step_bits = a["step_bits"];
  if (has("shared_bits")) hh.shared_bits = to_int(a["shared_bits"], "/algorithm/shared_bits", complain);
  if (has("shared_keep")) hh.shared_keep = a["shared_keep"];
  if (has("keep_sd")) hh.keep_sd = a["keep_sd"];
  if (has("keep_max")) hh.keep_max = a["keep_max"];
  if (has("list_size")) hh.list_size = a["list_size"];
  if (has("phase1_share")) hh.phase1_share = a["phase1_share"];
  if (has("order")) hh.random_order = a["order"] == "random";
  if (has("party_class")) spec.party_class = a["party_class"];
  if (has("report_window")) spec.report_window_s = units::parse_duration(a["report_window"]);
  if (has("flops_per_check")) spec.flops_per_check = a["flops_per_check"];
  // Zeroth-order
  if (has("local_iters")) spec.fedzo.local_iters = spec.fzoos.local_iters = to_int(a["local_iters"], "/algorithm/local_iters", complain);
  spec.fedzo.lr = spec.fzoos.lr = spec.lr;
  if (has("server_accept")) spec.accept_if_improved = a["server_accept"] == "if-improved";
  if (has("directions")) spec.fedzo.directions = to_int(a["directions"], "/algorithm/directions", complain);
  if (has("smoothing")) spec.fedzo.smoothing = a["smoothing"];
  if (has("orthogonalize")) spec.fedzo.orthogonalize = a["orthogonalize"];
  if (has("surrogate")) {
    const json& g = a["surrogate"];
    zo::FzoosParams& f = spec.fzoos;
    const std::string ptr = "/algorithm/surrogate/";
    f.gp_neighbours = to_int(g["gp_neighbours"], ptr + "gp_neighbours", complain);
    f.gp_noise = g["gp_noise"];
    f.local_candidates = to_int(g["local_candidates"], ptr + "local_candidates", complain);
    f.local_keep = to_int(g["local_keep"], ptr + "local_keep", complain);
    f.local_radius = g["local_radius"];
    f.round_candidates = to_int(g["round_candidates"], ptr + "round_candidates", complain);
    f.round_keep = to_int(g["round_keep"], ptr + "round_keep", complain);
    f.rff_neighbours = to_int(g["rff_neighbours"], ptr + "rff_neighbours", complain);
    f.rff_features = to_int(g["rff_features"], ptr + "rff_features", complain);
    f.rff_lengthscale = g["rff_lengthscale"];
    f.rff_ridge = g["rff_ridge"];
    f.initial_queries = to_int(g["initial_queries"], ptr + "initial_queries", complain);
    f.initial_radius = g["initial_radius"];
    f.correction = g["correction"];
    if (f.local_keep > f.local_candidates) complain.at(ptr + "local_keep", "an integer <= local_candidates");
    if (f.round_keep > f.round_candidates) complain.at(ptr + "round_keep", "an integer <= round_candidates");
  }
  return spec;
}

std::string xxh64_hex(const std::string& text) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(XXH64(text.data(), text.size(), 0)));
  return buf;
}

// --- the algorithm catalog ------------------------------------------------------------
// The schema is the one registry of algorithms: /properties/algorithm/x-algorithms names each
// algorithm with its family (the schedule that runs it), and every algorithm key that only
// some algorithms read lists them, by name or family, in "x-for". Adding an algorithm is data
// there plus its factory; nothing here changes.

const json& algorithm_schema() { return sorted_schema()["properties"]["algorithm"]; }

/// Whether a key whose schema is `prop` means anything to algorithm `name`, and if not, who
/// reads it. "x-for" lists the algorithms or families that read a key; "x-not-for" the ones
/// that do not (for keys nearly everyone reads). Keys that only some algorithms read are errors
/// with the others (a setting silently ignored makes a wrong experiment), and are left out of
/// the resolved document.
std::pair<bool, std::string> key_applies(const json& prop, const std::string& name) {
  const std::string family = algorithm_family(name);
  if (prop.contains("x-not-for"))
    for (const auto& who : prop["x-not-for"])
      if (who == name || who == family) return {false, "no algorithm of family \"" + family + "\""};
  if (!prop.contains("x-for")) return {true, ""};
  std::vector<std::string> readers;
  for (const auto& [algo, entry] : algorithm_schema()["x-algorithms"].items())
    for (const auto& who : prop["x-for"])
      if (who == algo || who == entry["family"]) {
        readers.push_back(algo);
        break;
      }
  for (const auto& who : prop["x-for"])
    if (who == name || who == family) return {true, ""};
  std::string list;
  for (size_t i = 0; i < readers.size(); ++i)
    list += (i == 0 ? "" : i + 1 == readers.size() ? " and " : ", ") + readers[i];
  return {false, list};
}

std::pair<bool, std::string> algorithm_key_applies(const std::string& key, const std::string& name) {
  const json& props = algorithm_schema()["properties"];
  auto prop = props.find(key);
  if (prop == props.end()) return {true, ""};
  return key_applies(*prop, name);
}

void check_algorithm_keys(const json& a, const Complaint& complain) {
  const std::string name = a["name"];
  for (const auto& [key, value] : a.items()) {
    const auto [applies, who] = algorithm_key_applies(key, name);
    if (!applies)
      complain.at("/algorithm/" + key,
                  "no \"" + key + "\" with algorithm \"" + name + "\": it applies to " + who);
  }
}

/// What the schema cannot say about the keys that depend on another key's value. On the
/// document as written (before defaults), so that only explicit settings are refused.
void check_dependent_algorithm_keys(const json& a, const Complaint& complain) {
  const bool bernoulli = a.contains("participation") && a["participation"] == "bernoulli";
  if (bernoulli) {
    if (!a.contains("active_ratio"))
      complain.at("/algorithm/active_ratio", "a number in (0, 1] (required with participation \"bernoulli\")");
    for (const char* k : {"clients_per_round", "over_selection"})
      if (a.contains(k))
        complain.at(std::string("/algorithm/") + k,
                    std::string("no \"") + k + "\" with participation \"bernoulli\" (active_ratio sets who trains)");
  } else if (a.contains("active_ratio")) {
    complain.at("/algorithm/active_ratio", "no \"active_ratio\" without participation \"bernoulli\"");
  }
  if (a.contains("local_step")) {
    const json& step = a["local_step"];
    const std::string rule = step.value("rule", "sgd");
    if (step.contains("prox_mu") && rule != "prox")
      complain.at("/algorithm/local_step/prox_mu", "no \"prox_mu\" unless \"rule\" is \"prox\"");
    if (step.contains("rho") && rule != "sam")
      complain.at("/algorithm/local_step/rho", "no \"rho\" unless \"rule\" is \"sam\"");
  }
}

/// Fills what depends on another key: local_step's parameter of its rule; and drops
/// clients_per_round and over_selection under Bernoulli participation (unused there).
void resolve_dependent_algorithm_keys(json& a) {
  if (a.contains("local_step")) {
    json& step = a["local_step"];
    if (step["rule"] == "prox" && !step.contains("prox_mu")) step["prox_mu"] = 0.01;
    if (step["rule"] == "sam" && !step.contains("rho")) step["rho"] = 0.1;
  }
  if (a.contains("participation") && a["participation"] == "bernoulli") {
    a.erase("clients_per_round");
    a.erase("over_selection");
  }
}

void prune_algorithm_keys(json& a) {
  const std::string name = a["name"];
  for (auto it = a.begin(); it != a.end();) it = algorithm_key_applies(it.key(), name).first ? std::next(it) : a.erase(it);
}

/// Inference: a star of devices (no cluster, no topology) that fits the model's cut, with a
/// disk on every device when weights are streamed.
void check_inference_platform(const Scenario& s, int64_t device_count, const Complaint& complain) {
  const AlgorithmSpec& a = s.algorithm;
  if (s.platform.cluster) complain.at("/platform/cluster", "no cluster with algorithm \"" + a.name + "\" (edge devices in a star)");
  if (s.platform.topology) complain.at("/platform/topology", "no topology with algorithm \"" + a.name + "\"");
  const LlmShape m = llm_preset(s.workload.llm);
  const int64_t most = a.name == "tpi-llm" ? m.kv_heads : m.layers;
  if (device_count > most)
    complain.at("/platform", "at most " + std::to_string(most) + " devices for " + a.name + " on " + m.name +
                                 (a.name == "tpi-llm" ? " (attention is split by KV head)" : " (one layer per device at least)"),
                json(device_count));
  if (!a.memory_scheduler) return;
  for (size_t c = 0; c < s.platform.classes.size(); ++c)
    if (s.platform.classes[c].disk_read_bytes_per_s <= 0 && s.platform.classes[c].count > 0)
      complain.at(index_pointer("/platform/classes", c) + "/disk_read",
                  "a read bandwidth like \"1.2GBps\" (memory_scheduler streams weights from disk; set it false to keep them resident)");
  for (size_t d = 0; d < s.platform.devices.size(); ++d)
    if (s.platform.devices[d].disk_read_bytes_per_s <= 0)
      complain.at(index_pointer("/platform/devices", d) + "/disk_read",
                  "a read bandwidth like \"1.2GBps\" (memory_scheduler streams weights from disk; set it false to keep them resident)");
}

// The workload's keys follow the same rules: learning algorithms read a dataset and a model,
// analytics the users' items, zeroth-order methods a black-box objective. "x-required" marks
// the keys that must be given where they apply.
const json& workload_properties() { return sorted_schema()["properties"]["workload"]["properties"]; }

void check_workload_keys(const json& doc, const Complaint& complain) {
  const std::string name = doc["algorithm"]["name"];
  const json& w = doc["workload"];
  for (const auto& [key, value] : w.items()) {
    const auto [applies, who] = key_applies(workload_properties()[key], name);
    if (!applies)
      complain.at("/workload/" + key, "no \"" + key + "\" with algorithm \"" + name + "\": it applies to " + who);
  }
  // Missing required keys, worded by the validator itself: the workload's schema with them
  // required.
  json mini = {{"$defs", sorted_schema()["$defs"]}, {"type", "object"}};
  json node = sorted_schema()["properties"]["workload"];
  node["required"] = json::array();
  for (const auto& [key, prop] : workload_properties().items())
    if (prop.value("x-required", false) && key_applies(prop, name).first) node["required"].push_back(key);
  mini["properties"]["workload"] = node;
  validate_or_throw(mini, doc, complain);
}

void prune_workload_keys(json& doc) {
  const std::string name = doc["algorithm"]["name"];
  json& w = doc["workload"];
  for (auto it = w.begin(); it != w.end();)
    it = key_applies(workload_properties()[it.key()], name).first ? std::next(it) : w.erase(it);
}

/// What an analytics scenario needs beyond its schema: a class of always-on party servers,
/// users besides them, one fortunes category per party, codes that fit in the item bits, and
/// prefix-tree parameters that make a tree.
void check_analytics(Scenario& s, const Complaint& complain) {
  const AlgorithmSpec& a = s.algorithm;
  int party_index = -1;
  for (size_t c = 0; c < s.platform.classes.size(); ++c)
    if (s.platform.classes[c].name == a.party_class) party_index = static_cast<int>(c);
  if (party_index < 0 || s.platform.classes[static_cast<size_t>(party_index)].count < 1)
    complain.at("/algorithm/party_class", "the name of a device class with count >= 1 whose devices serve the parties (\"" +
                                              a.party_class + "\" is none)");
  const auto& party = s.platform.classes[static_cast<size_t>(party_index)];
  const std::string ptr = index_pointer("/platform/classes", static_cast<size_t>(party_index));
  if (party.availability.kind != AvailabilitySpec::Always)
    complain.at(ptr + "/availability", "no availability model on the party class \"" + party.name + "\" (party servers are always on)");
  if (party.battery) complain.at(ptr + "/battery", "no battery on the party class \"" + party.name + "\" (party servers are always on)");
  int parties = 0, users = 0;
  for (const auto& d : expand_devices(s.platform, s.seed)) (d.class_name == a.party_class ? parties : users)++;
  if (users < 1) complain.at("/platform", "at least one user device besides the party class \"" + a.party_class + "\"");
  const ItemsSpec& items = *s.workload.items;
  if (items.source == ItemsSpec::Source::Fortunes && !items.categories.empty() &&
      static_cast<int>(items.categories.size()) != parties)
    complain.at("/workload/items/categories", "one category per party (" + std::to_string(parties) + " parties, " +
                                                  std::to_string(items.categories.size()) + " categories)");
  if (items.source == ItemsSpec::Source::Fortunes && items.bits % 8 != 0)
    complain.at("/workload/items/bits", "a multiple of 8 (a word is bytes), got " + std::to_string(items.bits));
  if (items.source == ItemsSpec::Source::Fortunes && users < parties)
    complain.at("/platform", "at least one user device per party (fortunes items: " + std::to_string(parties) +
                                 " parties, " + std::to_string(users) + " users)");
  if (items.source == ItemsSpec::Source::Zipf) {
    const double codes = static_cast<double>(items.zipf.distinct) +
                         (items.zipf.skew > 0 ? static_cast<double>(parties) * static_cast<double>(items.zipf.private_items) : 0);
    if (codes > std::ldexp(1.0, items.bits - 1))
      complain.at("/workload/items/bits", "enough bits for " + std::to_string(static_cast<int64_t>(codes)) +
                                              " distinct item codes (at most half the code space is used)");
  }
  s.algorithm.heavy_hitters.method = analytics::hh_method_from_name(a.name);
  s.algorithm.heavy_hitters.item_bits = items.bits;
  try {
    analytics::check_params(s.algorithm.heavy_hitters);
  } catch (const std::invalid_argument& e) {
    complain.at("/algorithm", std::string("prefix-tree parameters that make a tree (") + e.what() + ")");
  }
}

/// video-infinity: the U-Net of model "video-unet" at its latent size and channels, and the
/// clip parallelism. frames (the whole video) or frames_per_gpu fixes the clip, which must be
/// long enough to give its neighbours their halos and everyone its global frames. Writes the
/// resolved shape and clip length into the document.
void load_video(json& doc, Scenario& s, int64_t devices, const Complaint& complain) {
  json& w = doc["workload"];
  json& a = doc["algorithm"];
  const video::VideoUnetShape preset = video::video_unet_preset(w["video_unet"]);
  if (!w.contains("latent_size")) w["latent_size"] = {preset.latent_height, preset.latent_width};
  if (!w.contains("unet_channels")) w["unet_channels"] = preset.channels;
  const auto channels = w["unet_channels"].get<std::vector<int64_t>>();
  if (channels.size() != preset.channels.size())
    complain.at("/workload/unet_channels", std::to_string(preset.channels.size()) + " channel widths (one per level of " +
                                               preset.name + ")", w["unet_channels"]);
  s.video.unet = video::resize_unet(preset, w["latent_size"][0].get<int64_t>(), w["latent_size"][1].get<int64_t>(), channels);

  video::ClipParallelParams& c = s.video.clip;
  if (a.contains("frames") && a.contains("frames_per_gpu"))
    complain.at("/algorithm/frames_per_gpu", "no frames_per_gpu with frames (frames is the whole video, cut into one clip per device)");
  if (a.contains("frames")) {
    const int64_t frames = a["frames"].get<int64_t>();
    if (frames % devices != 0)
      complain.at("/algorithm/frames", "a multiple of the number of devices (" + std::to_string(devices) + "), one clip each",
                  a["frames"]);
    c.frames_per_gpu = frames / devices;
  } else {
    if (!a.contains("frames_per_gpu")) a["frames_per_gpu"] = c.frames_per_gpu;  // the code's 24
    c.frames_per_gpu = a["frames_per_gpu"].get<int64_t>();
  }
  c.steps = to_int(a["denoising_steps"], "/algorithm/denoising_steps", complain);
  c.padding = a["attention_padding"].get<int64_t>();
  c.top_k = a["top_k"].get<int64_t>();
  c.conv_halo = a["conv_halo"].get<int64_t>();
  c.cfg_batch = a["cfg"].get<bool>() ? 2 : 1;
  c.sync_attention = a["sync_attention"];
  c.sync_conv = a["sync_conv"];
  c.call_overhead_s = units::parse_duration(a["call_overhead"]);
  if (devices < 2) return;  // one clip: nothing to exchange
  const std::string clip = "frames_per_gpu (" + std::to_string(c.frames_per_gpu) + ")";
  const int64_t global = video::global_frames_per_clip(c.top_k, static_cast<int>(devices));
  if (c.sync_attention && c.padding > c.frames_per_gpu)
    complain.at("/algorithm/attention_padding", "at most " + clip + ": a neighbour sends p frames of its clip", a["attention_padding"]);
  if (c.sync_conv && c.conv_halo > c.frames_per_gpu)
    complain.at("/algorithm/conv_halo", "at most " + clip + ": a neighbour sends the halo from its clip", a["conv_halo"]);
  if (c.sync_attention && global > c.frames_per_gpu)
    complain.at("/algorithm/top_k", "a top_k whose share per clip, floor(top_k / " + std::to_string(devices) + ") = " +
                                        std::to_string(global) + ", is at most " + clip, a["top_k"]);
}

/// What the model, the training mode, the platform and the algorithm's family must agree on.
void check_model_fits(const Scenario& s, int64_t device_count, const Complaint& complain) {
  const AlgorithmSpec& a = s.algorithm;
  const ModelKind model = s.workload.model;
  if (a.is_inference() && s.training != TrainingMode::Analytic)
    complain.at("/training", "\"analytic\" with algorithm \"" + a.name + "\" (a language model is served by its sizes and costs, without weights)");
  else if (a.family == "video" && s.training != TrainingMode::Analytic)
    complain.at("/training", "\"analytic\" with algorithm \"" + a.name + "\" (the U-Net is timed by its flops, without weights)");
  else if (model == ModelKind::Custom && s.training != TrainingMode::Analytic)
    complain.at("/training", "\"analytic\" with model \"custom\" (a custom model has no weights to train)");
  if (a.is_pipeline() && model != ModelKind::Cnn5)
    complain.at("/workload/model", "\"cnn5\" with algorithm \"" + a.name + "\" (the network pipelines split layer by layer)");
  if (a.is_inference() != !s.workload.llm.empty())
    complain.at("/workload/model", a.is_inference() ? "\"llm\" with algorithm \"" + a.name + "\" (it serves a language model)"
                                                    : "a trained model, not \"llm\" (language models go with the inference algorithms)");
  if (a.is_inference()) check_inference_platform(s, device_count, complain);
  if (a.is_cluster() && a.allreduce == "hierarchical" && !s.platform.cluster)
    complain.at("/algorithm/allreduce", "\"ring\", \"tree\" or \"star\" without platform.cluster (\"hierarchical\" needs nodes)");
  if (a.is_pipeline()) {
    const int layers = cnn5_layer_count();
    if (device_count > layers)
      complain.at("/platform", "at most " + std::to_string(layers) + " devices for a pipeline of the " +
                                   std::to_string(layers) + "-layer cnn5 (one stage per device), not " + std::to_string(device_count));
    if (!a.layer_split.empty()) {
      int sum = 0;
      for (int k : a.layer_split) sum += k;
      if (static_cast<int64_t>(a.layer_split.size()) != device_count)
        complain.at("/algorithm/layer_split", "one entry per device (" + std::to_string(device_count) + "), not " +
                                                  std::to_string(a.layer_split.size()));
      if (sum != layers)
        complain.at("/algorithm/layer_split", "layer counts summing to " + std::to_string(layers) + ", not " + std::to_string(sum));
    }
  }
}

/// A battery's resume level defaults to its floor + 0.01 (at most 1): a default that depends
/// on another key, so the schema cannot state it; written into the resolved document.
void fill_battery_resume(json& platform) {
  auto fill = [](json& holder) {
    if (!holder.contains("battery") || holder["battery"].contains("resume")) return;
    json& b = holder["battery"];
    const double floor = b["floor"].get<double>();
    b["resume"] = std::min(1.0, std::round((floor + 0.01) * 1e12) / 1e12);
  };
  for (auto& c : platform["classes"]) fill(c);
  for (auto& d : platform["devices"]) fill(d);
}

/// Training runs in float32: a learning rate or any other algorithm number beyond what a float
/// holds would only fail inside the first training job (or become inf). Refuse it here.
void check_float_range(const json& node, const std::string& ptr, const Complaint& complain) {
  if (node.is_number_float()) {
    const double x = node.get<double>();
    if (std::isfinite(x) && std::fabs(x) > std::numeric_limits<float>::max())
      complain.at(ptr, "a number a 32-bit float can hold (magnitude below 3.4e38): training runs in float32", node);
  }
  if (node.is_object())
    for (auto it = node.begin(); it != node.end(); ++it) check_float_range(*it, ptr + "/" + escape_token(it.key()), complain);
  if (node.is_array())
    for (size_t i = 0; i < node.size(); ++i) check_float_range(node[i], ptr + "/" + std::to_string(i), complain);
}

/// Steps 3 and 4 on a document that already passed the schema.
Scenario build(json doc, const std::string& source, const std::string& file) {
  const Complaint complain(source);
  check_float_range(doc["algorithm"], "/algorithm", complain);
  check_algorithm_keys(doc["algorithm"], complain);
  check_dependent_algorithm_keys(doc["algorithm"], complain);
  check_workload_keys(doc, complain);
  check_text_workload_keys(doc["workload"], complain);
  {
    // Keys whose default depends on the algorithm: written so the resolved document states it.
    json& a = doc["algorithm"];
    const std::string name = a["name"];
    if ((name == "ferret" || name == "fedkseed") && !a.contains("download"))
      a["download"] = name == "ferret" ? "model" : "history";
    // server_momentum: FedAvgM's and FedOpt's beta (0.9), or Ferret's momentum on its
    // coefficient table (0, as in the NI script).
    if (!a.contains("server_momentum") && algorithm_key_applies("server_momentum", name).first)
      a["server_momentum"] = name == "ferret" ? 0.0 : 0.9;
  }
  js::apply_defaults(sorted_schema(), doc, formats());
  prune_algorithm_keys(doc["algorithm"]);
  resolve_dependent_algorithm_keys(doc["algorithm"]);
  prune_workload_keys(doc);

  Scenario s;
  s.source = source;
  if (!doc.contains("name")) doc["name"] = std::filesystem::path(file).stem().string();
  s.name = doc["name"];
  s.seed = to_seed(doc["seed"], complain);
  s.training = doc["training"] == "analytic" ? TrainingMode::Analytic : TrainingMode::Real;
  s.compute_device = doc["device"];

  int64_t device_count = resolve_platform(doc["platform"], complain);
  fill_battery_resume(doc["platform"]);
  if (doc["platform"].contains("cluster")) {
    const json& p = doc["platform"];
    if (!p["classes"].empty()) complain.at("/platform/classes", "no device classes with a cluster (its GPUs are the devices)");
    if (!p["devices"].empty()) complain.at("/platform/devices", "no explicit devices with a cluster (its GPUs are the devices)");
    if (!p["link_changes"].empty()) complain.at("/platform/link_changes", "no link changes with a cluster");
    if (p.contains("availability_trace")) complain.at("/platform/availability_trace", "no availability trace with a cluster");
    device_count = int64_t(to_int(p["cluster"]["nodes"], "/platform/cluster/nodes", complain)) *
                   to_int(p["cluster"]["gpus_per_node"], "/platform/cluster/gpus_per_node", complain);
  }
  if (device_count < 1)
    complain.at("/platform", "at least one device (a class with count >= 1 or an explicit device)");
  s.platform = to_platform(doc["platform"], complain);
  {
    const bool video = algorithm_family(doc["algorithm"]["name"]) == "video";
    const std::string model = doc["workload"].value("model", "");
    if (video && model != "video-unet")
      complain.at("/workload/model", "\"video-unet\" with algorithm \"" + doc["algorithm"]["name"].get<std::string>() +
                                         "\" (it generates a video with a diffusion U-Net)", doc["workload"]["model"]);
    if (!video && model == "video-unet")
      complain.at("/workload/model", "a model for algorithm \"" + doc["algorithm"]["name"].get<std::string>() +
                                         "\", not \"video-unet\" (it goes with video-infinity)", doc["workload"]["model"]);
  }
  s.workload = to_workload(doc["workload"], source, complain);
  if (s.workload.model == ModelKind::Linear) doc["workload"]["features"] = s.workload.features;

  s.algorithm = to_algorithm(doc["algorithm"], complain);
  s.algorithm.family = algorithm_family(s.algorithm.name);
  for (const char* lm_only : {"lora", "flasc", "fedkseed", "sfprompt", "sfl"})
    if (s.algorithm.name == lm_only && s.workload.model != ModelKind::Transformer)
      complain.at("/algorithm/name", "an algorithm for the workload's model (\"" + s.algorithm.name +
                                         "\" fine-tunes model \"transformer\" only)");
  if (s.algorithm.is_split()) {
    const SplitPoints& sp = s.algorithm.split.points;
    if (sp.head_layers + sp.tail_layers > s.workload.transformer.layers)
      complain.at("/algorithm/split", "head_layers + tail_layers <= the transformer's layers (" +
                                          std::to_string(s.workload.transformer.layers) + ")");
  }
  if (s.algorithm.is_anarchic()) s.algorithm.clients_per_round = 1;  // unused: clients choose
  // Every device is a worker (cluster), a stage (pipeline) or holds a part of the model (inference).
  if (s.algorithm.is_cluster() || s.algorithm.is_pipeline() || s.algorithm.is_inference() || s.algorithm.family == "video")
    s.algorithm.clients_per_round = static_cast<int>(device_count);
  check_model_fits(s, device_count, complain);
  if (s.algorithm.family == "video") {
    if (s.platform.topology) complain.at("/platform/topology", "no topology with algorithm \"" + s.algorithm.name + "\"");
    load_video(doc, s, device_count, complain);
  }
  for (const auto& [cls, policy] : s.algorithm.policies) {
    bool known = cls == "*";
    for (const auto& c : s.platform.classes) known = known || c.name == cls;
    if (!known) complain.at("/algorithm/policies/" + cls, "a device class name or \"*\"", "\"" + cls + "\"");
  }
  for (const auto& [cls, budget] : s.algorithm.budgets) {
    bool known = cls == "*";
    for (const auto& c : s.platform.classes) known = known || c.name == cls;
    if (!known) complain.at("/algorithm/budgets/" + cls, "a device class name or \"*\"");
  }
  for (size_t i = 0; i < s.platform.link_changes.size(); ++i) {
    const std::string& who = s.platform.link_changes[i].devices;
    bool known = who == "*";
    for (const auto& c : s.platform.classes) known = known || c.name == who;
    for (const auto& d : expand_devices(s.platform, s.seed)) known = known || d.name == who;
    if (!known)
      complain.at(index_pointer("/platform/link_changes", i) + "/devices", "a class name, a device name or \"*\"",
                  "\"" + who + "\"");
  }
  if (doc["platform"].contains("availability_trace")) {
    namespace fs = std::filesystem;
    fs::path trace = doc["platform"]["availability_trace"].get<std::string>();
    if (trace.is_relative()) trace = fs::path(file).parent_path() / trace;
    std::map<std::string, AvailabilityTrace> traces;
    try {
      traces = read_availability_csv(trace.string());
    } catch (const std::exception& e) {
      complain.at("/platform/availability_trace", std::string("a readable availability trace: ") + e.what());
    }
    std::set<std::string> names;
    for (const auto& d : expand_devices(s.platform, s.seed)) names.insert(d.name);
    for (const auto& [device, t] : traces)
      if (!names.count(device))
        complain.at("/platform/availability_trace",
                    "device names of this platform in " + trace.string() + " (\"" + device + "\" is none)");
    s.platform.availability_trace = trace.string();
  }
  // Topology and gossip settings (decentralized algorithms; a topology is an error otherwise).
  load_decentralized(doc, s, std::filesystem::path(source).parent_path().string(),
                     [&complain](const std::string& pointer, const std::string& expected) { complain.at(pointer, expected); });
  // Codecs of uploads and downloads (sync, async and anarchic algorithms).
  load_compression(doc, s, [&complain](const std::string& pointer, const std::string& expected) { complain.at(pointer, expected); });
  // The language-model methods choose their own payloads (adapters, top-k, seeds and scalars,
  // split messages), and the codecs are not wired to the transformer's parameter layout.
  if (s.workload.model == ModelKind::Transformer && doc["algorithm"].contains("compression"))
    complain.at("/algorithm/compression",
                "no \"compression\" with model \"transformer\" (the language-model methods set their own payloads: "
                "lora, flasc, ferret, fedkseed)");
  if (s.workload.model == ModelKind::Transformer && doc.contains("evaluation") && doc["evaluation"].contains("per_client"))
    complain.at("/evaluation/per_client",
                "no \"per_client\" with model \"transformer\" (text clients hold out workload.text.held_out of their "
                "texts; clients.csv gives each one's perplexity)");
  const bool learning = s.algorithm.family != "analytics" && s.algorithm.family != "zeroth-order";
  if (!learning && s.training == TrainingMode::Analytic)
    complain.at("/training", "\"real\" with algorithm \"" + s.algorithm.name + "\" (it trains no model to leave out)");
  if (s.algorithm.family == "analytics") check_analytics(s, complain);
  if (learning && s.algorithm.participation == AlgorithmSpec::Participation::Uniform &&
      s.algorithm.clients_per_round > device_count)
    complain.at("/algorithm/clients_per_round",
                "an integer <= " + std::to_string(device_count) + " (the number of devices)",
                std::to_string(s.algorithm.clients_per_round));
  if (s.algorithm.local_steps == 0 && s.algorithm.local_epochs < 1)
    complain.at("/algorithm/local_epochs", "an integer >= 1 when local_steps is 0",
                std::to_string(s.algorithm.local_epochs));

  const json& eval = doc["evaluation"];
  s.evaluation.every_rounds = to_int(eval["every"], "/evaluation/every", complain);
  s.evaluation.test_samples = to_int(eval["test_samples"], "/evaluation/test_samples", complain);
  if (eval.contains("per_client")) {
    if (s.algorithm.family != "sync")
      complain.at("/evaluation/per_client", "no per-client evaluation with algorithm \"" + s.algorithm.name +
                                                "\" (synchronous algorithms only)");
    if (s.training == TrainingMode::Analytic)
      complain.at("/evaluation/per_client", "no per-client evaluation with training \"analytic\" (it measures no accuracy)");
    s.evaluation.holdout = eval["per_client"]["holdout"];
  }

  // An analytics run ends when the aggregator has its answer, a video run when its video is
  // written; every other run needs a stop.
  const bool ends_itself = s.algorithm.family == "analytics" || s.algorithm.family == "video";
  if (!doc.contains("stop")) {
    if (!ends_itself) complain.at("/stop", "an object (required key)");
    doc["stop"] = json::object();
  }
  const json& stop = doc["stop"];
  if (ends_itself && !stop.empty())
    complain.at("/stop/" + stop.begin().key(), "no stop criterion with algorithm \"" + s.algorithm.name +
                                                    (s.algorithm.family == "video"
                                                         ? "\" (the run ends when the video is written, after denoising_steps)"
                                                         : "\" (the run ends when the aggregator has the top-k)"));
  if (s.algorithm.family == "video") s.stop.max_rounds = s.video.clip.steps;  // one round per denoising step
  if (s.algorithm.family == "zeroth-order" && !stop.contains("rounds") && !stop.contains("time"))
    complain.at("/stop", "rounds or time with algorithm \"" + s.algorithm.name + "\" (it measures no accuracy)");
  if (s.algorithm.family == "zeroth-order" && stop.contains("target_accuracy"))
    complain.at("/stop/target_accuracy", "no target_accuracy with algorithm \"" + s.algorithm.name + "\" (it measures no accuracy)");
  if (learning && !ends_itself && stop.empty()) complain.at("/stop", "at least one of rounds, time, target_accuracy");
  if (!ends_itself && s.training == TrainingMode::Analytic && !stop.contains("rounds") && !stop.contains("time"))
    complain.at("/stop", "rounds or time when training is \"analytic\" (it measures no accuracy)");
  if (stop.contains("rounds")) s.stop.max_rounds = to_int(stop["rounds"], "/stop/rounds", complain);
  if (stop.contains("time")) s.stop.max_time_s = units::parse_duration(stop["time"]);
  if (stop.contains("target_accuracy")) s.stop.target_accuracy = stop["target_accuracy"];

  json& output = doc["output"];
  if (!output.contains("directory")) output["directory"] = "out/" + s.name;
  s.output_dir = output["directory"];

  s.resolved = std::move(doc);
  // Where outputs go is not part of the experiment, nor is the record of how the document
  // was edited on its way here (overrides): the hash covers everything else, so the same
  // scenario written to two folders, or reached by --set, has one hash (and sweeps can
  // verify reruns).
  nlohmann::json hashed = s.resolved;
  hashed.erase("output");
  hashed.erase("overrides");
  s.hash = xxh64_hex(hashed.dump());
  return s;
}

}  // namespace

std::string algorithm_family(const std::string& name) {
  const json& catalog = algorithm_schema()["x-algorithms"];
  auto it = catalog.find(name);
  if (it == catalog.end()) throw std::invalid_argument("no algorithm \"" + name + "\" in the schema's catalog");
  return (*it)["family"];
}

const nlohmann::json& scenario_schema() { return sorted_schema(); }

nlohmann::ordered_json read_json_document(const std::string& path) {
  return read_document(path, Complaint(path), "JSON file");
}

nlohmann::json read_json_file(const std::string& path) { return json::parse(read_json_document(path).dump()); }

Scenario load_scenario(const std::string& path) {
  const Complaint complain(path);
  const ordered_json doc = read_document(path, complain);
  // Validate the order-preserving document, so that the first error reported is the first
  // in the file rather than the first in alphabetical order.
  validate_or_throw(ordered_schema(), doc, complain);
  return build(json::parse(doc.dump()), path, path);
}

Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides) {
  if (overrides.empty()) return load_scenario(path);
  ordered_json doc = read_document(path, Complaint(path));
  apply_overrides(doc, overrides, path);
  // Errors now name the overrides too: the bad value may be on the command line.
  std::string source = path + " with";
  for (const auto& o : overrides)
    source += " " + o.from + " " + (o.from == "--seed" ? o.value.dump() : override_text(o.pointer, o.value));
  const Complaint complain(source);
  validate_or_throw(ordered_schema(), doc, complain);
  return build(json::parse(doc.dump()), source, path);
}

Scenario load_scenario(const nlohmann::json& doc, const std::string& source, const std::string& file) {
  validate_or_throw(sorted_schema(), doc, Complaint(source));
  return build(doc, source, file.empty() ? source : file);
}

}  // namespace flemu
