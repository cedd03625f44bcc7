// devices.csv: one row per device at the end of a run.
//   device, name, class   index, host name, class ("" for explicit devices)
//   speed_flops, cores, uplink_Bps, downlink_Bps, latency_s   the device after jitter
//   compute_energy_j, radio_energy_j, energy_j   energy used (empty without a power model)
//   battery_fraction   charge left, fraction of capacity (empty without battery)
//   charged_j          energy its battery took from chargers (empty without battery); the
//                      books balance: initial charge + charged_j - energy_j = charge left
#pragma once
#include <string>

#include "emulator/core/federation.hpp"

namespace flemu {

void write_device_table(const std::string& path, const Federation& fed);

}  // namespace flemu
