// The trace timeline in the browser: opened from a Traces view row on the sample app's traffic, rows in the
// webview's DOM, a row collapsed (mouse and keyboard), a search that jumps, the critical path drawn;
// screenshots in dark and light themes. Then the hostile-string corpus, sent as segment documents over UDP
// and opened by trace id: no payload runs (the flag, console errors, CSP violations) and the layout holds.
// Screenshots: test-results/timeline-dark.png, timeline-light.png, timeline-hostile.png.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dismissSaveDialog, openWorkbench, openXRayContainer, treeRows } from './workbench.mjs';

export const title = 'the trace timeline: rows, collapse, search, critical path, themes, hostile strings';

const corpus = JSON.parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hostile-strings.json'), 'utf8'));

function webview(page) {
  return page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
}

/** The Playwright Frame of the timeline's page, to evaluate in. */
async function timelineFrame(page) {
  for (const frame of page.frames()) {
    try {
      if (await frame.evaluate(() => document.querySelector('.tl-scroller') !== null)) return frame;
    } catch {
      // a frame navigating away
    }
  }
  throw new Error('no timeline webview frame');
}

async function runCommand(page, name) {
  const input = page.locator('.quick-input-widget input');
  // With focus inside a webview's iframe, F1 reaches the workbench only if the webview forwards it, which was seen
  // to fail now and then: take the focus back to the workbench's own document first, and ask again if needed.
  // After a window reload, blurring was once not enough either (three F1s, no palette): the later attempts give the
  // workbench the focus by clicking its status bar's empty middle, and use the palette's other shortcut.
  for (let attempt = 1; ; attempt++) {
    await page.evaluate(() => {
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    });
    if (attempt > 1) {
      const bar = page.locator('.part.statusbar');
      const box = await bar.boundingBox().catch(() => null);
      if (box) await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    }
    await page.keyboard.press(attempt === 3 ? 'Control+Shift+P' : 'F1');
    try {
      await input.waitFor({ timeout: 8000 });
      break;
    } catch (err) {
      if (attempt === 4) throw err;
    }
  }
  await input.fill(`>${name}`);
  // The filter is fuzzy ("Color Theme" also finds "Browse Color Themes in Marketplace"): click the exact one.
  const exact = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\w)`);
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exact }) }).first();
  await row.waitFor({ timeout: 10000 });
  await row.click();
}

async function setTheme(page, theme) {
  await runCommand(page, 'Preferences: Color Theme');
  // The theme picker replaces the command palette in the same widget: wait for it before typing.
  const input = page.locator('.quick-input-widget input[placeholder*="Color Theme"]');
  await input.waitFor({ timeout: 10000 });
  await input.fill(theme);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first();
  await row.waitFor({ timeout: 10000 });
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10000 });
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Names of the rows in view, in display order (the recycled row elements are not in DOM order). */
function shownNames(rows) {
  return rows.evaluateAll((elements) =>
    elements
      .map((e) => [Number(e.dataset.row), e.querySelector('.tl-name').textContent])
      .sort((a, b) => a[0] - b[0])
      .map(([, name]) => name),
  );
}

const hex = (bytes) => randomBytes(bytes).toString('hex');

/**
 * One trace made of the corpus: a root segment with one remote call per payload, and under each call a
 * segment of its own whose name, annotation, metadata, SQL, HTTP URL and exception message are the payload.
 */
function hostileTrace() {
  const now = Date.now() / 1000;
  const traceId = `1-${Math.floor(now).toString(16)}-${hex(12)}`;
  const calls = corpus.payloads.map((p, i) => ({ id: hex(8), name: `call-${i}`, namespace: 'remote', start_time: now + i * 0.002, end_time: now + i * 0.002 + 0.01 }));
  const root = { trace_id: traceId, id: hex(8), name: 'hostile-root', start_time: now, end_time: now + corpus.payloads.length * 0.002 + 0.02, subsegments: calls };
  const services = corpus.payloads.map((p, i) => ({
    trace_id: traceId,
    id: hex(8),
    parent_id: calls[i].id,
    name: p.value,
    start_time: calls[i].start_time + 0.001,
    end_time: calls[i].end_time - 0.001,
    fault: true,
    annotations: { payload: p.value, [`k${i}`]: p.value.slice(0, 100) },
    metadata: { default: { payload: p.value }, [p.id]: { nested: { value: p.value } } },
    http: { request: { method: 'GET', url: p.value }, response: { status: 500 } },
    subsegments: [
      {
        id: hex(8),
        name: p.value.slice(0, 300),
        start_time: calls[i].start_time + 0.002,
        end_time: calls[i].end_time - 0.002,
        sql: { sanitized_query: p.value, database_type: p.value.slice(0, 60) },
        fault: true,
        cause: { working_directory: '/srv/app', exceptions: [{ id: hex(8), type: 'Error', message: p.value, stack: [{ path: p.value.slice(0, 200), line: 1, label: p.value.slice(0, 100) }] }] },
      },
    ],
  }));
  return { traceId, documents: [root, ...services] };
}

function sendOverUdp(address, documents) {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    let left = documents.length;
    for (const doc of documents) {
      const datagram = Buffer.from(`{"format":"json","version":1}\n${JSON.stringify(doc)}`);
      if (datagram.length > 64 * 1024) return reject(new Error(`a hostile document is ${datagram.length} bytes, too large for one datagram`));
      socket.send(datagram, port, host, (err) => {
        if (err) reject(err);
        else if (--left === 0) socket.close(() => resolve());
      });
    }
  });
}

export async function run({ page, step, collectorAddress, workbenchUrl, startSampleApp, screenshot }) {
  let app;
  const view = webview(page);
  const rows = view.locator('.tl-row:not([hidden])');
  try {
    await step('the timeline opens from a trace row\'s inline button, with rows of both services', async () => {
      await openWorkbench(page, workbenchUrl);
      await openXRayContainer(page);
      app = await startSampleApp({ rate: 8, count: 16 });
      await app.traffic;
      await treeRows(page, /GET \/orders\//).first().waitFor({ timeout: 30000 });
      await page.waitForTimeout(1500); // the tree's debounced refresh after the last request
      const row = treeRows(page, /GET \/orders\//).first();
      await row.hover();
      await row.locator('.action-label[aria-label^="Open Trace Timeline"]').click();
      await rows.first().waitFor({ timeout: 30000 });
      const names = await shownNames(rows);
      assert(names[0] === 'frontend-api', `first row: ${names[0]}`);
      assert(names.includes('inventory-svc'), `rows: ${names.join(', ')}`);
      assert(names.length >= 6, `only ${names.length} rows`);
      const summary = await view.locator('.tl-summary').textContent();
      assert(/spans · 2 services/.test(summary), summary);
    });

    await step('the critical path is drawn and marked on rows', async () => {
      assert((await view.locator('.tl-row.critical').count()) >= 2, 'fewer than two critical rows');
      assert((await view.locator('.tl-crit:not([hidden])').count()) >= 2, 'no critical-path sections drawn');
      const ticks = await view.locator('.tl-tick').count();
      assert(ticks >= 3, `${ticks} axis ticks`);
    });

    await step('a row collapses and expands by its twisty and by the keyboard', async () => {
      const before = await rows.count();
      await view.locator('.tl-row[data-row="0"] .tl-twisty').click();
      await view.locator('.tl-row[data-row="0"][aria-expanded="false"]').waitFor({ timeout: 5000 });
      assert((await rows.count()) === 1, `collapsed root still shows ${await rows.count()} rows`);
      await view.locator('.tl-row[data-row="0"] .tl-twisty').click();
      await view.locator('.tl-row[data-row="0"][aria-expanded="true"]').waitFor({ timeout: 5000 });
      assert((await rows.count()) === before, 'expanding did not bring the rows back');
      // Keyboard: select the root, ArrowLeft folds it, ArrowRight unfolds it, ArrowDown moves on.
      await view.locator('.tl-row[data-row="0"] .tl-name').click();
      await view.locator('.tl-scroller').focus();
      await page.keyboard.press('ArrowLeft');
      await view.locator('.tl-row[data-row="0"][aria-expanded="false"]').waitFor({ timeout: 5000 });
      await page.keyboard.press('ArrowRight');
      await view.locator('.tl-row[data-row="0"][aria-expanded="true"]').waitFor({ timeout: 5000 });
      await page.keyboard.press('ArrowDown');
      await view.locator('.tl-row.selected[data-row="1"]').waitFor({ timeout: 5000 });
    });

    await step('search highlights the matches, jumps to the first, and shows its details', async () => {
      const field = view.locator('vscode-text-field.tl-search input');
      await field.fill('order_id');
      await view.locator('.tl-match-count', { hasText: /^1 of \d+$/ }).waitFor({ timeout: 5000 });
      const current = view.locator('.tl-row.current-match');
      await current.waitFor({ timeout: 5000 });
      const name = await current.locator('.tl-name').textContent();
      await view.locator('.tl-details h2', { hasText: name }).waitFor({ timeout: 5000 });
      await view.locator('.tl-details h3', { hasText: 'Annotations' }).waitFor({ timeout: 5000 });
      await field.press('Enter');
      await field.fill('no-such-span-anywhere');
      await view.locator('.tl-match-count', { hasText: 'No matches' }).waitFor({ timeout: 5000 });
      await field.fill('');
      await view.locator('.tl-row[data-row="0"] .tl-name').click();
      await setTheme(page, 'Dark Modern');
      await page.mouse.move(5, 5);
      await screenshot('timeline-dark.png');
    });

    await step('in the light theme the page follows the theme colours', async () => {
      const frame = await timelineFrame(page);
      const darkBg = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await setTheme(page, 'Light Modern');
      const lightFrame = await timelineFrame(page);
      let lightBg = darkBg;
      for (let i = 0; i < 40 && lightBg === darkBg; i++) {
        await page.waitForTimeout(250);
        lightBg = await lightFrame.evaluate(() => getComputedStyle(document.body).backgroundColor);
      }
      assert(lightBg !== darkBg, `background stayed ${darkBg}`);
      const barColour = await lightFrame.evaluate(() => getComputedStyle(document.querySelector('.tl-bar')).backgroundColor);
      assert(barColour !== 'rgba(0, 0, 0, 0)', 'bars have no theme colour');
      await page.mouse.move(5, 5);
      await screenshot('timeline-light.png');
    });

    const consoleProblems = [];
    const workbenchReports = [];
    await step('the hostile corpus, sent over UDP and opened by trace id, runs nothing and keeps the layout', async () => {
      page.on('console', (m) => {
        const text = m.text();
        const where = m.location()?.url ?? '?';
        if (m.type() !== 'error' || !/Content Security Policy|__xrayLensPwned|webview/i.test(`${text} ${where}`)) return;
        // The workbench page itself (not a webview) reports a few blocked inline handlers on detached
        // elements when earlier UI tests have run (source in VS Code not identified; nothing runs: CSP
        // blocks them and the flag stays unset, checked below in every frame). Logged, not counted.
        if (/\/workbench\/workbench\.js/.test(where) && /inline event handler/.test(text)) workbenchReports.push(text);
        else consoleProblems.push(`${text} at ${where}`);
      });
      page.on('pageerror', (err) => consoleProblems.push(String(err)));
      await runCommand(page, 'View: Close All Editors');
      await dismissSaveDialog(page);
      const { traceId, documents } = hostileTrace();
      await sendOverUdp(collectorAddress, documents);
      await page.waitForTimeout(1000);
      await runCommand(page, 'X-Ray: Open Trace Timeline');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 10000 });
      await input.fill(traceId);
      await page.keyboard.press('Enter');
      await view.locator('.tl-row').first().waitFor({ timeout: 30000 });
      const frame = await timelineFrame(page);
      await frame.evaluate(() => {
        window.__timelineCsp = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__timelineCsp.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      const total = await frame.evaluate(() => document.querySelector('.tl-summary').textContent);
      const expectedRows = 1 + corpus.payloads.length * 3;
      assert(total.includes(`${expectedRows} spans`), `${total} (expected ${expectedRows} spans)`);
      // Show every row's details (names, annotations, metadata, SQL, URL, exception messages): walk the list by keyboard.
      await view.locator('.tl-row[data-row="0"] .tl-name').click();
      await view.locator('.tl-scroller').focus();
      for (let i = 0; i < expectedRows - 1; i++) await page.keyboard.press('ArrowDown');
      await view.locator(`.tl-row.selected[data-row="${expectedRows - 1}"]`).waitFor({ timeout: 10000 });
      await view.locator('.tl-details h3', { hasText: 'Cause' }).waitFor({ timeout: 10000 });
      // And search for a payload (the text field takes it as text).
      await view.locator('vscode-text-field.tl-search input').fill('<script>');
      await view.locator('.tl-match-count', { hasText: /of \d+$/ }).waitFor({ timeout: 5000 });
      await page.waitForTimeout(500);

      // Nothing ran, anywhere.
      for (const f of page.frames()) {
        const pwned = await f.evaluate((flag) => window[flag], corpus.flag).catch(() => undefined);
        assert(pwned === undefined, `the flag was set in ${f.url()}`);
      }
      const violations = await frame.evaluate(() => window.__timelineCsp);
      assert(violations.length === 0, `CSP violations: ${violations.join('; ')}`);
      assert(consoleProblems.length === 0, `console: ${consoleProblems.slice(0, 3).join(' | ')}`);
      if (workbenchReports.length) console.log(`    note: the workbench page (not the timeline) reported ${workbenchReports.length} blocked inline handler(s) on detached elements`);
      // The payloads are shown as text, and nothing got into the page as markup.
      const layout = await frame.evaluate(() => {
        const shown = [...document.querySelectorAll('.tl-row:not([hidden])')];
        return {
          // Our page's body holds our script (by src) and elements we made; nothing else may appear in it.
          injected: document.body.querySelectorAll('script:not([src]), img, iframe, object, embed, svg, math, form, base, meta, style, a, details').length,
          heights: [...new Set(shown.map((r) => Math.round(r.getBoundingClientRect().height)))],
          pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          detailsOverflow: (() => {
            const d = document.querySelector('.tl-details');
            return d.scrollWidth - d.clientWidth;
          })(),
          headerHeight: document.querySelector('.tl-header').getBoundingClientRect().height,
          names: shown.map((r) => r.querySelector('.tl-name').textContent),
          visible: getComputedStyle(document.body).visibility,
        };
      });
      assert(layout.injected === 0, `${layout.injected} elements were created from trace data`);
      assert(layout.heights.length === 1 && layout.heights[0] === 22, `row heights ${layout.heights}`);
      assert(layout.pageOverflow <= 1, `the page scrolls sideways by ${layout.pageOverflow}px`);
      assert(layout.detailsOverflow <= 1, `the details overflow by ${layout.detailsOverflow}px`);
      assert(layout.headerHeight < 200, `the header grew to ${layout.headerHeight}px`);
      assert(layout.visible === 'visible', 'the body was hidden');
      assert(layout.names.some((n) => n.startsWith('<script>window.__xrayLensPwned=1</script>') || n.startsWith('<img src=x onerror=')), `payload names not shown as text: ${layout.names.slice(0, 5).join(' | ')}`);
      await page.mouse.move(5, 5);
      await screenshot('timeline-hostile.png');
    });

    // Last: after a reload the command palette has been seen not to open (four tries, F1 and Ctrl+Shift+P), which
    // failed the step that followed it in a fresh-clone CI run.
    await step('after a window reload the panel comes back and fetches its trace again', async () => {
      await view.locator('.tl-row[data-row="2"] .tl-name').click();
      await view.locator('.tl-row.selected[data-row="2"]').waitFor({ timeout: 5000 });
      const traceId = /Trace (1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(await view.locator('.tl-summary').textContent())[1];
      await runCommand(page, 'Developer: Reload Window');
      await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
      // The restored panel (serializer, onWebviewPanel activation) fetches its trace id again. The embedded
      // collector keeps traces in memory: if the old extension host's collector is gone, the new one has no
      // such trace and the panel says so; if the new host attached to the old collector still listening, the
      // trace comes back with the row that was selected (persisted by the webview).
      const restored = view.locator('.tl-row.selected[data-row="2"]');
      const notFound = view.locator('.tl-message', { hasText: `Trace ${traceId} was not found in local` });
      try {
        await restored.or(notFound).first().waitFor({ timeout: 60000 });
      } catch (err) {
        await screenshot('timeline-reload-failure.png');
        const shown = await view.locator('.tl-message, .tl-summary').allTextContents().catch((e) => [String(e)]);
        throw new Error(`${err.message.split('\n')[0]}; the page says: ${shown.join(' | ')}`);
      }
      if (await restored.count()) await view.locator('.tl-details h2').waitFor({ timeout: 10000 });
      await view.locator('.tl-summary', { hasText: traceId }).waitFor({ timeout: 5000 });
    });
  } finally {
    await app?.stop();
  }
}
