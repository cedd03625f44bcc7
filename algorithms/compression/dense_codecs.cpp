// "none" (float32, the uncompressed baseline) and "fp16" (IEEE binary16, round to nearest
// even). Body of each block: the tensor's values in order.
//   bytes = 8 + sum_t (4 + b * n_t), b = 4 (none) or 2 (fp16)
#include "algorithms/compression/codec_framing.hpp"

namespace flemu::compression::detail {
namespace {

class DenseCodec final : public Codec {
 public:
  DenseCodec(const TensorLayout& layout, bool fp16) : Codec(layout), fp16_(fp16) {}
  std::string name() const override { return fp16_ ? "fp16" : "none"; }

  Payload encode(const std::vector<float>& update, CodecState*, const EncodeContext& ctx) const override {
    check_update(update, layout_);
    Payload p;
    p.bytes.reserve(kMessageHeader + layout_.numel.size() * kBlockHeader + update.size() * (fp16_ ? 2 : 4));
    put_message_header(p.bytes, id(), ctx);
    int64_t off = 0;
    for (size_t t = 0; t < layout_.numel.size(); ++t) {
      put_block_header(p.bytes, t, fp16_ ? Block::Dense16 : Block::Dense32);
      put_dense(p.bytes, update.data() + off, layout_.numel[t], fp16_);
      off += layout_.numel[t];
    }
    p.paper_bytes = static_cast<double>(update.size()) * (fp16_ ? 2 : 4);
    p.ops = static_cast<double>(update.size()) * (fp16_ ? 2 : 1);  // a copy; fp16 also rounds
    p.kept = static_cast<int64_t>(update.size());
    return p;
  }

  Decoded decode(const Bytes& payload) const override {
    ByteReader in(payload);
    read_message_header(in, id());
    Decoded d;
    d.update.resize(static_cast<size_t>(layout_.total()));
    int64_t off = 0;
    for (size_t t = 0; t < layout_.numel.size(); ++t) {
      const Block kind = read_block_header(in, t);
      if (kind != (fp16_ ? Block::Dense16 : Block::Dense32)) throw CodingError("dense codec: unexpected block kind");
      get_dense(in, d.update.data() + off, layout_.numel[t], fp16_);
      off += layout_.numel[t];
    }
    if (in.remaining()) throw CodingError("dense codec: trailing bytes");
    d.ops = static_cast<double>(d.update.size());
    return d;
  }

 private:
  CodecId id() const { return fp16_ ? CodecId::Fp16 : CodecId::None; }
  bool fp16_;
};

}  // namespace

std::unique_ptr<Codec> make_dense(const CodecSpec& spec, const TensorLayout& layout) {
  return std::make_unique<DenseCodec>(layout, spec.name == "fp16");
}

}  // namespace flemu::compression::detail
