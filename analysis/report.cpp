#include "analysis/report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <xxhash.h>

#include "analysis/gnuplot_figures.hpp"
#include "analysis/graph_report.hpp"
#include "analysis/html_report.hpp"
#include "analysis/report_data.hpp"
#include "analysis/run_reader.hpp"
#include "analysis/vega_specs.hpp"

namespace flemu::analysis {

namespace fs = std::filesystem;

std::string default_vendor_dir() {
#ifdef FLEMU_SOURCE_DIR
  return std::string(FLEMU_SOURCE_DIR) + "/analysis/node_modules";
#else
  return "";
#endif
}

SweepRuns sweep_runs(const std::string& dir) {
  SweepRuns out;
  const fs::path index = fs::path(dir) / "index.json";
  if (fs::exists(fs::path(dir) / "summary.json") || !fs::exists(index)) return out;
  std::ifstream in(index);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(index.string() + ": expected a sweep index (JSON): " + e.what());
  }
  if (!j.contains("variants") || !j["variants"].is_array())
    throw std::runtime_error(index.string() + ": expected a \"variants\" array");
  for (const auto& v : j["variants"]) {
    const std::string status = v.value("status", "");
    if (status != "ran" && status != "skipped") continue;  // failed or never run: nothing to show
    out.dirs.push_back(v.value("directory", ""));
    out.labels.push_back(v.value("label", v.value("variant", "")));
  }
  return out;
}

namespace {

fs::path absolute_normal(const std::string& dir) {
  fs::path p = fs::absolute(fs::path(dir)).lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();  // "a/b/" -> "a/b"
  return p;
}

}  // namespace

std::string report_inputs_key(const std::vector<std::string>& run_dirs) {
  std::string joined;
  for (const auto& d : run_dirs) joined += absolute_normal(d).string() + "\n";
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(XXH64(joined.data(), joined.size(), 0)));
  return hex;
}

std::string default_report_path(const std::vector<std::string>& run_dirs) {
  if (run_dirs.empty()) throw std::runtime_error("report: expected at least one run output directory");
  fs::path common = absolute_normal(run_dirs[0]);
  if (run_dirs.size() > 1) common = common.parent_path();
  for (size_t i = 1; i < run_dirs.size(); ++i) {
    const fs::path p = absolute_normal(run_dirs[i]);
    // Shorten `common` until it is an ancestor of p (component-wise, never by string prefix).
    while (!common.empty() && common != common.root_path()) {
      if (std::mismatch(common.begin(), common.end(), p.begin(), p.end()).first == common.end()) break;
      common = common.parent_path();
    }
  }
  if (common.empty() || common == common.root_path())
    throw std::runtime_error("report: the run directories share no folder to write report.html beside them; "
                             "name the file with -o FILE.html");
  fs::path out = common / "report.html";
  // Print it as the user would type it: relative to the working directory when below it.
  const fs::path rel = out.lexically_relative(fs::current_path());
  if (!rel.empty() && *rel.begin() != "..") out = rel;
  return out.string();
}

bool may_replace_default(const std::string& html_path, const std::vector<std::string>& run_dirs, std::string* why) {
  if (!fs::exists(html_path)) return true;
  std::ifstream in(html_path, std::ios::binary);
  std::string head(8192, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  if (head.find("<meta name=\"generator\" content=\"flemu report\">") == std::string::npos) {
    if (why) *why = "a file that is not a flemu report";
    return false;
  }
  if (head.find("<meta name=\"flemu-report-inputs\" content=\"" + report_inputs_key(run_dirs) + "\">") ==
      std::string::npos) {
    if (why) *why = "a flemu report of other run directories";
    return false;
  }
  return true;
}

std::string report_target(const ReportOptions& opt) {
  if (opt.html_path.empty()) return default_report_path(opt.run_dirs);
  const fs::path html(opt.html_path);
  std::error_code ec;
  if (fs::is_directory(html, ec) || opt.html_path.back() == '/') return (html / "report.html").string();
  return html.string();
}

namespace {

/// Writes `text` to `target` via a hidden temporary file in the same folder, renamed into place.
/// Whatever fails (no space, no permission, a folder in the way), the temporary is removed.
void write_atomically(const fs::path& target, const std::string& text) {
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  std::error_code ec;
  if (fs::is_directory(target, ec))
    throw std::runtime_error(target.string() + ": expected a file path for the report, found a folder");
  const fs::path tmp = target.parent_path() / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()));
  try {
    {
      std::ofstream out(tmp, std::ios::binary);
      if (!out) throw std::runtime_error(tmp.string() + ": cannot write (" + std::strerror(errno) + ")");
      out << text;
      out.flush();
      if (!out) throw std::runtime_error(target.string() + ": cannot write the report (disk full?)");
      out.close();
      if (!out) throw std::runtime_error(target.string() + ": cannot write the report (disk full?)");
    }
    fs::rename(tmp, target);
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
}

void write_report_to(const ReportOptions& opt, const fs::path& html) {
  const std::string vendor_dir = opt.vendor_dir.empty() ? default_vendor_dir() : opt.vendor_dir;
  if (vendor_dir.empty()) throw std::runtime_error("report: expected a directory holding vega*.min.js");
  // Fail on a missing tool before the (possibly long) reading of large traces.
  const auto vendor = load_vendor_scripts(vendor_dir);
  if (!opt.figures_dir.empty() && !gnuplot_available())
    throw std::runtime_error("report: figures were asked for (" + opt.figures_dir +
                             ") but no gnuplot is on PATH; install it (Debian: apt-get install gnuplot-nox)");

  std::vector<RunData> runs;
  std::vector<std::string> labels = opt.labels;
  const bool own_labels = labels.empty();
  for (const auto& dir : opt.run_dirs) {
    const SweepRuns sweep = sweep_runs(dir);
    if (sweep.dirs.empty()) {
      runs.push_back(read_run(dir));
      if (own_labels) labels.clear();  // mixed inputs: fall back to names from the runs
      continue;
    }
    // A sweep folder: its variants, labelled by their overrides.
    for (size_t i = 0; i < sweep.dirs.size(); ++i) {
      runs.push_back(read_run(sweep.dirs[i]));
      if (own_labels) labels.push_back(sweep.labels[i]);
    }
  }
  if (own_labels && labels.size() != runs.size()) labels.clear();
  ReportData data = build_report_data(std::move(runs), labels);
  auto charts = report_charts(data);
  add_graph_charts(data, charts);  // decentralized runs: the graph, node curves, consensus

  write_atomically(html, render_html(data, charts, vendor, report_inputs_key(opt.run_dirs)));

  if (!opt.figures_dir.empty()) write_gnuplot_figures(data, opt.figures_dir);
}

}  // namespace

std::string write_report(const ReportOptions& opt) {
  if (opt.run_dirs.empty()) throw std::runtime_error("report: expected at least one run output directory");
  const std::string html = report_target(opt);
  // With no -o: next to the inputs, never over a file that is not this report's earlier version.
  // Checked before reading any run, so a refusal costs nothing and touches nothing.
  if (opt.html_path.empty()) {
    std::string why;
    if (!may_replace_default(html, opt.run_dirs, &why))
      throw std::runtime_error("report: " + html + " exists and is " + why +
                               "; not replacing it without -o (name the file with -o FILE.html)");
  }
  write_report_to(opt, html);
  return html;
}

}  // namespace flemu::analysis
