// Browser test of candidate links against the real examhall binary: an
// instructor finds their exam on the course page, creates links for three
// candidates from CSV, prints them, revokes one after confirming, and a
// candidate signs in from their link in a browser of their own, starts the
// exam, types an answer and sees it saved on the server. A used link and a
// revoked one then say they are not valid. The candidate then "loses" their
// browser before submitting: the instructor issues a new link, the old browser
// is signed out, and the new link continues the same attempt, answer and all,
// in another browser.
//
//   cargo build                       (build.rs also builds assets/dist)
//   cd assets && npm run test:browser
//
// See harness.mjs for EXAMHALL_BIN and CHROMIUM_PATH.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectEditorText, replaceCode, waitSaved } from './editor.mjs';
import {
  callApi,
  chainedSteps,
  demoStory,
  FIRST_DAY_PEOPLE,
  orgWithInstructor,
} from './harness.mjs';
import { midterm } from './exams.mjs';

/**
 * Failed requests the story makes on purpose, which the browser logs as
 * errors: "who is signed in?" before signing in, a CSV the server refuses,
 * and candidate links that were used or revoked; and the exam page's service
 * worker, which Chromium refuses on the demo's self-signed certificate
 * (offline.test.mjs covers it over loopback HTTP).
 */
const EXPECTED_FAILURES = [
  /status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/,
  /status of 422 \S* at https:\/\/[^/]+\/api\/v1\/courses\/[^/]+\/exams\/[^/]+\/candidates\?\S+$/,
  /status of 404 \S* at https:\/\/[^/]+\/api\/v1\/candidate-links\/\S+$/,
];
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  (line.startsWith('console error: Failed to load resource:') && EXPECTED_FAILURES.some((failure) => failure.test(line)));

const people = FIRST_DAY_PEOPLE;

const CANDIDATES = [
  { name: 'Ana Candidate', number: 'c2001' },
  { name: 'Bo Candidate', number: 'c2002' },
  { name: 'Cy Candidate', number: '' },
];

const story = demoStory(expected);
const { computer, problems } = story;

const csv = (rows) => `name,student_number\n${rows.map((row) => `${row.name},${row.number}`).join('\n')}\n`;

