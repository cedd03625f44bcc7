// emulator/json_schema: the validator on small inline schemas, one keyword at a time.
#include <catch2/catch.hpp>
#include <string>

#include "emulator/config/json_schema.hpp"

using nlohmann::json;
using nlohmann::ordered_json;
namespace js = flemu::json_schema;

namespace {

/// "<pointer>: <expected>" of the first violation, or "ok".
std::string first(const json& schema, const json& doc, const js::FormatCheckers& formats = {}) {
  const auto v = js::validate(schema, doc, formats);
  return v.empty() ? "ok" : v.front().pointer + ": " + v.front().expected;
}

}  // namespace

TEST_CASE("json_schema: type, including lists and integer-valued floats", "[json_schema]") {
  CHECK(first(json{{"type", "integer"}}, 3) == "ok");
  CHECK(first(json{{"type", "integer"}}, 3.0) == "ok");
  CHECK(first(json{{"type", "integer"}}, 3.5) == ": an integer");
  CHECK(first(json{{"type", "integer"}}, "3") == ": an integer");
  CHECK(first(json{{"type", "number"}}, 3) == "ok");
  CHECK(first(json{{"type", "number"}}, true) == ": a number");
  CHECK(first(json{{"type", "string"}}, 1) == ": a string");
  CHECK(first(json{{"type", "boolean"}}, false) == "ok");
  CHECK(first(json{{"type", "object"}}, json::array()) == ": an object");
  CHECK(first(json{{"type", "array"}}, json::object()) == ": an array");
  CHECK(first(json{{"type", "null"}}, nullptr) == "ok");
  CHECK(first(json{{"type", {"integer", "string"}}}, "x") == "ok");
  CHECK(first(json{{"type", {"integer", "string"}}}, 1.5) == ": an integer or a string");
}

TEST_CASE("json_schema: enum, const, bounds, strings", "[json_schema]") {
  const json color = {{"type", "string"}, {"enum", {"red", "green"}}};
  CHECK(first(color, "red") == "ok");
  CHECK(first(color, "blue") == ": one of \"red\", \"green\"");
  CHECK(first(color, 3) == ": one of \"red\", \"green\"");
  CHECK(first(json{{"const", "iid"}}, "iid") == "ok");
  CHECK(first(json{{"const", "iid"}}, "x") == ": \"iid\"");

  const json fraction = {{"type", "number"}, {"minimum", 0}, {"exclusiveMaximum", 1}};
  CHECK(first(fraction, 0) == "ok");
  CHECK(first(fraction, 0.999) == "ok");
  CHECK(first(fraction, 1) == ": a number >= 0 and < 1");
  CHECK(first(fraction, -0.1) == ": a number >= 0 and < 1");
  const json positive = {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 1}};
  CHECK(first(positive, 1) == "ok");
  CHECK(first(positive, 0) == ": a number > 0 and <= 1");
  CHECK(first(positive, 1.5) == ": a number > 0 and <= 1");
  CHECK(first(json{{"type", "integer"}, {"minimum", 1}}, 0) == ": an integer >= 1");

  CHECK(first(json{{"type", "string"}, {"minLength", 1}}, "") == ": a non-empty string");
  CHECK(first(json{{"type", "string"}, {"minLength", 3}}, "ab") ==
        ": a string of at least 3 characters");
  CHECK(first(json{{"type", "string"}, {"minLength", 2}}, "\xc3\xa9\xc3\xa9") == "ok");  // "éé"
  const json word = {{"type", "string"}, {"pattern", "^[a-z]+$"}};
  CHECK(first(word, "abc") == "ok");
  CHECK(first(word, "ab1") == ": a string matching \"^[a-z]+$\"");
  // Patterns are unanchored, as the spec says.
  CHECK(first(json{{"type", "string"}, {"pattern", "b"}}, "abc") == "ok");
}

TEST_CASE("json_schema: format checkers replace the pattern's wording", "[json_schema]") {
  const json schema = {{"type", "string"}, {"format", "even"}, {"pattern", "^[0-9]+$"}};
  const js::FormatCheckers formats = {
      {"even", {"an even number written in digits", [](const std::string& s) {
                  return !s.empty() && (s.back() - '0') % 2 == 0;
                }}}};
  CHECK(first(schema, "12", formats) == "ok");
  CHECK(first(schema, "13", formats) == ": an even number written in digits");
  CHECK(first(schema, 13, formats) == ": an even number written in digits");
  // Without a checker, a format is an annotation and the pattern speaks.
  CHECK(first(schema, "13") == "ok");
  CHECK(first(schema, "x") == ": a string matching \"^[0-9]+$\"");
}

