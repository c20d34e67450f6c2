// Browser tests of an exam's policy screen. The demo's instructor opens it
// from the exam's page: every kind of signal is a row of a table, each
// control named after its kind, with the standard profile's setting beside
// it in words. They switch developer tools off, make large pastes count
// from 120 characters at high severity and let proctors give 10 minutes;
// after a reload all of it is kept and the table is "adjusted". A 0 is
// refused with the server's own words and changes nothing. "Reset to the
// profile's table" brings the profile's values back and keeps the proctors'
// minutes. The demo has no reviewer: its proctor reads the same policy in
// words, with nothing to change and no Save.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callApi, chainedSteps, DEMO_PASSWORD, demoStory, signInFromLink } from './harness.mjs';

/**
 * Failures the story causes on purpose: "who is signed in?" before signing
 * in, the service worker refused on the self-signed certificate, and the
 * refused save of a 0. Any other failed request is a problem.
 */
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line) ||
  /^console error: Failed to load resource: the server responded with a status of 422 \S* at https:\/\/[^/]+\/api\/v1\/courses\/[^/]+\/exams\/[^/]+\/policy$/.test(line);

const story = demoStory(expected);
const EXAM = 'Python warm-up';

/** A person of the demo signed in on a computer of their own, on `landing`. */
async function signedIn(email, password, landing) {
  const page = await story.computer();
  await page.goto(story.at(`/signin?org=demo&email=${encodeURIComponent(email)}`));
  await signInFromLink(page, { email, password }, landing);
  return page;
}

const row = (page, kind) => page.locator(`[data-testid="policy-row"][data-kind="${kind}"]`);

/** What the instructor's form shows for the kinds and permissions the story changes. */
async function shown(page) {
  await page.getByTestId('policy-form').waitFor();
  return {
    devtoolsOn: await page.getByLabel('Developer tools: on').isChecked(),
    largePaste: await page.getByLabel('Large paste: characters').inputValue(),
    largePasteSeverity: await page.getByLabel('Large paste: severity').inputValue(),
    readCode: await page.getByLabel("Proctors may read students’ code and replays").isChecked(),
    extraMinutes: await page.getByLabel('Most extra minutes a proctor may give one student (0: none)').inputValue(),
    adjusted: await page.getByTestId('policy-adjusted').getAttribute('data-adjusted'),
  };
}

/** Presses Save and waits for the server's answer to the PUT. */
async function save(page) {
  const answered = page.waitForResponse((r) => r.url().endsWith('/policy') && r.request().method() === 'PUT');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  return answered;
}

