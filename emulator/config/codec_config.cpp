#include "emulator/config/codec_config.hpp"

#include <string>
#include <type_traits>

namespace flemu {

compression::CodecSpec to_codec_spec(const nlohmann::json& c) {
  compression::CodecSpec s;
  s.name = c["name"];
  auto get = [&c](const char* key, auto& field) {
    if (c.contains(key)) field = c[key].get<std::decay_t<decltype(field)>>();
  };
  get("levels", s.levels);
  get("bucket", s.bucket);
  get("elias", s.elias);
  get("density", s.density);
  get("error_feedback", s.error_feedback);
  if (c.contains("index_coding")) {
    const std::string ic = c["index_coding"];
    s.index_coding = ic == "int32"    ? compression::IndexCoding::Int32
                     : ic == "int64"  ? compression::IndexCoding::Int64
                     : ic == "bitmap" ? compression::IndexCoding::Bitmap
                     : ic == "varint" ? compression::IndexCoding::Varint
                                      : compression::IndexCoding::Auto;
  }
  get("fp16_values", s.fp16_values);
  get("momentum", s.momentum);
  get("nesterov", s.nesterov);
  get("momentum_masking", s.momentum_masking);
  get("clip_norm", s.clip_norm);
  get("warmup", s.warmup);
  get("warmup_rounds", s.warmup_rounds);
  get("warmup_coeff", s.warmup_coeff);
  get("sample_ratio", s.sample_ratio);
  get("compress_vectors", s.compress_vectors);
  get("keep", s.keep);
  get("kmeans_iterations", s.kmeans_iterations);
  get("zero_preserving", s.zero_preserving);
  return s;
}

}  // namespace flemu
