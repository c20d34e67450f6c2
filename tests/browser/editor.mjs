// Helpers for driving the exam editor (CodeMirror in a shadow root) from
// browser tests, shared by the online and offline exam stories.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

/** SHA-256 of `text` as UTF-8, lowercase hex, as receipts show it. */
export const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The editor's text, line by line as CodeMirror draws it. */
export async function editorText(page) {
  const lines = await page.locator('.cm-content .cm-line').allInnerTexts();
  return lines.map((line) => line.replace(/\u200b/g, '').replace(/\n$/, '')).join('\n');
}

/** Replaces the whole program in the editor with `text`, as typed input. */
export async function replaceCode(page, text) {
  await page.getByTestId('editor-content').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
  await page.waitForFunction(
    (want) => [...document.querySelector('[data-testid="editor"]').shadowRoot.querySelectorAll('.cm-line')]
      .map((line) => line.textContent).join('\n') === want,
    text,
  );
}

/** Types `text` at the end of the program, key by key. */
export async function typeAtEnd(page, text) {
  await page.getByTestId('editor-content').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type(text);
}

/**
 * Waits until the editor shows exactly `want`, then asserts it: switching
 * questions or reloading redraws the editor a moment later. The page checks
 * on every frame (the way editorText reads the lines, zero-width spaces
 * dropped); after `timeoutMs` the assertion shows what the editor holds.
 */
export async function expectEditorText(page, want, timeoutMs = 5_000) {
  await page
    .waitForFunction(
      (expected) => {
        const lines = document.querySelector('[data-testid="editor"]')?.shadowRoot?.querySelectorAll('.cm-content .cm-line') ?? [];
        return [...lines].map((line) => line.textContent.replace(/\u200b/g, '')).join('\n') === expected;
      },
      want,
      { timeout: timeoutMs },
    )
    .catch((error) => {
      // Timed out: the assertion below says what the editor shows instead.
      if (error.name !== 'TimeoutError') throw error;
    });
  assert.equal(await editorText(page), want);
}

/**
 * Waits until the exam page says "Saved" with nothing waiting, both read in
 * one moment: reading them one after the other can see the status of a
 * later change (the page queues integrity events of its own, such as the
 * network coming back).
 */
export async function waitSaved(page, timeout = 15_000) {
  await page.waitForFunction(
    () => {
      const status = document.querySelector('[data-testid="save-status"]');
      return status?.getAttribute('data-waiting') === '0' && status.textContent?.trim() === 'Saved';
    },
    undefined,
    { timeout },
  );
}

/**
 * Waits until at least `count` items wait in this computer's stored queue
 * (`data-waiting`) and none is still being written to it (`data-writing`):
 * what a closed or reloaded page must find again.
 */
export async function waitQueuedHere(page, count = 1, timeout = 15_000) {
  await page.waitForFunction(
    (want) => {
      const status = document.querySelector('[data-testid="save-status"]');
      return Number(status?.getAttribute('data-waiting')) >= want && status?.getAttribute('data-writing') === '0';
    },
    count,
    { timeout },
  );
}

/**
 * Pastes `text` into the exam's editor as the browser's clipboard would: a
 * real `paste` event with the text in its clipboard data, which the editor
 * both inserts and records (a headless browser has no clipboard to use).
 */
export async function pasteIntoEditor(page, text) {
  await page.getByTestId('editor-content').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.getByTestId('editor-content').evaluate((content, pasted) => {
    const data = new DataTransfer();
    data.setData('text/plain', pasted);
    content.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/**
 * Waits until the page has its offline copy (`data-offline-ready="true"`),
 * failing at once with the browser's reason when the copy could not be made
 * (`"false"`, with `data-offline-problem`), for example on a disk too full
 * for the browser to grant storage.
 */
export async function waitOfflineCopy(page, timeout) {
  const root = page.locator('html[data-offline-ready]');
  await root.waitFor({ state: 'attached', timeout });
  const ready = await root.getAttribute('data-offline-ready');
  assert.equal(ready, 'true', `no offline copy: ${String(await root.getAttribute('data-offline-problem'))}`);
}

/**
 * Replaces the program in the exam editor with `text`, which is longer than
 * the editor shows (CodeMirror draws only the lines in view, so
 * editor.mjs's replaceCode cannot compare them all): the run's output shows
 * whether all of it arrived.
 */
export async function replaceLongCode(page, text) {
  await page.getByTestId('editor-content').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
  // The cursor, and so the view, ends at the last line.
  const last = text.trimEnd().split('\n').at(-1);
  await page.waitForFunction(
    (want) => [...document.querySelector('[data-testid="editor"]').shadowRoot.querySelectorAll('.cm-line')].some((line) => line.textContent === want),
    last,
  );
}
