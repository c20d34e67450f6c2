// Browser test of "Clear sign-in limits": a classmate keeps an instructor
// out by guessing wrong on purpose; the organization's administrator clears
// the limits from the users screen, with the keyboard, after confirming; the
// instructor signs in at once. Runs against the real examhall binary (see
// harness.mjs for EXAMHALL_BIN and CHROMIUM_PATH), on the test clock: the
// classmate's waits pass by jumping the server's clock (harness.mjs), so
// the wait ramps up to its ceiling (15 minutes) in a few seconds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
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

const story = demoStory(expected, { testClock: true });
const { computer, problems } = story;

/** Signs in through the API from `page`'s browser (no device cookie of the instructor's). */
const signIn = (page, password) =>
  page.request.post(story.at('/api/v1/session'), {
    data: { org: 'physics', email: people.instructor.email, password },
    failOnStatusCode: false,
  });

test('an administrator clears the sign-in limits a classmate caused', { timeout: 180_000 }, async (t) => {
  const step = chainedSteps(t);
  let guesser;

  await step('a classmate keeps the instructor out', async () => {
    const { instructor } = await orgWithInstructor(story.server, computer, { people });
    await instructor.context().close();
    guesser = await computer();
    // Each wrong guess after the free ones doubles the wait; the classmate
    // guesses again whenever the wait is over, until it is 15 minutes. The
    // wait ends on the server's clock, which announces nothing: the refusal
    // names it (Retry-After, whole seconds rounded up), and the story jumps
    // the clock by exactly that long before the classmate comes back. A
    // guess that comes too early is refused without counting, and names what
    // is left.
    const ceiling = 15 * 60;
    let wait = 0;
    const end = Date.now() + 60_000;
    while (wait <= ceiling / 2 && Date.now() < end) {
      const response = await signIn(guesser, 'wrong-on-purpose-1');
      if (response.status() === 429) {
        wait = Number(response.headers()['retry-after']);
        if (wait <= ceiling / 2) await story.jump(wait * 1000);
      }
    }
    assert.ok(wait > ceiling / 2 && wait <= ceiling, `the classmate drove the wait to its ceiling: ${wait} s`);
    assert.equal((await signIn(guesser, people.instructor.password)).status(), 429, 'the right password waits too');
  });

  await step('the administrator clears them with the keyboard, after confirming', async () => {
    const admin = await computer();
    await admin.goto(story.at(`/signin?org=physics&email=${encodeURIComponent(people.admin.email)}`));
    await signInFromLink(admin, people.admin, '/admin');
    await admin.getByTestId('admin-nav-users').click();
    await admin.getByTestId('user-filter').fill(people.instructor.email);
    const row = admin.locator(`[data-testid="user-row"][data-email="${people.instructor.email}"]`);
    const button = row.getByTestId('user-clear-limits');
    assert.equal(await button.getAttribute('aria-describedby'), await row.locator('td').first().getAttribute('id'));
    await button.focus();
    await admin.keyboard.press('Enter');
    const dialog = admin.getByTestId('confirm-dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Clear the sign-in limits of Ivan Instructor\?/);
    await admin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await button.evaluate((element) => element === document.activeElement), true, 'focus returns');
    assert.equal((await signIn(guesser, people.instructor.password)).status(), 429, 'cancelled: nothing cleared');

    await admin.keyboard.press('Enter');
    await dialog.waitFor();
    await admin.getByTestId('confirm-action').focus();
    await admin.keyboard.press('Enter');
    const done = row.getByTestId('user-done');
    await done.filter({ hasText: 'Ivan Instructor can sign in again at once.' }).waitFor();
    assert.equal(await done.getAttribute('role'), 'status');
    await admin.context().close();
  });

  await step('the instructor signs in at once', async () => {
    assert.equal((await signIn(guesser, people.instructor.password)).status(), 200);
    await guesser.context().close();
    assert.deepEqual(problems, []);
  });
});
