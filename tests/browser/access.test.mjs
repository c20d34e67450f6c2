// Browser test of identity and access against the real examhall binary: the
// whole first day of an installation, from the demo's one-time set-up link to
// a student who can see their own section and nothing of the staff's.
//
//   cargo build                       (build.rs also builds assets/dist)
//   cd assets && npm run test:browser
//
// Every person works in a browser context of their own, as on their own
// computer. See harness.mjs for EXAMHALL_BIN and CHROMIUM_PATH.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  callApi,
  chainedSteps,
  demoStory,
  FIRST_DAY_PEOPLE,
  linkIn,
  openLink,
  redeem,
  SETUP_LINK,
  signInFromLink,
} from './harness.mjs';
import { midterm } from './exams.mjs';

const STUDENTS = 30;
/**
 * Failed requests the story makes on purpose, which the browser logs as
 * errors: "who is signed in?" while nobody is, a wrong password, a common
 * password, a used link, a session ended elsewhere, a wrong current password.
 */
const EXPECTED_FAILURES = [
  /status of 401 \S* at https:\/\/[^/]+\/api\/v1\/sessions?$/,
  /status of (404|422) \S* at https:\/\/[^/]+\/api\/v1\/links\/\S+$/,
  /status of 422 \S* at https:\/\/[^/]+\/api\/v1\/password$/,
];
const expected = (line) =>
  line.startsWith('console error: Failed to load resource:') && EXPECTED_FAILURES.some((failure) => failure.test(line));

const people = {
  ...FIRST_DAY_PEOPLE,
  proctor: { email: 'petra@physics.example', name: 'Petra Proctor', password: 'granite-tulip-cinder-64' },
  student: { email: 'student01@physics.example', name: 'Student 01', password: 'nebula-pickle-saddle-90' },
};

const story = demoStory(expected);
const { computer, problems } = story;

const at = (path) => story.at(path);

/** The roster: 30 students, the first half in section A, the rest in B. */
function rosterCsv() {
  const lines = ['student_number,name,email,course,section'];
  for (let n = 1; n <= STUDENTS; n += 1) {
    const two = String(n).padStart(2, '0');
    lines.push(`s10${two},Student ${two},student${two}@physics.example,PHYS101,${n <= STUDENTS / 2 ? 'A' : 'B'}`);
  }
  return `${lines.join('\n')}\n`;
}

