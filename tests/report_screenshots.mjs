#!/usr/bin/env node
// Screenshots of a `flemu report` page, one PNG per section (summary, each chart), as a
// person sees them in a 1200 px wide window: for looking at a report after changing it.
//
// Usage: node tests/report_screenshots.mjs REPORT.html OUT_DIR [PREFIX]
// Writes OUT_DIR/PREFIX-<section id>.png. Uses Debian's chromium through playwright-core from
// analysis/node_modules, like tests/report_browser_test.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [reportArg, outArg, prefixArg] = process.argv.slice(2);
if (!reportArg || !outArg) {
  console.error('usage: node tests/report_screenshots.mjs REPORT.html OUT_DIR [PREFIX]');
  process.exit(1);
}
const require = createRequire(path.join(here, '..', 'analysis', 'package.json'));
const { chromium } = require('playwright-core');
const prefix = prefixArg || path.basename(reportArg, '.html');
fs.mkdirSync(outArg, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(pathToFileURL(path.resolve(reportArg)).href);
  await page.waitForFunction(() => document.body.getAttribute('data-rendered') !== 'pending', null, { timeout: 120000 });
  const ids = await page.$$eval('section', (els) => els.map((e) => e.id).filter((id) => id));
  for (const id of ids) {
    const el = await page.$(`section#${id}`);
    await el.scrollIntoViewIfNeeded();
    const file = path.join(outArg, `${prefix}-${id}.png`);
    await el.screenshot({ path: file });
    console.log(file);
  }
} finally {
  await browser.close();
}
