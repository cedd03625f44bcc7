// Black-box objectives for zeroth-order federated optimisation: client i can only query the
// value f_i(x) of its own function; the federation minimises F(x) = (1/N) sum_i f_i(x).
//
// The synthetic suite of FZooS (Shu, Lin, Dai, Low, arXiv 2308.04077; code shuyao95/FZooS,
// funcs/synthetics.py; card local-rules.md 6(f)): x in [0,1]^d is clipped and mapped to
// p = 20 x - 10 in [-10,10]^d. Heterogeneity C: for each coordinate j, pi_j ~ Dirichlet(1/N,..)
// over the N clients, and client i's coefficient is base + C (pi_ji - 1/N), so coefficients
// average exactly to `base` over clients (independent draws for each coefficient family).
//   Quadratic: f_i = (0.1/d) [sum_j c1_ij p_j^2 + sum_j c2_ij p_j + 1], bases 1 and 1. F is the
//     C = 0 function, minimised at p_j = -0.5 (x_j = 0.475): F* = -0.025 + 0.1/d (-0.024667 at
//     d = 300), exact.
//   Ackley: f_i = Ackley(c1_i * (p - c2_i)) with a = 20, b = 0.2, c = pi (not 2 pi), scales
//     c1 = 0.1 + C(pi - 1/N) and centres c2 = C(pi - 1/N). Each f_i >= 0.
//   Levy: f_i = Levy(c1_i * (p - c2_i)), same scales and centres. Each f_i >= 0. The code sums
//     the middle term over coordinates 2..d-1 (its slice w[1:d-1]); here over 1..d-1, the
//     standard Levy function.
// For Ackley and Levy F* has no closed form; optimum_value() returns the lower bound 0 and
// optimum_exact() says so: the "gap" is then F - 0, an upper bound of the true gap.
// Pure maths: no SimGrid, no I/O.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace flemu {

enum class BlackBoxFunction { Quadratic, Ackley, Levy };
const char* to_string(BlackBoxFunction f);
/// "quadratic" | "ackley" | "levy"; throws std::invalid_argument otherwise.
BlackBoxFunction black_box_from_name(const std::string& name);

struct BlackBoxSpec {
  BlackBoxFunction function = BlackBoxFunction::Quadratic;
  int dimension = 300;          ///< d
  double heterogeneity = 0.5;   ///< C: spread of the clients' coefficients (0 = identical clients)
  double flops_per_query = 1e9; ///< simulated device work of one query f_i(x), flop
};

class BlackBoxProblem {
 public:
  /// The functions of `clients` clients, coefficients drawn from `seed`.
  BlackBoxProblem(const BlackBoxSpec& spec, int clients, uint64_t seed);

  int dimension() const { return spec_.dimension; }
  int clients() const { return clients_; }
  const BlackBoxSpec& spec() const { return spec_; }
  /// f_i(x): a query (x of size d; values outside [0,1] are clipped, as the code does).
  double value(int client, const double* x) const;
  double value(int client, const std::vector<double>& x) const { return value(client, x.data()); }
  /// F(x) = mean over clients: a measurement for metrics, not a query anyone makes.
  double global_value(const std::vector<double>& x) const;
  /// F* (exact for Quadratic) or a lower bound (0 for Ackley and Levy).
  double optimum_value() const;
  bool optimum_exact() const { return spec_.function == BlackBoxFunction::Quadratic; }
  /// x0 ~ U[0,1]^d, as the code.
  std::vector<double> initial_point(uint64_t seed) const;

 private:
  BlackBoxSpec spec_;
  int clients_;
  std::vector<double> c1_, c2_;  ///< [client * d + j]
};

}  // namespace flemu
