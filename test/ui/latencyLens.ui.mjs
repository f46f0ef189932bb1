// What a person sees above their code: with the sample app's traffic arriving, opening
// frontend/lib/orderStore.js shows a latency lens above loadOrder (p95 · p50 · faults · n · window); clicking it
// narrows the Traces view to the traces through loadOrder; the /crash TypeError shows in Problems.
// Screenshots: test-results/lenses.png, test-results/lens-traces.png.
import { openFile, openWorkbench, openXRayContainer, treeRows, waitForRows, TRACE_ROW } from './workbench.mjs';

export const title = 'latency lenses above the sample app\'s slow functions';

export async function run({ page, step, workbenchUrl, startSampleApp, screenshot }) {
  let app;
  try {
    await step('the workbench opens with the sample app sending traces', async () => {
      await openWorkbench(page, workbenchUrl);
      await openXRayContainer(page);
      app = await startSampleApp({ rate: 8, count: 40 });
      await app.traffic;
    });
    await step('orderStore.js shows a latency lens above loadOrder', async () => {
      await openFile(page, 'frontend/lib/orderStore.js', 'orderStore.js');
      const lens = page.locator('.contentWidgets .codelens-decoration', { hasText: /p95 .* · p50 .* faults · n=\d+ · \d+ (min|h|d)/ }).first();
      try {
        await lens.waitFor({ timeout: 45000 });
      } finally {
        await page.mouse.move(900, 700);
        await screenshot('lenses.png');
      }
      // The lens sits on the line above `function loadOrder(`: the view line right after it holds that text.
      const text = await lens.innerText();
      if (!/n=\d+/.test(text)) throw new Error(`lens "${text}" shows no sample size`);
    });
    await step('clicking the lens lists the traces through loadOrder in the Traces view; Clear Trace Filter lists them all', async () => {
      const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: /p95 .* · n=\d+/ }).first();
      await lens.click();
      const message = page.locator('.part.sidebar').getByText(/^\d+ traces? through loadOrder\./).first();
      await message.waitFor({ timeout: 20000 });
      await page.mouse.move(900, 700);
      await screenshot('lens-traces.png');
      // /orders/<id> and /checkout load an order; /crash does not, so it is not listed.
      await waitForRows(page, TRACE_ROW, 1, { timeout: 20000 });
      // The Traces view's own top-level rows; the tree and its message are re-rendered separately while the last
      // segments arrive, so the count is compared until both settle (a lasting mismatch fails after 15 s).
      const traceRows = page.locator('.part.sidebar .monaco-list-row[role=treeitem][aria-level="1"]', { hasText: TRACE_ROW });
      // A trace listed before its frontend segment arrived is labelled by its inventory-svc segment until the next
      // listing: the labels are compared until they settle too.
      let rows = [];
      let said = '';
      let others = [];
      for (const settleBy = Date.now() + 15000; ;) {
        rows = await traceRows.allInnerTexts();
        said = await message.innerText();
        others = rows.filter((r) => !/GET \/orders\/\d+|POST \/checkout/.test(r));
        if ((rows.length <= Number(/^(\d+)/.exec(said)[1]) && others.length === 0) || Date.now() > settleBy) break;
        await page.waitForTimeout(500);
      }
      if (others.length > 0) throw new Error(`rows that do not go through loadOrder: ${others.join(' | ')}`);
      if (rows.length > Number(/^(\d+)/.exec(said)[1])) throw new Error(`${rows.length} rows under "${said}"`);
      await page.locator('.part.sidebar a.action-label[aria-label^="Clear Trace Filter"]').first().click();
      await message.waitFor({ state: 'detached', timeout: 20000 });
      await treeRows(page, /GET \/crash/).first().waitFor({ timeout: 20000 });
    });
    await step('the /crash TypeError is in Problems', async () => {
      await page.keyboard.press('Control+Shift+M');
      await page.locator('.markers-panel .monaco-list-row', { hasText: /TypeError: Cannot read properties of undefined/ }).first().waitFor({ timeout: 30000 });
      await openFile(page, 'frontend/lib/orderStore.js', 'orderStore.js');
      await page.mouse.move(900, 700);
      await screenshot('lenses.png');
    });
  } finally {
    await app?.stop();
  }
}
