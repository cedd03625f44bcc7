#include "analysis/report.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "analysis/gnuplot_figures.hpp"
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

void write_report(const ReportOptions& opt) {
  if (opt.run_dirs.empty()) throw std::runtime_error("report: expected at least one run output directory");
  if (opt.html_path.empty()) throw std::runtime_error("report: expected an output path for the HTML report");
  const std::string vendor_dir = opt.vendor_dir.empty() ? default_vendor_dir() : opt.vendor_dir;
  if (vendor_dir.empty()) throw std::runtime_error("report: expected a directory holding vega*.min.js");
  // Fail on a missing tool before the (possibly long) reading of large traces.
  const auto vendor = load_vendor_scripts(vendor_dir);
  if (!opt.figures_dir.empty() && !gnuplot_available())
    throw std::runtime_error("report: figures were asked for (" + opt.figures_dir +
                             ") but no gnuplot is on PATH; install it (Debian: apt-get install gnuplot-nox)");

  std::vector<RunData> runs;
  for (const auto& dir : opt.run_dirs) runs.push_back(read_run(dir));
  const ReportData data = build_report_data(std::move(runs), opt.labels);
  const auto charts = report_charts(data);

  const fs::path html(opt.html_path);
  if (html.has_parent_path()) fs::create_directories(html.parent_path());
  // Write beside the target, then rename: a failed write never leaves half a report.
  const fs::path tmp = html.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << render_html(data, charts, vendor);
    if (!out) throw std::runtime_error(tmp.string() + ": cannot write");
  }
  fs::rename(tmp, html);

  if (!opt.figures_dir.empty()) write_gnuplot_figures(data, opt.figures_dir);
}

}  // namespace flemu::analysis
