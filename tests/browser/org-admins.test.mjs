// Browser test of an organization's administrators on the platform page:
// the platform administrator opens them from the organization's row with
// the keyboard, reads in words that the invited one has not chosen a
// password, and issues a new link for the lost one; the old link stops
// working and the new one sets the password. Runs against the real examhall
// binary (see harness.mjs for EXAMHALL_BIN and CHROMIUM_PATH).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  callApi,
  chainedSteps,
  demoStory,
  failingOnPurpose,
  FIRST_DAY_PEOPLE,
  linkIn,
  redeem,
  SETUP_LINK,
  SIGNED_OUT,
  signInFromLink,
} from './harness.mjs';

/** Failed requests the story makes on purpose: "who is signed in?" while nobody is, the dead link, a taken name. */
const expected = failingOnPurpose(
  SIGNED_OUT,
  /status of 404 \S* at https:\/\/[^/]+\/api\/v1\/links\//,
  /status of 409 \S* at https:\/\/[^/]+\/api\/v1\/platform\/orgs$/,
);

const { it } = FIRST_DAY_PEOPLE;
const boss = { email: 'boss@physics.example', name: 'Bo Boss', password: 'copper-meadow-quartz-81' };

const story = demoStory(expected);
const { computer, problems } = story;

test('a platform administrator issues a new link for an administrator who lost theirs', { timeout: 180_000 }, async (t) => {
  const step = chainedSteps(t);
  let platform;
  let lost;

  await step('an organization whose administrator was invited', async () => {
    const [, setupLink] = await story.server.waitForLine(SETUP_LINK);
    platform = await computer();
    await redeem(platform, setupLink, it.password, it);
    await signInFromLink(platform, it, '/platform');
    const org = await callApi(platform, 'POST', '/platform/orgs', { slug: 'physics', name: 'Faculty of Physics' });
    const invitation = await callApi(platform, 'POST', `/platform/orgs/${org.id}/admins`, {
      email: boss.email,
      display_name: boss.name,
    });
    lost = story.at(invitation.link);
    await platform.reload();
  });

  await step('the status panel says the version, the certificate and the audit checks in words', async () => {
    const status = platform.getByTestId('platform-status');
    await status.getByTestId('status-version').waitFor();
    assert.match(await status.getByTestId('status-version').innerText(), /^\d+\.\d+\.\d+ SQLCipher 4\./);
    assert.match(await status.getByTestId('status-certificate').innerText(), /Valid until .* \(\d[\d,]* days left\)\./);
    assert.match(await status.getByTestId('status-platform-audit').innerText(), /Not checked yet/);
    const physics = status.locator('[data-testid="status-org"][data-slug="physics"]');
    assert.match(await physics.innerText(), /physics/);
  });

  await step('the checks run from the keyboard, and each result is said in words with what to do', async () => {
    const doctor = platform.getByTestId('doctor');
    assert.match(await doctor.getByTestId('doctor-summary').innerText(), /has not run its checks yet/);
    await doctor.getByTestId('doctor-run').focus();
    await platform.keyboard.press('Enter');
    await doctor.getByTestId('doctor-checks').waitFor();
    assert.match(await doctor.getByTestId('doctor-summary').innerText(), /^Last run .*: \d+ passed, (1 warning|\d+ warnings), 0 failures\.$/);
    const warned = doctor.locator('[data-testid="doctor-check"][data-status="warn"]').filter({ hasText: 'TLS authority' });
    assert.match(await warned.innerText(), /TLS authority\s+WARN\s+the certificate is self-signed.*What to do: /s);
    const passed = doctor.locator('[data-testid="doctor-check"][data-status="pass"]');
    assert.ok((await passed.count()) > 5, 'the databases, audit logs, key and disk pass');
    assert.match(await passed.filter({ hasText: 'database platform' }).innerText(), /PASS/);
  });

  await step('the create form says every mistake at once, each on its field, in its own words', async () => {
    const described = async (testId) => {
      const input = platform.getByTestId(testId);
      assert.equal(await input.getAttribute('aria-invalid'), 'true', `${testId} is marked invalid`);
      const ids = (await input.getAttribute('aria-describedby')).split(' ').filter(Boolean);
      const texts = await Promise.all(ids.map((id) => platform.locator(`[id="${id}"]`).innerText()));
      return texts.join(' ');
    };
    await platform.getByTestId('org-slug').fill('Physics!');
    await platform.getByTestId('org-name').fill('');
    await platform.getByTestId('create-org-submit').click();
    assert.match(await described('org-slug'), /Short name: use only lowercase letters a to z, digits and hyphens\./);
    assert.match(await described('org-name'), /Fill in this field/);
    await platform.getByTestId('org-slug').fill('physics');
    await platform.getByTestId('org-name').fill('Physics again');
    await platform.getByTestId('create-org-submit').click();
    await platform.getByTestId('org-slug').and(platform.locator('[aria-invalid="true"]')).waitFor();
    assert.match(await described('org-slug'), /another organization has it/);
  });

  await step('the administrators, opened with the keyboard, say the invitation is open', async () => {
    const row = platform.locator('[data-testid="org-row"][data-slug="physics"]');
    const toggle = row.getByTestId('org-admins-toggle');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.focus();
    await platform.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    const admin = platform.locator(`[data-testid="org-admin"][data-email="${boss.email}"]`);
    await admin.waitFor();
    assert.match(await admin.getByTestId('org-admin-state').innerText(), /has not chosen a password yet; the link works until/);
  });

  await step('a new link: the lost one stops working, the new one sets the password', async () => {
    const admin = platform.locator(`[data-testid="org-admin"][data-email="${boss.email}"]`);
    await admin.getByTestId('org-admin-reissue').focus();
    await platform.keyboard.press('Enter');
    const fresh = await linkIn(platform, 'org-admin-link');
    assert.notEqual(fresh, lost);
    const stale = await computer();
    await stale.goto(lost);
    await stale.getByTestId('link-invalid').waitFor();
    await stale.context().close();
    const newcomer = await computer();
    await redeem(newcomer, fresh, boss.password);
    await signInFromLink(newcomer, boss, '/admin');
    await newcomer.context().close();
    await platform.context().close();
    assert.deepEqual(problems, []);
  });
});
