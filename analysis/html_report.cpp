#include "analysis/html_report.hpp"

#include <filesystem>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace flemu::analysis {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string find_vendor_file(const fs::path& dir, const std::string& package, const std::string& file) {
  for (const auto& p : {dir / file, dir / package / "build" / file})
    if (fs::is_regular_file(p)) return read_text(p);
  throw std::runtime_error((dir / package / "build" / file).string() + ": not found; expected " + file +
                           " from the npm package " + package + " (run `npm ci` in analysis/, or pass the "
                           "directory holding the vega*.min.js files)");
}

/// Shortest text that reads back as the same double, like metrics.csv's own cells.
std::string exact(double x) { return std::isnan(x) ? "" : fmt::format("{}", x); }

/// Bytes for people: "1.23 MB", with the exact count left to the title attribute.
std::string human_bytes(double x) {
  if (std::isnan(x)) return "";
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (std::abs(x) >= 1000 && u < 4) {
    x /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} B", x) : fmt::format("{:.3g} {}", x, units[u]);
}

std::string cell(const std::string& field, const std::string& shown, const std::string& exact_text = "",
                 bool numeric = true) {
  std::string td = "<td";
  if (numeric) td += " class=\"num\"";
  td += " data-field=\"" + field + "\"";
  if (!exact_text.empty()) td += " title=\"" + html_escape(exact_text) + "\"";
  return td + ">" + html_escape(shown) + "</td>";
}

std::string summary_table(const ReportData& d) {
  // Fits the page: what identifies a run (scenario, hash, directory) is in the run cell's
  // tooltip rather than in columns of its own; headers wrap.
  std::string h =
      "<table id=\"summary-table\">\n<thead><tr><th>run</th><th>rounds</th>"
      "<th>simulated time (s)</th><th>final accuracy</th><th>at round</th><th>final loss</th>"
      "<th>bytes down</th><th>bytes up</th><th>energy (J)</th><th>devices</th>"
      "<th>updates dropped</th><th>device off events</th><th>stop reason</th></tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < d.summary.size(); ++i) {
    const auto& r = d.summary[i];
    const std::string color = i < d.runs.size() ? d.runs[i].color : "#888888";
    h += "<tr data-run=\"" + html_escape(r.label) + "\" data-run-dir=\"" + html_escape(r.abs_dir) + "\">";
    h += "<td class=\"run\" data-field=\"run\" title=\"" +
         html_escape("scenario " + r.scenario + "\nhash " + r.scenario_hash + "\ndirectory " + r.abs_dir) +
         "\"><span class=\"swatch\" style=\"background:" + color + "\"></span>" + html_escape(r.label) + "</td>";
    h += cell("rounds", std::to_string(r.rounds));
    h += cell("simulated_time_s", std::isnan(r.simulated_time_s) ? "" : fmt::format("{:.2f}", r.simulated_time_s),
              exact(r.simulated_time_s));
    // Accuracy and loss are shown exactly as metrics.csv wrote them.
    h += cell("final_accuracy", r.final_accuracy);
    h += cell("final_accuracy_round", r.final_accuracy_round < 0 ? "" : std::to_string(r.final_accuracy_round));
    h += cell("final_loss", r.final_loss);
    h += cell("bytes_down", human_bytes(r.bytes_down), exact(r.bytes_down));
    h += cell("bytes_up", human_bytes(r.bytes_up), exact(r.bytes_up));
    h += cell("energy_j", std::isnan(r.energy_j) ? "" : fmt::format("{:.6g}", r.energy_j), exact(r.energy_j));
    h += cell("devices", std::to_string(r.devices));
    h += cell("updates_dropped", std::to_string(r.updates_dropped));
    h += cell("device_offs", std::to_string(r.device_offs));
    h += cell("stop_reason", r.stop_reason, "", false);
    h += "</tr>\n";
  }
  return h + "</tbody>\n</table>\n";
}

/// "0.8211 ± 0.0031 (0.8180-0.8242)": a group's mean, standard deviation and range.
std::string spread_text(const Spread& s, const char* format) {
  if (s.n == 0) return "";
  return fmt::format(fmt::runtime(std::string(format) + " \u00b1 " + format + " (" + format + "\u2013" + format + ")"),
                     s.mean, s.sd, s.min, s.max);
}

