// DFedSAM and DFedSAM-MGS — Y. Shi, L. Shen, K. Wei, Y. Sun, B. Yuan, X. Wang, D. Tao, "Improving
// the Model Consistency of Decentralized Federated Learning", ICML 2023 (arXiv 2302.04083),
// Algorithm 1 (card decentralized.md section 1).
//
//   every round t, every node i in parallel:
//     y = x_i;  K local steps, each on one minibatch xi:
//         g = grad F_i(y; xi);  e = rho g / ||g||_2  (one global norm over all tensors)
//         y <- y - eta_t grad F_i(y + e; xi)          (same minibatch; y itself is updated)
//     z^0 = y;  for q = 1..Q:  z^q = W_ii z^{q-1} + sum_j W_ij z_j^{q-1}   (a real exchange each)
//     x_i = z^Q
// DFedSAM is Q = 1; DFedSAM-MGS ("multiple gossip steps") Q > 1 (algorithm.gossip_steps), each
// phase paying the network's latency again. On the complete graph with W = J one step already
// averages exactly, so Q has no effect there: same bits (tests/test_decentralized.cpp).
// The SAM step is the local rules' FedSAM step (algorithms/fl/fedsam.hpp: normalised ascent,
// ||.|| + 1e-7, two gradient evaluations per step, charged as such in simulated flops). The
// paper's form (train, then gossip with a symmetric doubly stochastic W) is the default; the
// DisPFL lineage code's average-then-train with row-stochastic random-peer weights is not
// implemented (card trap 1).
#pragma once
#include "algorithms/decentralized/dfedavg.hpp"
#include "algorithms/fl/fedsam.hpp"

namespace flemu {

class DFedSam : public DFedAvg {
 public:
  using DFedAvg::DFedAvg;
  std::string name() const override { return "dfedsam"; }
  LocalTrainingSpec local_training(int node, int round) const override {
    LocalTrainingSpec local = DFedAvg::local_training(node, round);
    local.rule = fedsam_step(local.rule, spec_.rho);
    return local;
  }
};

class DFedSamMgs : public DFedSam {
 public:
  using DFedSam::DFedSam;
  std::string name() const override { return "dfedsam-mgs"; }
  int gossip_steps() const override { return spec_.decentralized.gossip_steps; }
};

}  // namespace flemu
