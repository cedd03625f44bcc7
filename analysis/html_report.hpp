// Renders the report as one self-contained HTML file: the summary table as plain HTML (readable
// without JavaScript), then each chart, with vega, vega-lite and vega-embed inlined and the
// datasets embedded as JSON. Nothing is fetched when the page opens, so it works offline and
// as an e-mail attachment.
#pragma once
#include <string>
#include <vector>

#include "analysis/report_data.hpp"
#include "analysis/vega_specs.hpp"

namespace flemu::analysis {

/// The three minified libraries, in load order (vega, vega-lite, vega-embed).
struct VendorScripts {
  std::string vega, vega_lite, vega_embed;
};

/// Reads vega.min.js, vega-lite.min.js and vega-embed.min.js from `dir`, either laid flat in
/// it or as an npm node_modules tree (dir/vega/build/vega.min.js, ...). Throws naming the
/// file it looked for and how to get it.
VendorScripts load_vendor_scripts(const std::string& dir);

/// Text made safe for HTML element content and attribute values.
std::string html_escape(const std::string& s);

/// JSON text to embed in a <script> element: every '<' written as \u003c.
std::string json_for_script(const nlohmann::json& j);

/// JavaScript to inline in a <script> element: "</script" written as "<\/script".
std::string js_for_script(const std::string& s);

/// `inputs_id` (see report_inputs_key) goes into the head, so that a later `flemu report` of the
/// same runs knows it may replace this file.
std::string render_html(const ReportData& data, const std::vector<ChartSpec>& charts, const VendorScripts& vendor,
                        const std::string& inputs_id = "");

}  // namespace flemu::analysis
