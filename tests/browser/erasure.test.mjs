// Browser test of erasing a student: the organization's administrator,
// with the keyboard, asks to erase a student; after confirming, the request
// is recorded (the next purge carries it out: tests/api/erasure.rs), the
// row says so in words, and it can be cancelled. Staff rows offer no
// erasure. Runs against the real examhall binary (see
// harness.mjs for EXAMHALL_BIN and CHROMIUM_PATH).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  callApi,
  chainedSteps,
  demoStory,
  failingOnPurpose,
  FIRST_DAY_PEOPLE,
  orgWithInstructor,
  SIGNED_OUT,
  signInFromLink,
} from './harness.mjs';

/** Failed requests the story makes on purpose: "who is signed in?" while nobody is. */
const expected = failingOnPurpose(SIGNED_OUT);

const people = FIRST_DAY_PEOPLE;
const student = { email: 'ada@physics.example', name: 'Ada Student' };

const story = demoStory(expected);
const { computer, problems } = story;

test('an administrator erases a student, with the keyboard, after confirming', { timeout: 180_000 }, async (t) => {
  const step = chainedSteps(t);
  let admin;

  await step('a student who has taken no exam', async () => {
    const { instructor, course } = await orgWithInstructor(story.server, computer, { people });
    await instructor.context().close();
    admin = await computer();
    await admin.goto(story.at(`/signin?org=physics&email=${encodeURIComponent(people.admin.email)}`));
    await signInFromLink(admin, people.admin, '/admin');
    const created = await callApi(admin, 'POST', '/org/users', { email: student.email, display_name: student.name });
    const section = course.sections[0];
    await callApi(admin, 'POST', '/org/grants', {
      user_id: created.user.id,
      role: 'student',
      section_id: section.id,
    });
  });

  await step('staff offer no erasure; the student does, and Escape cancels it', async () => {
    await admin.reload();
    await admin.getByTestId('admin-nav-users').click();
    const staff = admin.locator(`[data-testid="user-row"][data-email="${people.instructor.email}"]`);
    await staff.waitFor();
    assert.equal(await staff.getByTestId('user-erase').count(), 0, 'an instructor is not erased here');
    const row = admin.locator(`[data-testid="user-row"][data-email="${student.email}"]`);
    const button = row.getByTestId('user-erase');
    assert.equal(await button.getAttribute('aria-describedby'), await row.locator('td').first().getAttribute('id'));
    await button.focus();
    await admin.keyboard.press('Enter');
    const dialog = admin.getByTestId('confirm-dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Erase Ada Student\?/);
    assert.match(await dialog.innerText(), /cannot be undone/);
    await admin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await button.evaluate((element) => element === document.activeElement), true, 'focus returns');
    assert.equal(await row.count(), 1, 'cancelled: nothing erased');
  });

  await step('confirmed, the request is recorded and said in words, then cancelled', async () => {
    const row = admin.locator(`[data-testid="user-row"][data-email="${student.email}"]`);
    await row.getByTestId('user-erase').focus();
    await admin.keyboard.press('Enter');
    await admin.getByTestId('confirm-dialog').waitFor();
    await admin.getByTestId('confirm-action').focus();
    await admin.keyboard.press('Enter');
    await row.getByTestId('user-erasure-requested').filter({ hasText: 'Erasure requested' }).waitFor();
    const done = row.getByTestId('user-done');
    assert.match(await done.innerText(), /Recorded\. The purge at 3:00 UTC erases them\./);
    assert.equal(await done.getAttribute('role'), 'status');
    assert.equal(await row.getByTestId('user-erase').count(), 0, 'asked once');
    await row.getByTestId('user-erase-cancel').focus();
    await admin.keyboard.press('Enter');
    await row.getByTestId('user-erasure-requested').waitFor({ state: 'detached' });
    assert.match(await done.innerText(), /The erasure of Ada Student is cancelled\./);
    await row.getByTestId('user-erase').waitFor();
  });

  await step('the name and address are edited in place, with the keyboard', async () => {
    const row = admin.locator(`[data-testid="user-row"][data-email="${student.email}"]`);
    await row.getByTestId('user-edit').focus();
    await admin.keyboard.press('Enter');
    const name = row.getByTestId('user-edit-name');
    await name.waitFor();
    // Focus moves there once the form is drawn (an effect after the render).
    await admin.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'user-edit-name', null, {
      timeout: 5_000,
    });
    await name.fill('Ada Lovelace');
    await row.getByTestId('user-edit-email').fill('ada.lovelace@physics.example');
    await admin.keyboard.press('Enter');
    const moved = admin.locator('[data-testid="user-row"][data-email="ada.lovelace@physics.example"]');
    await moved.waitFor();
    assert.match(await moved.innerText(), /Ada Lovelace/);
    await admin.context().close();
    assert.deepEqual(problems, []);
  });
});
