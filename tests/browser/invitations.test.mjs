// Browser story of sign-in slips: the demo's org admin has two people
// without a password (as a roster import leaves them), makes their
// invitation links from the Users page from the keyboard, sees one slip
// each with a QR code described in words and the link, downloads the CSV,
// and a slip's link lets its person choose a password and sign in.
//
//   cargo build
//   EXAMHALL_BIN=target/debug/examhall node --test tests/browser/invitations.test.mjs
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { assertAccessible } from './axe.mjs';
import { callApi, chainedSteps, DEMO_PASSWORD, demoStory, redeem, signInFromLink, SIGNED_OUT } from './harness.mjs';

const story = demoStory((line) => SIGNED_OUT.test(line) || line === 'console error: An SSL certificate error occurred when fetching the script.');

test('an org admin prints sign-in slips and downloads the links for people without a password', { timeout: 300_000 }, async (t) => {
  const step = chainedSteps(t);
  const [, password] = await story.server.waitForLine(DEMO_PASSWORD);
  let admin;
  let csvLinks;

  await step('two people without a password are on the Users page', async () => {
    admin = await story.computer();
    await admin.goto(story.at(`/signin?org=demo&email=${encodeURIComponent('admin@demo.example')}`));
    await signInFromLink(admin, { email: 'admin@demo.example', password }, '/admin');
    for (const [name, email, number] of [['Noor Newcomer', 'noor@demo.example', 'N1'], ['Zoë Zed', 'zoe@demo.example', 'N2']]) {
      await callApi(admin, 'POST', '/org/users', { email, display_name: name, student_number: number });
    }
    await admin.goto(story.at('/admin/users'));
    await admin.getByTestId('invitations-make').waitFor();
    assert.match(await admin.getByTestId('invitations-make').innerText(), /^Make invitation links for the \d+ people without a password$/);
  });

  await step('the links are made from the keyboard: one slip each, its QR code described in words', async () => {
    await admin.getByTestId('invitations-make').focus();
    await admin.keyboard.press('Enter');
    await admin.getByTestId('invitations-issued').waitFor();
    const noor = admin.locator('[data-testid="invitation-slip"][data-email="noor@demo.example"]');
    assert.match(await noor.innerText(), /Noor Newcomer[\s\S]*Student number N1[\s\S]*Sign in as noor@demo\.example[\s\S]*\/link\/[0-9a-f-]+\.[0-9a-f]{64}/);
    assert.equal(await noor.getByRole('img').getAttribute('aria-label'), 'QR code of the invitation link for Noor Newcomer');
    assert.equal(await admin.evaluate(() => document.activeElement?.id), 'invitations-issued-heading', 'focus moves to what was made');
    await assertAccessible(admin, 'the Users page with the slips');
    // Printed, only the slips show: no header, no buttons, no table of users.
    await admin.emulateMedia({ media: 'print' });
    assert.equal(await admin.getByTestId('invitation-slip').first().isVisible(), true);
    for (const hidden of ['invitations-make', 'invitations-print', 'users']) {
      assert.equal(await admin.getByTestId(hidden).isVisible(), false, `${hidden} does not print`);
    }
    assert.equal(await admin.locator('.site-header').isVisible(), false);
    await admin.emulateMedia({ media: 'screen' });
  });

  await step('the CSV holds each person with their link', async () => {
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('invitations-csv').click()]);
    assert.equal(download.suggestedFilename(), 'invitation-links.csv');
    const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n');
    assert.equal(lines[0], 'name,student_number,email,link,valid_until');
    csvLinks = new Map(lines.slice(1).map((line) => line.split(',')).map((cells) => [cells[2], cells[3]]));
    assert.ok(csvLinks.has('noor@demo.example') && csvLinks.has('zoe@demo.example'), lines.join('\n'));
    const shown = await admin.locator('[data-testid="invitation-slip"][data-email="zoe@demo.example"] [data-testid="invitation-url"]').innerText();
    assert.equal(csvLinks.get('zoe@demo.example'), shown, 'the CSV and the slip hold the same link');
  });

  await step('a slip\'s link lets its person choose a password and sign in', async () => {
    const zoe = await story.computer();
    await redeem(zoe, csvLinks.get('zoe@demo.example'), 'a-new-strong-phrase-1');
    await signInFromLink(zoe, { email: 'zoe@demo.example', password: 'a-new-strong-phrase-1' }, '/home');
  });
});
