// What a person sees when a request fails: the GET /crash trace expanded down to its exception and stack
// frames; clicking a frame opens the sample app's file at the line that threw. Screenshot:
// test-results/trace-detail.png (the README's picture is taken from it).
import { openWorkbench, openXRayContainer, treeRows, waitForRows, TRACE_ROW } from './workbench.mjs';

export const title = 'a failed trace expands to its stack frames, and a frame opens the file';

export async function run({ page, step, workbenchUrl, startSampleApp, screenshot }) {
  let app;
  try {
    await step('the workbench opens and the X-Ray status bar item shows the local collector', async () => {
      await openWorkbench(page, workbenchUrl);
      await openXRayContainer(page);
      await page.locator('.statusbar-item', { hasText: /X-Ray: local :\d+/ }).first().waitFor({ timeout: 30000 });
    });
    await step('expanding GET /crash shows the frontend-api segment and the TypeError', async () => {
      // A bounded run (two GET /crash among 24 requests), sent once the collector listens: rows must not
      // shift while the test clicks them.
      app = await startSampleApp({ rate: 8, count: 24 });
      await app.traffic;
      // At least this run's 24 listed (refreshes are paced by their cost, up to 10 s, and may come later).
      await waitForRows(page, TRACE_ROW, 24, { timeout: 45000 });
      await page.waitForTimeout(1000);
      const crash = treeRows(page, /GET \/crash/).first();
      await crash.click();
      await treeRows(page, /^frontend-api/).first().waitFor({ timeout: 20000 });
      await treeRows(page, /TypeError/).first().waitFor({ timeout: 20000 });
    });
    await step('clicking the lib/config.js frame opens that file at the line', async () => {
      const frame = treeRows(page, /frontend\/lib\/config\.js:\d+/).first();
      await frame.waitFor({ timeout: 20000 });
      const line = Number(/config\.js:(\d+)/.exec(await frame.innerText())[1]);
      // A refresh that re-renders the tree under the pointer can swallow a click: as a person would, click again.
      const tab = page.locator('.tabs-container .tab.active', { hasText: 'config.js' });
      for (let attempt = 1; ; attempt++) {
        await treeRows(page, /frontend\/lib\/config\.js:\d+/).first().click();
        try {
          await tab.waitFor({ timeout: 7000 });
          break;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
      // The status bar shows the cursor position the frame put us at.
      await page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${line}, Col 1\\b`) }).first().waitFor({ timeout: 20000 });
      await page.mouse.move(900, 700);
      await screenshot('trace-detail.png');
    });
  } finally {
    await app?.stop();
  }
}
