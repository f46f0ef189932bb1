// What a person sees when the cursor is in a function with no span of its own: the light bulb shows by itself and
// its menu offers "Trace This Function 'name'" — JavaScript (test-results/instrument-code-action.png) and Python
// (instrument-light-bulb-python.png), in untitled editors; then in the sample app's orderStore.js, the Add
// Annotation box refuses a key X-Ray cannot index while it is typed. Nothing is applied: samples/ stays as it is.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFile, openWorkbench, pickQuickItem, runCommand } from './workbench.mjs';

export const title = 'the light bulb offers Trace This Function; Add Annotation checks the key as it is typed';

const samples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../samples');
const FILE = 'frontend/lib/orderStore.js';

/** Untitled editors (typed as a person types: the editor indents) and where the cursor goes in them. */
const LIGHT_BULB_CASES = [
  { language: 'JavaScript', text: 'function priceOrder(order) {\nconst subtotal = order.unitPrice * order.quantity;\nreturn Math.round(subtotal * 100) / 100;\n', at: 'const subtotal', name: 'priceOrder', file: 'instrument-code-action.png' },
  { language: 'Python', text: 'def parse_order(raw):\nreturn raw.strip()\n', at: 'return raw.strip()', name: 'parse_order', file: 'instrument-light-bulb-python.png' },
];

/** Moves the cursor with Quick Open's Go to Line (`:line:column`, 1-based). */
async function goTo(page, line, column) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ timeout: 10000 });
  await input.fill(`:${line}:${column}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: `line ${line}` }).first().waitFor({ timeout: 10000 });
  await page.keyboard.press('Enter');
  // The status bar shows where the cursor landed.
  await page.locator('.statusbar-item', { hasText: `Ln ${line}, Col ${column}` }).first().waitFor({ timeout: 10000 });
}

/** A new untitled editor in `language` (Change Language Mode, as a person would). */
async function untitled(page, language) {
  await page.keyboard.press('Control+N');
  await page.locator('.tabs-container .tab.active', { hasText: 'Untitled' }).waitFor({ timeout: 10000 });
  await runCommand(page, 'Change Language Mode');
  await page.locator('.quick-input-widget input[placeholder*="Language Mode"]').first().waitFor({ timeout: 10000 });
  // The languages are listed a moment after the box opens; filtering before that finds nothing.
  await page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ timeout: 10000 });
  await pickQuickItem(page, language);
  await page.locator('.statusbar-item', { hasText: language }).first().waitFor({ timeout: 10000 });
}

/** Drops the active untitled editor unsaved, so that no later window restores it (hot exit). */
async function closeUntitled(page) {
  await runCommand(page, 'View: Revert and Close Editor');
  await page.locator('.tabs-container .tab', { hasText: 'Untitled' }).first().waitFor({ state: 'detached', timeout: 10000 });
}

/**
 * Waits for the light bulb the editor shows by itself at the cursor (in the line, or in the gutter when the line
 * is indented too little for it), clicks it and expects "Trace This Function '<name>'" in its menu; screenshot.
 */
async function lightBulbOffers(page, name, screenshot, file) {
  const bulb = page.locator('.lightBulbWidget[class*="codicon-light"], .lightBulbWidget [class*="codicon-light"], [class*="codicon-gutter-lightbulb"]').first();
  await bulb.waitFor({ state: 'visible', timeout: 90000 });
  await bulb.click();
  const item = page.locator('.action-widget .monaco-list-row', { hasText: `Trace This Function '${name}'` }).first();
  try {
    await item.waitFor({ timeout: 30000 });
  } finally {
    await screenshot(file);
  }
  await page.keyboard.press('Escape');
  await page.locator('.action-widget').first().waitFor({ state: 'hidden', timeout: 10000 });
}

export async function run({ page, step, workbenchUrl, screenshot }) {
  const lines = readFileSync(path.join(samples, FILE), 'utf8').split('\n');
  const declaration = lines.findIndex((l) => l.includes('async function estimateDelivery('));
  if (declaration < 0) throw new Error(`estimateDelivery is not in samples/${FILE}`);

  await step('the workbench opens', async () => {
    await openWorkbench(page, workbenchUrl);
  });

  for (const { language, text, at, name, file } of LIGHT_BULB_CASES) {
    await step(`in an untraced ${language} function the light bulb shows by itself, and its menu offers Trace This Function`, async () => {
      await untitled(page, language);
      await page.keyboard.type(text, { delay: 5 });
      await page.locator('.view-line', { hasText: at }).first().click();
      await lightBulbOffers(page, name, screenshot, file);
      await closeUntitled(page);
    });
  }

  await step('orderStore.js opens unchanged', async () => {
    await openFile(page, FILE, 'orderStore.js');
    await goTo(page, declaration + 2, 5);
  });

  await step('Add Annotation: a key with a space is refused as it is typed; Escape leaves the file unchanged', async () => {
    await runCommand(page, 'X-Ray: Add Annotation');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: 20000 });
    await input.fill('order id');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'may contain only' }).first().waitFor({ timeout: 10000 });
    await screenshot('instrument-annotation-key.png');
    await input.fill('order_id');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'may contain only' }).first().waitFor({ state: 'hidden', timeout: 10000 });
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10000 });
    const dirty = await page.locator('.tabs-container .tab.active.dirty').count();
    if (dirty > 0) throw new Error('orderStore.js was changed');
  });
}
