#include "algorithms/decentralized/dadao.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "algorithms/decentralized/linalg.hpp"

namespace flemu {

DadaoConstants dadao_constants(double mu, double L, double chi1_lambda) {
  if (!(mu > 0) || !(L >= mu)) throw std::invalid_argument("DADAO needs 0 < mu <= L");
  DadaoConstants c;
  c.nu = mu / 2;
  const double r = std::sqrt(c.nu / L);
  c.alpha = r / 4;
  c.alpha_tilde = r / 8;
  c.eta = r / 8;
  c.theta = 0.5 / r;
  c.beta = 0.5;
  c.beta_tilde = 2 * chi1_lambda / r;
  c.delta = r / 4;
  c.delta_tilde = 1;
  c.gamma = 1 / (4 * L);
  c.gamma_tilde = 1 / (4 * std::sqrt(L * c.nu));
  return c;
}

Smoothness regression_smoothness(const RegressionProblem& p) {
  Smoothness s{INFINITY, 0};
  for (int w = 0; w < p.workers; ++w) {
    const auto ev = symmetric_eigenvalues(p.gram(w), p.dim);
    s.mu = std::min(s.mu, 2.0 / p.samples * ev.front());
    s.L = std::max(s.L, 2.0 / p.samples * ev.back());
  }
  return s;
}

std::array<double, 36> dadao_flow_matrix(const DadaoConstants& c) {
  std::array<double, 36> m{};
  auto at = [&m](int r, int k) -> double& { return m[r * 6 + k]; };
  at(0, 0) = -c.eta, at(0, 1) = c.eta;                                   // x
  at(1, 0) = c.eta, at(1, 1) = -c.eta;                                   // x~ (eta~ = eta)
  at(2, 2) = -c.alpha, at(2, 3) = c.alpha;                               // y
  at(3, 1) = -c.theta * c.nu, at(3, 2) = -c.theta, at(3, 4) = -c.theta;  // y~
  at(4, 4) = -c.alpha, at(4, 5) = c.alpha;                               // z
  at(5, 4) = c.alpha_tilde, at(5, 5) = -c.alpha_tilde;                   // z~
  return m;
}

DadaoNode dadao_node(const std::vector<double>& x0) {
  DadaoNode n;
  const std::vector<double> zero(x0.size(), 0.0);
  n.x = x0;
  n.x_tilde = n.y = n.y_tilde = n.z = n.z_tilde = zero;
  return n;
}

void dadao_advance(DadaoNode& node, double t, const std::array<double, 36>& flow) {
  if (t < node.t) throw std::invalid_argument("dadao_advance: time goes backwards");
  if (t == node.t) return;
  std::vector<double> m(flow.begin(), flow.end());
  for (auto& v : m) v *= t - node.t;
  const auto e = matrix_exponential(m, 6);
  std::vector<double>* s[6] = {&node.x, &node.x_tilde, &node.y, &node.y_tilde, &node.z, &node.z_tilde};
  const size_t d = node.x.size();
  std::vector<std::vector<double>> out(6, std::vector<double>(d, 0.0));
  for (int r = 0; r < 6; ++r)
    for (int k = 0; k < 6; ++k) {
      const double w = e[r * 6 + k];
      if (w == 0) continue;
      for (size_t q = 0; q < d; ++q) out[r][q] += w * (*s[k])[q];
    }
  for (int r = 0; r < 6; ++r) *s[r] = std::move(out[r]);
  node.t = t;
}

void dadao_gradient_step(DadaoNode& node, const std::vector<double>& grad_f, const DadaoConstants& c) {
  for (size_t q = 0; q < node.x.size(); ++q) {
    const double g = grad_f[q] - c.nu * node.x[q] - node.y_tilde[q];
    node.x[q] -= c.gamma * g;
    node.x_tilde[q] -= c.gamma_tilde * g;
    node.y_tilde[q] += (c.delta + c.delta_tilde) * g;
  }
}

std::vector<double> dadao_message(const DadaoNode& node) {
  std::vector<double> m(node.y.size());
  for (size_t q = 0; q < m.size(); ++q) m[q] = node.y[q] + node.z[q];
  return m;
}

void dadao_communication_step(DadaoNode& i, DadaoNode& j, const std::vector<double>& m_i,
                              const std::vector<double>& m_j, const DadaoConstants& c) {
  for (size_t q = 0; q < m_i.size(); ++q) {
    const double d = m_i[q] - m_j[q];
    i.z[q] -= c.beta * d;
    i.z_tilde[q] -= c.beta_tilde * d;
    j.z[q] += c.beta * d;
    j.z_tilde[q] += c.beta_tilde * d;
  }
}

}  // namespace flemu
