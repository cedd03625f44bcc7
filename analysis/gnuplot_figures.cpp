#include "analysis/gnuplot_figures.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>
#include <sys/wait.h>

#include <fmt/format.h>

#include "analysis/vega_specs.hpp"

namespace flemu::analysis {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// A gnuplot single-quoted string literal (a quote is written twice).
std::string gp_string(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

/// Exact double for data files; gnuplot reads NaN as "no value".
std::string num(double x) { return std::isnan(x) ? "NaN" : fmt::format("{}", x); }

std::string slug(const std::string& label) {
  std::string s;
  for (unsigned char c : label) {
    if (std::isalnum(c)) s += static_cast<char>(std::tolower(c));
    else if (!s.empty() && s.back() != '-') s += '-';
  }
  while (!s.empty() && s.back() == '-') s.pop_back();
  return s.empty() ? "run" : s;
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  if (!out) throw std::runtime_error(p.string() + ": cannot write");
}

double value_or_nan(const json& row, const char* key) {
  auto it = row.find(key);
  return it != row.end() && it->is_number() ? it->get<double>() : NAN;
}

/// Runs `body` once per output format, so the PNG and the SVG come from the same script.
std::string two_terminals(const std::string& name, int width, int height, const std::string& body) {
  return fmt::format(
      "# Written by `flemu report`; edit and rerun: gnuplot {0}.gp\n"
      "set terminal pngcairo size {1},{2} noenhanced font 'DejaVu Sans,11'\n"
      "set output '{0}.png'\n{3}"
      "set terminal svg size {1},{2} noenhanced font 'DejaVu Sans,11' background '#ffffff'\n"
      "set output '{0}.svg'\n{3}"
      "unset output\n",
      name, width, height, body);
}

void run_gnuplot(const fs::path& dir, const std::string& name) {
  const std::string cmd = "cd " + shell_quote(dir.string()) + " && gnuplot " + shell_quote(name + ".gp") + " > " +
                          shell_quote(name + ".log") + " 2>&1";
  const int status = std::system(cmd.c_str());
  if (status != 0 || !fs::exists(dir / (name + ".png")) || !fs::exists(dir / (name + ".svg"))) {
    std::ifstream log(dir / (name + ".log"));
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    throw std::runtime_error((dir / (name + ".gp")).string() + ": gnuplot failed (exit status " +
                             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : status) + "): " + text);
  }
  fs::remove(dir / (name + ".log"));
}

struct RunFiles {
  std::string label, slug;
  std::string color;  ///< the run's colour, as in the HTML report
  bool has_accuracy = false;
  bool has_energy = false;  ///< some evaluated row has cum_energy_j
};

}  // namespace

bool gnuplot_available() { return std::system("command -v gnuplot > /dev/null 2>&1") == 0; }

