#include "workloads/objectives/black_box.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "workloads/rng.hpp"

namespace flemu {

const char* to_string(BlackBoxFunction f) {
  switch (f) {
    case BlackBoxFunction::Quadratic: return "quadratic";
    case BlackBoxFunction::Ackley: return "ackley";
    case BlackBoxFunction::Levy: return "levy";
  }
  return "?";
}

BlackBoxFunction black_box_from_name(const std::string& name) {
  if (name == "quadratic") return BlackBoxFunction::Quadratic;
  if (name == "ackley") return BlackBoxFunction::Ackley;
  if (name == "levy") return BlackBoxFunction::Levy;
  throw std::invalid_argument("no black-box function \"" + name + "\" (quadratic, ackley, levy)");
}

BlackBoxProblem::BlackBoxProblem(const BlackBoxSpec& spec, int clients, uint64_t seed)
    : spec_(spec), clients_(clients) {
  if (clients < 1) throw std::invalid_argument("black box: at least one client");
  if (spec.dimension < 2) throw std::invalid_argument("black box: dimension >= 2");
  const size_t d = static_cast<size_t>(spec.dimension), n = static_cast<size_t>(clients);
  const double base1 = spec.function == BlackBoxFunction::Quadratic ? 1.0 : 0.1;
  const double base2 = spec.function == BlackBoxFunction::Quadratic ? 1.0 : 0.0;
  c1_.resize(n * d);
  c2_.resize(n * d);
  Rng rng(seed);
  auto draw = [&](std::vector<double>& c, double base) {
    for (size_t j = 0; j < d; ++j) {
      const auto pi = rng.dirichlet(clients, 1.0 / clients);
      for (size_t i = 0; i < n; ++i) c[i * d + j] = base + spec.heterogeneity * (pi[i] - 1.0 / clients);
    }
  };
  draw(c1_, base1);
  draw(c2_, base2);
}

double BlackBoxProblem::value(int client, const double* x) const {
  const size_t d = static_cast<size_t>(spec_.dimension);
  const double* c1 = &c1_[static_cast<size_t>(client) * d];
  const double* c2 = &c2_[static_cast<size_t>(client) * d];
  auto p = [&](size_t j) { return 20.0 * std::clamp(x[j], 0.0, 1.0) - 10.0; };
  const double dd = static_cast<double>(d);
  switch (spec_.function) {
    case BlackBoxFunction::Quadratic: {
      double s = 1.0;
      for (size_t j = 0; j < d; ++j) s += c1[j] * p(j) * p(j) + c2[j] * p(j);
      return 0.1 / dd * s;
    }
    case BlackBoxFunction::Ackley: {
      const double a = 20, b = 0.2, c = M_PI;
      double sq = 0, cs = 0;
      for (size_t j = 0; j < d; ++j) {
        const double z = c1[j] * (p(j) - c2[j]);
        sq += z * z;
        cs += std::cos(c * z);
      }
      return -a * std::exp(-b * std::sqrt(sq / dd)) - std::exp(cs / dd) + a + M_E;
    }
    case BlackBoxFunction::Levy: {
      auto w = [&](size_t j) { return 1.0 + (c1[j] * (p(j) - c2[j]) - 1.0) / 4.0; };
      const double w0 = w(0), wd = w(d - 1);
      double s = std::pow(std::sin(M_PI * w0), 2);
      for (size_t j = 0; j + 1 < d; ++j) {
        const double wj = w(j);
        s += (wj - 1) * (wj - 1) * (1 + 10 * std::pow(std::sin(M_PI * wj + 1), 2));
      }
      s += (wd - 1) * (wd - 1) * (1 + std::pow(std::sin(2 * M_PI * wd), 2));
      return s;
    }
  }
  return 0;
}

double BlackBoxProblem::global_value(const std::vector<double>& x) const {
  double s = 0;
  for (int i = 0; i < clients_; ++i) s += value(i, x.data());
  return s / clients_;
}

double BlackBoxProblem::optimum_value() const {
  return optimum_exact() ? -0.025 + 0.1 / spec_.dimension : 0.0;
}

std::vector<double> BlackBoxProblem::initial_point(uint64_t seed) const {
  Rng rng(seed);
  std::vector<double> x(static_cast<size_t>(spec_.dimension));
  for (auto& v : x) v = rng.uniform();
  return x;
}

}  // namespace flemu
