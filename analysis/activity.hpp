// Device activity over time: what share of the devices' time went to downloading, training,
// uploading, idling, being offline or dead, window by window of simulated time. It reads the
// same for synchronous rounds and for asynchronous or anarchic runs with hundreds of model
// versions, which have no rounds to split (analysis/round_breakdown.hpp).
//
// Dataset "activity" (one row per run, window and state):
//   run, w0, w1 (the window, s; kActivityWindows equal windows over [0, end of run]),
//   state, state_order, share (device-seconds in the state within the window / (devices x
//   window length)); the shares of a window add up to 1.
#pragma once
#include <nlohmann/json.hpp>

#include "analysis/class_view.hpp"
#include "analysis/device_timeline.hpp"
#include "analysis/run_reader.hpp"

namespace flemu::analysis {

constexpr int kActivityWindows = 40;

/// Appends the run's rows; devices no event names count as idle throughout.
void add_activity_rows(const RunData& run, const DeviceTimeline& tl, const DeviceClasses& dc, nlohmann::json& rows);

}  // namespace flemu::analysis
