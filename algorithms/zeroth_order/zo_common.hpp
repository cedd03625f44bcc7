// What the zeroth-order federated methods (FedZO, FZooS) share: the query interface, Adam,
// the server's averaging step and the record of one client's local work.
// Pure maths: no SimGrid, no I/O.
#pragma once
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

namespace flemu::zo {

using Vec = std::vector<double>;

/// A client's black box: f_i(x). Every call is one query, counted by the caller's QueryCounter.
using QueryFn = std::function<double(const Vec&)>;

/// Counts the queries a client makes (what costs device time and what the paper plots against).
class QueryCounter {
 public:
  explicit QueryCounter(QueryFn f) : f_(std::move(f)) {}
  double operator()(const Vec& x) {
    ++queries_;
    return f_(x);
  }
  int64_t queries() const { return queries_; }

 private:
  QueryFn f_;
  int64_t queries_ = 0;
};

/// Adam (Kingma & Ba 2015) with optax's defaults (b1 0.9, b2 0.999, eps 1e-8): x <- x - lr m^/(sqrt(v^)+eps).
/// Both methods' code (shuyao95/FZooS, optimizers.py) starts a fresh Adam every round.
class Adam {
 public:
  Adam(size_t d, double lr) : lr_(lr), m_(d, 0.0), v_(d, 0.0) {}
  void step(Vec& x, const Vec& g) {
    ++t_;
    const double c1 = 1 - std::pow(0.9, t_), c2 = 1 - std::pow(0.999, t_);
    for (size_t j = 0; j < x.size(); ++j) {
      m_[j] = 0.9 * m_[j] + 0.1 * g[j];
      v_[j] = 0.999 * v_[j] + 0.001 * g[j] * g[j];
      x[j] -= lr_ * (m_[j] / c1) / (std::sqrt(v_[j] / c2) + 1e-8);
    }
  }

 private:
  double lr_;
  Vec m_, v_;
  int t_ = 0;
};

/// One client's local phase of a round.
struct LocalResult {
  Vec x;                  ///< x_{i,T}
  double start_value = 0; ///< f_i(x_r), queried at the start (the server's accept test can use it)
  int64_t queries = 0;    ///< queries made
  double compute_flops = 0;  ///< flops of the method's own maths (surrogates, estimators), on the device
};

/// Server step of both methods (code: run_server): x <- x - eta sum_i w_i (x - x_i), with
/// w_i = 1/|arrived| over the clients whose update arrived.
Vec average_step(const Vec& x, const std::vector<Vec>& locals, double eta);

}  // namespace flemu::zo

namespace flemu::zo {

/// What a phase of client work costs, known before it runs (so the device's simulated time
/// can pass while the real computation runs on a worker thread): queries and the method's
/// own flops. The phase's own count must come out equal.
struct Work {
  int64_t queries = 0;
  double flops = 0;
};

}  // namespace flemu::zo