TEST_CASE("json_schema: objects report unknown keys, then required, then members",
          "[json_schema]") {
  const json schema = json::parse(R"({
    "type": "object", "additionalProperties": false, "required": ["seed", "name"],
    "properties": {
      "seed": {"type": "integer", "minimum": 0, "description": "ignored"},
      "name": {"type": "string", "title": "ignored", "default": "x"},
      "a/b": {"type": "integer"}
    }})");
  CHECK(first(schema, {{"seed", 1}, {"name", "n"}}) == "ok");
  CHECK(first(schema, {{"name", "n"}}) == "/seed: an integer >= 0 (required key)");
  CHECK(first(schema, {{"sed", 1}}) == "/sed: a known key (did you mean \"seed\"?)");
  const auto typo = js::validate(schema, {{"sed", 1}});
  REQUIRE(typo.size() == 1);
  CHECK(typo[0].found == "\"sed\"");
  CHECK(typo[0].note == "known keys: a/b, name, seed");
  CHECK(first(schema, {{"seed", -1}, {"name", "n"}}) == "/seed: an integer >= 0");
  CHECK(first(schema, {{"seed", 1}, {"name", "n"}, {"a/b", "x"}}) == "/a~1b: an integer");

  const json closed = {{"type", "object"}, {"additionalProperties", false}};
  CHECK(first(closed, {{"x", 1}}) == "/x: no keys here");
  const json open = {{"type", "object"}, {"properties", {{"a", {{"type", "integer"}}}}}};
  CHECK(first(open, {{"a", 1}, {"zzz", "anything"}}) == "ok");
  const json typed_rest = {{"type", "object"}, {"additionalProperties", {{"type", "integer"}}}};
  CHECK(first(typed_rest, {{"x", 1}, {"y", "no"}}) == "/y: an integer");
}

TEST_CASE("json_schema: the first violation follows document order", "[json_schema]") {
  const ordered_json schema = ordered_json::parse(R"({
    "type": "object",
    "properties": {"a": {"type": "integer"}, "z": {"type": "integer"}}})");
  // Both members are wrong: the one written first in the file is reported.
  const auto z_first = js::validate(schema, ordered_json::parse(R"({"z": "x", "a": "y"})"));
  REQUIRE(z_first.size() == 1);
  CHECK(z_first.front().pointer == "/z");
  const auto a_first = js::validate(schema, ordered_json::parse(R"({"a": "y", "z": "x"})"));
  REQUIRE(a_first.size() == 1);
  CHECK(a_first.front().pointer == "/a");
}

TEST_CASE("json_schema: arrays, items, minItems", "[json_schema]") {
  const json schema = {{"type", "array"}, {"minItems", 1}, {"items", {{"type", "integer"}}}};
  CHECK(first(schema, {1, 2}) == "ok");
  CHECK(first(schema, json::array()) == ": a non-empty array");
  CHECK(first(schema, {1, "x", "y"}) == "/1: an integer");
  CHECK(first(json{{"type", "array"}, {"minItems", 2}}, {1}) == ": an array of at least 2 items");
}

TEST_CASE("json_schema: $ref to $defs, boolean schemas", "[json_schema]") {
  const json schema = json::parse(R"({
    "type": "object",
    "properties": {"rate": {"$ref": "#/$defs/rate", "description": "d"}, "never": false},
    "$defs": {"rate": {"type": "string", "pattern": "bps$"}}})");
  CHECK(first(schema, {{"rate", "10Mbps"}}) == "ok");
  CHECK(first(schema, {{"rate", "10"}}) == "/rate: a string matching \"bps$\"");
  CHECK(first(schema, {{"never", 1}}) == "/never: no value here");
  CHECK(first(json(true), 42) == "ok");
  const json dangling = {{"$ref", "#/$defs/missing"}};
  CHECK_THROWS_AS(js::validate(dangling, 1), std::invalid_argument);
  CHECK_THROWS_AS(js::validate(json{{"$ref", "other.json#/x"}}, 1), std::invalid_argument);
}