std::vector<std::string> write_gnuplot_figures(const ReportData& d, const std::string& dir_arg) {
  if (!gnuplot_available())
    throw std::runtime_error("report: figures were asked for (" + dir_arg +
                             ") but no gnuplot is on PATH; install it (Debian: apt-get install gnuplot-nox)");
  const fs::path dir(dir_arg);
  fs::create_directories(dir);
  std::vector<std::string> figures;
  auto done = [&](const std::string& name) {
    run_gnuplot(dir, name);
    figures.push_back((dir / (name + ".png")).string());
    figures.push_back((dir / (name + ".svg")).string());
  };

  // Per-run data files.
  std::vector<RunFiles> runs;
  std::set<std::string> slugs;
  for (size_t i = 0; i < d.runs.size(); ++i) {
    RunFiles f{d.runs[i].label, slug(d.runs[i].label), d.runs[i].color.empty() ? "#4c78a8" : d.runs[i].color};
    for (int n = 2; slugs.count(f.slug); ++n) f.slug = slug(f.label) + "-" + std::to_string(n);
    slugs.insert(f.slug);

    std::string m = "# " + f.label + ": evaluated rounds of metrics.csv\n# round time_s cum_bytes cum_energy_j accuracy\n";
    for (const auto& row : d.datasets.at("metrics")) {
      if (row.at("run") != f.label || std::isnan(value_or_nan(row, "accuracy"))) continue;
      f.has_accuracy = true;
      f.has_energy = f.has_energy || !std::isnan(value_or_nan(row, "cum_energy_j"));
      m += fmt::format("{} {} {} {} {}\n", num(value_or_nan(row, "round")), num(value_or_nan(row, "time_s")),
                       num(value_or_nan(row, "cum_bytes")), num(value_or_nan(row, "cum_energy_j")),
                       num(value_or_nan(row, "accuracy")));
    }
    write_file(dir / ("metrics-" + f.slug + ".dat"), m);
    runs.push_back(f);
  }

  // Accuracy against time, bytes and energy: one line per run.
  struct Axis {
    const char* name;
    int column;  ///< in metrics-*.dat
    const char* xlabel;
    const char* xformat;  ///< "%.1s %cB" writes 1.5 MB
    bool wanted;
  };
  const Axis axes[] = {{"accuracy_time", 2, "simulated time (s)", "%g", true},
                       {"accuracy_bytes", 3, "cumulative bytes (down + up)", "%.1s %cB", true},
                       {"accuracy_energy", 4, "cumulative energy", "%.1s %cJ", d.has_energy}};
  for (const auto& a : axes) {
    std::string plots;
    for (const auto& f : runs)
      if (f.has_accuracy && (a.column != 4 || f.has_energy))
        plots += fmt::format("{}'metrics-{}.dat' using {}:5 with linespoints lw 2 pt 7 ps 0.6 lc rgb '{}' title {}",
                             plots.empty() ? "" : ", \\\n     ", f.slug, a.column, f.color, gp_string(f.label));
    if (!a.wanted || plots.empty()) continue;
    const std::string body = fmt::format(
        "set xlabel {}\nset ylabel 'test accuracy'\nset grid\nset key bottom right\nset format x '{}'\n"
        "set xrange [0:*]\n"
        "set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05\nset rmargin 6\nplot {}\n",
        gp_string(a.xlabel), a.xformat, plots);
    write_file(dir / (std::string(a.name) + ".gp"), two_terminals(a.name, 900, 540, body));
    done(a.name);
  }

  for (size_t i = 0; i < d.runs.size(); ++i) {
    const auto& f = runs[i];
    // Round breakdown (critical path), stacked bars.
    const auto& splits = d.breakdowns[i].critical_path;
    if (!splits.empty()) {
      std::string data = "# " + f.label + ": critical-path split of each round, simulated seconds\n"
                         "# round download compute upload waiting\n";
      for (const auto& s : splits)
        data += fmt::format("{} {} {} {} {}\n", s.round, num(s.download_s), num(s.compute_s), num(s.upload_s),
                            num(s.waiting_s));
      write_file(dir / ("breakdown-" + f.slug + ".dat"), data);
      const int step = std::max<int>(1, static_cast<int>(splits.size()) / 20);
      std::string plot = "plot ";
      for (size_t p = 0; p < Palette::phases.size(); ++p) {
        plot += p == 0 ? fmt::format("'breakdown-{}.dat' using {}:xtic(int($1) % {} == 0 ? stringcolumn(1) : '')",
                                     f.slug, p + 2, step)
                       : fmt::format(", \\\n     '' using {}", p + 2);
        plot += fmt::format(" lc rgb '{}' title '{}'", Palette::phase_colors[p], Palette::phases[p]);
      }
      const std::string body = "set title " + gp_string(f.label + ": where each round's time went (critical path)") +
                               "\nset style data histograms\nset style histogram rowstacked\n"
                               "set style fill solid 1.0 border rgb '#ffffff'\nset boxwidth 0.85\n"
                               "set xlabel 'round'\nset ylabel 'simulated seconds'\nset yrange [0:*]\n"
                               "set key outside right top\nset grid ytics\n" +
                               plot + "\n";
      const std::string name = "round_breakdown-" + f.slug;
      write_file(dir / (name + ".gp"), two_terminals(name, 900, 480, body));
      done(name);
    }

    // Device timeline: one block per state (gnuplot "index"), one row per device.
    const auto& tl = d.timelines[i];
    if (tl.clients.empty()) continue;
    std::string data = "# " + f.label + ": device states; one block per state\n# client t0 t1\n";
    std::string plot = "plot ";
    int block = 0;
    for (size_t s = 0; s < Palette::states.size(); ++s) {
      std::string lines;
      for (const auto& seg : tl.segments)
        if (Palette::states[s] == to_string(seg.state)) lines += fmt::format("{} {} {}\n", seg.client, num(seg.t0), num(seg.t1));
      if (lines.empty()) continue;
      data += "# " + Palette::states[s] + "\n" + lines + "\n\n";
      // The comm lane takes the lower half of the row, the disk lane the upper third, both over
      // the compute (plotted after it).
      const bool comm = Palette::states[s] == "communicating", disk = Palette::states[s] == "reading disk";
      const char* top = comm ? "($1+0.02)" : "($1-0.42)";
      const char* bottom = disk ? "($1-0.14)" : "($1+0.42)";
      plot += fmt::format(
          "{}'timeline-{}.dat' index {} using (($2+$3)/2):1:2:3:{}:{} with boxxyerror "
          "fs solid 1.0 noborder lc rgb '{}' title '{}'",
          block ? ", \\\n     " : "", f.slug, block, top, bottom, Palette::state_colors[s], Palette::states[s]);
      ++block;
    }
    write_file(dir / ("timeline-" + f.slug + ".dat"), data);
    if (!tl.drops.empty()) {
      std::string drops = "# client t round reason\n";
      for (const auto& x : tl.drops) drops += fmt::format("{} {} {} {}\n", x.client, num(x.t), x.round, x.reason);
      write_file(dir / ("drops-" + f.slug + ".dat"), drops);
      plot += fmt::format(", \\\n     'drops-{}.dat' using 2:1 with points pt 2 ps 1.2 lw 2 lc rgb '#111111' "
                          "title 'update dropped'",
                          f.slug);
    }
    const int n = tl.clients.back() + 1;
    const std::string body = "set title " + gp_string(f.label + ": device timeline") +
                             fmt::format("\nset xlabel 'simulated time (s)'\nset ylabel 'device'\n"
                                         "set xrange [0:{}]\nset yrange [{}:-0.5]\n{}"
                                         "set key outside right top\nset grid xtics\n",
                                         num(tl.end_s), n - 0.5, n <= 40 ? "set ytics 1\n" : "") +
                             plot + "\n";
    const std::string name = "timeline-" + f.slug;
    write_file(dir / (name + ".gp"), two_terminals(name, 1000, std::clamp(120 + n * 14, 360, 2400), body));
    done(name);
  }
  return figures;
}

}  // namespace flemu::analysis
