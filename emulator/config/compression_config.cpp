#include "emulator/config/compression_config.hpp"

#include "emulator/config/codec_config.hpp"

#include <stdexcept>
#include <vector>

namespace flemu {
namespace {

using nlohmann::json;

const json& codec_schema() { return scenario_schema()["$defs"]["codec"]; }

bool applies(const json& prop, const std::string& codec) {
  if (!prop.contains("x-for")) return true;
  for (const auto& who : prop["x-for"])
    if (who == codec) return true;
  return false;
}

std::string readers(const json& prop) {
  std::string out;
  const json& list = prop["x-for"];
  for (size_t i = 0; i < list.size(); ++i)
    out += (i == 0 ? "" : i + 1 == list.size() ? " and " : ", ") + list[i].get<std::string>();
  return out;
}

/// Checks and completes one codec object in place.
void resolve_codec(json& codec, const std::string& ptr, const Complain& complain) {
  const std::string name = codec["name"];
  const json& props = codec_schema()["properties"];
  for (const auto& [key, value] : codec.items()) {
    const json& prop = props[key];
    if (!applies(prop, name))
      complain(ptr + "/" + key, "no \"" + key + "\" with codec \"" + name + "\": it applies to " + readers(prop));
  }
  for (const auto& [key, prop] : props.items()) {
    if (key == "name" || codec.contains(key) || !applies(prop, name)) continue;
    if (prop.contains("x-defaults") && prop["x-defaults"].contains(name))
      codec[key] = prop["x-defaults"][name];
    else
      codec[key] = prop["x-default"];
  }
}

}  // namespace

void load_compression(json& doc, Scenario& s, const Complain& complain) {
  json& algorithm = doc["algorithm"];
  if (!algorithm.contains("compression")) return;
  json& c = algorithm["compression"];
  for (const char* way : {"up", "down"})
    if (!c.contains(way)) c[way] = {{"name", "none"}};
  resolve_codec(c["up"], "/algorithm/compression/up", complain);
  resolve_codec(c["down"], "/algorithm/compression/down", complain);
  const std::string down = c["down"]["name"];
  if (down != "none" && down != "fp16" && down != "qsgd" && down != "fedpaq")
    complain("/algorithm/compression/down/name",
             "one of \"none\", \"fp16\", \"qsgd\", \"fedpaq\" (a download carries the model, which is quantized, "
             "not sparsified), got \"" + down + "\"");
  s.algorithm.compression.up = to_codec_spec(c["up"]);
  s.algorithm.compression.down = to_codec_spec(c["down"]);
  // What the schema cannot say (e.g. a density of 0 is refused by the codec itself): check by
  // building each codec once on a one-tensor model.
  for (const char* way : {"up", "down"}) {
    const auto& spec = std::string(way) == "up" ? s.algorithm.compression.up : s.algorithm.compression.down;
    try {
      compression::make_codec(spec, {{2}, {false}});
    } catch (const std::invalid_argument& e) {
      complain(std::string("/algorithm/compression/") + way, std::string("settings the codec accepts: ") + e.what());
    }
  }
}

}  // namespace flemu
