// What a person sees when the cursor is in a function with no span of its own: the light bulb shows by itself and
// its menu offers "Trace This Function 'name'" — JavaScript (test-results/instrument-code-action.png) and Python
// (instrument-light-bulb-python.png); the Add Annotation box refuses a key X-Ray cannot index while it is typed
// (instrument-annotation-key.png). All in untitled editors, dropped after: no file of samples/ is opened, so no
// editor state of this check is restored into the next check's window.
import { openWorkbench, runCommand } from './workbench.mjs';

export const title = 'the light bulb offers Trace This Function; Add Annotation checks the key as it is typed';

/** Untitled editors (typed as a person types: the editor indents) and where the cursor goes in them. */
const LIGHT_BULB_CASES = [
  { language: 'JavaScript', text: 'function priceOrder(order) {\nconst subtotal = order.unitPrice * order.quantity;\nreturn Math.round(subtotal * 100) / 100;\n', at: 'const subtotal', name: 'priceOrder', file: 'instrument-code-action.png' },
  { language: 'Python', text: 'def parse_order(raw):\nreturn raw.strip()\n', at: 'return raw.strip()', name: 'parse_order', file: 'instrument-light-bulb-python.png' },
];

/** A new untitled editor in `language` (Change Language Mode, as a person would). */
async function untitled(page, language) {
  await page.keyboard.press('Control+N');
  await page.locator('.tabs-container .tab.active', { hasText: 'Untitled' }).waitFor({ timeout: 10000 });
  // Right after the workbench opens, the picker sometimes stays empty while the languages load: open it again.
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: language }).first();
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Change Language Mode');
    const input = page.locator('.quick-input-widget input[placeholder*="Language Mode"]').first();
    await input.waitFor({ timeout: 10000 });
    await input.pressSequentially(language, { delay: 20 });
    try {
      await row.waitFor({ timeout: 5000 });
      break;
    } catch (err) {
      if (attempt === 4) throw err;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
  await page.locator('.statusbar-item', { hasText: language }).first().waitFor({ timeout: 10000 });
  // An untitled name reused right after a close can come back with the text it had: start from an empty editor.
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
}

/**
 * Drops every untitled editor unsaved, so that no later window restores one (hot exit): a dirty one left behind
 * makes "View: Close All Editors" in a later check ask to save, and that dialog kept its command palette from
 * opening (a fresh-clone run). An untitled name reused right after closing can come back with its old text, so
 * this goes on until no Untitled tab is left.
 */
async function closeUntitled(page) {
  const tabs = page.locator('.tabs-container .tab', { hasText: 'Untitled' });
  for (let attempt = 0; (await tabs.count()) > 0; attempt++) {
    if (attempt === 5) throw new Error(`${await tabs.count()} untitled editors would not close`);
    await tabs.first().click();
    await runCommand(page, 'View: Revert and Close Editor');
    await page.waitForTimeout(300);
  }
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

  await step('Add Annotation: a key with a space is refused as it is typed; Escape inserts nothing', async () => {
    const [{ language, text, at }] = LIGHT_BULB_CASES;
    await untitled(page, language);
    await page.keyboard.type(text, { delay: 5 });
    const line = page.locator('.view-line', { hasText: at }).first();
    await line.click();
    const before = await page.locator('.view-lines').innerText();
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
    if ((await page.locator('.view-lines').innerText()) !== before) throw new Error('the text changed after Escape');
    await closeUntitled(page);
  });
}
