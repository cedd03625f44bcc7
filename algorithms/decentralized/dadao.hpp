// DADAO — A. Nabli, E. Oyallon, "DADAO: Decoupled Accelerated Decentralized Asynchronous
// Optimization", ICML 2023 (PMLR 202:25604-25626; arXiv 2208.00779), Algorithm 1, with the
// constants of the authors' code (AdelNabli/DADAO, optimizers.py, as carded in
// ../shared/cards/decentralized.md section 2; the card: implement the code's constants).
//
// Minimise sum_i f_i over a graph, each f_i L-smooth and mu-strongly convex. Node i holds six
// vectors (x, x~, y, y~, z, z~) and the time of its last event. Two independent families of
// Poisson processes drive it, never waiting for each other:
//   gradient event at node i (rate 1 per node):
//       advance node i's ODE to t;  g = grad f_i(x_i) - nu x_i - y~_i
//       x_i -= gamma g;  x~_i -= gamma~ g;  y~_i += (delta + delta~) g          (no message)
//   communication event on edge (i, j) (rate lambda_ij, summing to lambda_mix over the graph):
//       advance both ODEs to t;  m_i = y_i + z_i, m_j = y_j + z_j  (the only payloads)
//       D = m_i - m_j;  z_i -= beta D;  z~_i -= beta~ D;  z_j += beta D;  z~_j += beta~ D
// Between events every node follows its own linear ODE, solved exactly and lazily:
//   dx/dt = eta (x~ - x)     dx~/dt = eta (x - x~)
//   dy/dt = alpha (y~ - y)   dy~/dt = -theta (nu x~ + y + z)
//   dz/dt = alpha (z~ - z)   dz~/dt = alpha~ (z - z~)
// Constants (code): nu = mu/2, alpha = sqrt(nu/L)/4, alpha~ = eta = eta~ = sqrt(nu/L)/8,
// theta = sqrt(L/nu)/2, beta = 1/2, beta~ = 2 chi1(Lambda) sqrt(L/nu), delta = sqrt(nu/L)/4,
// delta~ = 1, gamma = 1/(4L), gamma~ = 1/(4 sqrt(L nu)). Here Lambda = lambda_mix L_graph / |E|
// is the rate-weighted Laplacian (uniform edge rates), so chi1(Lambda) = chi1 / lambda_mix, and
// lambda_mix = sqrt(2 chi1 chi2) (algorithms/decentralized/spectra.hpp) makes
// 2 chi1(Lambda) chi2(Lambda) = 1, the theory's condition.
// Initialisation (code): x_i ~ N(0, I) per node; the five other vectors 0 (x~ too, not x).
//
// Pure maths over float64 vectors; the emulator (emulator/schedules/dadao_clocks.cpp) draws the
// clocks and decides when events happen and what they cost on the platform.
#pragma once
#include <array>
#include <vector>

#include "workloads/data/synthetic_regression.hpp"

namespace flemu {

struct DadaoConstants {
  double nu = 0, alpha = 0, alpha_tilde = 0, eta = 0, theta = 0;
  double beta = 0, beta_tilde = 0, delta = 0, delta_tilde = 0, gamma = 0, gamma_tilde = 0;
};

/// The code's constants from mu, L and chi1(Lambda) (= chi1 / lambda_mix for uniform edge rates
/// summing to lambda_mix).
DadaoConstants dadao_constants(double mu, double L, double chi1_lambda);

/// mu = min_i (2/m) lambda_min(A_i^T A_i), L = max_i (2/m) lambda_max(A_i^T A_i) (the authors'
/// utils for linear regression).
struct Smoothness {
  double mu = 0, L = 0;
};
Smoothness regression_smoothness(const RegressionProblem& p);

/// The 6 x 6 matrix M of the ODE, in the order (x, x~, y, y~, z, z~), row-major.
std::array<double, 36> dadao_flow_matrix(const DadaoConstants& c);

struct DadaoNode {
  std::vector<double> x, x_tilde, y, y_tilde, z, z_tilde;
  double t = 0;  ///< time of the node's last event, in DADAO time units
};

/// A node of dimension d at x0, every other vector 0, last event at t = 0.
DadaoNode dadao_node(const std::vector<double>& x0);

/// Advances `node` along the ODE to time t >= node.t: S <- expm(M (t - node.t)) S.
void dadao_advance(DadaoNode& node, double t, const std::array<double, 36>& flow);

/// The gradient jump with g_f = grad f_i at the node's current x (after dadao_advance).
void dadao_gradient_step(DadaoNode& node, const std::vector<double>& grad_f, const DadaoConstants& c);

/// What node i sends at a communication event: y_i + z_i.
std::vector<double> dadao_message(const DadaoNode& node);

/// The communication jumps of edge (i, j) from the messages m_i and m_j.
void dadao_communication_step(DadaoNode& i, DadaoNode& j, const std::vector<double>& m_i,
                              const std::vector<double>& m_j, const DadaoConstants& c);

}  // namespace flemu
