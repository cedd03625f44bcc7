// Turns the AugLocal study's sweep outputs into the README's tables (Markdown on stdout).
//   node scenarios/studies/auglocal/summarize.mjs out/studies/auglocal
// reads <dir>/pipeline and <dir>/one-device (whichever exist).
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = process.argv[2] ?? "out/studies/auglocal";

function readCsv(path) {
  const [head, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  const cols = head.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i], v === "" ? NaN : Number(v)])));
}

function variants(dir) {
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
  return index.variants.filter((v) => existsSync(join(v.directory, "metrics.csv")))
    .map((v) => ({ ...v, scenario: JSON.parse(readFileSync(join(v.directory, "scenario.json"), "utf8")), metrics: readCsv(join(v.directory, "metrics.csv")) }));
}

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const mb = (bytes) => fmt(bytes / 1e6, 1);
/// Steady-state time per epoch: the mean duration of the epochs after the first (which fills the pipeline).
const epochTime = (m) => { const later = m.length > 1 ? m.slice(1) : m; return later.reduce((s, r) => s + r.duration_s, 0) / later.length; };
const name = (a) => a.name === "auglocal" ? `auglocal d=${a.aux_depth}` : a.micro_batches > 1 ? `bp-pipeline M=${a.micro_batches}` : "bp-pipeline";

function pipelineTable(dir) {
  const vs = variants(dir);
  console.log("\n#### 4 devices on 100 Mbps links, 12,000 Fashion-MNIST samples per epoch (real training)\n");
  console.log("| variant | first epoch (s) | s per epoch (steady) | MB sent per epoch | peak memory per device (MB) | accuracy after epoch 1 / 5 / last | final (10k test) |");
  console.log("|---|---:|---:|---:|---|---|---:|");
  for (const v of vs) {
    const m = v.metrics, s = v.summary;
    const acc = [1, 5, m.length].map((r) => fmt(100 * (m.find((x) => x.round === r)?.accuracy), 1)).join(" / ");
    const mem = s.memory.peak_bytes_per_device.map(mb).join(", ");
    console.log(`| ${name(v.scenario.algorithm)} | ${fmt(m[0].duration_s, 1)} | ${fmt(epochTime(m), 1)} | ${mb(m[m.length - 1].bytes_up)} | ${mem} | ${acc} | ${fmt(100 * s.final_accuracy, 2)} |`);
  }
}

function oneDeviceTable(dir) {
  const vs = variants(dir);
  console.log("\n#### Memory and time per epoch, one device against the 4-device chain (analytic)\n");
  console.log("| variant | devices | peak memory per device (MB) | s per epoch |");
  console.log("|---|---:|---|---:|");
  for (const v of vs) {
    const mem = v.summary.memory.peak_bytes_per_device.map(mb).join(", ");
    console.log(`| ${name(v.scenario.algorithm)} | ${v.summary.devices} | ${mem} | ${fmt(epochTime(v.metrics), 1)} |`);
  }
}

if (existsSync(join(root, "pipeline", "index.json"))) pipelineTable(join(root, "pipeline"));
if (existsSync(join(root, "one-device", "index.json"))) oneDeviceTable(join(root, "one-device"));
