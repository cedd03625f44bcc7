#include "algorithms/client_state.hpp"

#include <stdexcept>

namespace flemu {

ClientStateStore::ClientStateStore(std::vector<std::string> slots) : slots_(std::move(slots)) {}

std::shared_ptr<const Params> ClientStateStore::get(int client, int slot) const {
  if (slot < 0 || slot >= static_cast<int>(slots_.size()))
    throw std::out_of_range("ClientStateStore: no slot " + std::to_string(slot));
  auto it = state_.find(client);
  return it == state_.end() ? nullptr : it->second[slot];
}

void ClientStateStore::put(int client, int slot, Params value) {
  if (slot < 0 || slot >= static_cast<int>(slots_.size()))
    throw std::out_of_range("ClientStateStore: no slot " + std::to_string(slot));
  auto& vectors = state_[client];
  vectors.resize(slots_.size());
  if (vectors[slot]) bytes_ -= static_cast<int64_t>(vectors[slot]->size() * sizeof(float));
  bytes_ += static_cast<int64_t>(value.size() * sizeof(float));
  vectors[slot] = std::make_shared<const Params>(std::move(value));
}

}  // namespace flemu
