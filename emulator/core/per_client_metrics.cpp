#include "emulator/core/per_client_metrics.hpp"

#include <algorithm>
#include <cmath>

namespace flemu {

AccuracySummary summarize_clients(const std::vector<ClassCounts>& clients) {
  AccuracySummary s;
  std::vector<double> accuracies;
  int64_t hits = 0, samples = 0;
  std::vector<int64_t> class_hits, class_total;
  for (const auto& c : clients) {
    const int64_t n = c.samples();
    if (n == 0) continue;
    accuracies.push_back(static_cast<double>(c.hits()) / n);
    hits += c.hits();
    samples += n;
    if (class_total.size() < c.total.size()) {
      class_total.resize(c.total.size(), 0);
      class_hits.resize(c.total.size(), 0);
    }
    for (size_t k = 0; k < c.total.size(); ++k) class_total[k] += c.total[k], class_hits[k] += c.correct[k];
  }
  s.clients = static_cast<int>(accuracies.size());
  if (accuracies.empty()) return s;
  s.mean = static_cast<double>(hits) / samples;
  double sum = 0;
  for (double a : accuracies) sum += a;
  s.client_mean = sum / accuracies.size();
  std::sort(accuracies.begin(), accuracies.end());
  s.p10 = accuracies[accuracies.size() / 10];
  for (size_t k = 0; k < class_total.size(); ++k)
    s.per_class.push_back(class_total[k] ? static_cast<double>(class_hits[k]) / class_total[k] : NAN);
  return s;
}

}  // namespace flemu
