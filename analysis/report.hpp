// `flemu report`: turns one or more run output directories into a self-contained interactive
// HTML report (Vega-Lite charts, data embedded, works offline) and, optionally, static PNG and
// SVG figures made with gnuplot. Several directories form a sweep: one line per run.
//
// Reads only the files a run writes (see analysis/run_reader.hpp); docs/report.md describes
// every chart and how its numbers are derived.
#pragma once
#include <string>
#include <vector>

namespace flemu::analysis {

struct ReportOptions {
  std::vector<std::string> run_dirs;  ///< run output directories; at least one
  std::vector<std::string> labels;    ///< legend names, one per run dir; empty = from summary.json / dir names
  std::string html_path;              ///< report to write, e.g. "report.html"; a folder gets <folder>/report.html
  bool may_replace = true;            ///< false: an existing report file is an error (the default path of the CLI)
  std::string figures_dir;            ///< PNG + SVG via gnuplot go here; empty = no figures
  std::string vendor_dir;             ///< where vega*.min.js are (flat or node_modules); empty = default_vendor_dir()
};

/// FLEMU_SOURCE_DIR "/analysis/node_modules" when built in the source tree, else "".
std::string default_vendor_dir();

/// A sweep folder's variants (from its index.json) that have outputs, with their labels;
/// empty when `dir` is not a sweep folder.
struct SweepRuns {
  std::vector<std::string> dirs, labels;
};
SweepRuns sweep_runs(const std::string& dir);

/// Where the report goes: `html_path`, or `html_path`/report.html when it names a folder
/// (an existing one, or a path ending in "/").
std::string report_target(const ReportOptions& options);

/// Writes the report (and figures) at report_target(), through a temporary file beside it
/// that is removed on any failure (a full disk leaves nothing behind). Refuses before reading
/// any run when the target exists and `may_replace` is false. A sweep folder (index.json, see emulator/cli/sweep.hpp)
/// stands for all its variants, labelled by their overrides. Throws std::runtime_error naming the file, line and what
/// was expected when an input is malformed, or what is missing (gnuplot, vega files).
void write_report(const ReportOptions& options);

}  // namespace flemu::analysis