std::string groups_table(const ReportData& d) {
  std::string h =
      "<table id=\"seed-table\">\n<thead><tr><th>variant</th><th>seeds</th><th>final accuracy</th>"
      "<th>simulated time (s)</th><th>energy (J)</th><th>cum. bytes</th></tr></thead>\n<tbody>\n";
  for (const auto& g : d.groups) {
    std::string runs;
    for (const auto& r : g.runs) runs += (runs.empty() ? "" : "\n") + r;
    h += "<tr data-group=\"" + html_escape(g.group) + "\"><td class=\"run\" title=\"" + html_escape(runs) +
         "\"><span class=\"swatch\" style=\"background:" + g.color + "\"></span>" + html_escape(g.group) + "</td>";
    h += cell("seeds", std::to_string(g.runs.size()));
    h += cell("final_accuracy", spread_text(g.final_accuracy, "{:.4f}"));
    h += cell("simulated_time_s", spread_text(g.simulated_time_s, "{:.1f}"));
    h += cell("energy_j", spread_text(g.energy_j, "{:.4g}"));
    h += cell("cum_bytes", g.bytes.n ? human_bytes(g.bytes.mean) : "", g.bytes.n ? exact(g.bytes.mean) : "");
    h += "</tr>\n";
  }
  return h + "</tbody>\n</table>\n";
}

const char* kStyle = R"css(
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0 auto;
       max-width: 1100px; padding: 1em 1.5em 3em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin: 1.6em 0 0.3em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.caption, .meta { color: #555; font-size: 0.9em; margin: 0.2em 0 0.6em; }
.note { color: #555; font-style: italic; background: #f6f6f6; padding: 0.6em 0.8em; border-left: 3px solid #bbb; }
.vis { width: 100%; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.82em; width: 100%; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.4em; text-align: left; white-space: nowrap; }
th { background: #f3f3f3; white-space: normal; vertical-align: bottom; }
td.run { white-space: normal; overflow-wrap: anywhere; min-width: 10em; max-width: 22em; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.35em; border-radius: 2px;
          vertical-align: -0.05em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
#render-error { color: #b00; font-weight: bold; }
)css";

// Embeds every chart and records the outcome on <body data-rendered>, which the browser test
// waits for. The editor/source actions are off: they would need the network.
const char* kBoot = R"js(
(function () {
  var data = JSON.parse(document.getElementById('flemu-data').textContent);
  var charts = JSON.parse(document.getElementById('flemu-charts').textContent);
  window.flemuViews = {};
  var jobs = charts.map(function (c) {
    var spec = Object.assign({}, c.spec, {datasets: {}});
    c.uses.forEach(function (name) { spec.datasets[name] = data[name]; });
    var el = document.getElementById(c.id + '-vis');
    // Inside then(): a spec error thrown synchronously still lands in the catch below.
    return Promise.resolve().then(function () {
      return vegaEmbed(el, spec, {
        renderer: c.renderer,
        actions: {export: true, source: false, compiled: false, editor: false}
      });
    }).then(function (result) { window.flemuViews[c.id] = result.view; });
  });
  Promise.all(jobs).then(function () {
    document.body.setAttribute('data-rendered', 'ok');
  }, function (err) {
    document.body.setAttribute('data-rendered', 'error');
    document.getElementById('render-error').textContent = 'A chart failed to render: ' + err;
    console.error(err);
  });
})();
)js";

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_for_script(const nlohmann::json& j) {
  // In JSON text '<' occurs only inside strings, where \u003c means the same character; without
  // any '<' no "</script" or "<!--" can end or confuse the element.
  const std::string s = j.dump();
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '<') out += "\\u003c";
    else out += c;
  }
  return out;
}

