// Frequency oracles under epsilon-local differential privacy: GRR, OUE and OLH.
//
// Paper: T. Wang, J. Blocki, N. Li, S. Jha, "Locally Differentially Private Protocols for
// Frequency Estimation", USENIX Security 2017, Sec. 4 (GRR = "direct encoding", OUE =
// "optimized unary encoding", OLH = "optimized local hashing"). OLH's hash range and hash
// follow the PEM reference code (github.com/vvv214/LDP_Protocols, pem/fo.py): g = floor(e^eps)+1
// and a 32-bit xxHash seeded per user.
//
// Every oracle gives the unbiased count estimate c^(v) = (S(v) - n q) / (p - q), where S(v)
// counts the reports that "support" v, p is the probability that a user holding v supports
// it and q the probability that a user holding another value does. A user's support of v is
// a Bernoulli(p or q), independent across users, so the exact variance is
//   Var[c^(v)] = (n_v p (1 - p) + (n - n_v) q (1 - q)) / (p - q)^2,
// which for a rare v (n_v = 0) is the textbook n q (1 - q) / (p - q)^2.
//
// Domains: GRR and OUE perturb an index into a known domain of `domain` values (a candidate
// list, plus an "other" slot when some users hold a value outside it); OLH perturbs the
// value itself (any 64-bit value) and needs no domain on the device.
// Pure maths: no SimGrid, no I/O.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/rng.hpp"

namespace flemu::analytics {

enum class OracleKind {
  Grr,  ///< generalized randomized response (k-RR): one value of the domain
  Oue,  ///< optimized unary encoding: one bit per domain value
  Olh   ///< optimized local hashing: (hash seed, perturbed hash value)
};

const char* to_string(OracleKind kind);
/// "grr" | "oue" | "olh"; throws std::invalid_argument otherwise.
OracleKind oracle_from_name(const std::string& name);

struct FrequencyOracle {
  OracleKind kind = OracleKind::Olh;
  double epsilon = 1;   ///< privacy budget of one report (> 0; infinity = no noise)
  uint64_t domain = 0;  ///< GRR/OUE: number of values a report ranges over (>= 2); OLH: unused
  uint64_t g = 0;       ///< OLH: hash range, floor(e^eps) + 1, at least 2 (capped at 2^32)
  double p = 1, q = 0;  ///< support probability of the true value and of any other value
};

/// The oracle for `kind` at `epsilon` over `domain` values (GRR/OUE; ignored by OLH).
/// Throws std::invalid_argument for epsilon <= 0 or a GRR/OUE domain < 2.
FrequencyOracle make_oracle(OracleKind kind, double epsilon, uint64_t domain = 0);

/// One user's perturbed report.
struct Report {
  uint32_t value = 0;           ///< GRR: reported domain index; OLH: perturbed hash value in [0, g)
  uint32_t seed = 0;            ///< OLH: the user's hash seed
  std::vector<uint64_t> bits;   ///< OUE: `domain` bits, bit i of word i / 64
};

/// Bytes of one report on the wire: GRR ceil(log2(domain)) bits, OUE `domain` bits, OLH a
/// 4-byte seed plus ceil(log2 g) bits; each rounded up to whole bytes.
uint64_t report_bytes(const FrequencyOracle& fo);

/// OLH's hash of `value` under `seed`, in [0, g): xxHash32 of the value's 8 little-endian bytes.
uint64_t olh_hash(uint64_t value, uint32_t seed, uint64_t g);

/// Perturbs `truth`: a domain index in [0, domain) for GRR/OUE, the value itself for OLH.
Report perturb(const FrequencyOracle& fo, uint64_t truth, Rng& rng);

/// S(v) for each candidate: the number of `reports` that support it. GRR/OUE: candidate i is
/// domain index i (only the first candidates.size() indices are tallied, so an "other" slot
/// after them is never estimated); OLH: candidate i is the value candidates[i].
std::vector<double> support_counts(const FrequencyOracle& fo, const std::vector<Report>& reports,
                                   const std::vector<uint64_t>& candidates);

/// Unbiased counts (S - n q) / (p - q) from support counts of n reports.
std::vector<double> estimate_counts(const FrequencyOracle& fo, const std::vector<double>& support, uint64_t n);

/// Exact variance of the count estimate of a value held by n_v of the n reporting users.
double count_variance(const FrequencyOracle& fo, double n, double n_v);

/// The fast path (card trap 7): support counts drawn directly, without per-user reports.
/// `holders[i]` = users holding candidate i; the other n - sum(holders) users hold values
/// that are not candidates. GRR: exact joint law (multinomial; the users outside the
/// candidates hold the domain's last slot when the domain has one more slot than there are
/// candidates); OUE: exact (bits are independent); OLH: exact marginals
/// Bin(n_v, p) + Bin(n - n_v, q), but candidates are drawn independently although real
/// reports correlate them through shared users.
std::vector<double> sample_support_counts(const FrequencyOracle& fo, const std::vector<uint64_t>& holders, uint64_t n,
                                          Rng& rng);

}  // namespace flemu::analytics
