// A small JSON Schema (draft 2020-12) validator for the subset scenarios/scenario.schema.json
// uses. Debian ships no C++ validator, and this one words its failures for people.
//
// Supported keywords: type (a name or a list; "integer" accepts 2.0), properties, required,
// additionalProperties (false or a schema), enum, const, format (through caller-supplied
// checkers), pattern (std::regex ECMAScript, unanchored as the spec says), minLength,
// minimum, exclusiveMinimum, maximum, exclusiveMaximum, items, minItems, oneOf, anyOf,
// $ref to "#/..." in the same document, boolean schemas. Annotations (description, default,
// title, $schema, $id, examples, $comment) do not affect validation; any other keyword is
// ignored too, so keep to this list when editing the schema.
//
// Reporting: the first violation in a fixed order, with what was found there (and, for an
// unknown key or a string outside an enum, the closest allowed one: "did you mean"). Within one value: $ref, type, const,
// enum, format, pattern, minLength, numeric bounds, unknown keys (document order), required
// keys (schema order), member values (document order), minItems, items (index order),
// oneOf/anyOf. For a failed oneOf/anyOf the most specific branch failure is reported:
// branches whose "const" discriminator property mismatches are set aside (if all are, their
// constants are merged into one "one of ..." message), then the deepest pointer wins, ties
// going to the earliest branch.
#pragma once
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flemu::json_schema {

struct SchemaViolation {
  /// JSON pointer (RFC 6901) of the offending value, e.g. "/platform/classes/2/uplink"; for a
  /// missing required key, the pointer the key would have; "" for the document root.
  std::string pointer;
  /// What was expected there, as a phrase to follow "expected ": `an integer >= 0`.
  std::string expected;
  /// What was found there, as JSON text (`"0Mbps"`, `-3`; long values cut with "..."); ""
  /// for a missing key.
  std::string found;
  /// More help, to follow the rest: the known keys, for an unknown one. Often "".
  std::string note;
};

/// The closest of `candidates` to `word` (edit distance, a swap of neighbours counting once)
/// when it is close enough to be a likely typo; "" otherwise.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

/// `value` as JSON text for a message, cut after `max_chars` characters (with "...").
std::string shown(const nlohmann::json& value, size_t max_chars = 60);
std::string shown(const nlohmann::ordered_json& value, size_t max_chars = 60);

/// Application check for a "format" keyword on strings. JSON Schema leaves formats to the
/// application; without a checker a format is only an annotation.
struct FormatChecker {
  std::string expected;                             ///< phrase reported when it rejects
  std::function<bool(const std::string&)> accepts;  ///< true when the string is well formed
};
using FormatCheckers = std::map<std::string, FormatChecker>;

/// Violations of `doc` against `schema`: empty when valid, else the first one (see above).
/// Throws std::invalid_argument for a malformed schema (a bug, not bad input).
std::vector<SchemaViolation> validate(const nlohmann::json& schema, const nlohmann::json& doc,
                                      const FormatCheckers& formats = {});
/// Same on order-preserving documents, so that "document order" is the file's order rather
/// than nlohmann::json's sorted keys.
std::vector<SchemaViolation> validate(const nlohmann::ordered_json& schema,
                                      const nlohmann::ordered_json& doc,
                                      const FormatCheckers& formats = {});

/// Inserts the "default" of every property absent from `doc`, recursively (through $ref,
/// items and the oneOf/anyOf branch that `doc` matches). `doc` must already be valid.
void apply_defaults(const nlohmann::json& schema, nlohmann::json& doc,
                    const FormatCheckers& formats = {});

}  // namespace flemu::json_schema
