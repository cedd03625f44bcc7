// What every chart module of the report shares: the run colours and legends, so that a run
// has one colour and one whole name in every chart (analysis/vega_specs.hpp lists the charts).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/report_data.hpp"

namespace flemu::analysis {

extern const char* const kVegaLiteSchema;  ///< names the Vega-Lite version; never fetched

std::vector<std::string> labels_of(const ReportData& d);

/// A legend that never cuts a name: no label limit, below the chart in as many columns as
/// the longest name allows.
nlohmann::json full_legend(const std::string& title, const std::vector<std::string>& names);

/// Colour encoding of `field` (holding run labels) with every run's own colour.
nlohmann::json run_color(const ReportData& d, const std::string& field = "run", bool legend = true);

/// Colour encoding of `field` (holding seed-group names) with each group's colour.
nlohmann::json group_color(const ReportData& d, const std::string& field = "group");

/// The header of a facet by run: names on top of each panel, left-aligned, never rotated or
/// cut, so long names cannot overlap.
nlohmann::json facet_header();

/// A dropdown choosing which run a per-run chart shows; no widget when there is one run.
nlohmann::json run_picker(const ReportData& d);

}  // namespace flemu::analysis
