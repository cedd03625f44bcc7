// The llm-edge study's table from its sweep folders: node summarize.js OUT_DIR
// Reads OUT_DIR/seed<s>-<uplink>/index.json and each variant's summary.json, metrics.csv and
// clients.csv; prints, per method and uplink, the mean (and min-max) over seeds of: held-out
// perplexity after the last round (all clients' held-out windows together, and the mean of
// the per-client perplexities), bytes per round (up, down), simulated seconds per round,
// device flops per client per round, server flops per round, and training tokens per second
// of wall time (this machine, shared: indicative only).
'use strict';
const fs = require('fs');
const path = require('path');

const out = process.argv[2];
if (!out) {
  console.error('usage: node summarize.js OUT_DIR');
  process.exit(2);
}
const csv = (file) => {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
};
const rows = {};  // key "method|uplink" -> list of per-seed records
for (const dir of fs.readdirSync(out).sort()) {
  const m = /^seed(\d+)-(.+)$/.exec(dir);
  if (!m) continue;
  const index = JSON.parse(fs.readFileSync(path.join(out, dir, 'index.json'), 'utf8'));
  for (const v of index.variants) {
    if (v.status === 'failed' || !v.summary) continue;
    const s = v.summary;
    const vdir = path.join(out, dir, v.variant);
    const metrics = csv(path.join(vdir, 'metrics.csv'));
    const clients = csv(path.join(vdir, 'clients.csv')).filter((c) => c.heldout_perplexity !== '');
    const perRound = (k) => metrics.reduce((a, r) => a + Number(r[k] || 0), 0) / metrics.length;
    const updates = metrics.reduce((a, r) => a + Number(r.updates), 0);
    const rec = {
      seed: Number(m[1]),
      ppl: s.perplexity,
      client_ppl: clients.reduce((a, c) => a + Number(c.heldout_perplexity), 0) / clients.length,
      up: perRound('bytes_up'),
      down: perRound('bytes_down'),
      time: s.simulated_time_s / s.rounds,
      device_flops: metrics.reduce((a, r) => a + Number(r.flops), 0) / updates,
      server_flops: perRound('server_flops'),
      tokens_per_s: s.tokens_per_job_second,
      base_ppl: null,
    };
    (rows[`${v.label}|${m[2]}`] ||= []).push(rec);
  }
}
const stat = (xs) => {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  return {mean, min: Math.min(...xs), max: Math.max(...xs)};
};
const si = (x) => {
  if (x === 0) return '0';
  const units = [['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]];
  for (const [u, f] of units) if (Math.abs(x) >= f) return `${(x / f).toPrecision(3)} ${u}`;
  return x.toPrecision(3);
};
const fmt = (xs, f) => {
  const s = stat(xs);
  return s.max - s.min < 1e-9 * Math.abs(s.mean) + 1e-12 ? f(s.mean) : `${f(s.mean)} (${f(s.min)}-${f(s.max)})`;
};
console.log('| method | uplink | seeds | perplexity (all held-out) | mean client perplexity | bytes up / round | bytes down / round | simulated s / round | device flops / client / round | server flops / round | tokens/s (wall) |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
const order = ['fedavg', 'lora', 'flasc', 'ferret', 'fedkseed', 'sfprompt', 'sfl'];
const keys = Object.keys(rows).sort((a, b) => {
  const [ma, ua] = a.split('|'), [mb, ub] = b.split('|');
  return ua === ub ? order.indexOf(ma) - order.indexOf(mb) : ub.localeCompare(ua);
});
for (const k of keys) {
  const [method, uplink] = k.split('|');
  const r = rows[k];
  const col = (f) => r.map(f);
  console.log(`| ${method} | ${uplink} | ${r.length} | ${fmt(col((x) => x.ppl), (x) => x.toFixed(3))} | ` +
              `${fmt(col((x) => x.client_ppl), (x) => x.toFixed(3))} | ${fmt(col((x) => x.up), (x) => si(x) + 'B')} | ` +
              `${fmt(col((x) => x.down), (x) => si(x) + 'B')} | ${fmt(col((x) => x.time), (x) => x.toFixed(2))} | ` +
              `${fmt(col((x) => x.device_flops), (x) => si(x) + 'F')} | ${fmt(col((x) => x.server_flops), (x) => si(x) + 'F')} | ` +
              `${fmt(col((x) => x.tokens_per_s), (x) => x.toFixed(0))} |`);
}
