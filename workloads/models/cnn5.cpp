#include "workloads/models/cnn5.hpp"

namespace flemu {

const std::vector<ConvSpec>& cnn5_layers() {
  static const std::vector<ConvSpec> layers = {
      {1, 16, 1, 28, 28}, {16, 16, 1, 28, 28}, {16, 32, 2, 28, 14}, {32, 32, 1, 14, 14}, {32, 64, 2, 14, 7}};
  return layers;
}

}  // namespace flemu
