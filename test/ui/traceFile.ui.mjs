// A trace file and the filter editor as a person meets them. No app sends anything: "X-Ray: Open Trace File…"
// from the palette, the path typed into VS Code's own file dialog, and samples/traces/shop.batch-get-traces.json
// (the sample app's traffic from the real X-Ray SDK, as `aws xray batch-get-traces` prints it) fills the Traces
// view and puts its lenses on samples/; then the filter editor completes the file's service names after
// `service(` and underlines a mistake, whose hover says what is wrong. Screenshots: test-results/trace-file.png,
// trace-file-lens.png, filter-completion.png, filter-error.png.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { notification, openFile, openWorkbench, openXRayContainer, runCommand, waitForRows, TRACE_ROW } from './workbench.mjs';

export const title = 'a trace file opened from the palette fills the Traces view and the lenses; the filter editor completes and underlines';

const traceFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../samples/traces/shop.batch-get-traces.json');

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export async function run({ page, step, workbenchUrl, screenshot }) {
  await step('the workbench opens on the local collector', async () => {
    await openWorkbench(page, workbenchUrl);
    await openXRayContainer(page);
  });

  await step('Open Trace File…: the path typed in the file dialog; the view lists the file\'s 60 traces and says where they come from', async () => {
    await runCommand(page, 'X-Ray: Open Trace File');
    // code-server's file dialog is a quick input holding a path.
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: 20000 });
    await input.fill(traceFile);
    // The dialog reads the folder as the path is typed: Enter once it lists the file (a slow machine may take a
    // while; an Enter before then could act on what the dialog showed before).
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'shop.batch-get-traces.json' }).first().waitFor({ timeout: 15000 }).catch(() => undefined);
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    const toast = notification(page, 'from shop.batch-get-traces.json');
    try {
      await toast.waitFor({ timeout: 30000 });
    } catch (error) {
      await screenshot('trace-file-failed.png');
      throw error;
    }
    const text = await toast.innerText();
    assert(/showing 60 traces \(99 documents, batch-get-traces\)/.test(text), `the notification says: ${text}`);
    await waitForRows(page, TRACE_ROW, 10, { timeout: 30000 });
    await page.locator('.statusbar-item', { hasText: 'X-Ray: file shop.batch-get-traces.json' }).first().waitFor({ timeout: 20000 });
    await page.mouse.move(700, 500);
    await screenshot('trace-file.png');
  });

  await step('the file\'s lens is above loadOrder, with the file\'s sample size', async () => {
    await openFile(page, 'frontend/lib/orderStore.js', 'orderStore.js');
    const lens = page.locator('.contentWidgets .codelens-decoration', { hasText: /p95 .* · n=39 · \d+ min/ }).first();
    await lens.waitFor({ timeout: 45000 });
    await screenshot('trace-file-lens.png');
  });

  await step('the filter editor offers the file\'s services after service( and underlines a mistake at its character', async () => {
    await runCommand(page, 'X-Ray: Edit Filter in Editor');
    // Keys go to the filter's own editor, never into a workspace file.
    await page.locator('.tabs-container .tab.active', { hasText: 'Untitled' }).waitFor({ timeout: 20000 });
    const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
    await editor.waitFor({ timeout: 20000 });
    await editor.click();
    await page.locator('.editor-instance .monaco-editor.focused').first().waitFor({ timeout: 10000 });
    await page.waitForTimeout(700); // a key pressed the moment the new editor has focus can be lost in code-server
    await page.keyboard.type('service(', { delay: 60 });
    const line = page.locator('.editor-instance .monaco-editor .view-line').first();
    if ((await line.innerText()).replace(/\s/g, ' ').trim() !== 'service()') {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('service(', { delay: 60 });
    }
    const suggest = page.locator('.suggest-widget .monaco-list-row', { hasText: 'inventory-svc' }).first();
    try {
      await suggest.waitFor({ timeout: 5000 });
    } catch {
      await screenshot('debug-filter-1.png');
      await page.keyboard.press('Control+Space');
      await suggest.waitFor({ timeout: 15000 });
    }
    assert(await page.locator('.suggest-widget .monaco-list-row', { hasText: 'frontend-api' }).count() > 0, 'frontend-api is offered too');
    await screenshot('filter-completion.png');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('responsetime > fast');
    const squiggle = page.locator('.view-overlays .squiggly-error').first();
    await squiggle.waitFor({ timeout: 20000 });
    // The underline is under "fast", and its hover (the cursor inside the word, Show or Focus Hover) says what is wrong.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await runCommand(page, 'Show or Focus Hover');
    const hover = page.locator('.monaco-hover', { hasText: /Expected a number after "responsetime >"/ }).first();
    await hover.waitFor({ timeout: 15000 });
    await screenshot('filter-error.png');
    // Nothing left behind for the checks after this one (an untitled editor comes back with the window).
    await editor.click();
    await runCommand(page, 'View: Revert and Close Editor');
  });

  await step('Close Trace File goes back to the local collector', async () => {
    await runCommand(page, 'X-Ray: Close Trace File');
    await page.locator('.statusbar-item', { hasText: /X-Ray: local :\d+/ }).first().waitFor({ timeout: 20000 });
  });
}
