// The llm-edge study's table from run.sh's folders: node summarize.js OUT_DIR
//
// Reads OUT_DIR/real/seed<s>-<uplink>/ and OUT_DIR/analytic/seed<s>-<uplink>/ (flemu sweep
// folders: index.json, and per variant summary.json, metrics.csv, clients.csv) and prints:
//  1. the table, one row per method: held-out perplexity after the last round, bytes up and
//     down per client per round, device flops per client per round, server flops per round
//     (all from the real 10 Mbps runs), simulated seconds per round at 10 Mbps (real) and at
//     1 Mbps (real where a real 1 Mbps run exists for the seed, else the analytic run's, and
//     the column says how many of each); each as the mean ± the sample standard deviation
//     over seeds, with the number of seeds;
//  2. the check that, for every seed run for real at both uplinks, the learning is the same:
//     metrics.csv without its clock columns and clients.csv byte-identical;
//  3. analytic against real, per method: how far the analytic mode's seconds per round and
//     bytes are from the real runs' (what the analytic 1 Mbps figures are worth);
//  4. training tokens per second of wall time (this machine, shared: indicative only).
'use strict';
const fs = require('fs');
const path = require('path');

const out = process.argv[2];
if (!out) {
  console.error('usage: node summarize.js OUT_DIR');
  process.exit(2);
}
const read = (file) => fs.readFileSync(file, 'utf8');
const csv = (file) => {
  const lines = read(file).trim().split('\n');
  const head = lines[0].split(',');
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
};
// metrics.csv without time_s and duration_s: what was learned and sent, not when.
const withoutClock = (file) => {
  const lines = read(file).trim().split('\n').map((l) => l.split(','));
  const keep = lines[0].map((c) => c !== 'time_s' && c !== 'duration_s');
  return lines.map((cells) => cells.filter((_, i) => keep[i]).join(',')).join('\n');
};

// runs[mode][uplink][method][seed] = record
const runs = {real: {}, analytic: {}};
for (const mode of Object.keys(runs)) {
  const dir = path.join(out, mode);
  if (!fs.existsSync(dir)) continue;
  for (const sub of fs.readdirSync(dir).sort()) {
    const m = /^seed(\d+)-(.+)$/.exec(sub);
    if (!m || !fs.existsSync(path.join(dir, sub, 'index.json'))) continue;
    const [seed, uplink] = [Number(m[1]), m[2]];
    const index = JSON.parse(read(path.join(dir, sub, 'index.json')));
    for (const v of index.variants) {
      const vdir = path.join(dir, sub, v.variant);
      if (!fs.existsSync(path.join(vdir, 'summary.json'))) continue;
      const s = JSON.parse(read(path.join(vdir, 'summary.json')));
      const metrics = csv(path.join(vdir, 'metrics.csv'));
      const sum = (k) => metrics.reduce((a, r) => a + Number(r[k] || 0), 0);
      const updates = sum('updates');
      const rec = {
        dir: vdir,
        ppl: s.perplexity,
        // Evaluated rounds: [round, held-out perplexity, simulated time at the round's end].
        evals: metrics.filter((r) => r.loss !== '').map((r) => [Number(r.round), Math.exp(Number(r.loss)), Number(r.time_s)]),
        start_ppl: s.initial_perplexity,
        up: sum('bytes_up') / updates,
        down: sum('bytes_down') / updates,
        time: s.simulated_time_s / s.rounds,
        rounds: s.rounds,
        device_flops: sum('flops') / updates,
        server_flops: sum('server_flops') / metrics.length,
        tokens_per_s: s.tokens_per_job_second,
      };
      ((runs[mode][uplink] ||= {})[v.label] ||= {})[seed] = rec;
    }
  }
}

