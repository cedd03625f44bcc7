// Where each round's simulated time went: download, compute (local training), upload, waiting.
//
// Two splits of the same round duration (round_end.t - round_start.t), both from the span
// events of events.jsonl:
//  * critical path — the spans of the client whose accepted upload finished last, i.e. the
//    straggler the synchronous server waited for. "waiting" is the rest of the round: server
//    aggregation/evaluation, and gaps between the straggler's spans. This split answers "why did
//    the round take this long" (slow links vs slow devices) and is what the report shows first.
//  * mean of participants — the mean span durations over every client that had a span in the
//    round (dropped ones included, a missing span counting 0); "waiting" is what is left of the
//    round, i.e. the average device's idle time behind stragglers. This split answers "how busy
//    were the devices".
// An upload counts as accepted unless an update_dropped event names its client and round, or
// it ended after round_end. Rounds missing round_start or round_end are left out. If spans
// add up to more than the round (spans that began before round_start, async schedules),
// waiting is clamped to 0 and the bar is taller than the round.
#pragma once
#include <vector>

#include "analysis/run_reader.hpp"

namespace flemu::analysis {

struct RoundSplit {
  int round = 0;
  double start_s = 0, end_s = 0;  ///< round_start and round_end times, s
  double download_s = 0, compute_s = 0, upload_s = 0, waiting_s = 0;
  int critical_client = -1;       ///< critical path only: the straggler; -1 if no upload was accepted
  int participants = 0;           ///< clients with at least one span in the round
};

struct RoundBreakdown {
  std::vector<RoundSplit> critical_path;  ///< one per complete round, in round order
  std::vector<RoundSplit> mean;           ///< same rounds
};

RoundBreakdown round_breakdown(const std::vector<TraceEvent>& events);

/// Whether a run's rounds bound its updates: at least half of its uploads end by their round's
/// round_end (synchronous schedules). Asynchronous and anarchic updates land model versions
/// after the one they were engaged for, so their "rounds" have nothing to split. A run
/// without uploads counts as synchronous.
bool has_synchronous_rounds(const std::vector<TraceEvent>& events);

}  // namespace flemu::analysis
