// "X-Ray: Why No Data?" as a person meets it: the sample app's traces are in the Traces view, a filter that
// matches nothing empties it, the check (from the palette) names the filter in its notification
// with a "Clear Filter" button, and that button brings the traces back. Screenshot: test-results/why-no-data.png.
import { notification, openWorkbench, openXRayContainer, runCommand, treeRows, TRACE_ROW } from './workbench.mjs';

export const title = 'Why No Data? names the filter that hides the traces, and its button clears it';

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export async function run({ page, step, workbenchUrl, startSampleApp, screenshot }) {
  const app = await startSampleApp({ rate: 5, count: 15 });
  try {
    await step('the sample app\'s traces are listed', async () => {
      await openWorkbench(page, workbenchUrl);
      await openXRayContainer(page);
      await app.traffic;
      await treeRows(page, TRACE_ROW).first().waitFor({ timeout: 45000 });
    });

    await step('a filter that matches nothing empties the view', async () => {
      await runCommand(page, 'X-Ray: Filter Traces');
      const input = page.locator('.quick-input-widget input').first();
      await input.fill('service("no-such-service")');
      await page.keyboard.press('Enter');
      await page.locator('.part.sidebar', { hasText: '0 traces match service("no-such-service")' }).first().waitFor({ timeout: 20000 });
    });

    await step('the check names the filter, says how many traces the collector holds, and offers Clear Filter', async () => {
      await runCommand(page, 'X-Ray: Why No Data?');
      const toast = notification(page, 'matches the filter service("no-such-service")');
      await toast.waitFor({ timeout: 20000 });
      const text = await toast.innerText();
      assert(/\(\d+ traces are in the collector\)/.test(text), `the notification says: ${text}`);
      await page.mouse.move(5, 5);
      await page.waitForTimeout(800); // the toast slides in
      await screenshot('why-no-data.png');
      await toast.locator('.monaco-button', { hasText: 'Clear Filter' }).click();
    });

    await step('Clear Filter brings the traces back', async () => {
      await treeRows(page, TRACE_ROW).first().waitFor({ timeout: 20000 });
    });
  } finally {
    await app.stop();
  }
}
