// `flemu list WHAT` and `flemu schema`: what a scenario can name, read from the scenario
// schema itself, so that adding an algorithm, model, dataset or topology is adding schema
// data (and its code), never editing this file.
//
// The schema's top-level "x-lists" maps each list name to where its values are:
//   "models": {"values": "/properties/workload/properties/model",      <- JSON pointer into the schema
//              "keys":   "/properties/workload/properties",            <- optional: keys that may apply
//              "catalog": "/properties/algorithm/x-algorithms",        <- optional: name -> {summary, ...}
//              "at": "/workload/model"}                                <- optional: where a scenario names it
// The values node may be
//   * an enum (names = the enum; one-line summaries in the node's "x-catalog", or in "catalog");
//   * a oneOf/anyOf whose branches each fix a discriminator with "const" (like $defs/partition:
//     names = the constants, summaries = their descriptions, keys = the branch's other keys);
//   * an object with such a discriminating property (e.g. {"kind": {"enum": [...]}, ...}).
// A list whose node the schema does not have yet is empty, with a note saying where it will come from.
// Keys: those of "keys" whose "x-for" names the value or its family (catalog "family").
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flemu {

struct CatalogKey {
  std::string name;
  std::string default_value;  ///< JSON text of the schema default, "" when none
  std::string description;
};

struct CatalogEntry {
  std::string name;
  std::string family;   ///< from the catalog, "" when none
  std::string summary;  ///< one line; "" when the schema has none
  std::string paper;    ///< "" when none
  std::vector<CatalogKey> keys;  ///< keys only this entry (or its family) reads
};

struct Catalog {
  std::string list;          ///< "algorithms"
  std::string scenario_key;  ///< where a scenario names one: "/algorithm/name"
  std::vector<CatalogEntry> entries;
  std::vector<CatalogKey> common_keys;  ///< keys of "keys" without x-for (every entry reads them)
  std::string note;          ///< why it is empty, when it is
};

/// Names of the lists the schema declares ("algorithms", "datasets", ...), in schema order.
std::vector<std::string> catalog_lists(const nlohmann::json& schema);
/// One list from `schema`. Throws std::invalid_argument naming the known lists for an unknown one.
Catalog read_catalog(const nlohmann::json& schema, const std::string& list);

/// Human-readable text of a list, and its JSON form (for scripts: `flemu list models --json`).
std::string format_catalog(const Catalog& c);
nlohmann::json catalog_json(const Catalog& c);

/// Path of a schema shipped with flemu: "scenario" or "sweep". Throws std::invalid_argument.
std::string schema_file(const std::string& which);

}  // namespace flemu
