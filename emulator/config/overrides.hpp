// Overrides: a change to a scenario document at a JSON pointer, applied before the document
// is validated and typed. They come from the command line (`flemu run s.json --set
// /platform/classes/phone/uplink=1Mbps --seed 7`) and from sweeps (emulator/cli/sweep.hpp).
//
// Pointers are RFC 6901 with one convenience: where a pointer crosses an array of named
// objects (platform.classes, platform.devices, or any array whose elements have a "name"),
// a token may be an element's name instead of its index, so /platform/classes/phone/uplink
// is /platform/classes/0/uplink when class 0 is "phone". Array elements must exist (a wrong
// index is an error, never a silently grown array); a missing object on the way is created,
// so /evaluation/every works on a file without "evaluation" (the schema then judges the
// key: a typo is an unknown key).
//
// What was applied is recorded in the document itself, under "overrides" (see the schema):
// the resolved scenario says how it differs from the file it came from.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flemu {

struct Override {
  std::string pointer;   ///< as given, names allowed: "/platform/classes/phone/uplink"
  nlohmann::json value;  ///< the new value
  std::string from;      ///< who asked: "--set", "--seed", "sweep"
};

/// A value typed on a command line: JSON when the whole text parses as JSON (7, 0.5, true,
/// null, [1,2], {"a":1}, "\"quoted\""), else the text itself ("1Mbps", "fedbuff").
/// Throws ScenarioError for a number JSON cannot hold (1e400).
nlohmann::json parse_cli_value(const std::string& text);

/// "POINTER=VALUE" (the first '=' separates them) -> Override{pointer, parse_cli_value(VALUE), from}.
/// Throws ScenarioError("--set TEXT: expected ...") when there is no '=' or no leading '/'.
Override parse_set_option(const std::string& text, const std::string& from = "--set");

/// "/platform/classes/phone/uplink" -> "/platform/classes/0/uplink" in `doc`. Throws
/// ScenarioError("<where>: <pointer>: expected ...") naming the array and its names when a
/// token is neither an index nor a name there, or when the pointer runs into a scalar.
std::string resolve_pointer(const nlohmann::json& doc, const std::string& pointer, const std::string& where);
std::string resolve_pointer(const nlohmann::ordered_json& doc, const std::string& pointer, const std::string& where);

/// Applies `overrides` in order and appends them to doc["overrides"]["set"] as
/// {"pointer" (resolved), "given" (when it differs), "value", "from"}. `where` names the
/// document in messages ("s.json"). Throws ScenarioError.
void apply_overrides(nlohmann::json& doc, const std::vector<Override>& overrides, const std::string& where);
void apply_overrides(nlohmann::ordered_json& doc, const std::vector<Override>& overrides, const std::string& where);

/// "uplink=1Mbps": the key an override sets and its value, for labels and messages.
std::string override_text(const std::string& key, const nlohmann::json& value);

}  // namespace flemu
