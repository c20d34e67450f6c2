// People of `examhall demo` in stories with several computers: signing in
// on a computer of one's own, and a student handing in the demo exam.
import { replaceCode, replaceLongCode, waitSaved } from './editor.mjs';
import { signInFromLink } from './harness.mjs';

/** A person of the demo signed in on a computer of their own (`story.computer()`), on `landing`. */
export async function demoSignedIn(story, email, password, landing = '/home') {
  const page = await story.computer();
  await page.goto(story.at(`/signin?org=demo&email=${encodeURIComponent(email)}`));
  await signInFromLink(page, { email, password }, landing);
  return page;
}

/**
 * A student starts `exam`, writes `code` as the first question's answer, hands it in and closes the browser.
 * Code longer than the editor shows needs `{ long: true }`.
 */
export async function handInFirst(story, email, password, exam, code, { long = false } = {}) {
  const page = await demoSignedIn(story, email, password);
  await page.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: exam }).click();
  await page.getByTestId('exam-start').click();
  await page.getByTestId('editor-content').waitFor();
  await (long ? replaceLongCode : replaceCode)(page, code);
  await waitSaved(page);
  await page.getByTestId('submit').click();
  await page.getByTestId('confirm-action').click();
  await page.waitForURL(/\/exams\/[^/]+\/receipt$/);
  await page.context().close();
}
