// Typed description of the FL method, as read from a scenario's "algorithm" section.
#pragma once
#include <string>

namespace flemu {

struct AlgorithmSpec {
  std::string name = "fedavg";
  int clients_per_round = 10;  ///< K clients sampled per round (sync algorithms)
  int local_epochs = 1;        ///< passes over the client's data (used when local_steps == 0)
  int local_steps = 0;         ///< if > 0: fixed number of minibatch steps instead of epochs
  int batch_size = 32;
  double lr = 0.05;            ///< client (local) learning rate
  double server_lr = 1.0;      ///< server learning rate applied to the averaged update
};

}  // namespace flemu
