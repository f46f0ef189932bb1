// What a person sees: the sample app sends traces to the extension's collector, the X-Ray container shows
// them as rows in the Traces tree. Screenshot: test-results/tree.png.
import { openWorkbench, openXRayContainer, treeRows, waitForRows, TRACE_ROW } from './workbench.mjs';

export const title = 'Traces tree shows the sample app\'s requests';

export async function run({ page, step, workbenchUrl, startSampleApp, screenshot }) {
  const app = await startSampleApp({ rate: 5 });
  try {
    await step('the workbench opens the samples workspace', () => openWorkbench(page, workbenchUrl));
    await step('the X-Ray activity-bar container opens its Traces view', () => openXRayContainer(page));
    await step('the Traces view lists GET /orders/<id> traces with a duration', async () => {
      const row = treeRows(page, /GET \/orders\/\d+/).first();
      try {
        await row.waitFor({ timeout: 45000 });
      } finally {
        await screenshot('tree.png');
      }
      const text = await row.innerText();
      if (!/\d+(\.\d+)?\s*(ms|s)\b/.test(text)) throw new Error(`row "${text}" shows no duration`);
    });
    await step('error requests appear too (GET /crash → 500)', async () => {
      await treeRows(page, /GET \/crash/).first().waitFor({ timeout: 20000 });
      await waitForRows(page, TRACE_ROW, 5, { timeout: 20000 });
      await screenshot('tree.png');
    });
  } finally {
    await app.stop();
  }
}
