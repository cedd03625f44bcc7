#!/usr/bin/env node
// Opens a `flemu report` HTML file in headless Chromium, offline, and checks what a person
// would see:
//   * the page loads with no console error, no page error and no request leaving the file;
//   * every chart rendered data marks (counted in Vega's scene graph) and is not blank
//     (its screenshot has several colours and enough non-white pixels);
//   * the summary table's final accuracy for the run of METRICS.csv equals the last accuracy
//     written in that file, and the data embedded in the page equals every metrics.csv cell;
//   * what makes a sweep readable: every legend of runs names each run once, whole (no two
//     labels alike, none cut short); a run has the same colour in every chart that colours by
//     run; the per-class chart is there; facet labels do not overlap; the summary table fits
//     the page; no time, energy or count axis goes below zero.
//
// Usage: node tests/report_browser_test.mjs REPORT.html METRICS.csv [SCREENSHOT.png]
// Exit 0 on success (or SKIPPED when chromium or analysis/node_modules is missing), 1 on failure.
// Uses Debian's chromium (CHROMIUM_PATH overrides /usr/bin/chromium) through playwright-core
// from analysis/node_modules, which downloads no browser.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const [reportArg, csvArg, screenshotArg] = process.argv.slice(2);

function skip(why) {
  console.log(`report browser test SKIPPED: ${why}`);
  process.exit(0);
}
function fail(why) {
  console.error(`report browser test FAILED: ${why}`);
  process.exit(1);
}

if (!reportArg || !csvArg) fail('usage: node tests/report_browser_test.mjs REPORT.html METRICS.csv [SCREENSHOT.png]');
if (!fs.existsSync(chromiumPath)) skip(`no chromium at ${chromiumPath} (apt-get install chromium)`);
let chromium;
try {
  const require = createRequire(path.join(here, '..', 'analysis', 'package.json'));
  ({ chromium } = require('playwright-core'));
} catch (e) {
  skip('playwright-core is not installed (run `npm ci` in analysis/)');
}

// --- metrics.csv -------------------------------------------------------------------------
function readCsv(file) {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',');
  return { header, rows: lines.slice(1).map((l) => l.split(',')) };
}

// --- a minimal PNG decoder (8-bit RGB/RGBA, as Chromium writes) for the blankness check ---------
function decodePng(buf) {
  let pos = 8, width = 0, height = 0, colorType = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('unsupported PNG (bit depth or interlace)');
      colorType = data[9];
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const bpp = { 2: 3, 6: 4 }[colorType];
  if (!bpp) throw new Error(`unsupported PNG colour type ${colorType}`);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= bpp ? out[y * stride + x - bpp] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp] : 0;
      let p;
      switch (filter) {
        case 0: p = 0; break;
        case 1: p = a; break;
        case 2: p = b; break;
        case 3: p = (a + b) >> 1; break;
        case 4: {
          const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
          p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`bad PNG filter ${filter}`);
      }
      out[y * stride + x] = (v + p) & 0xff;
    }
  }
  return { width, height, bpp, pixels: out };
}

function inkStats(png) {
  const colors = new Set();
  let ink = 0;
  for (let i = 0; i < png.pixels.length; i += png.bpp) {
    const r = png.pixels[i], g = png.pixels[i + 1], b = png.pixels[i + 2];
    colors.add((r << 16) | (g << 8) | b);
    if (r < 235 || g < 235 || b < 235) ink++;
  }
  return { colors: colors.size, inkFraction: ink / (png.width * png.height) };
}

