// What a person with an AWS profile sees: "X-Ray: Select AWS Profile…" lists the profiles of the shared config
// file; choosing one lists its recent traces (the profile's endpoint_url is a local server answering the X-Ray
// API, since AWS is unreachable here; the extension's real @aws-sdk/client-xray signs and sends). A slow
// refresh shows a progress notification whose Cancel stops it; a denied call shows its own message.
// Screenshots: test-results/aws-tree.png, aws-progress.png, aws-error.png.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { notification, openWorkbench, openXRayContainer, pickQuickItem, runCommand, treeRows, TRACE_ROW } from './workbench.mjs';

const require = createRequire(import.meta.url);
const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../out/test/support');
const { startXrayApiTestServer } = require(path.join(out, 'xrayApiTestServer.js'));
const { freshDocuments } = require(path.join(out, 'freshDocuments.js'));

export const title = 'an AWS profile: pick it, see its traces, cancel a slow refresh, read a failure';

export async function run({ page, step, workbenchUrl, awsFiles, screenshot }) {
  const server = await startXrayApiTestServer({ documents: freshDocuments() });
  writeFileSync(awsFiles.config, `[profile lens-ui]\nregion = eu-west-1\nendpoint_url = ${server.url}\n`);
  writeFileSync(awsFiles.credentials, '[lens-ui]\naws_access_key_id = AKIALENSUI0000000001\naws_secret_access_key = lens-ui-secret\n');
  const statusItem = (text) => page.locator('.statusbar-item', { hasText: text }).first();
  try {
    await step('the workbench opens on the local collector', async () => {
      await openWorkbench(page, workbenchUrl);
      await openXRayContainer(page);
      await statusItem(/X-Ray: local :\d+/).waitFor({ timeout: 30000 });
    });
    await step('Select AWS Profile lists lens-ui from the config file; choosing it lists its traces', async () => {
      await runCommand(page, 'X-Ray: Select AWS Profile');
      await pickQuickItem(page, 'lens-ui');
      await statusItem('X-Ray: AWS eu-west-1 (lens-ui)').waitFor({ timeout: 30000 });
      await treeRows(page, TRACE_ROW).first().waitFor({ timeout: 30000 });
      await page.mouse.move(900, 700);
      await screenshot('aws-tree.png');
      if (!server.requests.some((r) => r.operation === 'GetTraceSummaries' && r.accessKeyId === 'AKIALENSUI0000000001')) {
        throw new Error('no GetTraceSummaries signed with the profile\'s key reached its endpoint_url');
      }
    });
    await step('a slow refresh shows a progress notification; its Cancel stops the request', async () => {
      server.setFaults({ delayMs: { GetTraceSummaries: 60000 } });
      const before = server.requests.length;
      await runCommand(page, 'X-Ray: Refresh Traces');
      const toast = notification(page, 'listing traces from AWS eu-west-1 (lens-ui)');
      await toast.waitFor({ timeout: 15000 });
      await screenshot('aws-progress.png');
      const slow = server.requests.slice(before).find((r) => r.operation === 'GetTraceSummaries');
      if (!slow) throw new Error('the slow GetTraceSummaries did not reach the server');
      const clicked = Date.now();
      const clickedAt = performance.now();
      await toast.getByRole('button', { name: 'Cancel' }).click();
      await toast.waitFor({ state: 'hidden', timeout: 5000 });
      await page.locator('.part.sidebar', { hasText: 'Refresh cancelled' }).first().waitFor({ timeout: 5000 });
      const hidden = Date.now() - clicked;
      // The extension aborted the HTTP request: the server saw the client hang up long before its 60 s delay.
      const deadline = Date.now() + 5000;
      while (slow.hungUpAt === undefined && Date.now() < deadline) await page.waitForTimeout(50);
      if (slow.hungUpAt === undefined) throw new Error('the cancelled request is still open at the server');
      console.log(`    Cancel click → request aborted at the server in ${(slow.hungUpAt - clickedAt).toFixed(0)} ms; notification gone and list marked cancelled in ${hidden} ms`);
      await treeRows(page, TRACE_ROW).first().waitFor({ timeout: 5000 }); // the previous list stays
      server.setFaults({});
    });
    await step('a denied call shows one message naming the missing permission, with Show Log', async () => {
      server.setFaults({ fail: { GetTraceSummaries: { error: 'access-denied' } } });
      await runCommand(page, 'X-Ray: Refresh Traces');
      const toast = notification(page, 'xray:GetTraceSummaries');
      await toast.waitFor({ timeout: 20000 });
      await toast.getByRole('button', { name: 'Show Log' }).waitFor({ timeout: 5000 });
      await screenshot('aws-error.png');
      server.setFaults({});
    });
  } finally {
    // The UI tests after this one expect the local collector.
    server.setFaults({});
    await runCommand(page, 'X-Ray: Select Trace Source').catch(() => {});
    await pickQuickItem(page, 'Local collector').catch(() => {});
    await statusItem(/X-Ray: local :\d+/).waitFor({ timeout: 15000 }).catch(() => {});
    await server.close();
  }
}
