// Browser story of the exam day's actions on the live monitor. A Monday
// student's computer fails: their proctor issues a move code from the
// monitor, the student types it on another computer and carries on with
// everything the server held, and the old computer stops saving. The
// instructor gives the student more time from the monitor, and an incident
// note one watcher writes reaches the other's open monitor without a reload.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { typeAtEnd, waitSaved } from './editor.mjs';
import { chainedSteps, DEMO_PASSWORD, demoStory, signInFromLink } from './harness.mjs';

/**
 * Failures the story causes on purpose: "who is signed in?" before signing
 * in, the service worker refused on the self-signed certificate, a wrong
 * move code refused, and the old computer's saves refused once it moved.
 */
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line) ||
  /^console error: Failed to load resource: the server responded with a status of 409 \S* at https:\/\/[^/]+\/api\/v1\/me\/exams\/[^/]+\/start$/.test(line) ||
  /^console error: Failed to load resource: the server responded with a status of 403 \S* at https:\/\/[^/]+\/api\/v1\/me\/exams\/[^/]+\/saves$/.test(line) ||
  // The offline step: the page's announcement stream and saves fail until the network returns.
  /^console error: Failed to load resource: net::ERR_INTERNET_DISCONNECTED/.test(line);

const story = demoStory(expected);
const EXAM = 'Python warm-up';
const STUDENT = 'student1@demo.example';

async function signedIn(email, password, landing = '/home') {
  const page = await story.computer();
  await page.goto(story.at(`/signin?org=demo&email=${encodeURIComponent(email)}`));
  await signInFromLink(page, { email, password }, landing);
  return page;
}

async function typeAndSave(page, text) {
  await typeAtEnd(page, text);
  // Each keystroke counts as waiting until the server has it: "Saved" with
  // none waiting means every character typed is saved (a save answered for
  // the first characters alone is not enough).
  await waitSaved(page);
}

async function openMonitor(page, fromCourses) {
  if (fromCourses) {
    await page.getByTestId('watched-exam').filter({ hasText: EXAM }).getByTestId('open-monitor').click();
  } else {
    await page.getByTestId('my-course-link').first().click();
    await page.getByRole('link', { name: EXAM }).first().click();
    await page.getByTestId('manage-monitor').click();
  }
  await page.waitForURL(/\/monitor$/);
  await page.locator('[data-testid="monitor-connection"][data-state="live"]').waitFor();
}

const row = (page, email) => page.locator(`[data-testid="monitor-row"][data-email="${email}"]`);

