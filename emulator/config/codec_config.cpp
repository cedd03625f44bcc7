#include "emulator/config/codec_config.hpp"

namespace flemu {

compression::CodecSpec to_codec_spec(const nlohmann::json& c) {
  compression::CodecSpec spec;
  spec.name = c["name"];
  if (c.contains("density")) spec.density = c["density"];
  if (c.contains("levels")) spec.levels = c["levels"];
  if (c.contains("bucket")) spec.bucket = c["bucket"];
  if (c.contains("fp16_values")) spec.fp16_values = c["fp16_values"];
  if (c.contains("index_coding")) {
    const std::string coding = c["index_coding"];
    using compression::IndexCoding;
    spec.index_coding = coding == "int32"    ? IndexCoding::Int32
                        : coding == "int64"  ? IndexCoding::Int64
                        : coding == "bitmap" ? IndexCoding::Bitmap
                        : coding == "varint" ? IndexCoding::Varint
                                             : IndexCoding::Auto;
  }
  return spec;
}

}  // namespace flemu
