#include "workloads/data/text_dataset.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "workloads/rng.hpp"

namespace flemu {

namespace {

/// Decodes one code point at `i` (advancing it); invalid UTF-8 yields the byte's value.
uint32_t next_code_point(const std::string& s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const int extra = b0 < 0x80                  ? 0
                    : b0 >= 0xC2 && b0 < 0xE0 ? 1
                    : b0 >= 0xE0 && b0 < 0xF0 ? 2
                    : b0 >= 0xF0 && b0 < 0xF5 ? 3
                                              : -1;
  if (extra <= 0 || i + extra >= s.size()) {
    ++i;
    return b0;
  }
  uint32_t cp = b0 & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return b0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += extra + 1;
  return cp;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

Vocabulary Vocabulary::bytes() { return Vocabulary(); }

Vocabulary Vocabulary::characters(const std::vector<const std::vector<std::string>*>& texts) {
  std::set<uint32_t> seen;
  for (const auto* group : texts)
    for (const auto& t : *group)
      for (size_t i = 0; i < t.size();) seen.insert(next_code_point(t, i));
  Vocabulary v;
  v.kind_ = TokenKind::Char;
  v.code_points_.assign(seen.begin(), seen.end());
  return v;
}

int Vocabulary::size() const {
  return kind_ == TokenKind::Byte ? 257 : static_cast<int>(code_points_.size()) + 2;
}

std::vector<int32_t> Vocabulary::encode(const std::string& text) const {
  std::vector<int32_t> out;
  out.reserve(text.size());
  if (kind_ == TokenKind::Byte) {
    for (char c : text) out.push_back(static_cast<unsigned char>(c));
    return out;
  }
  const int32_t unknown = size() - 2;
  for (size_t i = 0; i < text.size();) {
    const uint32_t cp = next_code_point(text, i);
    auto it = std::lower_bound(code_points_.begin(), code_points_.end(), cp);
    out.push_back(it != code_points_.end() && *it == cp ? static_cast<int32_t>(it - code_points_.begin()) : unknown);
  }
  return out;
}

std::string Vocabulary::decode(const std::vector<int32_t>& tokens) const {
  std::string out;
  for (int32_t t : tokens) {
    if (t == end_of_text()) {
      out += "\n%\n";
    } else if (kind_ == TokenKind::Byte) {
      out.push_back(static_cast<char>(t));
    } else if (t >= 0 && t < static_cast<int32_t>(code_points_.size())) {
      append_utf8(out, code_points_[t]);
    } else {
      append_utf8(out, 0xFFFD);
    }
  }
  return out;
}

TextData make_text_data(const Vocabulary& vocab, int context, const std::vector<std::vector<std::string>>& client_texts,
                        const std::vector<std::string>& client_names, double held_out, uint64_t held_out_seed) {
  if (context < 1) throw std::invalid_argument("text data: context >= 1");
  if (held_out < 0 || held_out >= 1) throw std::invalid_argument("text data: held_out in [0, 1)");
  if (client_names.size() != client_texts.size()) throw std::invalid_argument("text data: one name per client");
  TextData d;
  d.vocab = vocab;
  d.context = context;
  d.client_names = client_names;
  const int n_clients = static_cast<int>(client_texts.size());
  d.train_parts.resize(n_clients);
  d.test_parts.resize(n_clients);
  // One stream, cut into windows: windows never cross into the next stream.
  auto add_stream = [&](const std::vector<const std::string*>& texts, std::vector<int64_t>& windows,
                        std::vector<int32_t>& part) {
    const int64_t begin = static_cast<int64_t>(d.tokens.size());
    for (const auto* t : texts) {
      auto tok = vocab.encode(*t);
      d.tokens.insert(d.tokens.end(), tok.begin(), tok.end());
      d.tokens.push_back(vocab.end_of_text());
    }
    const int64_t end = static_cast<int64_t>(d.tokens.size());
    for (int64_t s = begin; s + context + 1 <= end; s += context) {
      part.push_back(static_cast<int32_t>(windows.size()));
      windows.push_back(s);
    }
  };
  for (int c = 0; c < n_clients; ++c) {
    const auto& texts = client_texts[c];
    const int64_t n = static_cast<int64_t>(texts.size());
    d.client_texts.push_back(n);
    std::vector<int32_t> order(n);
    for (int64_t i = 0; i < n; ++i) order[i] = static_cast<int32_t>(i);
    Rng rng(derive_seed(held_out_seed, {static_cast<uint64_t>(c)}));
    rng.shuffle(order);
    int64_t n_test = static_cast<int64_t>(std::ceil(held_out * static_cast<double>(n) - 1e-9));
    if (held_out > 0 && n >= 2) n_test = std::max<int64_t>(n_test, 1);
    n_test = std::min(n_test, n - 1);
    std::vector<int32_t> test_idx(order.begin(), order.begin() + std::max<int64_t>(n_test, 0));
    std::vector<int32_t> train_idx(order.begin() + std::max<int64_t>(n_test, 0), order.end());
    std::sort(test_idx.begin(), test_idx.end());  // streams keep the texts' own order
    std::sort(train_idx.begin(), train_idx.end());
    std::vector<const std::string*> train, test;
    for (int32_t i : train_idx) train.push_back(&texts[i]);
    for (int32_t i : test_idx) test.push_back(&texts[i]);
    add_stream(train, d.train_windows, d.train_parts[c]);
    add_stream(test, d.test_windows, d.test_parts[c]);
    if (d.train_parts[c].empty())
      throw std::invalid_argument("text data: client \"" + client_names[c] + "\" has " + std::to_string(n) +
                                  " texts, too little for one training window of " + std::to_string(context + 1) +
                                  " tokens");
  }
  return d;
}

std::vector<std::vector<std::string>> deal_texts(const std::vector<std::vector<std::string>>& texts, int num_clients,
                                                 int texts_per_client, const PartitionSpec& spec, uint64_t seed) {
  if (texts.size() > 256) throw std::invalid_argument("deal_texts: at most 256 categories");
  std::vector<uint8_t> labels;
  std::vector<const std::string*> all;
  for (size_t c = 0; c < texts.size(); ++c)
    for (const auto& t : texts[c]) {
      labels.push_back(static_cast<uint8_t>(c));
      all.push_back(&t);
    }
  const Partition p = partition_dataset(labels, static_cast<int>(texts.size()), num_clients, texts_per_client, spec, seed);
  std::vector<std::vector<std::string>> out(num_clients);
  for (int c = 0; c < num_clients; ++c)
    for (int32_t i : p[c]) out[c].push_back(*all[i]);
  return out;
}

std::vector<std::vector<std::string>> synthetic_category_texts(const std::vector<std::string>& names,
                                                               int texts_per_category, uint64_t seed) {
  std::vector<std::vector<std::string>> out;
  for (size_t c = 0; c < names.size(); ++c) {
    // Seeded by the name (FNV-1a), so a category's texts do not depend on the others.
    uint64_t name_hash = 0xcbf29ce484222325ULL;
    for (unsigned char ch : names[c]) name_hash = (name_hash ^ ch) * 0x100000001b3ULL;
    Rng rng(derive_seed(seed, {name_hash}));
    // The category's language: 6 letters and 12 words over them.
    std::string letters;
    while (letters.size() < 6) {
      const char ch = static_cast<char>('a' + rng.below(26));
      if (letters.find(ch) == std::string::npos) letters.push_back(ch);
    }
    std::vector<std::string> words;
    for (int w = 0; w < 12; ++w) {
      std::string word;
      const int len = 2 + static_cast<int>(rng.below(4));
      for (int k = 0; k < len; ++k) word.push_back(letters[rng.below(letters.size())]);
      words.push_back(word);
    }
    std::vector<std::string> texts;
    for (int t = 0; t < texts_per_category; ++t) {
      std::string text;
      const int n = 4 + static_cast<int>(rng.below(13));
      for (int k = 0; k < n; ++k) {
        // Zipf-like word choice: low indices are frequent.
        const size_t w = std::min<size_t>(rng.below(words.size()), rng.below(words.size()));
        text += (k ? (k % 7 == 6 ? "\n" : " ") : "") + words[w];
      }
      texts.push_back(text + ".");
    }
    out.push_back(std::move(texts));
  }
  return out;
}

}  // namespace flemu