test('a proctor moves a student to another computer with a one-time code; the instructor gives more time', { timeout: 180_000 }, async (t) => {
  const step = chainedSteps(t);
  let password;
  let proctor;
  let instructor;
  let before;
  let code;

  await step('a Monday student starts and types; their proctor watches', async () => {
    [, password] = await story.server.waitForLine(DEMO_PASSWORD);
    proctor = await signedIn('proctor@demo.example', password, '/courses');
    await openMonitor(proctor, true);
    before = await signedIn(STUDENT, password);
    await before.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: EXAM }).click();
    await before.getByTestId('exam-start').click();
    await before.getByTestId('editor-content').waitFor();
    await typeAndSave(before, '# before the move');
    await proctor.locator(`[data-testid="monitor-row"][data-email="${STUDENT}"][data-status="working"]`).waitFor({ timeout: 5_000 });
  });

  await step('the proctor issues a move code from the student\'s row, after confirming', async () => {
    await row(proctor, STUDENT).getByTestId('monitor-move').click();
    const dialog = proctor.locator('[data-testid="confirm-dialog"][open]');
    assert.match(await dialog.innerText(), /move code/);
    await dialog.getByTestId('confirm-action').click();
    const issued = proctor.getByTestId('move-code-issued');
    await issued.waitFor();
    code = (await issued.getByTestId('move-code-value').innerText()).trim();
    assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    assert.equal(await issued.getAttribute('role'), 'status', 'read out to a screen reader');
  });

  let after;
  await step('on another computer, a wrong code is refused and the right one continues the exam there', async () => {
    after = await signedIn(STUDENT, password);
    await after.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: EXAM }).click();
    const form = after.getByTestId('move-code-form');
    await form.waitFor();
    await after.getByLabel('Move code').fill('AAAA-AAAA');
    await after.getByTestId('move-code-submit').click();
    await after.getByText(/move code is not right/).waitFor();
    // Typed as people type: lower case, a space for the dash.
    await after.getByLabel('Move code').fill(code.toLowerCase().replace('-', ' '));
    await after.getByTestId('move-code-submit').click();
    await after.waitForURL(/\/take$/);
    await after.getByTestId('editor-content').filter({ hasText: '# before the move' }).waitFor();
    await typeAndSave(after, '\n# after the move');
  });

  await step('the old computer stops saving and says so', async () => {
    await typeAtEnd(before, '\n# lost?');
    await before.getByTestId('save-status').filter({ hasText: /open on another computer now/ }).waitFor({ timeout: 20_000 });
  });

  await step('the instructor gives the student 15 more minutes from the monitor, with a reason', async () => {
    instructor = await signedIn('instructor@demo.example', password, '/courses');
    await openMonitor(instructor, false);
    await row(instructor, STUDENT).getByTestId('monitor-more-time').click();
    const minutes = instructor.getByLabel('Minutes to add');
    assert.equal(await minutes.evaluate((input) => input === document.activeElement), true, 'the keyboard carries on in the form');
    await minutes.fill('15');
    await instructor.getByLabel('Reason (kept in the audit log)').fill('computer replaced');
    await instructor.getByTestId('minutes-give').click();
    await instructor.getByTestId('monitor-said').filter({ hasText: /now has 15 minutes of extra time/ }).waitFor();
    await row(instructor, STUDENT).filter({ hasText: '(+15 min extra)' }).waitFor({ timeout: 3_000 });
    await row(proctor, STUDENT).filter({ hasText: '(+15 min extra)' }).waitFor({ timeout: 3_000 });
  });

  await step('an incident note the instructor writes reaches the proctor\'s open monitor without a reload', async () => {
    await instructor.getByLabel('About').selectOption({ label: `Sam Student (${STUDENT})` });
    await instructor.getByLabel('What happened').fill('Computer replaced after a freeze; moved with a code.');
    await instructor.getByTestId('incident-add').click();
    await proctor.getByTestId('incident').filter({ hasText: 'Computer replaced after a freeze' }).waitFor({ timeout: 3_000 });
  });

  await step('an announcement reaches the student\'s exam page at once; they say they read it and the monitor shows it', async () => {
    await instructor.getByLabel('To', { exact: true }).selectOption({ label: 'Every section' });
    await instructor.getByLabel('Announcement', { exact: true }).fill('Question 1: the numbers may be negative.');
    await instructor.getByTestId('announce-send').click();
    const shown = after.getByTestId('announcement').filter({ hasText: 'the numbers may be negative' });
    await shown.waitFor({ timeout: 3_000 });
    assert.equal(await shown.getAttribute('data-read'), 'false');
    assert.match(await shown.innerText(), /New/, '"New" in words, not colour alone');
    const count = instructor.getByTestId('sent-announcement').first().getByTestId('announcement-read-count');
    assert.match(await count.innerText(), /^Read by 0 of \d+$/);
    await shown.getByTestId('announcement-read').click();
    await after.locator('[data-testid="announcement"][data-read="true"]').waitFor();
    await count.filter({ hasText: /^Read by 1 of \d+$/ }).waitFor({ timeout: 5_000 });
  });

  await step('an announcement sent while the student is offline arrives when the page reconnects', async () => {
    await after.context().setOffline(true);
    await instructor.getByLabel('Announcement', { exact: true }).fill('Ten minutes left.');
    await instructor.getByTestId('announce-send').click();
    await instructor.getByTestId('sent-announcement').filter({ hasText: 'Ten minutes left.' }).waitFor();
    await after.context().setOffline(false);
    await after.getByTestId('announcement').filter({ hasText: 'Ten minutes left.' }).waitFor({ timeout: 15_000 });
  });

  await step('the student submits; the instructor reopens the attempt with a reason, and the student continues on their page', async () => {
    await after.getByTestId('submit').click();
    await after.getByTestId('confirm-action').click();
    await after.waitForURL(/\/receipt$/);
    await row(instructor, STUDENT).getByTestId('monitor-reopen').click();
    await instructor.getByLabel('Minutes to add').fill('10');
    await instructor.getByLabel('Reason (kept in the audit log)').fill('submitted by mistake');
    await instructor.getByTestId('minutes-give').click();
    await instructor.getByTestId('monitor-said').filter({ hasText: /open again for 10 minutes/ }).waitFor();
    await instructor.locator(`[data-testid="monitor-row"][data-email="${STUDENT}"][data-status="working"]`).waitFor({ timeout: 3_000 });
    await after.goto(after.url().replace(/\/receipt$/, ''));
    await after.getByTestId('exam-continue-here').click();
    await after.waitForURL(/\/take$/);
    await after.getByTestId('editor-content').filter({ hasText: '# after the move' }).waitFor();
  });

  await step('no CSP violation or unexpected error on the way', async () => {
    for (const page of [before, after, proctor, instructor]) await page.context().close();
    assert.deepEqual(story.problems, []);
  });
});