const stat = (xs) => {
  const n = xs.length;
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return {n, mean, sd};
};
const si = (x) => {
  if (x === 0) return '0';
  for (const [u, f] of [['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]])
    if (Math.abs(x) >= f) return `${(x / f).toPrecision(3)} ${u}`;
  return x.toPrecision(3) + ' ';
};
// mean ± sd; the ± only where the seeds differ.
const pm = (xs, f) => {
  const s = stat(xs);
  return s.sd <= 1e-9 * Math.abs(s.mean) ? f(s.mean) : `${f(s.mean)} ± ${sd(s.sd, f)}`;
};
// The spread with two significant digits where the mean's format would round it to 0.
const sd = (x, f) => (Number(f(x).replace(/[^0-9.]/g, '')) === 0 ? x.toPrecision(2) : f(x));
const bytes = (x) => (x === 0 ? '0' : si(x) + 'B');
const flops = (x) => (x === 0 ? '0' : si(x) + 'F');
const fixed = (d) => (x) => x.toFixed(d);

const order = ['fedavg', 'lora', 'flasc', 'ferret', 'fedkseed', 'sfprompt', 'sfl'];
const fast = (runs.real['10Mbps'] || {});
const methods = order.filter((m) => fast[m]).concat(Object.keys(fast).filter((m) => !order.includes(m)));

console.log('| method | seeds | perplexity after the last round (start) | up / client / round | ' +
            'down / client / round | device flops / client / round | server flops / round | ' +
            'simulated s / round at 10 Mbps | at 1 Mbps | 1 Mbps seconds from |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const m of methods) {
  const seeds = Object.keys(fast[m]).map(Number).sort();
  const r = seeds.map((s) => fast[m][s]);
  const col = (k) => r.map((x) => x[k]);
  const slow = [];
  let real = 0, analytic = 0;
  for (const s of seeds) {
    const rr = ((runs.real['1Mbps'] || {})[m] || {})[s];
    const ar = ((runs.analytic['1Mbps'] || {})[m] || {})[s];
    if (rr) { slow.push(rr.time); ++real; } else if (ar) { slow.push(ar.time); ++analytic; }
  }
  const from = [real && `${real} real`, analytic && `${analytic} analytic`].filter(Boolean).join(' + ') || '-';
  console.log(`| ${m} | ${seeds.join(',')} | ${pm(col('ppl'), fixed(3))} (${pm(col('start_ppl'), fixed(3))}) | ` +
              `${pm(col('up'), bytes)} | ${pm(col('down'), bytes)} | ${pm(col('device_flops'), flops)} | ` +
              `${pm(col('server_flops'), flops)} | ${pm(col('time'), fixed(2))} | ` +
              `${slow.length ? pm(slow, fixed(2)) : '-'} | ${from} |`);
}

console.log('\nPer seed (real, 10 Mbps): perplexity after the last round / simulated s per round');
for (const m of methods)
  console.log(`- ${m}: ` + Object.keys(fast[m]).map(Number).sort()
    .map((s) => `seed ${s} ${fast[m][s].ppl.toFixed(3)} / ${fast[m][s].time.toFixed(3)}`).join(', '));

console.log('\nPerplexity against simulated time (mean over seeds; evaluated rounds; time at 1 Mbps from the ' +
            'same runs as the table):');
console.log('| method | round | perplexity | simulated s at 10 Mbps | at 1 Mbps |');
console.log('|---|---|---|---|---|');
for (const m of methods) {
  const seeds = Object.keys(fast[m]).map(Number).sort();
  for (const [i, [round]] of fast[m][seeds[0]].evals.entries()) {
    const ppl = seeds.map((s) => fast[m][s].evals[i][1]);
    const t10 = seeds.map((s) => fast[m][s].evals[i][2]);
    const t1 = seeds.map((s) => (((runs.real['1Mbps'] || {})[m] || {})[s] || ((runs.analytic['1Mbps'] || {})[m] || {})[s]))
                    .filter(Boolean).map((x) => x.evals.length ? x.evals[i][2] : x.time * round);
    console.log(`| ${m} | ${round} | ${pm(ppl, fixed(3))} | ${pm(t10, fixed(1))} | ${t1.length ? pm(t1, fixed(1)) : '-'} |`);
  }
}

console.log('\nSame learning at 10 and 1 Mbps (real runs of one seed at both uplinks: metrics.csv without ' +
            'time_s/duration_s, and clients.csv, byte for byte):');
for (const m of methods) {
  for (const s of Object.keys(fast[m]).map(Number).sort()) {
    const slow = ((runs.real['1Mbps'] || {})[m] || {})[s];
    if (!slow) continue;
    const a = fast[m][s];
    const same = withoutClock(path.join(a.dir, 'metrics.csv')) === withoutClock(path.join(slow.dir, 'metrics.csv')) &&
                 read(path.join(a.dir, 'clients.csv')) === read(path.join(slow.dir, 'clients.csv'));
    console.log(`- ${m} seed ${s}: ${same ? 'identical' : 'DIFFERENT'} (perplexity ${a.ppl.toFixed(6)} / ` +
                `${slow.ppl.toFixed(6)}; s / round ${a.time.toFixed(3)} / ${slow.time.toFixed(3)})`);
  }
}

console.log('\nAnalytic against real (mean over the seeds run both ways, per uplink): analytic / real');
console.log('| method | uplink | seeds | s / round | bytes up | device flops |');
console.log('|---|---|---|---|---|---|');
for (const up of ['10Mbps', '1Mbps']) {
  for (const m of methods) {
    const real = (runs.real[up] || {})[m] || {}, an = (runs.analytic[up] || {})[m] || {};
    const seeds = Object.keys(real).filter((s) => an[s]);
    if (!seeds.length) continue;
    const ratio = (k) => stat(seeds.map((s) => an[s][k] / real[s][k])).mean.toFixed(4);
    console.log(`| ${m} | ${up} | ${seeds.join(',')} | ${ratio('time')} | ${ratio('up')} | ${ratio('device_flops')} |`);
  }
}

console.log('\nTraining tokens per second of job wall time (real 10 Mbps runs; shared machine, indicative):');
console.log(methods.map((m) => `${m} ${stat(Object.values(fast[m]).map((x) => x.tokens_per_s)).mean.toFixed(0)}`).join(', '));