// --- the page --------------------------------------------------------------------------------
const reportPath = path.resolve(reportArg);
const csvPath = path.resolve(csvArg);
const runDir = path.dirname(csvPath);
const problems = [];
let phase = 'launching chromium';
const started = Date.now();
const watchdog = setTimeout(() => fail(`timed out after 120 s while ${phase}`), 120000);

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`); });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('request', (req) => {
    const url = req.url();
    if (!/^(file|data|blob|about):/.test(url)) problems.push(`request left the file: ${url}`);
  });
  phase = 'loading the page';
  await page.goto(pathToFileURL(reportPath).href);
  phase = 'waiting for the charts to render';
  await page.waitForFunction(() => document.body.getAttribute('data-rendered') !== 'pending', null, { timeout: 60000, polling: 100 });
  const state = await page.evaluate(() => document.body.getAttribute('data-rendered'));
  if (state !== 'ok') problems.push(`charts did not render: ${await page.textContent('#render-error')}`);

  // Every chart: data marks in the scene graph, and a screenshot that is not blank.
  const ids = await page.$$eval('.vis', (els) => els.map((e) => e.id.replace(/-vis$/, '')));
  if (ids.length === 0) problems.push('no chart on the page');
  for (const id of ids) {
    phase = `checking chart ${id}`;
    const marks = await page.evaluate((id) => {
      const view = window.flemuViews && window.flemuViews[id];
      if (!view) return -1;
      let n = 0;
      const walk = (node) => {
        if (!node) return;
        if (node.marktype && node.role === 'mark' && node.marktype !== 'group') n += (node.items || []).length;
        for (const item of node.items || []) for (const child of item.items || []) walk(child);
      };
      const root = view.scenegraph().root;
      for (const item of root.items || []) for (const child of item.items || []) walk(child);
      return n;
    }, id);
    if (marks < 0) {
      problems.push(`chart ${id}: no Vega view`);
      continue;
    }
    if (marks === 0) problems.push(`chart ${id}: no data marks drawn`);
    const el = await page.$(`#${id}-vis`);
    await el.scrollIntoViewIfNeeded();
    const stats = inkStats(decodePng(await el.screenshot()));
    if (stats.colors < 3 || stats.inkFraction < 0.005)
      problems.push(`chart ${id}: looks blank (${stats.colors} colours, ${(stats.inkFraction * 100).toFixed(2)}% ink)`);
    console.log(`chart ${id}: ${marks} marks, ${stats.colors} colours, ${(stats.inkFraction * 100).toFixed(1)}% ink`);
  }

  // --- a sweep's legends, colours, facets, table and axes -----------------------------------
  phase = 'checking legends, colours, facets and axes';
  const runs = await page.$$eval('#summary-table tbody tr', (trs) => trs.map((tr) => tr.dataset.run));
  const look = await page.evaluate(({ ids, runs }) => {
    const out = { legends: [], colours: {}, axes: [] };
    const measure = (item) => (window.vega && vega.textMetrics ? vega.textMetrics.width(item, item.text) : 0);
    for (const id of ids) {
      const view = window.flemuViews[id];
      if (!view) continue;
      // Legends: title and labels, with whether a label is cut.
      const walk = (node, visit) => {
        if (!node) return;
        visit(node);
        for (const item of node.items || []) {
          visit(item);
          for (const child of item.items || []) walk(child, visit);
        }
      };
      walk(view.scenegraph().root, (node) => {
        if (node.role !== 'legend' || !node.items) return;
        for (const legend of node.items) {
          let title = '';
          const labels = [];
          walk(legend, (n) => {
            if (n.role === 'legend-title') for (const t of n.items || []) title = String(t.text);
            if (n.role === 'legend-label')
              for (const t of n.items || []) {
                const text = Array.isArray(t.text) ? t.text.join(' ') : String(t.text);
                labels.push({ text, cut: t.limit > 0 && measure(t) > t.limit + 0.5 });
              }
          });
          out.legends.push({ id, title, labels });
        }
      });
      // Colours: marks whose items' colour is a function of the run and that show several runs.
      const marks = [];
      walk(view.scenegraph().root, (n) => { if (n.marktype && n.marktype !== 'group' && n.items) marks.push(n); });
      for (const mark of marks) {
        const byRun = {};
        for (const item of mark.items) {
          const run = item.datum && item.datum.run;
          const colour = item.fill || item.stroke;
          if (!run || !colour || typeof colour !== 'string') continue;
          (byRun[run] = byRun[run] || new Set()).add(colour.toLowerCase());
        }
        const names = Object.keys(byRun);
        // One run: nothing to compare. Several: a mark showing at least two of them.
        if (runs.length < 2 || names.length < 2 || names.some((r) => byRun[r].size !== 1)) continue;
        const colours = new Set(names.map((r) => [...byRun[r]][0]));
        if (colours.size < 2) continue;  // one colour for all: not by run
        for (const r of names) (out.colours[r] = out.colours[r] || []).push({ id, colour: [...byRun[r]][0] });
      }
      // Continuous x/y scales (times, energies, bytes, counts) start at zero or above; the
      // timeline's device rows and accuracy axes are not quantities that start at zero.
      const scales = view._runtime && view._runtime.scales ? Object.keys(view._runtime.scales) : [];
      for (const name of scales) {
        if (!/(^|_)(x|y)$/.test(name)) continue;
        const scale = view.scale(name);
        if (!scale || !scale.domain || !['linear', 'log', 'pow', 'sqrt', 'time', 'utc'].includes(scale.type)) continue;
        const dom = scale.domain();
        out.axes.push({ id, name, min: Math.min(dom[0], dom[dom.length - 1]) });
      }
    }
    return out;
  }, { ids, runs });
  const runLegends = look.legends.filter((l) => l.title === 'run');
  if (runs.length > 1 && runLegends.length === 0) problems.push('no legend of runs in any chart');
  for (const l of runLegends) {
    const texts = l.labels.map((x) => x.text);
    if (new Set(texts).size !== texts.length) problems.push(`chart ${l.id}: two legend labels alike: ${texts.join(' | ')}`);
    for (const x of l.labels) if (x.cut) problems.push(`chart ${l.id}: legend label cut short: "${x.text}"`);
    for (const r of runs) if (!texts.includes(r)) problems.push(`chart ${l.id}: legend lacks run "${r}"`);
  }
  console.log(`legends of runs: ${runLegends.length}, ${runs.length} runs, labels whole and distinct`);
  const coloured = new Set();
  for (const [run, seen] of Object.entries(look.colours)) {
    const colours = new Set(seen.map((s) => s.colour));
    seen.forEach((s) => coloured.add(s.id));
    if (colours.size !== 1)
      problems.push(`run "${run}" has ${colours.size} colours: ${seen.map((s) => `${s.id} ${s.colour}`).join(', ')}`);
  }
  const allColours = Object.values(look.colours).map((seen) => seen[0].colour);
  if (new Set(allColours).size !== allColours.length && runs.length <= 20) problems.push('two runs share a colour');
  if (runs.length > 1) {
    for (const want of ['accuracy-time', 'per-class'])
      if (!coloured.has(want)) problems.push(`chart ${want} does not colour its marks by run`);
    console.log(`run colours: the same in ${[...coloured].join(', ')}`);
  }
  if (!ids.includes('per-class')) problems.push('no per-class chart');
  for (const a of look.axes)
    // The graph chart's axes are a drawing's layout (padded around [0, 1]), not quantities.
    if (!(a.id === 'timeline' && /y$/.test(a.name)) && a.id !== 'graph' && a.min < -1e-9)
      problems.push(`chart ${a.id}: axis ${a.name} goes below zero (${a.min})`);
  const fit = await page.evaluate(() => {
    const table = document.querySelector('#summary-table');
    const wrap = table.closest('.table-wrap');
    return { table: table.scrollWidth, wrap: wrap.clientWidth };
  });
  if (fit.table > fit.wrap + 1) problems.push(`summary table is wider (${fit.table} px) than the page (${fit.wrap} px)`);
  // Facet headers (svg charts): no two labels overlap.
  for (const id of ids) {
    const boxes = await page.$$eval(`#${id}-vis svg .role-row-header text, #${id}-vis svg .role-column-header text`,
      (els) => els.map((e) => { const r = e.getBoundingClientRect(); return { x1: r.left, y1: r.top, x2: r.right, y2: r.bottom, t: e.textContent }; }));
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.x1 < b.x2 - 0.5 && b.x1 < a.x2 - 0.5 && a.y1 < b.y2 - 0.5 && b.y1 < a.y2 - 0.5)
          problems.push(`chart ${id}: facet labels overlap: "${a.t}" and "${b.t}"`);
      }
  }

  if (screenshotArg) {
    phase = 'taking the screenshot';
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.resolve(screenshotArg), fullPage: true });
    console.log(`screenshot: ${path.resolve(screenshotArg)}`);
  }

  // The split radio of the round breakdown switches the view's data.
  const split = await page.$('#round-breakdown-vis input[value="mean of participants"]');
  if (split) {
    phase = 'switching the round breakdown split';
    await split.check();
    await page.waitForTimeout(200);
    const value = await page.evaluate(() => window.flemuViews['round-breakdown'].signal('split'));
    if (value !== 'mean of participants') problems.push(`split radio did not switch the breakdown (split = ${value})`);
  } else if (ids.includes('round-breakdown')) {
    problems.push('round breakdown has no split radio');
  }

  // The numbers: summary table and embedded data against metrics.csv.
  phase = 'comparing numbers with metrics.csv';
  const csv = readCsv(csvPath);
  const acc = csv.header.indexOf('accuracy');
  const evaluated = csv.rows.filter((r) => r[acc] !== '');
  const lastAccuracy = evaluated.length ? evaluated[evaluated.length - 1][acc] : '';
  const row = await page.evaluate((dir) => {
    const tr = [...document.querySelectorAll('#summary-table tbody tr')].find((r) => r.dataset.runDir === dir);
    if (!tr) return null;
    return { run: tr.dataset.run, accuracy: tr.querySelector('[data-field=final_accuracy]').textContent };
  }, runDir);
  if (!row) {
    problems.push(`summary table has no row for ${runDir}`);
  } else {
    if (row.accuracy !== lastAccuracy || Number(row.accuracy) !== Number(lastAccuracy))
      problems.push(`final accuracy shown "${row.accuracy}" != last accuracy in metrics.csv "${lastAccuracy}"`);
    else console.log(`final accuracy shown: ${row.accuracy} (= metrics.csv)`);
    const data = await page.evaluate(() => JSON.parse(document.getElementById('flemu-data').textContent).metrics);
    const mine = data.filter((d) => d.run === row.run);
    if (mine.length !== csv.rows.length) problems.push(`page has ${mine.length} metrics rows for ${row.run}, csv ${csv.rows.length}`);
    let mismatches = 0;
    csv.rows.forEach((cells, i) => csv.header.forEach((col, j) => {
      const want = cells[j] === '' ? null : Number(cells[j]);
      const got = mine[i] ? mine[i][col] : undefined;
      if (got !== want && mismatches++ < 5) problems.push(`metrics row ${i + 1} ${col}: page ${got}, csv ${cells[j]}`);
    }));
  }

  // Zooming the timeline (wheel over it) must change its time axis, and raise no error.
  const timeline = await page.$('#timeline-vis');
  if (timeline) {
    phase = 'zooming the timeline';
    const before = await page.evaluate(() => window.flemuViews.timeline.scale('x').domain());
    await timeline.scrollIntoViewIfNeeded();
    const box = await timeline.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(300);
    const after = await page.evaluate(() => window.flemuViews.timeline.scale('x').domain());
    if (JSON.stringify(after) === JSON.stringify(before)) problems.push('wheel over the timeline did not zoom it');
  }
} catch (err) {
  problems.push(`${err.name || 'error'} while ${phase}: ${err.message.split('\n')[0]}`);
} finally {
  await browser.close();
  clearTimeout(watchdog);
}

if (problems.length) fail(`\n  ${problems.join('\n  ')}`);
console.log(`report browser test: OK (${((Date.now() - started) / 1000).toFixed(1)} s)`);
