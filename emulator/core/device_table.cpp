#include "emulator/core/device_table.hpp"

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace flemu {

void write_device_table(const std::string& path, const Federation& fed) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot open for writing");
  out << "device,name,class,speed_flops,cores,uplink_Bps,downlink_Bps,latency_s,compute_energy_j,radio_energy_j,"
         "energy_j,battery_fraction,charged_j\n";
  const bool energy = fed.fleet.measures_energy();
  for (int i = 0; i < fed.num_devices(); ++i) {
    const auto& d = fed.devices[i];
    out << fmt::format("{},{},{},{},{},{},{},{},", i, d.name, d.class_name, d.speed_flops, d.cores,
                       d.link.up_bytes_per_s, d.link.down_bytes_per_s, d.link.latency_s);
    if (energy)
      out << fmt::format("{},{},{},", fed.fleet.compute_energy_j(i), fed.fleet.radio_energy_j(i), fed.fleet.energy_j(i));
    else
      out << ",,,";
    if (fed.fleet.has_battery(i))
      out << fmt::format("{},{}", fed.fleet.charge_fraction(i), fed.fleet.charged_j(i));
    else
      out << ',';
    out << '\n';
  }
  if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace flemu
