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
  std::string html_path;              ///< report to write; a folder (existing, or ending in "/") gets
                                      ///< <folder>/report.html; empty = default_report_path(run_dirs)
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

/// Where `flemu report` writes without -o: next to its input. One directory (a run or a sweep
/// folder): DIR/report.html. Several: report.html in the deepest folder that holds them all
/// (out/sweep/v00* -> out/sweep/report.html). Throws std::runtime_error, asking for -o, when the
/// inputs share no folder below the filesystem root.
std::string default_report_path(const std::vector<std::string>& run_dirs);

/// Whether writing the report to `html_path` may replace what is there: nothing is there, or an
/// earlier flemu report of the same input directories (recorded in the report's head). Anything
/// else (another file, a report of other runs) is left alone; `why` then says what is there.
bool may_replace_default(const std::string& html_path, const std::vector<std::string>& run_dirs, std::string* why);

/// What a report records of its input directories: xxh64 (hex) of their absolute, normalised paths.
std::string report_inputs_key(const std::vector<std::string>& run_dirs);

/// Where the report goes: default_report_path() when `html_path` is empty, `html_path`/report.html
/// when it names a folder (an existing one, or a path ending in "/"), else `html_path`.
std::string report_target(const ReportOptions& options);

/// Writes the report (and figures) at report_target(), through a hidden temporary file beside
/// it that is removed on any failure (a full disk leaves nothing behind). A sweep folder (index.json, see emulator/cli/sweep.hpp)
/// stands for all its variants, labelled by their overrides. Throws std::runtime_error naming the file, line and what
/// was expected when an input is malformed, or what is missing (gnuplot, vega files).
/// With an empty html_path, refuses before reading any run when may_replace_default() says no
/// (asking for -o). A given html_path is written (replaced) as asked. Returns the path written.
std::string write_report(const ReportOptions& options);

}  // namespace flemu::analysis
