#include "emulator/core/trace_writer.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace flemu {

std::string to_json_line(const Event& e) {
  nlohmann::ordered_json j;
  j["t"] = e.time;
  if (!std::isnan(e.start)) j["t0"] = e.start;
  j["kind"] = to_string(e.kind);
  j["actor"] = e.actor;
  if (!e.host.empty()) j["host"] = e.host;
  if (e.round >= 0) j["round"] = e.round;
  if (e.client >= 0) j["client"] = e.client;
  if (e.bytes > 0) j["bytes"] = e.bytes;
  if (e.flops > 0) j["flops"] = e.flops;
  if (e.count >= 0) j["count"] = e.count;
  if (!std::isnan(e.accuracy)) j["accuracy"] = e.accuracy;
  if (!std::isnan(e.loss)) j["loss"] = e.loss;
  if (!e.reason.empty()) j["reason"] = e.reason;
  if (e.staleness >= 0) j["staleness"] = e.staleness;
  if (e.steps >= 0) j["steps"] = e.steps;
  if (!std::isnan(e.charge_j)) j["charge_j"] = e.charge_j;
  if (!std::isnan(e.fraction)) j["fraction"] = e.fraction;
  if (e.party >= 0) j["party"] = e.party;
  if (e.candidates >= 0) j["candidates"] = e.candidates;
  if (!std::isnan(e.value)) j["value"] = e.value;
  if (!e.op.empty()) j["op"] = e.op;
  if (e.peer >= 0) j["peer"] = e.peer;
  if (!std::isnan(e.consensus)) j["consensus"] = e.consensus;
  if (!std::isnan(e.optimum_distance)) j["optimum_distance"] = e.optimum_distance;
  if (e.dense_bytes > 0) j["dense_bytes"] = e.dense_bytes;
  if (e.paper_bytes > 0) j["paper_bytes"] = e.paper_bytes;
  return j.dump();
}

TraceWriter::TraceWriter(const std::string& path) : out_(path), path_(path) {
  if (!out_) throw std::runtime_error(path + ": cannot open for writing");
}

void TraceWriter::on_event(const Event& e) { out_ << to_json_line(e) << '\n'; }

void TraceWriter::close() {
  out_.close();
  if (!out_) throw std::runtime_error(path_ + ": write failed");
}

}  // namespace flemu
