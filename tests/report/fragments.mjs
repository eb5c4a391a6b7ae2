// Every text-fragment link of a JSON report, opened in real headless Chromium (Debian's, driven
// by playwright-core): each source's snapshot is served as HTML on 127.0.0.1 (one <p> per
// paragraph, as the live article has them, a single line break as <br>, tall spacers above and
// below), each link's origin and path are replaced by that page's, and the link must make
// Chromium scroll to and paint its `::target-text` highlight where the quote starts.
//
// How "highlights" is measured: the page styles `::target-text` in pure magenta (background
// and text); after the navigation, a screenshot of the viewport must hold magenta, and the
// character under the first magenta pixel (caretRangeFromPoint) must be the quote's first
// character, at its code-point offset in the snapshot (each <p> carries its offset).
//
// Usage: node fragments.mjs REPORT.json WORKSPACE_DIR  (JUDGES_NPM: where playwright-core is)
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const [reportPath, workspace] = process.argv.slice(2);
const require = createRequire(path.join(process.env.JUDGES_NPM, 'package.json'));
const { chromium } = require('playwright-core');

const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
const escapeHtml = (s) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const codePoints = (s) => [...s].length;

// The snapshot text of a citation: the current capture, or a superseded one (`<id>@<sha12>`).
function snapshotFile(c) {
  const dir = path.join(workspace, 'snapshots');
  if (c.revision) return path.join(dir, `${c.source}@${c.revision.slice(0, 12)}.txt`);
  return path.join(dir, `${c.source}.txt`);
}

// The snapshot as an article: paragraphs (split at blank lines) as <p data-start=offset>, line
// breaks inside one as <br> (each line a <span data-start>, for offsets).
function page(text) {
  const parts = [];
  let offset = 0;
  for (const para of text.split(/(\n[ \t]*\n+)/)) {
    if (/^\n[ \t]*\n+$/.test(para)) {
      offset += codePoints(para);
      continue;
    }
    const lines = para.split('\n');
    const spans = lines.map((line, i) => {
      const span = `<span data-start="${offset}">${escapeHtml(line)}</span>`;
      offset += codePoints(line) + (i < lines.length - 1 ? 1 : 0);
      return span;
    });
    parts.push(`<p>${spans.join('<br>')}</p>`);
  }
  return `<!doctype html><html lang="fr"><meta charset="utf-8"><title>snapshot</title>
<style>::target-text { background: #ff00ff; color: #ff00ff; }
body { font: 16px/1.5 sans-serif; max-width: 50rem; margin: 0 auto; }</style>
<body><div style="height: 6000px"></div>${parts.join('\n')}<div style="height: 6000px"></div></body></html>`;
}

function decodePng(buf) {
  let pos = 8;
  let width, height, depth, type;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const kind = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (kind === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      depth = data[8];
      type = data[9];
      if (data[12] !== 0) throw new Error('interlaced PNG');
    } else if (kind === 'IDAT') idat.push(data);
    else if (kind === 'IEND') break;
    pos += 12 + len;
  }
  if (depth !== 8 || (type !== 6 && type !== 2)) throw new Error(`PNG type ${type}/${depth}`);
  const bpp = type === 6 ? 4 : 3;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[y * stride + x - bpp] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? px[(y - 1) * stride + x - bpp] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[y * stride + x] = v & 255;
    }
  }
  return { width, height, bpp, px };
}

// The first magenta pixel, top to bottom then left to right, and the middle of its run down.
function firstMagenta({ width, height, bpp, px }) {
  const magenta = (x, y) => {
    const i = (y * width + x) * bpp;
    return px[i] > 240 && px[i + 1] < 16 && px[i + 2] > 240;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (magenta(x, y)) {
        let bottom = y;
        while (bottom + 1 < height && magenta(x, bottom + 1)) bottom++;
        return { x, y: Math.floor((y + bottom) / 2) };
      }
    }
  }
  return null;
}

const citations = report.facts.flatMap((f) =>
  f.citations.filter((c) => c.fragment_link).map((c) => ({ ...c, claim: f.claim })),
);
const pages = new Map();
const server = http.createServer((req, res) => {
  const name = decodeURIComponent(req.url.split('#')[0].split('?')[0].slice(1));
  const body = pages.get(name);
  if (body === undefined) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
let passed = 0;
const failures = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 2000 } });
  const tab = await context.newPage();
  for (const c of citations) {
    const file = snapshotFile(c);
    const name = path.basename(file, '.txt');
    if (!pages.has(name)) pages.set(name, page(fs.readFileSync(file, 'utf8')));
    const hash = c.fragment_link.indexOf('#');
    const link = `${origin}/${encodeURIComponent(name)}${c.fragment_link.slice(hash)}`;
    // A fresh navigation each time (a fragment change alone does not run the directive).
    await tab.goto('about:blank');
    await tab.goto(link, { waitUntil: 'load' });
    await tab.waitForTimeout(150);
    const hit = firstMagenta(decodePng(await tab.screenshot()));
    let at = null;
    if (hit) {
      at = await tab.evaluate(({ x, y }) => {
        const r = document.caretRangeFromPoint(x + 1, y);
        if (!r) return null;
        const span = r.startContainer.parentElement.closest('span[data-start]');
        if (!span) return null;
        const before = r.startContainer.textContent.slice(0, r.startOffset);
        return Number(span.dataset.start) + [...before].length;
      }, hit);
    }
    const lead = c.text.length - c.text.trimStart().length;
    const want = c.found[0] + lead;
    if (hit && at === want) passed++;
    else
      failures.push(
        `${c.claim} (${c.source} [${c.found}]): ${hit ? `highlight starts at ${at}, not ${want}` : 'nothing highlighted'}\n    ${c.fragment_link}`,
      );
  }
} finally {
  await browser.close();
  server.close();
}
for (const f of failures) console.log(`FAILED: ${f}`);
console.log(`text-fragment links in chromium: ${passed} of ${citations.length} highlight the quote`);
console.log(`text fragments: ${passed} passed, ${failures.length} failed`);
process.exit(failures.length === 0 && passed > 0 ? 0 : 1);