test('from the set-up link to a student who sees only their own section', { timeout: 300_000 }, async (t) => {
  const links = {};
  const step = chainedSteps(t);

  await step('the platform administrator sets up examhall and signs in', async () => {
    const [, setupLink] = await story.server.waitForLine(SETUP_LINK);
    const page = await computer();
    await openLink(page, setupLink);
    await page.getByTestId('link-form').waitFor();
    await page.getByTestId('link-email').fill(people.it.email);
    await page.getByTestId('link-display-name').fill(people.it.name);

    // Two different passwords never reach the story.server.
    await page.getByTestId('new-password').fill(people.it.password);
    await page.getByTestId('new-password-again').fill(`${people.it.password}x`);
    await page.getByTestId('link-submit').click();
    assert.match(await page.locator('.field-error').innerText(), /two passwords differ/);

    // A common password is refused by the server, whose detail is shown next to the form.
    await page.getByTestId('new-password').fill('password');
    await page.getByTestId('new-password-again').fill('password');
    await page.getByTestId('link-submit').click();
    assert.match(await page.getByTestId('link-error').innerText(), /one of the most common passwords/);

    await redeem(page, setupLink, people.it.password, people.it);
    assert.equal(await page.getByTestId('sign-in-platform').isChecked(), true);
    await signInFromLink(page, people.it, '/platform');
    assert.match(await page.getByTestId('header-user').innerText(), /Iris IT/);
    assert.equal(await page.getByTestId('nav-admin').count(), 0);

    // The set-up link works once.
    await page.goto(setupLink);
    await page.getByTestId('link-invalid').waitFor();
    await page.goto(at('/platform'));

    await page.getByTestId('org-slug').fill('physics');
    await page.getByTestId('org-name').fill('Faculty of Physics');
    await page.getByTestId('create-org-submit').click();
    const row = page.locator('[data-testid="org-row"][data-slug="physics"]');
    await row.waitFor();
    assert.equal(await row.getByTestId('org-status').innerText(), 'Active');

    // Deactivating asks first: Escape keeps the organization active, the dialog's button deactivates it.
    const demo = page.locator('[data-testid="org-row"][data-slug="demo"]');
    await demo.getByTestId('org-deactivate').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('confirm-dialog').waitFor({ state: 'hidden' });
    assert.equal(await demo.getByTestId('org-status').innerText(), 'Active');
    await demo.getByTestId('org-deactivate').click();
    await page.getByTestId('confirm-action').click();
    await demo.locator('[data-testid="org-status"]', { hasText: 'Deactivated' }).waitFor();
    await demo.getByTestId('org-reactivate').click();
    await demo.locator('[data-testid="org-status"]', { hasText: 'Active' }).waitFor();

    await page.getByTestId('invite-org').selectOption({ label: 'Faculty of Physics (physics)' });
    await page.getByTestId('invite-email').fill(people.admin.email);
    await page.getByTestId('invite-name').fill(people.admin.name);
    await page.getByTestId('invite-submit').click();
    links.admin = await linkIn(page, 'invite-link');
    assert.match(links.admin, new RegExp(`^${new URL(story.server.url).origin}/link/\\S+$`));
    await page.context().close();
  });

  /** @type {import('playwright-core').Page} */
  let admin;

  await step('the organization administrator accepts the invitation and signs in', async () => {
    admin = await computer();
    await redeem(admin, links.admin, people.admin.password);
    assert.equal(await admin.getByTestId('sign-in-org').inputValue(), 'physics');
    // A wrong password shows the server's problem detail next to the form.
    await admin.getByTestId('sign-in-password').fill('not-the-password');
    await admin.getByTestId('sign-in-submit').click();
    assert.equal(await admin.getByTestId('sign-in-error').innerText(), 'The e-mail address or password is wrong.');
    await signInFromLink(admin, people.admin, '/admin');
    assert.equal(await admin.getByTestId('header-org').innerText(), 'Faculty of Physics');
  });

  await step('the organization administrator creates PHYS101 with sections A and B', async () => {
    await admin.getByTestId('admin-nav-courses').click();
    await admin.getByTestId('course-code').fill('PHYS101');
    await admin.getByTestId('course-title').fill('Physics I');
    await admin.getByTestId('create-course-submit').click();
    const card = admin.locator('[data-testid="course-card"][data-code="PHYS101"]');
    for (const section of ['A', 'B']) {
      await card.getByTestId('section-name').fill(section);
      await card.getByTestId('add-section-submit').click();
      await card.locator('.chip', { hasText: new RegExp(`^${section}$`) }).waitFor();
    }
  });

  await step('a roster of 30 students is checked, imported, and imported again without change', async () => {
    await admin.getByTestId('admin-nav-roster').click();
    // The template to start from: the header the import reads and an example row.
    const [template] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('roster-template').click()]);
    assert.equal(template.suggestedFilename(), 'roster-template.csv');
    const lines = (await readFile(await template.path(), 'utf8')).split('\r\n');
    assert.equal(lines[0], 'student_number,name,email,course,section');
    const summary = admin.getByTestId('roster-summary');

    // A file with a broken row cannot be imported.
    await admin.getByTestId('roster-text').fill('student_number,name,email,course,section\ns1,Broken,not-an-address,PHYS101,Z\n');
    await admin.getByTestId('roster-preview').click();
    await admin.locator('[data-testid="roster-summary"][data-kind="preview"]').waitFor();
    assert.notEqual(await summary.getAttribute('data-errors'), '0');
    assert.equal(await admin.getByTestId('roster-import').isDisabled(), true);
    assert.ok((await admin.locator('[data-testid="roster-row"][data-action="error"] li').count()) > 0);

    await admin.getByTestId('roster-file').setInputFiles({
      name: 'phys101.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(rosterCsv()),
    });
    await admin.waitForFunction(() => document.querySelector('[data-testid="roster-text"]')?.value.includes('student30@'));
    await admin.getByTestId('roster-preview').click();
    await admin.locator(`[data-testid="roster-summary"][data-kind="preview"][data-creates="${STUDENTS}"]`).waitFor();
    assert.equal(await summary.getAttribute('data-errors'), '0');
    assert.equal(await admin.locator('[data-testid="roster-row"][data-action="create"]').count(), STUDENTS);

    await admin.getByTestId('roster-import').click();
    await admin.locator(`[data-testid="roster-summary"][data-kind="import"][data-creates="${STUDENTS}"]`).waitFor();

    await admin.getByTestId('roster-preview').click();
    await admin.locator(`[data-testid="roster-summary"][data-kind="preview"][data-unchanged="${STUDENTS}"]`).waitFor();
    assert.equal(await summary.getAttribute('data-creates'), '0');
    await admin.getByTestId('roster-import').click();
    await admin.locator(`[data-testid="roster-summary"][data-kind="import"][data-unchanged="${STUDENTS}"]`).waitFor();
    assert.equal(await admin.locator('[data-testid="roster-row"][data-action="unchanged"]').count(), STUDENTS);
  });

  await step('an instructor and a proctor are invited and set their passwords', async () => {
    await admin.getByTestId('admin-nav-users').click();
    for (const who of ['instructor', 'proctor']) {
      await admin.getByTestId('user-email').fill(people[who].email);
      await admin.getByTestId('user-name').fill(people[who].name);
      await admin.getByTestId('create-user-submit').click();
      await admin.getByTestId('invitation-link').filter({ hasText: people[who].name }).waitFor();
      links[who] = await linkIn(admin, 'invitation-link');
    }
    assert.notEqual(links.instructor, links.proctor);
    for (const who of ['instructor', 'proctor']) {
      const page = await computer();
      await redeem(page, links[who], people[who].password);
      await page.context().close();
    }
  });

  await step('the instructor role on PHYS101 and the proctor role on section A are granted', async () => {
    await admin.getByTestId('admin-nav-roles').click();
    await admin.getByTestId('grant-user-select').selectOption({ label: `${people.instructor.name} (${people.instructor.email})` });
    await admin.getByTestId('grant-role').selectOption('instructor');
    await admin.getByTestId('grant-course').selectOption({ label: 'PHYS101 Physics I' });
    await admin.getByTestId('grant-submit').click();
    await admin.locator(`[data-testid="grant-row"][data-email="${people.instructor.email}"][data-role="instructor"]`).waitFor();

    await admin.getByTestId('grant-user-select').selectOption({ label: `${people.proctor.name} (${people.proctor.email})` });
    await admin.getByTestId('grant-role').selectOption('proctor');
    await admin.getByTestId('grant-section').selectOption({ label: 'PHYS101, section A' });
    await admin.getByTestId('grant-submit').click();
    const proctorRow = admin.locator(`[data-testid="grant-row"][data-email="${people.proctor.email}"][data-role="proctor"]`);
    await proctorRow.waitFor();
    assert.match(await proctorRow.innerText(), /PHYS101, section A/);
  });

  await step('the instructor signs in, sees PHYS101, and manages their own sessions', async () => {
    const page = await computer();
    await page.goto(at(`/signin?org=physics&email=${encodeURIComponent(people.instructor.email)}`));
    await signInFromLink(page, people.instructor, '/courses');
    const course = page.locator('[data-testid="my-course"][data-code="PHYS101"]');
    await course.waitFor();
    assert.match(await course.getByTestId('my-course-roles').innerText(), /Instructor/);
    // The course they teach links to its page, which says plainly that it has no exams yet.
    await course.getByTestId('my-course-link').click();
    await page.waitForURL(/\/courses\/[^/]+$/);
    assert.equal(await page.getByTestId('no-exams').innerText(), 'This course has no exams yet.');
    await page.getByTestId('back-to-courses').click();
    await course.waitFor();
    assert.equal(await page.getByTestId('nav-admin').count(), 0);

    // Signed in on a second computer too; the first ends that session from its account page.
    const other = await computer();
    await other.goto(at(`/signin?org=physics&email=${encodeURIComponent(people.instructor.email)}`));
    await signInFromLink(other, people.instructor, '/courses');
    await page.getByTestId('nav-account').click();
    const rows = page.getByTestId('session-row');
    await rows.nth(1).waitFor();
    assert.equal(await page.locator('[data-testid="session-row"][data-current="true"]').count(), 1);
    await page.getByTestId('session-end').click();
    await page.getByTestId('confirm-action').click();
    await rows.nth(1).waitFor({ state: 'detached' });
    await other.getByTestId('nav-account').click();
    await other.getByTestId('session-ended').waitFor();
    await other.context().close();

    // A wrong current password is refused, with the server's reason next to the form.
    await page.getByTestId('current-password').fill('not-my-password');
    await page.getByTestId('new-password').fill('lagoon-ember-thistle-38');
    await page.getByTestId('new-password-again').fill('lagoon-ember-thistle-38');
    await page.getByTestId('password-submit').click();
    assert.match(await page.getByTestId('password-error').innerText(), /current password is wrong/);
    await page.context().close();
  });

  await step('a student gets a password link, signs in, sees their section and no staff pages', async () => {
    await admin.getByTestId('admin-nav-users').click();
    await admin.getByTestId('user-filter').fill(people.student.email);
    const row = admin.locator(`[data-testid="user-row"][data-email="${people.student.email}"]`);
    await row.getByTestId('user-reset').click();
    await admin.getByTestId('reset-link').filter({ hasText: people.student.name }).waitFor();
    const resetLink = await linkIn(admin, 'reset-link');

    const page = await computer();
    await redeem(page, resetLink, people.student.password);
    assert.equal(await page.getByTestId('sign-in-org').inputValue(), 'physics');
    await signInFromLink(page, people.student, '/home');
    const course = page.locator('[data-testid="my-course"][data-code="PHYS101"]');
    await course.waitFor();
    assert.deepEqual(await course.getByTestId('my-section').allInnerTexts(), ['Section A']);
    for (const staffLink of ['nav-admin', 'nav-courses', 'nav-platform']) {
      assert.equal(await page.getByTestId(staffLink).count(), 0, `a student sees ${staffLink}`);
    }

    for (const staffPage of ['/admin', '/admin/users', '/platform']) {
      await page.goto(at(staffPage));
      await page.getByTestId('not-found').waitFor();
    }
    // The API refuses as it refuses every object outside the caller's scope: not found, never "forbidden".
    const refused = await page.request.get(at('/api/v1/org/users'));
    assert.equal(refused.status(), 404, `the API answered ${refused.status()}`);
    assert.equal((await refused.json()).type, 'urn:examhall:problem:not-found');

    await page.getByTestId('sign-out').click();
    await page.waitForURL(at('/signin'));
    await page.context().close();
  });

  await step('the backups page says, in words, that none can be made until IT configures the officers’ keys', async () => {
    await admin.getByTestId('admin-nav-backups').click();
    const notice = admin.getByTestId('backups-no-recipients');
    await notice.waitFor();
    assert.match(await notice.innerText(), /IT has not yet configured the backup officers’ keys/);
    const table = admin.getByTestId('backups-table');
    assert.match(await table.locator('caption').innerText(), /Backups/);
    const whole = table.locator('[data-testid="backup-row"][data-kind="organization"]');
    assert.match(await whole.locator('th[scope="row"]').innerText(), /The whole organization/);
    assert.equal(await whole.getByTestId('backup-none').innerText(), 'None yet');
  });

  await step('the retention page keeps a policy, refuses fewer days than the minimum, and holds an exam until released', async () => {
    // A published exam to hold: the instructor writes and publishes one through the API.
    const courses = await callApi(admin, 'GET', '/org/courses');
    const phys101 = courses.find((course) => course.code === 'PHYS101');
    const sectionA = phys101.sections.find((section) => section.name === 'A');
    const instructor = await computer();
    await instructor.goto(at(`/signin?org=physics&email=${encodeURIComponent(people.instructor.email)}`));
    await signInFromLink(instructor, people.instructor, '/courses');
    const exam = await callApi(instructor, 'POST', `/courses/${phys101.id}/exams`, midterm(sectionA.id));
    await callApi(instructor, 'POST', `/courses/${phys101.id}/exams/${exam.id}/publish`, { tests_run: 1, tests_failed: 0 });
    await instructor.context().close();

    await admin.getByTestId('admin-nav-retention').click();
    await admin.getByTestId('retention-form').waitFor();
    assert.match(await admin.getByTestId('retention-updated').innerText(), /No policy has been set yet/);
    assert.match(await admin.getByTestId('retention-minimum').innerText(), /at least 30 days/);
    await admin.getByTestId('retention-due-empty').waitFor();
    await admin.getByTestId('retention-purged-empty').waitFor();

    // Evidence 60 days, whole exams 365: saved, said so, and still there after a reload.
    await admin.getByTestId('retention-evidence-keep-days').check();
    await admin.getByTestId('retention-evidence-days').fill('60');
    await admin.getByTestId('retention-exam-keep-days').check();
    await admin.getByTestId('retention-exam-days').fill('365');
    await admin.getByTestId('retention-save').click();
    await admin.locator('[data-testid="retention-saved"]', { hasText: 'The policy is saved.' }).waitFor();
    await admin.locator('[data-testid="retention-updated"]', { hasText: `Set by ${people.admin.email}` }).waitFor();
    await admin.reload();
    await admin.getByTestId('retention-form').waitFor();
    assert.equal(await admin.getByTestId('retention-evidence-keep-days').isChecked(), true);
    assert.equal(await admin.getByTestId('retention-evidence-days').inputValue(), '60');
    assert.equal(await admin.getByTestId('retention-exam-keep-days').isChecked(), true);
    assert.equal(await admin.getByTestId('retention-exam-days').inputValue(), '365');

    // Fewer days than the platform allows: the error sits on the field and names the minimum.
    await admin.getByTestId('retention-evidence-days').fill('5');
    await admin.getByTestId('retention-save').click();
    const tooFew = admin.getByTestId('retention-evidence-days-error');
    await tooFew.waitFor();
    assert.match(await tooFew.innerText(), /at least 30 days/);
    assert.equal(await admin.getByTestId('retention-evidence-days').getAttribute('aria-invalid'), 'true');

    // The first published exam on hold, with its reason; then released, after confirming.
    const reason = 'Grade appeal of student 01, case 2024-17';
    await admin.getByTestId('retention-hold-exam').selectOption({ index: 1 });
    await admin.getByTestId('retention-hold-reason').fill(reason);
    await admin.getByTestId('retention-hold-submit').click();
    const held = admin.locator(`[data-testid="retention-hold-row"][data-exam="${exam.id}"]`);
    await held.waitFor();
    assert.equal(await held.locator('th[scope="row"]').innerText(), 'Midterm');
    assert.equal(await held.getByTestId('retention-hold-reason-text').innerText(), reason);
    await admin.getByTestId('retention-no-exams').waitFor();
    await held.getByRole('button', { name: 'Release the legal hold on Midterm' }).click();
    await admin.getByTestId('confirm-action').click();
    await held.waitFor({ state: 'detached' });
    await admin.getByTestId('retention-holds-empty').waitFor();
    await admin.getByTestId('retention-hold-form').waitFor();
  });

  await step('the admin downloads everything held about a student, for their subject-access request', async () => {
    await admin.getByTestId('admin-nav-users').click();
    await admin.getByTestId('user-filter').fill(people.student.email);
    const row = admin.locator(`[data-testid="user-row"][data-email="${people.student.email}"]`);
    const link = row.getByTestId('user-export-csv');
    const named = await row.locator(`#${await link.getAttribute('aria-describedby')}`).innerText();
    assert.equal(named, people.student.name, 'the link names whose data it is');
    const [download] = await Promise.all([admin.waitForEvent('download'), link.click()]);
    assert.match(download.suggestedFilename(), /^personal-data-.+\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    assert.ok(csv.startsWith('table,row,column,value'), csv.slice(0, 80));
    assert.ok(csv.includes(`users,1,email,${people.student.email}`), 'their own account');
    assert.ok(!csv.includes('password_hash'), 'no secret');
  });

  await step('the audit log shows what happened', async () => {
    await admin.getByTestId('admin-nav-audit').click();
    await admin.getByTestId('audit-row').first().waitFor();
    const actions = new Set(await admin.getByTestId('audit-row').evaluateAll((rows) => rows.map((row) => row.dataset.action)));
    for (const action of [
      'user.invite_org_admin', 'user.invitation_accepted', 'session.sign_in', 'course.create', 'section.create',
      'roster.import', 'user.create', 'grant.create', 'session.end', 'user.password_reset_link', 'user.password_reset',
      'session.sign_out', 'retention.policy', 'retention.hold', 'retention.release', 'person.export',
    ]) {
      assert.ok(actions.has(action), `${action} is in the audit log: ${[...actions].join(', ')}`);
    }
    // A person an entry was about is named, not given as an id.
    const reset = admin.locator('[data-testid="audit-row"][data-action="user.password_reset_link"]').first();
    assert.match(await reset.getByTestId('audit-target').innerText(), /@/);
    // A day range: today's entries are there; none from a day in the future.
    const today = await admin.evaluate(() => {
      const now = new Date();
      const pad = (n) => String(n).padStart(2, '0');
      return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    });
    await admin.getByTestId('audit-from').fill(today);
    await admin.getByTestId('audit-to').fill(today);
    await admin.getByTestId('audit-apply').click();
    await admin.getByTestId('audit-row').first().waitFor();
    await admin.getByTestId('audit-from').fill('2999-01-01');
    await admin.getByTestId('audit-to').fill('2999-01-02');
    await admin.getByTestId('audit-apply').click();
    await admin.getByTestId('audit-row').first().waitFor({ state: 'detached' });
    // To before From is said on its field, and nothing is asked of the server.
    await admin.getByTestId('audit-from').fill('2999-01-02');
    await admin.getByTestId('audit-to').fill('2999-01-01');
    await admin.getByTestId('audit-apply').click();
    assert.equal(await admin.getByTestId('audit-to').getAttribute('aria-invalid'), 'true');
    await admin.context().close();
  });

  assert.deepEqual(problems, [], 'no console error, uncaught error or CSP violation');
});
