// Steps in the code-server workbench (VS Code 1.100.3) shared by the UI tests and `npm run demo -- --check`.
// Selectors measured on 1.100.3: see /work/shared/recipes/real-vscode/README.md.

/** Opens `url` and waits for the workbench and its explorer to show the workspace. */
export async function openWorkbench(page, url, { timeout = 60000 } = {}) {
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout });
}

/** Clicks the "X-Ray" activity-bar container and waits for its "Traces" view. */
export async function openXRayContainer(page, { timeout = 30000 } = {}) {
  const icon = page.locator('.activitybar .action-item a[aria-label^="X-Ray"], .activitybar li[aria-label^="X-Ray"]').first();
  await icon.waitFor({ timeout });
  await icon.click();
  await page.mouse.move(700, 500); // away from the icon: no hover tooltip in the screenshots
  // With one view in the container, VS Code hides the view's own header (the sidebar title names it), so
  // wait for the view to be in the sidebar rather than for its header to be visible.
  await page.locator('.part.sidebar .pane-header[aria-label^="Traces"]').first().waitFor({ state: 'attached', timeout });
  await page.locator('.part.sidebar').waitFor({ state: 'visible', timeout });
}

/** Tree rows of the visible views whose text matches `text` (a RegExp or string). */
export function treeRows(page, text) {
  return page.locator('.monaco-list-row[role=treeitem]', { hasText: text });
}

/** A trace row as the Traces view labels them: "GET /orders/42" with a "123 ms · 4s ago" description. */
export const TRACE_ROW = /\b(GET|POST|PUT|DELETE|PATCH)\s+\/\S*/;

/** Waits until at least `n` rows match `text` (traces arrive over a few seconds). Returns their texts. */
export async function waitForRows(page, text, n, { timeout = 60000 } = {}) {
  const rows = treeRows(page, text);
  await rows.first().waitFor({ timeout });
  const deadline = Date.now() + timeout;
  while ((await rows.count()) < n) {
    if (Date.now() > deadline) throw new Error(`only ${await rows.count()} of ${n} rows matching ${text} after ${timeout} ms`);
    await page.waitForTimeout(250);
  }
  return rows.allInnerTexts();
}

/** Runs a command by its palette title ("X-Ray: Select AWS Profile…") through the real command palette. */
export async function runCommand(page, title, { timeout = 20000 } = {}) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ timeout });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout });
  await page.keyboard.press('Enter');
}

/** Picks the quick-pick row labelled `label` (after typing it as the filter). */
export async function pickQuickItem(page, label, { timeout = 20000 } = {}) {
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ timeout });
  await input.fill(label);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ timeout });
  await page.keyboard.press('Enter');
}

/** Opens a workspace file through Quick Open (Ctrl+P), as a person would. */
export async function openFile(page, relativePath, name) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ timeout: 20000 });
  await input.fill(relativePath);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 20000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 20000 });
}

/**
 * After "View: Close All Editors": a changed untitled editor (one another check left, restored by hot exit) makes
 * VS Code ask whether to save it, and its dialog takes the keyboard. Answers "Don't Save" when it comes.
 */
export async function dismissSaveDialog(page, { timeout = 1500 } = {}) {
  const dontSave = page.locator('.monaco-dialog-box .monaco-button', { hasText: /Don't Save/ }).first();
  try {
    await dontSave.waitFor({ timeout });
  } catch {
    return false;
  }
  await dontSave.click();
  return true;
}

/** A notification toast whose text matches `text`. */
export function notification(page, text) {
  return page.locator('.notification-toast', { hasText: text });
}
