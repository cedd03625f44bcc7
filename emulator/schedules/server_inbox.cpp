#include "emulator/schedules/server_inbox.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

ServerInbox::ServerInbox(sg4::Host* server, FluidTransfers* fluid)
    : server_(server), fluid_(fluid), arrived_(sg4::Semaphore::create(0)) {}

void ServerInbox::deliver(int device, std::unique_ptr<ServerMessage> message, double bytes, ServerEnd server_end) {
  transfer_bytes(TransferWay::ToServer, server_, device, static_cast<uint64_t>(bytes), server_end, fluid_);
  queue_.push_back(std::move(message));
  arrived_->release();
}

std::unique_ptr<ServerMessage> ServerInbox::next(double timeout_s) {
  if (arrived_->acquire_timeout(timeout_s)) return nullptr;  // true: timed out
  auto message = std::move(queue_.front());
  queue_.pop_front();
  return message;
}

}  // namespace flemu
