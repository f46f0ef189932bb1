// A 50,000-span trace in the timeline of a real VS Code: 251 segment documents sent over UDP to the collector,
// opened by trace id. Every span is a row (the columns crossed Webview.postMessage as typed arrays at this
// size), the last one is reached with End, and a search finds its span. Prints how long the panel took from
// the command to its first row (fetch from the collector, webview start, build, message, paint), and the same
// for a 100-span trace opened the same way just before: a measurement, not asserted.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { dismissSaveDialog, openWorkbench, openXRayContainer, runCommand } from './workbench.mjs';

export const title = 'a 50,000-span trace in the timeline';

const CALLS = 250;
const SUBSEGMENTS_PER_CALL = 199;
const spanCount = (calls, perCall) => 1 + calls + calls * (1 + perCall);
const SPANS = spanCount(CALLS, SUBSEGMENTS_PER_CALL);

const hex = (bytes) => randomBytes(bytes).toString('hex');

/** A root segment with `callCount` remote calls, and under each call a segment of its own with `perCall` subsegments. */
function makeTrace(callCount, perCall) {
  const now = Date.now() / 1000 - 5;
  const traceId = `1-${Math.floor(now).toString(16)}-${hex(12)}`;
  const calls = Array.from({ length: callCount }, (_, i) => ({ id: hex(8), name: `call-${i}`, namespace: 'remote', start_time: now + i * 0.01, end_time: now + i * 0.01 + 0.5 }));
  const root = { trace_id: traceId, id: hex(8), name: 'large-root', start_time: now, end_time: now + callCount * 0.01 + 1, subsegments: calls };
  const services = calls.map((call, i) => ({
    trace_id: traceId,
    id: hex(8),
    parent_id: call.id,
    name: `svc-${i % 6}`,
    start_time: call.start_time + 0.01,
    end_time: call.end_time - 0.01,
    subsegments: Array.from({ length: perCall }, (_, k) => ({
      id: hex(8),
      name: `work-${i}-${k}`,
      start_time: call.start_time + 0.01 + k * 0.002,
      end_time: call.start_time + 0.02 + k * 0.002,
    })),
  }));
  return { traceId, documents: [root, ...services] };
}

/** Sends each document as one datagram, a few at a time, so the collector's socket buffer never overflows. */
async function sendOverUdp(address, documents) {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const socket = dgram.createSocket('udp4');
  try {
    for (let i = 0; i < documents.length; i += 8) {
      await Promise.all(
        documents.slice(i, i + 8).map((doc) => {
          const datagram = Buffer.from(`{"format":"json","version":1}\n${JSON.stringify(doc)}`);
          if (datagram.length > 64 * 1024) throw new Error(`a document is ${datagram.length} bytes, too large for one datagram`);
          return new Promise((resolve, reject) => socket.send(datagram, port, host, (err) => (err ? reject(err) : resolve())));
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    socket.close();
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export async function run({ page, step, collectorAddress, workbenchUrl, screenshot }) {
  const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
  const port = collectorAddress.slice(collectorAddress.lastIndexOf(':') + 1);
  const large = makeTrace(CALLS, SUBSEGMENTS_PER_CALL);
  const small = makeTrace(1, 97);

  /** Opens a trace by id from the command palette; the ms from Enter to its first row. */
  const open = async ({ traceId }, spans) => {
    await runCommand(page, 'View: Close All Editors');
    await dismissSaveDialog(page);
    await runCommand(page, 'X-Ray: Open Trace Timeline');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10000 });
    await input.fill(traceId);
    const t = Date.now();
    await page.keyboard.press('Enter');
    try {
      await view.locator('.tl-row[data-row="0"]').waitFor({ timeout: 60000 });
    } catch (err) {
      await screenshot('timeline-large-failure.png');
      const shown = await view.locator('.tl-message, .tl-summary').allTextContents().catch((e) => [String(e)]);
      throw new Error(`${err.message.split('\n')[0]}; the page says: ${shown.join(' | ')}`);
    }
    const ms = Date.now() - t;
    const summary = await view.locator('.tl-summary').textContent();
    assert(summary.includes(`${spans} spans`), `${summary} (expected ${spans} spans)`);
    return { ms, summary };
  };

  await step(`${SPANS} spans sent over UDP open by trace id, every one a row`, async () => {
    await openWorkbench(page, workbenchUrl);
    await openXRayContainer(page);
    // Sent once the collector listens (the status bar names it); opened once both traces are in the list.
    const status = page.locator('.statusbar-item', { hasText: `X-Ray: local :${port}` }).first();
    await status.waitFor({ timeout: 30000 });
    const traceCount = async () => Number(/· (\d+) traces?/.exec(await status.textContent())?.[1] ?? 0);
    const before = await traceCount();
    await sendOverUdp(collectorAddress, [...small.documents, ...large.documents]);
    for (let i = 0; (await traceCount()) < before + 2; i++) {
      if (i === 120) throw new Error(`the collector lists ${await traceCount()} traces, expected ${before + 2}`);
      await page.waitForTimeout(250);
    }
    const baseline = await open(small, spanCount(1, 97));
    const { ms, summary } = await open(large, SPANS);
    assert(summary.includes('7 services'), summary);
    console.log(`    from the command to the first row: ${ms} ms; a ${spanCount(1, 97)}-span trace: ${baseline.ms} ms (ratio ${(ms / baseline.ms).toFixed(2)})`);
  });

  await step('End reaches the last row, and a search finds a span among them', async () => {
    await view.locator('.tl-row[data-row="0"] .tl-name').click();
    await view.locator('.tl-scroller').focus();
    await page.keyboard.press('End');
    await view.locator(`.tl-row.selected[data-row="${SPANS - 1}"]`).waitFor({ timeout: 10000 });
    const last = await view.locator('.tl-row.selected .tl-name').textContent();
    assert(last === `work-${CALLS - 1}-${SUBSEGMENTS_PER_CALL - 1}`, `last row: ${last}`);
    await view.locator('vscode-text-field.tl-search input').fill('work-17-42');
    await view.locator('.tl-match-count', { hasText: /^1 of 1$/ }).waitFor({ timeout: 10000 });
    await view.locator('.tl-details h2', { hasText: 'work-17-42' }).waitFor({ timeout: 10000 });
  });
}
