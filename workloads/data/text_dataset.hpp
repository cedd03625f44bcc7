// Text for language-model workloads: tokenisation, per-client token streams, fixed-length
// windows and a fixed held-out split per client. Torch-free; built once per run and shared
// read-only by every job (a client's data is a list of window indices, as for images).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/data/partition.hpp"

namespace flemu {

enum class TokenKind {
  Byte,  ///< one token per byte (UTF-8 bytes as they are) + end-of-text: vocabulary 257
  Char   ///< one token per Unicode code point seen in the corpus + unknown + end-of-text
};

class Vocabulary {
 public:
  /// 256 byte tokens, end-of-text = 256.
  static Vocabulary bytes();
  /// The code points of `texts` (decoded as UTF-8; an invalid byte counts as the code point
  /// of its value), sorted, then "unknown" and end-of-text.
  static Vocabulary characters(const std::vector<const std::vector<std::string>*>& texts);

  TokenKind kind() const { return kind_; }
  int size() const;
  int end_of_text() const { return size() - 1; }
  /// Tokens of `text`, without end-of-text. Char: code points outside the vocabulary map to
  /// "unknown" (size() - 2).
  std::vector<int32_t> encode(const std::string& text) const;
  /// Inverse of encode for known tokens (end-of-text becomes "\n%\n", unknown U+FFFD).
  std::string decode(const std::vector<int32_t>& tokens) const;

 private:
  TokenKind kind_ = TokenKind::Byte;
  std::vector<uint32_t> code_points_;  ///< Char: sorted
};

/// Windows of context+1 tokens over each client's token stream (its texts, each followed by
/// end-of-text), stride `context`: window w predicts tokens [start+1, start+context] from
/// [start, start+context-1]. A stream's last partial window is dropped.
struct TextData {
  Vocabulary vocab;
  int context = 64;
  std::vector<int32_t> tokens;             ///< every stream, concatenated
  std::vector<int64_t> train_windows;      ///< start offsets into tokens
  std::vector<int64_t> test_windows;       ///< held-out windows
  std::vector<std::string> client_names;   ///< category name, or "client-<i>"
  Partition train_parts;                   ///< per client: indices into train_windows (sorted)
  Partition test_parts;                    ///< per client: indices into test_windows (sorted)
  std::vector<int64_t> client_texts;       ///< texts each client holds (training + held out)

  int num_clients() const { return static_cast<int>(client_names.size()); }
};

/// Builds TextData from the texts of each client. Held out: per client, ceil(held_out * n)
/// of its n texts (at least one when n >= 2 and held_out > 0), chosen by a shuffle seeded
/// from `held_out_seed` and the client index. Throws std::invalid_argument when a client
/// ends up without a training window (too little text for the context).
TextData make_text_data(const Vocabulary& vocab, int context, const std::vector<std::vector<std::string>>& client_texts,
                        const std::vector<std::string>& client_names, double held_out, uint64_t held_out_seed);

/// Deals the texts of `categories` (texts[c] of category c) to `num_clients` clients with
/// `spec` over the category labels (partition.hpp: Dirichlet(alpha) proportions of
/// categories per client, IID, shards), `texts_per_client` each.
std::vector<std::vector<std::string>> deal_texts(const std::vector<std::vector<std::string>>& texts, int num_clients,
                                                 int texts_per_client, const PartitionSpec& spec, uint64_t seed);

/// A small learnable stand-in for the fortunes corpus (tests, --smoke): each named category
/// writes words over its own letters with its own word list; `texts_per_category` texts of
/// 4-16 words each. A category's texts depend only on its name, the count and the seed.
std::vector<std::vector<std::string>> synthetic_category_texts(const std::vector<std::string>& names,
                                                               int texts_per_category, uint64_t seed);

}  // namespace flemu
