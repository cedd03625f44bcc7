// What the codecs share below their interface: the message and block headers, dense and sparse
// blocks, and the checks every encoder and decoder makes. Internal to algorithms/compression.
#pragma once
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/compression/codec.hpp"

namespace flemu::compression::detail {

enum class CodecId : uint8_t { None = 0, Fp16 = 1, Qsgd = 2, Fedpaq = 3, SignSgd = 4, EfSignSgd = 5, TopK = 6, RandK = 7, Dgc = 8, FedZip = 9 };

/// Block kinds (the third byte of a block header).
enum class Block : uint8_t { Dense32 = 0, Dense16 = 1, Sparse = 2, Quantized = 3, Signs = 4, Clustered = 5, Seeded = 6 };

constexpr size_t kMessageHeader = 8;
constexpr size_t kBlockHeader = 4;

void put_message_header(Bytes& out, CodecId id, const EncodeContext& ctx);
void read_message_header(ByteReader& in, CodecId id);
void put_block_header(Bytes& out, size_t tensor, Block kind);
Block read_block_header(ByteReader& in, size_t tensor);

/// Throws std::invalid_argument naming the first non-finite entry and the size mismatch.
void check_update(const std::vector<float>& update, const TensorLayout& layout);

/// Dense block body: n fp32 (or fp16) values. Returns the body's byte count.
void put_dense(Bytes& out, const float* x, int64_t n, bool fp16);
void get_dense(ByteReader& in, float* x, int64_t n, bool fp16);

/// A sparse block: the index set (entropy_coding.hpp), then the values in index order.
/// Writes a dense block instead when that is no larger (then every entry of `x` is sent
/// and `sent` marks all of them). Returns the number of entries carried.
int64_t put_sparse_or_dense(Bytes& out, size_t tensor, const float* x, int64_t n, const std::vector<uint32_t>& idx,
                            IndexCoding coding, bool fp16);
/// Reads a Sparse or Dense block body of tensor `t` into x (zeros elsewhere).
void get_sparse_or_dense(ByteReader& in, Block kind, float* x, int64_t n, bool fp16);
/// Bytes a sparse block body takes (without the block header).
size_t sparse_body_size(const std::vector<uint32_t>& idx, int64_t n, IndexCoding coding, bool fp16);

/// Indices of the k largest |x| (ties: the lower index first), sorted increasingly.
std::vector<uint32_t> top_k_indices(const float* x, int64_t n, int64_t k);

/// k = ceil(density * n), at least 1 (at most n).
int64_t kept_count(double density, int64_t n);

/// DGC's sampling geometry for a tensor of n entries at density rho (the authors' code,
/// card §1.3): exact selection below ceil(2/rho) entries, else every stride-th |v|.
struct DgcSampling {
  bool exact = true;
  int64_t stride = 1, samples = 0, k_samples = 0;
};
DgcSampling dgc_sampling(int64_t n, double rho, double sample_ratio);

std::unique_ptr<Codec> make_dense(const CodecSpec& spec, const TensorLayout& layout);
std::unique_ptr<Codec> make_qsgd(const CodecSpec& spec, const TensorLayout& layout);
std::unique_ptr<Codec> make_sign(const CodecSpec& spec, const TensorLayout& layout);
std::unique_ptr<Codec> make_sparsifier(const CodecSpec& spec, const TensorLayout& layout);
std::unique_ptr<Codec> make_dgc(const CodecSpec& spec, const TensorLayout& layout);
std::unique_ptr<Codec> make_fedzip(const CodecSpec& spec, const TensorLayout& layout);

}  // namespace flemu::compression::detail
