// Turns the CO2 study's sweep outputs into the README's tables (Markdown on stdout).
//   node scenarios/studies/co2/summarize.mjs out/studies/co2
// reads <dir>/throughput, <dir>/scaling and <dir>/accuracy (whichever exist): each a sweep
// output folder (index.json, one folder per variant with metrics.csv and summary.json).
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = process.argv[2] ?? "out/studies/co2";

function readCsv(path) {
  const [head, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  const cols = head.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i], v === "" ? NaN : Number(v)])));
}

function variants(dir) {
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
  return index.variants.filter((v) => v.status === "ran" || v.status === "skipped" || existsSync(join(v.directory, "metrics.csv")))
    .map((v) => ({ ...v, scenario: JSON.parse(readFileSync(join(v.directory, "scenario.json"), "utf8")), metrics: readCsv(join(v.directory, "metrics.csv")) }));
}

const label = (a) => (a.name === "co2" || a.name === "co2-code" ? `${a.name} tau=${a.inner_steps}` : a.name);
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");

/// Samples/s in the steady state: the last round's samples over its duration.
function throughput(v) {
  const s = v.scenario, a = s.algorithm, c = s.platform.cluster;
  const workers = c.nodes * c.gpus_per_node;
  const last = v.metrics[v.metrics.length - 1];
  return (workers * a.inner_steps * a.batch_size) / last.duration_s;
}

function throughputTables(dir) {
  const vs = variants(dir);
  const algos = [...new Set(vs.map((v) => label(v.scenario.algorithm)))];
  for (const nodes of [...new Set(vs.map((v) => v.scenario.platform.cluster.nodes))]) {
    const gpus = nodes * vs[0].scenario.platform.cluster.gpus_per_node;
    console.log(`\n#### ${gpus} GPUs (${nodes} nodes): samples/s (x 4096 = tokens/s)\n`);
    console.log(`| inter-node bandwidth | ${algos.join(" | ")} |`);
    console.log(`|---|${algos.map(() => "---:").join("|")}|`);
    for (const bw of [...new Set(vs.map((v) => v.scenario.platform.cluster.inter_node.bandwidth))]) {
      const row = algos.map((al) => {
        const v = vs.find((x) => x.scenario.platform.cluster.nodes === nodes && x.scenario.platform.cluster.inter_node.bandwidth === bw && label(x.scenario.algorithm) === al);
        return v ? fmt(throughput(v), 2) : "-";
      });
      console.log(`| ${bw} | ${row.join(" | ")} |`);
    }
  }
}

function scalingTable(dir) {
  const vs = variants(dir);
  const algos = [...new Set(vs.map((v) => label(v.scenario.algorithm)))];
  const thr = (al, nodes) => {
    const v = vs.find((x) => label(x.scenario.algorithm) === al && x.scenario.platform.cluster.nodes === nodes);
    return v ? throughput(v) : NaN;
  };
  console.log("\n#### Scaling on '80 Gbps TCP' x efficiency 0.08 (tokens/s = samples/s x 4096)\n");
  console.log("| algorithm | 8 GPUs | 16 GPUs | 128 GPUs | ratio 16->128 = thr(128)/(8 thr(16)) | step-time drop 8->16 |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const al of algos) {
    const t8 = thr(al, 1) * 4096, t16 = thr(al, 2) * 4096, t128 = thr(al, 16) * 4096;
    console.log(`| ${al} | ${fmt(t8, 0)} | ${fmt(t16, 0)} | ${fmt(t128, 0)} | ${fmt(t128 / (8 * t16), 2)} | ${fmt((16 / t16) / (8 / t8), 2)} |`);
  }
}

function accuracyTable(dir) {
  const vs = variants(dir);
  console.log("\n#### Real training (Fashion-MNIST CNN, 8 workers): accuracy against rounds and simulated time\n");
  const rounds = [...new Set(vs.flatMap((v) => v.metrics.filter((m) => Number.isFinite(m.accuracy)).map((m) => m.round)))].sort((a, b) => a - b);
  const shown = rounds.filter((r, i) => i % 3 === 2 || r === rounds[rounds.length - 1]);
  console.log(`| variant | ${shown.map((r) => `acc @ round ${r}`).join(" | ")} | final (10k test) | s per round | time to 80% (s) |`);
  console.log(`|---|${shown.map(() => "---:").join("|")}|---:|---:|---:|`);
  for (const v of vs) {
    const at = (r) => v.metrics.find((m) => m.round === r)?.accuracy;
    const hit = v.metrics.find((m) => m.accuracy >= 0.8);
    const last = v.metrics[v.metrics.length - 1];
    console.log(`| ${v.label} | ${shown.map((r) => fmt(100 * at(r), 1)).join(" | ")} | ${fmt(100 * v.summary.final_accuracy, 2)} | ${fmt(last.time_s / last.round, 3)} | ${hit ? fmt(hit.time_s, 1) : "-"} |`);
  }
}

if (existsSync(join(root, "throughput", "index.json"))) throughputTables(join(root, "throughput"));
if (existsSync(join(root, "scaling", "index.json"))) scalingTable(join(root, "scaling"));
if (existsSync(join(root, "accuracy", "index.json"))) accuracyTable(join(root, "accuracy"));
