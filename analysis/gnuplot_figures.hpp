// Static figures for papers: PNG (pngcairo) and SVG of accuracy vs time, accuracy vs bytes,
// accuracy vs energy (when measured), and per run the round breakdown (critical path) and the
// device timeline. Each figure is a plain data file plus a .gp script in the figures directory,
// so an author can restyle it and rerun `gnuplot NAME.gp` there without flemu.
#pragma once
#include <string>
#include <vector>

#include "analysis/report_data.hpp"

namespace flemu::analysis {

/// True when a `gnuplot` executable is on PATH.
bool gnuplot_available();

/// Writes data files and scripts into `dir` (created if needed), runs gnuplot on each script,
/// and returns the figure paths (.png and .svg) written. Throws std::runtime_error when
/// gnuplot is missing or a script fails (with gnuplot's own message).
std::vector<std::string> write_gnuplot_figures(const ReportData& data, const std::string& dir);

}  // namespace flemu::analysis