std::string js_for_script(const std::string& s) {
  // "<\/script" is the same text to JavaScript (in strings, regexes and templates alike) but
  // does not close the <script> element. The pinned bundles contain none; this is insurance.
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && s.compare(i + 1, 1, "/") == 0 && i + 8 <= s.size()) {
      std::string word = s.substr(i + 2, 6);
      for (auto& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (word == "script") {
        out += "<\\/";
        ++i;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

VendorScripts load_vendor_scripts(const std::string& dir) {
  VendorScripts v;
  v.vega = find_vendor_file(dir, "vega", "vega.min.js");
  v.vega_lite = find_vendor_file(dir, "vega-lite", "vega-lite.min.js");
  v.vega_embed = find_vendor_file(dir, "vega-embed", "vega-embed.min.js");
  return v;
}

std::string render_html(const ReportData& d, const std::vector<ChartSpec>& charts, const VendorScripts& vendor,
                        const std::string& inputs_id) {
  std::string labels;
  for (const auto& r : d.runs) labels += (labels.empty() ? "" : ", ") + r.label;
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"generator\" content=\"flemu report\">\n";
  if (!inputs_id.empty()) h += "<meta name=\"flemu-report-inputs\" content=\"" + html_escape(inputs_id) + "\">\n";
  h += "<title>flemu report: " + html_escape(labels) + "</title>\n<style>" + kStyle + "</style>\n</head>\n";
  h += "<body data-rendered=\"pending\">\n<h1>flemu report</h1>\n";
  h += "<p class=\"meta\">" + std::to_string(d.runs.size()) + (d.runs.size() == 1 ? " run" : " runs") + ": " +
       html_escape(labels) + ". All times are simulated seconds.</p>\n";
  for (const auto& r : d.runs) {
    if (r.scenario.is_object() && r.scenario.contains("description") && r.scenario["description"].is_string())
      h += "<p class=\"meta\"><b>" + html_escape(r.label) + "</b>: " +
           html_escape(r.scenario["description"].get<std::string>()) + "</p>\n";
  }
  h += "<p id=\"render-error\"></p>\n";
  h += "<section id=\"summary\">\n<h2>Summary</h2>\n<p class=\"caption\">From each run's summary.json and "
       "metrics.csv; final accuracy is the last evaluated round's, as written in metrics.csv. Hover a cell "
       "for its exact value.</p>\n<div class=\"table-wrap\">\n" +
       summary_table(d) + "</div>\n</section>\n";
  if (!d.groups.empty())
    h += "<section id=\"seeds\">\n<h2>Variants over their seeds</h2>\n<p class=\"caption\">Runs that differ only "
         "by their seed, together: mean \u00b1 standard deviation (min\u2013max) over the seeds. Hover a variant "
         "for its runs.</p>\n<div class=\"table-wrap\">\n" +
         groups_table(d) + "</div>\n</section>\n";

  json embedded = json::array();
  for (const auto& c : charts) {
    h += "<section class=\"chart\" id=\"" + c.id + "\">\n<h2>" + html_escape(c.title) + "</h2>\n";
    if (c.available) {
      h += "<p class=\"caption\">" + html_escape(c.caption) + "</p>\n<div class=\"vis\" id=\"" + c.id + "-vis\"></div>\n";
      embedded.push_back({{"id", c.id}, {"renderer", c.renderer}, {"uses", c.uses}, {"spec", c.spec}});
    } else {
      h += "<p class=\"note\" data-absent=\"" + c.id + "\">" + html_escape(c.note) + "</p>\n";
    }
    h += "</section>\n";
  }

  json datasets = json::object();
  for (const auto& c : charts)
    if (c.available)
      for (const auto& name : c.uses) datasets[name] = d.datasets.at(name);

  h += "<script>" + js_for_script(vendor.vega) + "</script>\n";
  h += "<script>" + js_for_script(vendor.vega_lite) + "</script>\n";
  h += "<script>" + js_for_script(vendor.vega_embed) + "</script>\n";
  h += "<script type=\"application/json\" id=\"flemu-data\">" + json_for_script(datasets) + "</script>\n";
  h += "<script type=\"application/json\" id=\"flemu-charts\">" + json_for_script(embedded) + "</script>\n";
  h += std::string("<script>") + kBoot + "</script>\n</body>\n</html>\n";
  return h;
}

}  // namespace flemu::analysis
