#include "algorithms/analytics/frequency_oracle.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include <xxhash.h>

#include "algorithms/analytics/binomial.hpp"

namespace flemu::analytics {

namespace {

uint64_t bits_for(uint64_t values) {  // ceil(log2(values)), at least 1
  uint64_t bits = 1;
  while (bits < 64 && (uint64_t{1} << bits) < values) ++bits;
  return bits;
}

uint64_t bytes_for_bits(uint64_t bits) { return (bits + 7) / 8; }

bool test_bit(const std::vector<uint64_t>& words, uint64_t i) { return (words[i / 64] >> (i % 64)) & 1u; }

}  // namespace

const char* to_string(OracleKind kind) {
  switch (kind) {
    case OracleKind::Grr: return "grr";
    case OracleKind::Oue: return "oue";
    case OracleKind::Olh: return "olh";
  }
  return "?";
}

OracleKind oracle_from_name(const std::string& name) {
  if (name == "grr") return OracleKind::Grr;
  if (name == "oue") return OracleKind::Oue;
  if (name == "olh") return OracleKind::Olh;
  throw std::invalid_argument("no frequency oracle \"" + name + "\" (grr, oue, olh)");
}

FrequencyOracle make_oracle(OracleKind kind, double epsilon, uint64_t domain) {
  if (!(epsilon > 0)) throw std::invalid_argument("frequency oracle: epsilon must be > 0");
  if (kind != OracleKind::Olh && domain < 2)
    throw std::invalid_argument(std::string("frequency oracle ") + to_string(kind) + ": a domain of >= 2 values");
  FrequencyOracle fo;
  fo.kind = kind;
  fo.epsilon = epsilon;
  fo.domain = kind == OracleKind::Olh ? 0 : domain;
  const bool exact = std::isinf(epsilon);
  const double e = std::exp(epsilon);
  switch (kind) {
    case OracleKind::Grr:
      fo.p = exact ? 1.0 : e / (e + static_cast<double>(domain) - 1);
      fo.q = exact ? 0.0 : 1.0 / (e + static_cast<double>(domain) - 1);
      break;
    case OracleKind::Oue:
      fo.p = 0.5;
      fo.q = exact ? 0.0 : 1.0 / (e + 1);
      break;
    case OracleKind::Olh: {
      const double cap = 4294967296.0;  // 2^32: the perturbed value travels in at most 4 bytes
      fo.g = static_cast<uint64_t>(exact || e + 1 >= cap ? cap : std::max(2.0, std::floor(e) + 1));
      const double g = static_cast<double>(fo.g);
      fo.p = exact ? 1.0 : e / (e + g - 1);
      fo.q = 1.0 / g;
      break;
    }
  }
  return fo;
}

uint64_t report_bytes(const FrequencyOracle& fo) {
  switch (fo.kind) {
    case OracleKind::Grr: return bytes_for_bits(bits_for(fo.domain));
    case OracleKind::Oue: return bytes_for_bits(fo.domain);
    case OracleKind::Olh: return 4 + bytes_for_bits(bits_for(fo.g));
  }
  return 0;
}

uint64_t olh_hash(uint64_t value, uint32_t seed, uint64_t g) {
  unsigned char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(value >> (8 * i));
  return XXH32(bytes, sizeof bytes, seed) % g;
}

Report perturb(const FrequencyOracle& fo, uint64_t truth, Rng& rng) {
  Report r;
  switch (fo.kind) {
    case OracleKind::Grr: {
      if (truth >= fo.domain) throw std::invalid_argument("grr: value outside the domain");
      // Keep the true index with probability p, else any of the d - 1 others uniformly.
      if (rng.uniform() < fo.p) {
        r.value = static_cast<uint32_t>(truth);
      } else {
        const uint64_t other = rng.below(fo.domain - 1);
        r.value = static_cast<uint32_t>(other >= truth ? other + 1 : other);
      }
      break;
    }
    case OracleKind::Oue: {
      if (truth >= fo.domain) throw std::invalid_argument("oue: value outside the domain");
      r.bits.assign((fo.domain + 63) / 64, 0);
      // Each bit other than the true one is set with probability q: jump from one set bit to
      // the next with geometric gaps (as many uniforms as set bits, not as bits).
      if (fo.q > 0) {
        const double log_keep = std::log1p(-fo.q);
        double pos = -1;
        for (;;) {
          double u = rng.uniform();
          while (u <= 0) u = rng.uniform();
          pos += 1 + std::floor(std::log(u) / log_keep);
          if (pos >= static_cast<double>(fo.domain)) break;
          const auto i = static_cast<uint64_t>(pos);
          r.bits[i / 64] |= uint64_t{1} << (i % 64);
        }
      }
      // The true bit is 1 with probability p = 1/2, whatever the draw above gave it.
      const uint64_t mask = uint64_t{1} << (truth % 64);
      if (rng.uniform() < fo.p)
        r.bits[truth / 64] |= mask;
      else
        r.bits[truth / 64] &= ~mask;
      break;
    }
    case OracleKind::Olh: {
      r.seed = static_cast<uint32_t>(rng.next_u64());
      const uint64_t h = olh_hash(truth, r.seed, fo.g);
      if (rng.uniform() < fo.p) {
        r.value = static_cast<uint32_t>(h);
      } else {
        const uint64_t other = rng.below(fo.g - 1);
        r.value = static_cast<uint32_t>(other >= h ? other + 1 : other);
      }
      break;
    }
  }
  return r;
}

std::vector<double> support_counts(const FrequencyOracle& fo, const std::vector<Report>& reports,
                                   const std::vector<uint64_t>& candidates) {
  std::vector<double> s(candidates.size(), 0.0);
  switch (fo.kind) {
    case OracleKind::Grr:
      for (const auto& r : reports)
        if (r.value < s.size()) s[r.value] += 1;
      break;
    case OracleKind::Oue: {
      std::vector<uint64_t> tally(candidates.size(), 0);
      for (const auto& r : reports)
        for (size_t i = 0; i < tally.size(); ++i) tally[i] += test_bit(r.bits, i);
      for (size_t i = 0; i < tally.size(); ++i) s[i] = static_cast<double>(tally[i]);
      break;
    }
    case OracleKind::Olh: {
      std::vector<uint64_t> tally(candidates.size(), 0);
      for (const auto& r : reports)
        for (size_t i = 0; i < candidates.size(); ++i) tally[i] += olh_hash(candidates[i], r.seed, fo.g) == r.value;
      for (size_t i = 0; i < tally.size(); ++i) s[i] = static_cast<double>(tally[i]);
      break;
    }
  }
  return s;
}

std::vector<double> estimate_counts(const FrequencyOracle& fo, const std::vector<double>& support, uint64_t n) {
  std::vector<double> c(support.size());
  const double nq = static_cast<double>(n) * fo.q;
  for (size_t i = 0; i < support.size(); ++i) c[i] = (support[i] - nq) / (fo.p - fo.q);
  return c;
}

double count_variance(const FrequencyOracle& fo, double n, double n_v) {
  const double d = fo.p - fo.q;
  return (n_v * fo.p * (1 - fo.p) + (n - n_v) * fo.q * (1 - fo.q)) / (d * d);
}

std::vector<double> sample_support_counts(const FrequencyOracle& fo, const std::vector<uint64_t>& holders, uint64_t n,
                                          Rng& rng) {
  uint64_t held = 0;
  for (uint64_t h : holders) held += h;
  if (held > n) throw std::invalid_argument("sample_support_counts: more holders than users");
  const uint64_t outside = n - held;
  std::vector<double> s(holders.size(), 0.0);
  switch (fo.kind) {
    case OracleKind::Grr: {
      // A GRR report is the true index with probability p - q = 1 - d q, else uniform over all
      // d indices: keepers per index, then the rest thrown uniformly (exact joint law).
      if (fo.domain != holders.size() && fo.domain != holders.size() + 1)
        throw std::invalid_argument("sample_support_counts: grr domain must be the candidates (+ one other slot)");
      if (fo.domain == holders.size() && outside > 0)
        throw std::invalid_argument("sample_support_counts: grr users outside a domain without an other slot");
      std::vector<uint64_t> slot_holders = holders;
      if (fo.domain == holders.size() + 1) slot_holders.push_back(outside);
      const double keep = fo.p - fo.q;
      uint64_t kept_total = 0;
      std::vector<uint64_t> kept(slot_holders.size());
      for (size_t i = 0; i < slot_holders.size(); ++i) kept_total += kept[i] = sample_binomial(slot_holders[i], keep, rng);
      const auto thrown = sample_uniform_multinomial(n - kept_total, fo.domain, rng);
      for (size_t i = 0; i < holders.size(); ++i) s[i] = static_cast<double>(kept[i] + thrown[i]);
      break;
    }
    case OracleKind::Oue:
    case OracleKind::Olh:
      for (size_t i = 0; i < holders.size(); ++i)
        s[i] = static_cast<double>(sample_binomial(holders[i], fo.p, rng) + sample_binomial(n - holders[i], fo.q, rng));
      break;
  }
  return s;
}

}  // namespace flemu::analytics