test('an instructor hands out candidate links and a candidate starts from one', { timeout: 300_000 }, async (t) => {
  const step = chainedSteps(t);

  /** @type {import('playwright-core').Page} */
  let instructor;
  let course;
  let exam;
  /** Each candidate's link, by name. */
  const links = {};
  /** The first candidate's browser, their answer and attempt, for the new link to continue. */
  /** @type {import('playwright-core').Page} */
  let firstBrowser;
  let answer;
  let attemptId;

  await step('an organization with PHYS101, its section A and an instructor', async () => {
    ({ instructor, course } = await orgWithInstructor(story.server, computer, { people, sections: ['A'] }));
  });

  await step('the instructor writes and publishes an exam through the API', async () => {
    exam = await callApi(instructor, 'POST', `/courses/${course.id}/exams`, midterm(course.sections[0].id));
    await callApi(instructor, 'POST', `/courses/${course.id}/exams/${exam.id}/publish`, { tests_run: 1, tests_failed: 0 });
  });

  await step('the course page lists the exam, open now, and leads to its candidate links', async () => {
    await instructor.reload();
    const card = instructor.locator('[data-testid="my-course"][data-code="PHYS101"]');
    await card.getByTestId('my-course-link').click();
    await instructor.waitForURL(new URL(`/courses/${course.id}`, story.server.url).href);
    const row = instructor.locator('[data-testid="exam-row"][data-title="Midterm"]');
    await row.waitFor();
    assert.equal(await row.getByTestId('exam-phase').innerText(), 'Open');
    assert.match(await row.innerText(), /60 minutes/);
    assert.match(await row.getByTestId('exam-window').innerText(), / to /);
    assert.equal(await instructor.title(), 'PHYS101 Physics I · examhall');

    await row.getByTestId('exam-candidates').click();
    await instructor.waitForURL(new URL(`/courses/${course.id}/exams/${exam.id}/candidates`, story.server.url).href);
    await instructor.getByTestId('candidates-empty').waitFor();
    assert.match(await instructor.getByTestId('candidates-exam').innerText(), /Midterm/);
  });

  await step('three candidates come from a CSV list, and their links are shown to print', async () => {
    const page = instructor;
    // The exam's only section is chosen already; the validity is the exam's window.
    assert.equal(await page.getByTestId('candidate-section').inputValue(), course.sections[0].id);
    assert.notEqual(await page.getByTestId('candidate-valid-from').inputValue(), '');
    await page.getByTestId('candidate-mode-many').check();

    // Nothing to send is caught before the story.server.
    await page.getByTestId('create-candidates-submit').click();
    assert.match(await page.locator('[data-testid="create-candidates-form"] .field-error').innerText(), /Choose a file/);

    // A line the server cannot take: its problem shows next to the form, and no link is made.
    await page.getByTestId('candidate-csv-text').fill('name,student_number\nAna Candidate,c2001\n,c2009\n');
    await page.getByTestId('create-candidates-submit').click();
    const error = page.getByTestId('create-candidates-error');
    await error.waitFor();
    assert.notEqual((await error.innerText()).trim(), '', 'the server’s problem is shown');
    assert.equal(await page.getByTestId('candidate-slip').count(), 0);

    await page.getByTestId('candidate-csv-file').setInputFiles({
      name: 'candidates.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv(CANDIDATES)),
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="candidate-csv-text"]')?.value.includes('Cy Candidate'));
    await page.getByTestId('create-candidates-submit').click();
    await page.getByTestId('issued-links').waitFor();
    const slips = page.getByTestId('candidate-slip');
    assert.equal(await slips.count(), CANDIDATES.length);
    const origin = new URL(story.server.url).origin;
    for (const candidate of CANDIDATES) {
      const slip = page.locator(`[data-testid="candidate-slip"][data-label="${candidate.name}"]`);
      links[candidate.name] = await slip.getByTestId('slip-url').innerText();
      assert.match(links[candidate.name], new RegExp(`^${origin}/candidate/\\S+$`));
      assert.equal(await slip.getByRole('img').getAttribute('aria-label'), `QR code of the candidate link for ${candidate.name}`);
      assert.equal(await slip.getByTestId('slip-student-number').count(), candidate.number === '' ? 0 : 1);
      if (candidate.number !== '') assert.match(await slip.innerText(), new RegExp(candidate.number));
    }
    assert.equal(new Set(Object.values(links)).size, CANDIDATES.length, 'every candidate has a link of their own');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'issued-heading');

    // The list of links exists too, every link not used yet.
    await page.locator('[data-testid="candidate-row"]').nth(CANDIDATES.length - 1).waitFor();
    assert.deepEqual(
      await page.getByTestId('candidate-row').evaluateAll((rows) => rows.map((row) => row.dataset.status)),
      ['active', 'active', 'active'],
    );

    // Printed, only the links show: no header, no form, no buttons.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.site-header').isVisible(), false);
    assert.equal(await page.getByTestId('create-candidates-form').isVisible(), false);
    assert.equal(await page.getByTestId('candidates').isVisible(), false);
    assert.equal(await page.getByTestId('issued-print').isVisible(), false);
    assert.equal(await slips.first().isVisible(), true);
    assert.equal(await page.getByTestId('slip-url').first().isVisible(), true);
    await page.emulateMedia({ media: 'screen' });
    assert.equal(await page.getByTestId('issued-print').isVisible(), true);
  });

  await step('revoking a link asks first; Escape keeps it, the dialog’s button revokes it', async () => {
    const page = instructor;
    const row = page.locator(`[data-testid="candidate-row"][data-label="${CANDIDATES[1].name}"]`);
    await row.getByTestId('candidate-revoke').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('confirm-dialog').waitFor({ state: 'hidden' });
    assert.equal(await row.getAttribute('data-status'), 'active');

    await row.getByTestId('candidate-revoke').click();
    await page.getByTestId('confirm-action').click();
    await page.locator(`[data-testid="candidate-row"][data-label="${CANDIDATES[1].name}"][data-status="revoked"]`).waitFor();
    assert.equal(await row.getByTestId('candidate-revoke').count(), 0);
    assert.match(await page.getByTestId('revoke-candidate-done').innerText(), /revoked/);
  });

  await step('a candidate opens their link in a browser of their own, starts, and lands on their exam', async () => {
    const page = await computer();
    const response = await page.goto(links[CANDIDATES[0].name]);
    assert.equal(response?.status(), 200);
    assert.equal(await page.getByTestId('candidate-exam').innerText(), 'Midterm');
    assert.match(await page.getByTestId('candidate-label').innerText(), new RegExp(CANDIDATES[0].name));
    await page.getByTestId('candidate-start').click();
    await page.waitForURL(new URL(`/exams/${exam.id}`, story.server.url).href);
    assert.match(await page.getByTestId('header-user').innerText(), new RegExp(CANDIDATES[0].name));
    assert.equal(await page.getByTestId('nav-courses').count(), 0);

    // Their account page shows no made-up address and no password to change.
    await page.goto(new URL('/account', story.server.url).href);
    assert.match(await page.getByTestId('account-candidate').innerText(), new RegExp(`Signed in as ${CANDIDATES[0].name} with a candidate link`));
    assert.equal(await page.getByLabel('Current password').count(), 0);
    assert.doesNotMatch(await page.locator('main').innerText(), /@/);
    await page.goto(new URL(`/exams/${exam.id}`, story.server.url).href);

    // The candidate starts the exam, types, and the answer is saved.
    await page.getByTestId('exam-start').click();
    await page.waitForURL(new URL(`/exams/${exam.id}/take`, story.server.url).href);
    await page.getByTestId('editor-content').waitFor();
    await expectEditorText(page, 'def add(a, b):\n    pass\n');
    answer = 'def add(a, b):\n    return a + b  # candidate\n';
    await replaceCode(page, answer);
    await waitSaved(page, 15_000);
    const landing = await callApi(page, 'GET', `/me/exams/${exam.id}`);
    assert.notEqual(landing.attempt, null, 'the server holds the candidate’s attempt');
    assert.equal(landing.attempt.submitted_at ?? null, null);
    attemptId = landing.attempt.id;

    // The staff view shows the candidate's running attempt.
    const rows = await callApi(instructor, 'GET', `/courses/${course.id}/exams/${exam.id}/attempts`);
    const row = rows.find((each) => each.display_name === CANDIDATES[0].name);
    assert.ok(row?.attempt, `the candidate's attempt in the staff view: ${JSON.stringify(rows)}`);
    assert.equal(row.attempt.id, landing.attempt.id);

    // The link worked once.
    await page.goto(links[CANDIDATES[0].name]);
    await page.getByTestId('candidate-invalid').waitFor();
    assert.match(await page.getByTestId('candidate-invalid').innerText(), /not valid/);
    firstBrowser = page;
  });

  await step('the revoked link is not valid either, and the list shows the used one', async () => {
    const page = await computer();
    await page.goto(links[CANDIDATES[1].name]);
    await page.getByTestId('candidate-invalid').waitFor();
    assert.equal(await page.getByTestId('candidate-start').count(), 0);
    await page.context().close();

    await instructor.reload();
    await instructor.locator(`[data-testid="candidate-row"][data-label="${CANDIDATES[0].name}"][data-status="redeemed"]`).waitFor();
    assert.equal(
      await instructor.locator(`[data-testid="candidate-row"][data-label="${CANDIDATES[2].name}"]`).getAttribute('data-status'),
      'active',
    );
  });

  await step('the candidate lost their browser before submitting: a new link continues the same attempt elsewhere', async () => {
    const name = CANDIDATES[0].name;
    const used = instructor.locator(`[data-testid="candidate-row"][data-label="${name}"][data-status="redeemed"]`);
    await used.getByTestId('candidate-reissue').click();
    await instructor.getByTestId('confirm-dialog').waitFor();
    assert.match(await instructor.getByTestId('confirm-dialog').innerText(), /continues their attempt/);
    await instructor.getByTestId('confirm-action').click();
    await instructor.locator(`[data-testid="candidate-row"][data-label="${name}"][data-status="replaced"]`).waitFor();
    await instructor.locator(`[data-testid="candidate-row"][data-label="${name}"][data-status="active"]`).waitFor();
    assert.match(await instructor.getByTestId('revoke-candidate-done').innerText(), /new link/);
    const slips = instructor.getByTestId('candidate-slip');
    assert.equal(await slips.count(), 1, 'only the new link is shown');
    const newLink = await slips.getByTestId('slip-url').innerText();
    assert.notEqual(newLink, links[name]);

    // The browser signed in with the old link is signed out.
    const stale = await firstBrowser.evaluate(() => fetch('/api/v1/session').then((response) => response.status));
    assert.equal(stale, 401);
    await firstBrowser.context().close();

    const page = await computer();
    await page.goto(newLink);
    assert.match(await page.getByTestId('candidate-label').innerText(), new RegExp(name));
    await page.getByTestId('candidate-start').click();
    await page.waitForURL(new URL(`/exams/${exam.id}`, story.server.url).href);
    await page.getByTestId('exam-continue-here').click();
    await page.waitForURL(new URL(`/exams/${exam.id}/take`, story.server.url).href);
    await expectEditorText(page, answer);
    const landing = await callApi(page, 'GET', `/me/exams/${exam.id}`);
    assert.equal(landing.attempt.id, attemptId, 'the same attempt, not a new one');
    await page.context().close();

    // The replaced link no longer opens anything.
    const again = await computer();
    await again.goto(links[name]);
    await again.getByTestId('candidate-invalid').waitFor();
    await again.context().close();
    await instructor.context().close();
  });

  assert.deepEqual(problems, [], 'no console error, uncaught error or CSP violation');
});