TEST_CASE("json_schema: oneOf/anyOf report the most specific failure", "[json_schema]") {
  const json partition = json::parse(R"({
    "type": "object",
    "oneOf": [
      {"type": "object", "additionalProperties": false, "required": ["scheme"],
       "properties": {"scheme": {"const": "iid"}}},
      {"type": "object", "additionalProperties": false, "required": ["scheme", "alpha"],
       "properties": {"scheme": {"const": "dirichlet"},
                      "alpha": {"type": "number", "exclusiveMinimum": 0}}},
      {"type": "object", "additionalProperties": false, "required": ["scheme"],
       "properties": {"scheme": {"const": "shards"},
                      "shards_per_client": {"type": "integer", "minimum": 1}}}
    ]})");
  CHECK(first(partition, {{"scheme", "iid"}}) == "ok");
  CHECK(first(partition, {{"scheme", "dirichlet"}, {"alpha", 0.5}}) == "ok");
  // The branch the discriminator selects speaks; the others are set aside.
  CHECK(first(partition, {{"scheme", "dirichlet"}}) == "/alpha: a number > 0 (required key)");
  CHECK(first(partition, {{"scheme", "dirichlet"}, {"alpha", -1}}) == "/alpha: a number > 0");
  CHECK(first(partition, {{"scheme", "iid"}, {"alpha", 1}}) == "/alpha: a known key");
  CHECK(first(partition, {{"scheme", "shards"}, {"shards_per_client", 0}}) ==
        "/shards_per_client: an integer >= 1");
  // No branch selected: the discriminator's values are merged.
  CHECK(first(partition, {{"scheme", "random"}}) ==
        "/scheme: one of \"iid\", \"dirichlet\", \"shards\"");
  CHECK(first(partition, {{"alpha", 1}}) == "/scheme: one of \"iid\", \"dirichlet\", \"shards\"");
  CHECK(first(partition, "iid") == ": an object");

  // Without discriminators the deepest failure wins, ties going to the first branch.
  const json any = json::parse(R"({"anyOf": [
      {"type": "integer"},
      {"type": "object", "required": ["x"], "properties": {"x": {"type": "object",
        "properties": {"y": {"type": "string"}}}}}]})");
  CHECK(first(any, 3) == "ok");
  CHECK(first(any, {{"x", {{"y", "s"}}}}) == "ok");
  CHECK(first(any, {{"x", {{"y", 1}}}}) == "/x/y: a string");
  CHECK(first(any, "s") == ": an integer");

  const json both = json::parse(R"({"oneOf": [{"type": "integer"}, {"type": "number"}]})");
  CHECK(first(both, 1.5) == "ok");
  CHECK(first(both, 1) == ": a value matching exactly one alternative (2 match)");
}

TEST_CASE("json_schema: apply_defaults fills absent members recursively", "[json_schema]") {
  const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "eval": {"type": "object", "default": {},
               "properties": {"every": {"type": "integer", "default": 1},
                              "subset": {"type": "integer"}}},
      "speed": {"$ref": "#/$defs/speed"},
      "items": {"type": "array", "items": {"type": "object",
                "properties": {"cores": {"type": "integer", "default": 1}}}},
      "partition": {"oneOf": [
        {"type": "object", "additionalProperties": false, "required": ["scheme"],
         "properties": {"scheme": {"const": "iid"}}},
        {"type": "object", "additionalProperties": false, "required": ["scheme"],
         "properties": {"scheme": {"const": "shards"}, "per_client": {"type": "integer", "default": 2}}}]}
    },
    "$defs": {"speed": {"type": "string", "default": "10Gf"}}})");
  json doc = {{"items", {json::object(), {{"cores", 4}}}}, {"partition", {{"scheme", "shards"}}}};
  js::apply_defaults(schema, doc);
  CHECK(doc == json::parse(R"({
    "eval": {"every": 1}, "speed": "10Gf", "items": [{"cores": 1}, {"cores": 4}],
    "partition": {"scheme": "shards", "per_client": 2}})"));
  json iid = {{"partition", {{"scheme", "iid"}}}, {"eval", {{"every", 5}}}};
  js::apply_defaults(schema, iid);
  CHECK(iid["partition"] == json{{"scheme", "iid"}});
  CHECK(iid["eval"] == json{{"every", 5}});
}

TEST_CASE("json_schema: what was found, and the closest allowed word for a typo", "[json_schema]") {
  const json color = {{"type", "string"}, {"enum", {"red", "green"}}};
  auto v = js::validate(color, "gren");
  REQUIRE(v.size() == 1);
  CHECK(v[0].found == "\"gren\"");
  CHECK(v[0].note == "did you mean \"green\"?");
  v = js::validate(color, "blue");
  REQUIRE(v.size() == 1);
  CHECK(v[0].note.empty());  // nothing close
  v = js::validate(json{{"type", "integer"}, {"minimum", 1}}, -3);
  CHECK(v[0].found == "-3");
  // Long values are cut.
  v = js::validate(json{{"type", "integer"}}, std::string(500, 'x'));
  CHECK(v[0].found.size() < 80);
  CHECK(v[0].found.substr(v[0].found.size() - 3) == "...");

  CHECK(js::closest_match("client_per_round", {"clients_per_round", "lr"}) == "clients_per_round");
  CHECK(js::closest_match("lr", {"clients_per_round", "lr"}) == "lr");
  CHECK(js::closest_match("rl", {"lr", "name"}) == "lr");  // a swap counts once
  CHECK(js::closest_match("Seed", {"seed"}) == "seed");
  CHECK(js::closest_match("learning_rate", {"lr", "name"}).empty());
  CHECK(js::closest_match("x", {}).empty());
}
