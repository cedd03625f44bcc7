// Workloads of items for heavy-hitter analytics: every user holds one item, a fixed-length
// bit string (algorithms/analytics/prefix_tree.hpp), and users belong to parties.
//
// zipf-fed (card analytics-and-data.md, A.9): D distinct items, each a distinct random m-bit
// code (so prefixes carry no meaning), globally Zipf(s) by rank. Per-party skew beta: each
// user of party j draws from the global Zipf with probability 1 - beta, else from a Zipf(s)
// over party j's own block of private items, which no other party holds. beta = 0 is IID.
//
// Strings (words) become items PEM's way: byte i of the string in bits 8i..8i+7, truncated
// or padded with zero bytes to m / 8 bytes, so distinct words longer than that merge (card
// trap 8: ground truth is counted on the encoded items).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace flemu {

struct ZipfItemsSpec {
  uint64_t distinct = 100000;   ///< D: items of the global distribution
  double exponent = 1.1;        ///< s: Zipf exponent of the global and the private distributions
  double skew = 0;              ///< beta in [0, 1]: probability a user draws from its party's private items
  uint64_t private_items = 2000;  ///< items in each party's private block
  int bits = 32;                ///< m: bits per item code
};

/// Each party's users' items; party_users[j] users in party j. Pure: same inputs, same items.
/// Throws std::invalid_argument when the codes cannot be distinct (D + P * private > 2^(m-1)).
std::vector<std::vector<uint64_t>> zipf_party_items(const ZipfItemsSpec& spec, const std::vector<uint64_t>& party_users,
                                                    uint64_t seed);

/// A string as an item of `bits` bits (a multiple of 8, <= 64).
uint64_t encode_string(const std::string& s, int bits);
/// The string an item encodes (zero bytes at the end dropped; other bytes as they are).
std::string decode_string(uint64_t item, int bits);

}  // namespace flemu
