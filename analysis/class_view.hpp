// The report's per-class view: what each device class of a run did, so that runs can be set
// side by side class by class (the question behind most what-ifs: "what happened to the
// phones?").
//
// A run's devices are those of devices.csv and any other device named by an event; a
// device's class comes from devices.csv, else from the resolved scenario
// (analysis/run_reader.hpp: device_class); devices without a class form "(no class)".
// Classes are listed in the order of their first device (the scenario's order).
//
// Dataset rows (analysis/report_data.hpp names them "per_class" and "per_class_states"):
//   per_class          run, class, class_order, devices,
//                      energy_j (sum of devices.csv energy_j; null when no device has it),
//                      updates_sent (upload events), updates_accepted (uploads no update_dropped
//                      event names, by client and round), updates_dropped (update_dropped events),
//                      staleness_mean, staleness_max (uploads carrying a staleness; null if none)
//   per_class_states   run, class, class_order, state, state_order, seconds (summed over the
//                      class's devices, from the device timeline; devices no event names count
//                      as idle for the whole run), share (seconds / (devices x run length))
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/device_timeline.hpp"
#include "analysis/run_reader.hpp"

namespace flemu::analysis {

/// Shown for devices without a class.
extern const char* const kNoClass;

/// Device index -> class name ("(no class)" for none) of every device of the run, and the
/// classes in order of their first device.
struct DeviceClasses {
  std::vector<int> devices;               ///< ascending indices
  std::vector<std::string> hosts;         ///< host of devices[i]
  std::vector<std::string> classes;       ///< class of devices[i]
  std::vector<std::string> class_order;   ///< distinct classes, first device first
  int order_of(const std::string& cls) const;
  const std::string& class_of(int device) const;  ///< kNoClass when unknown
};

DeviceClasses device_classes(const RunData& run, const DeviceTimeline& tl);

/// Appends the run's rows to the two datasets.
void add_per_class_rows(const RunData& run, const DeviceTimeline& tl, const DeviceClasses& dc,
                        nlohmann::json& per_class, nlohmann::json& per_class_states);

}  // namespace flemu::analysis
