// Frame times of the built page in headless Chromium while it plays virtual time at 1x with
// many pods drawn: a benchmark (numbers to record in docs/benchmarks.md), not a test.
//
//   node tests/e2e/frames.mjs http://127.0.0.1:PORT/ [PODS...]
//   node tests/e2e/frames.mjs http://127.0.0.1:PORT/ --busy [N...]
//
// For each pod count it applies extra nodes (110 pods each) and a Deployment of that many tiny
// pods through the editor, plays until they all run, then plays 1x for 5 s of wall time and
// records requestAnimationFrame intervals. Prints p50/p95/p99/max and the frames over 1.5 x
// 16.7 ms ("dropped"). With --busy it types `kubectl create deployment big --replicas=N` on the
// default 3 nodes (most pods stay Pending), plays at 100x for 5 s of wall time, records the frame
// intervals, then clicks Pause and times the answer (docs/benchmarks.md, "Thousands of pods").
// Uses Debian's /usr/bin/chromium (CHROMIUM overrides).

import { chromium } from 'playwright-core';

const [url, ...rest] = process.argv.slice(2);
const busy = rest[0] === '--busy';
const counts = busy ? rest.slice(1) : rest;
if (!url) {
  console.error('usage: node tests/e2e/frames.mjs http://127.0.0.1:PORT/ [PODS...]');
  process.exit(2);
}
const podCounts = counts.length ? counts.map(Number) : busy ? [1000, 3000, 10000] : [200, 500];

const manifest = (pods) => {
  const nodes = Math.ceil(pods / 100);
  const docs = [];
  for (let i = 1; i <= nodes; i += 1) {
    docs.push(`apiVersion: v1
kind: Node
metadata:
  name: extra-${i}
status:
  capacity: {cpu: "64", memory: 256Gi, pods: "110"}`);
  }
  docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: many
spec:
  replicas: ${pods}
  selector:
    matchLabels: {app: many}
  template:
    metadata:
      labels: {app: many}
    spec:
      containers:
      - name: c
        image: nginx:1.27
        resources:
          requests: {cpu: 10m, memory: 16Mi}`);
  return docs.join('\n---\n');
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const results = [];
const intervals = (frames) => {
  const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
  const q = (p) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))];
  return { frames: gaps.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: gaps[gaps.length - 1], dropped: gaps.filter((g) => g > 25).length };
};
const record = (ms) => new Promise((resolve) => {
  const times = [];
  const end = performance.now() + ms;
  const tick = (t) => {
    times.push(t);
    if (t < end) requestAnimationFrame(tick); else resolve(times);
  };
  requestAnimationFrame(tick);
});
for (const n of busy ? podCounts : []) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#cluster-view g.node');
  await page.evaluate(() => localStorage.clear());
  await page.locator('#terminal-input').fill(`kubectl create deployment big --image=nginx:1.27 --replicas=${n}`);
  await page.locator('#terminal-input').press('Enter');
  await page.selectOption('#speed', '100');
  await page.locator('#play').click();
  const r = intervals(await page.evaluate(record, 5000));
  const box = await page.locator('#play').boundingBox();
  const started = Date.now();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector('#play').getAttribute('aria-pressed') === 'false', null, { timeout: 60_000, polling: 'raf' });
  const pause = Date.now() - started;
  console.log(`busy: ${n} pods at 100x: ${r.frames} frames in 5 s; p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, `
    + `max ${r.max.toFixed(1)} ms; ${r.dropped} over 25 ms; Pause answered in ${pause} ms; clock ${await page.locator('#clock').textContent()}`);
  await page.close();
}
for (const pods of busy ? [] : podCounts) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#cluster-view g.node');
  await page.evaluate(() => localStorage.clear());
  await page.locator('#editor, #editor-cm').first().click();
  if (await page.locator('#editor').count()) {
    await page.locator('#editor').fill(manifest(pods));
  } else {
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(manifest(pods));
  }
  await page.locator('#apply').click();
  await page.selectOption('#speed', '100');
  await page.locator('#play').click();
  const started = Date.now();
  await page.waitForFunction(
    (n) => document.querySelectorAll('#cluster-view g.pod[data-status="Running"]').length >= n,
    pods,
    { timeout: 300_000, polling: 500 },
  );
  const settle = Date.now() - started;
  await page.locator('#play').click();
  await page.selectOption('#speed', '1');
  await page.locator('#play').click();
  const frames = await page.evaluate(() => new Promise((resolve) => {
    const times = [];
    const end = performance.now() + 5000;
    const tick = (t) => {
      times.push(t);
      if (t < end) requestAnimationFrame(tick); else resolve(times);
    };
    requestAnimationFrame(tick);
  }));
  await page.locator('#play').click();
  const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
  const q = (p) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))];
  const dropped = gaps.filter((g) => g > 25).length;
  const drawn = await page.locator('#cluster-view g.pod').count();
  results.push({ pods, drawn, settle_ms: settle, frames: gaps.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: gaps[gaps.length - 1], dropped });
  await page.close();
}
await browser.close();
for (const r of results) {
  console.log(`frames: ${r.pods} pods (${r.drawn} drawn): ${r.frames} frames in 5 s at 1x; `
    + `interval p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, `
    + `max ${r.max.toFixed(1)} ms; ${r.dropped} over 25 ms; all Running after ${(r.settle_ms / 1000).toFixed(1)} s at 100x`);
}