test('an instructor adjusts an exam\'s thresholds and proctor permissions, and goes back to the profile', { timeout: 180_000 }, async (t) => {
  const step = chainedSteps(t);
  let password;
  let instructor;
  let policyUrl;

  await step('the instructor opens the policy from the exam\'s page', async () => {
    [, password] = await story.server.waitForLine(DEMO_PASSWORD);
    instructor = await signedIn('instructor@demo.example', password, '/courses');
    await instructor.getByTestId('my-course-link').first().click();
    await instructor.getByRole('link', { name: EXAM }).first().click();
    await instructor.getByTestId('manage-policy').click();
    await instructor.waitForURL(/\/exams\/[^/]+\/policy$/);
    policyUrl = instructor.url();
    assert.match(await instructor.getByTestId('policy-heading').innerText(), /Signals and proctors: Python warm-up/);
    assert.match(await instructor.getByTestId('policy-profile').innerText(), /profile: standard/);
    assert.match(await instructor.getByTestId('policy-note').innerText(), /shown to a person for review.*never decide anything/s);
    assert.deepEqual(await shown(instructor), {
      devtoolsOn: true,
      largePaste: '200',
      largePasteSeverity: 'medium',
      readCode: false,
      extraMinutes: '0',
      adjusted: 'false',
    });
    assert.equal(await instructor.getByTestId('policy-last-changed').count(), 0, 'never changed yet');
  });

  await step('every kind is a row with a header, its controls named after it, and the profile\'s setting in words', async () => {
    const table = instructor.getByTestId('policy-table');
    assert.match(await table.locator('caption').textContent(), /Each kind of signal/);
    const kinds = await instructor.getByTestId('policy-row').evaluateAll((all) => all.map((r) => r.dataset.kind));
    assert.deepEqual(kinds, [
      'history_mismatch', 'second_device', 'large_paste', 'sudden_code', 'typing_burst',
      'time_away', 'fullscreen_exit', 'devtools', 'offline',
    ]);
    assert.equal(await table.locator('tbody th[scope="row"]').count(), 9);
    assert.ok(await instructor.getByLabel('History mismatch: on').isDisabled(), 'the history check cannot be switched off');
    assert.ok(await instructor.getByLabel('History mismatch: severity').isEnabled(), 'only its severity changes');
    assert.equal(await instructor.getByLabel('Typing burst: characters per second').inputValue(), '15');
    assert.equal(await instructor.getByLabel('Time away: seconds at once').inputValue(), '60');
    assert.equal(
      await row(instructor, 'large_paste').getByTestId('policy-profile-setting').innerText(),
      'standard profile: 200 characters, medium',
    );
  });

  await step('they switch developer tools off, change large pastes, allow proctors 10 minutes and save', async () => {
    await instructor.getByLabel('Developer tools: on').uncheck();
    assert.ok(await instructor.getByLabel('Developer tools: signs').isDisabled(), 'a kind switched off takes no number');
    await instructor.getByLabel('Large paste: characters').fill('120');
    await instructor.getByLabel('Large paste: severity').selectOption('high');
    await instructor.getByLabel('Most extra minutes a proctor may give one student (0: none)').fill('10');
    const answer = await save(instructor);
    assert.equal(answer.status(), 200);
    const done = instructor.getByTestId('policy-done');
    await done.filter({ hasText: /^Saved\./ }).waitFor();
    assert.equal(await done.getAttribute('role'), 'status', 'announced politely');
    assert.equal(await instructor.getByTestId('policy-adjusted').getAttribute('data-adjusted'), 'true');
  });

  await step('after a reload the values are kept, the table is adjusted and who changed it shows', async () => {
    await instructor.reload();
    assert.deepEqual(await shown(instructor), {
      devtoolsOn: false,
      largePaste: '120',
      largePasteSeverity: 'high',
      readCode: false,
      extraMinutes: '10',
      adjusted: 'true',
    });
    assert.match(await instructor.getByTestId('policy-adjusted').innerText(), /Adjusted for this exam/);
    assert.match(await instructor.getByTestId('policy-last-changed').innerText(), /^Last changed by Ines Instructor at /);
    assert.equal(
      await row(instructor, 'devtools').getByTestId('policy-profile-setting').innerText(),
      'standard profile: 1 sign, medium',
      'the profile\'s setting still shows beside a kind switched off',
    );
  });

  await step('a 0 is refused with the server\'s words, and changes nothing', async () => {
    await instructor.getByLabel('Large paste: characters').fill('0');
    const answer = await save(instructor);
    assert.equal(answer.status(), 422);
    const error = instructor.getByTestId('policy-error');
    await error.waitFor();
    assert.match(await error.innerText(), /large_paste: every number must be from 1 to 100000/);
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.equal(await instructor.getByTestId('policy-done').innerText(), '', 'no "saved" beside the refusal');
    const held = await callApi(instructor, 'GET', new URL(policyUrl).pathname);
    assert.deepEqual(held.thresholds.large_paste, { severity: 'high', at: 120 });
    await instructor.reload();
    assert.equal((await shown(instructor)).largePaste, '120');
  });

  await step('a number that is not whole is marked on the page, and nothing is sent', async () => {
    let sent = false;
    const watch = (request) => { if (request.method() === 'PUT') sent = true; };
    instructor.on('request', watch);
    const field = instructor.getByLabel('Typing burst: characters per second');
    await field.fill('fast');
    await instructor.getByRole('button', { name: 'Save', exact: true }).click();
    const invalid = instructor.getByTestId('policy-invalid');
    await invalid.waitFor();
    assert.equal(await invalid.innerText(), 'Enter a whole number in: Typing burst: characters per second.');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await instructor.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Typing burst: characters per second');
    instructor.off('request', watch);
    assert.equal(sent, false);
    await instructor.reload();
  });

  await step('"Reset to the profile\'s table" brings the profile\'s values back, and keeps the proctors\' minutes', async () => {
    await instructor.getByRole('button', { name: /Reset to the profile/ }).click();
    await instructor.getByTestId('confirm-dialog').waitFor();
    const answered = instructor.waitForResponse((r) => r.url().endsWith('/policy') && r.request().method() === 'PUT');
    await instructor.getByTestId('confirm-action').click();
    assert.equal(JSON.parse((await answered).request().postData()).thresholds, null, 'sends no table: the profile\'s');
    await instructor.getByTestId('policy-done').filter({ hasText: /profile’s table is in force again/ }).waitFor();
    assert.deepEqual(await shown(instructor), {
      devtoolsOn: true,
      largePaste: '200',
      largePasteSeverity: 'medium',
      readCode: false,
      extraMinutes: '10',
      adjusted: 'false',
    });
    await instructor.reload();
    assert.equal((await shown(instructor)).adjusted, 'false');
  });

  await step('the proctor reads the same policy in words, with nothing to change', async () => {
    const proctor = await signedIn('proctor@demo.example', password, '/courses');
    await proctor.goto(policyUrl);
    await proctor.getByTestId('policy-read-only').waitFor();
    assert.match(await proctor.getByTestId('policy-heading').innerText(), /Python warm-up/);
    assert.equal(await proctor.getByRole('button', { name: 'Save' }).count(), 0, 'no Save');
    assert.equal(await proctor.getByTestId('policy-table').locator('input, select').count(), 0, 'no controls');
    assert.match(await row(proctor, 'large_paste').innerText(), /On\s+Medium\s+200 characters/);
    assert.equal(await proctor.getByTestId('policy-extra-minutes').innerText(), '10');
    await proctor.context().close();
  });

  await step('no CSP violation or unexpected error on the way', async () => {
    await instructor.context().close();
    assert.deepEqual(story.problems, []);
  });
});
