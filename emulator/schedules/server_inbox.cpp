#include "emulator/schedules/server_inbox.hpp"

#include <cmath>
#include <stdexcept>

namespace sg4 = simgrid::s4u;

namespace flemu {

ServerInbox::ServerInbox(sg4::Host* server, FluidTransfers* fluid)
    : server_(server), fluid_(fluid), arrived_(sg4::Semaphore::create(0)) {}

void ServerInbox::send(int device, double bytes, ServerEnd server_end) {
  transfer_bytes(TransferWay::ToServer, server_, device, static_cast<uint64_t>(bytes), server_end, fluid_);
}

void ServerInbox::post(std::unique_ptr<ServerMessage> message) {
  Item item;
  item.device = message->update.client;
  item.message = std::move(message);
  queue_.push_back(std::move(item));
  arrived_->release();
}

void ServerInbox::on_device_state(int device, bool on, const std::string&) {
  Item item;
  item.device = device;
  item.on = on;
  queue_.push_back(std::move(item));
  arrived_->release();
}

void ServerInbox::fail(const std::string& what) {
  Item item;
  item.error = what;
  queue_.push_back(std::move(item));
  arrived_->release();
}

bool ServerInbox::next(double until_s, Item& item) {
  if (std::isinf(until_s)) {
    arrived_->acquire();
  } else {
    const double wait = until_s - sg4::Engine::get_clock();
    if (wait <= 0 ? arrived_->would_block() : arrived_->acquire_timeout(wait)) return false;  // timed out
    if (wait <= 0) arrived_->acquire();
  }
  item = std::move(queue_.front());
  queue_.pop_front();
  if (item.message && decoder_) decoder_(*item.message);
  if (!item.error.empty()) throw std::runtime_error(item.error);
  return true;
}

}  // namespace flemu
