// Browser test of one exam-hall PC (one browser profile) used by three
// students in turn. The first loses the network with unsent edits and the
// browser is closed; the second signs in on the same profile, never sees the
// first one's code, keeps two tabs from both writing, submits, and signs
// out; the first comes back, finds their unsent work waiting for them, and
// submits it; the third takes the exam after a clean sign-out. Every receipt
// holds exactly its own student's work. Over loopback HTTP, as on a PC that
// trusts the server's certificate.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editorText, replaceCode, sha256, typeAtEnd, waitQueuedHere } from './editor.mjs';
import { chainedSteps, DEMO_PASSWORD, oneComputerStory, signInFromLink } from './harness.mjs';

const STARTER = 'def add(a, b):\n    pass\n';

/**
 * Failures the story causes on purpose: "who is signed in?" when nobody is,
 * and a save of the exam at `examPath` that the first student's page may try
 * while the test has taken the network down (ERR_INTERNET_DISCONNECTED), if
 * it does before the browser closes. Any other failed request is a problem.
 */
const expected = (line, examPath) =>
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at http:\/\/[^/]+\/api\/v1\/session$/.test(line) ||
  line === `console error: Failed to load resource: net::ERR_INTERNET_DISCONNECTED at ${at(`/api/v1/me${examPath}/saves`)}`;

const story = oneComputerStory({ loopbackHttp: true });
const { at } = story;

/** What the profile's IndexedDB holds: each attempt kept, with its unsent items and the latest code typed into it. */
function keptAttempts(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const request = indexedDB.open('examhall-attempts');
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const tx = db.transaction(['attempts', 'queue', 'latest']);
          const attempts = tx.objectStore('attempts').getAll();
          const queue = tx.objectStore('queue').getAll();
          const latest = tx.objectStore('latest').getAll();
          tx.oncomplete = () => {
            resolve(attempts.result.map((record) => ({
              userId: record.userId,
              queued: queue.result.filter((item) => item.key === record.key).length,
              code: latest.result.filter((row) => row.key === record.key).map((row) => row.code).join('\n'),
            })));
            db.close();
          };
        };
      }),
  );
}

async function signIn(page, email, password) {
  await page.goto(at(`/signin?org=demo&email=${encodeURIComponent(email)}`));
  await signInFromLink(page, { email, password }, '/home');
}

async function openExam(page) {
  await page.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: 'Python warm-up' }).click();
  await page.waitForURL(/\/exams\/[^/]+$/);
  return new URL(page.url()).pathname;
}

async function signOut(page) {
  await page.getByTestId('sign-out').click();
  await page.waitForURL(/\/signin/);
}

const saved = (page) => page.locator('[data-testid="save-status"][data-waiting="0"]').waitFor({ timeout: 30_000 });

async function submitAndReadReceipt(page) {
  await page.getByTestId('submit').click();
  await page.getByTestId('confirm-action').click();
  await page.waitForURL(/\/receipt$/);
  await page.getByTestId('receipt').waitFor();
  const row = page.getByTestId('receipt-answer').filter({ hasText: 'Add two numbers' });
  return (await row.getByTestId('receipt-sha256').innerText()).trim();
}

test('three students in turn on one exam-hall PC each hand in exactly their own work', async (t) => {
  const [, password] = await story.server.waitForLine(DEMO_PASSWORD);
  const step = chainedSteps(t);
  let page = story.context.pages()[0] ?? (await story.context.newPage());
  let examPath;
  const first = `${STARTER}# student one, saved\n`;
  const firstUnsent = `${first}# student one, unsent`;

  await step('the first student saves some work, loses the network, types more, and the browser closes', async () => {
    await signIn(page, 'student1@demo.example', password);
    examPath = await openExam(page);
    await page.getByTestId('exam-start').click();
    await page.waitForURL(/\/take$/);
    await replaceCode(page, first);
    await saved(page);
    await story.context.setOffline(true);
    const unsent = '# student one, unsent';
    await typeAtEnd(page, unsent);
    // Every key is in this computer's stored queue (one item each) before the browser goes.
    await waitQueuedHere(page, unsent.length);
    // The browser is closed: its pages go, and with them the session cookie.
    const next = await story.context.newPage();
    await page.close();
    page = next;
    await story.context.clearCookies();
    await story.context.setOffline(false);
  });

  await step('the second student, on the same profile, is sent to the landing page before starting', async () => {
    await signIn(page, 'student2@demo.example', password);
    await page.goto(at(`${examPath}/take`));
    await page.waitForURL(at(examPath));
    await page.getByTestId('exam-start').waitFor();
    assert.equal(await page.getByTestId('exam-no-secret').count(), 0, 'not "started on another computer"');
  });

  await step('starts the exam and sees the starter code, never the first student\'s', async () => {
    await page.getByTestId('exam-start').click();
    await page.waitForURL(/\/take$/);
    await page.getByTestId('editor-content').waitFor();
    assert.equal(await editorText(page), STARTER);
    await replaceCode(page, `${STARTER}# student two\n`);
    await saved(page);
    const kept = await keptAttempts(page);
    assert.equal(kept.length, 2, 'one attempt each');
    const theirs = kept.find((record) => record.code.includes('student one, unsent'));
    assert.ok(theirs !== undefined && theirs.queued > 0, 'the first student\'s unsent work waits, untouched');
  });

  await step('a second tab of the exam does not write; it says so and may take over', async () => {
    const second = await story.context.newPage();
    await second.goto(page.url());
    await second.getByTestId('exam-other-tab').waitFor();
    await second.getByTestId('exam-take-over').click();
    await second.getByTestId('editor-content').waitFor();
    await page.getByTestId('exam-tab-taken').waitFor();
    await typeAtEnd(second, '# from the second tab');
    await saved(second);
    await page.close();
    page = second;
  });

  await step('submits, and the receipt holds only the second student\'s work', async () => {
    const shown = await submitAndReadReceipt(page);
    assert.equal(shown, sha256(`${STARTER}# student two\n# from the second tab`));
    await signOut(page);
    const kept = await keptAttempts(page);
    assert.equal(kept.length, 1, 'signing out removed the second student\'s data; the first student\'s stays');
    assert.ok(kept[0].code.includes('student one, unsent'));
  });

  await step('the first student signs in again and finds their unsent work, which is saved and submitted', async () => {
    await signIn(page, 'student1@demo.example', password);
    await page.goto(at(examPath));
    await page.getByTestId('exam-continue').click();
    await page.waitForURL(/\/take$/);
    await page.getByTestId('editor-content').waitFor();
    assert.equal(await editorText(page), firstUnsent);
    await saved(page);
    assert.equal(await submitAndReadReceipt(page), sha256(firstUnsent));
    await signOut(page);
    assert.deepEqual(await keptAttempts(page), [], 'nothing of anyone is left on the PC');
  });

  await step('the third student, after a clean sign-out, saves from the first change and submits', async () => {
    await signIn(page, 'student3@demo.example', password);
    await openExam(page);
    await page.getByTestId('exam-start').click();
    await page.waitForURL(/\/take$/);
    await page.getByTestId('editor-content').waitFor();
    assert.equal(await editorText(page), STARTER);
    await replaceCode(page, `${STARTER}# student three\n`);
    await saved(page);
    assert.equal(await page.getByTestId('save-status').innerText(), 'Saved');
    assert.equal(await submitAndReadReceipt(page), sha256(`${STARTER}# student three\n`));
  });

  await step('no CSP violation or unexpected error on the way', () => {
    assert.deepEqual(story.problems.filter((line) => !expected(line, examPath)), []);
  });
});
