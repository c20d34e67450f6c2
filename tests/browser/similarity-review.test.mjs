// Browser story of similarity in the exam's review, against `examhall demo`:
// three students hand in the first question, one of them a planted copy
// (renamed) of another's counter. The instructor opens the exam's
// similarity page, runs it now, finds the planted pair on top, opens it side
// by side with the copied fragment marked in both files, reads the cluster
// graph and its table, and records a decision on the pair, which heads the
// pair's history, with who and when, and is still there after a reload.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoSignedIn, handInFirst } from './demo.mjs';
import { chainedSteps, DEMO_PASSWORD, demoStory } from './harness.mjs';

/**
 * Failures the story causes on purpose: "who is signed in?" before signing
 * in, and the service worker refused on the self-signed certificate.
 */
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line);

const story = demoStory(expected);
const EXAM = 'Python warm-up';

const ORIGINAL = `def add(a, b):
    total = 0
    for value in (a, b):
        if value is not None:
            total = total + value
    return total


def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps
`;

// The copier's own add(), then the original's counter renamed: the planted copy.
const COPY = `def add(a, b):
    return sum([a, b])


def count_moves(value):
    moves = 0
    while value != 1:
        if value % 2 == 0:
            value = value // 2
        else:
            value = 3 * value + 1
        moves += 1
    return moves
`;

const HONEST = `def add(a, b):
    result = a
    result += b
    return result
`;

const signedIn = (email, password, landing = '/home') => demoSignedIn(story, email, password, landing);
const handIn = (email, password, code) => handInFirst(story, email, password, EXAM, code);

const SAM = 'Sam Student <student1@demo.example>';
const SASHA = 'Sasha Student <student2@demo.example>';

test('an instructor runs similarity, finds the planted copy on top, reads it side by side and records a decision', { timeout: 300_000 }, async (t) => {
  const step = chainedSteps(t);
  let password;
  let instructor;

  await step('three students hand in the first question, one a planted copy of another\'s', async () => {
    [, password] = await story.server.waitForLine(DEMO_PASSWORD);
    await handIn('student1@demo.example', password, ORIGINAL);
    await handIn('student2@demo.example', password, COPY);
    await handIn('student3@demo.example', password, HONEST);
  });

  await step('the exam\'s similarity page says the question is not compared yet and offers to run it', async () => {
    instructor = await signedIn('instructor@demo.example', password, '/courses');
    await instructor.getByTestId('my-course-link').first().click();
    await instructor.getByRole('link', { name: EXAM }).first().click();
    await instructor.getByTestId('manage-similarity').click();
    await instructor.waitForURL(/\/similarity$/);
    await instructor.getByTestId('no-run').waitFor();
    assert.match(await instructor.getByTestId('notice').innerText(), /not a verdict/);
    assert.equal(await instructor.getByTestId('run-now').innerText(), 'Run now');
  });

  await step('run now: the run says when and by whom, and the planted pair is on top', async () => {
    await instructor.getByTestId('run-now').click();
    const info = instructor.locator('[data-testid="run-info"][data-reason="on_demand"]');
    await info.waitFor({ timeout: 60_000 });
    assert.match(await info.innerText(), /Compared on demand by Ines Instructor/);
    const top = instructor.getByTestId('pair-row').first();
    const text = await top.innerText();
    assert.ok(text.includes(SAM) && text.includes(SASHA), `the planted pair tops the list: ${text}`);
    assert.match(await top.getByTestId('pair-decision').innerText(), /No decision/);
    const rows = await instructor.getByTestId('pair-row').allInnerTexts();
    assert.ok(rows.slice(1).every((row) => !(row.includes(SAM) && row.includes(SASHA))), 'each pair once');
  });

  await step('from the keyboard the top pair opens side by side, the copied counter marked in both files', async () => {
    const compare = instructor.getByTestId('pair-row').first().getByTestId('compare');
    await compare.focus();
    await instructor.keyboard.press('Enter');
    await instructor.waitForFunction(() => document.activeElement?.id === 'pair-heading');
    assert.equal(await compare.getAttribute('aria-pressed'), 'true');
    const heading = await instructor.locator('#pair-heading').innerText();
    assert.ok(heading.includes(SAM) && heading.includes(SASHA), heading);
    const marked = async (side) => (await instructor.locator(`[data-testid="side-${side}"] mark`).allTextContents()).join('\n');
    const [a, b] = [await marked('a'), await marked('b')];
    const [original, copy] = (await instructor.locator('[data-testid="side-a"] figcaption').innerText()).includes('Sam') ? [a, b] : [b, a];
    for (const line of ['while n != 1:', 'n = 3 * n + 1']) assert.ok(original.includes(line), `${line} in ${original}`);
    for (const line of ['while value != 1:', 'value = 3 * value + 1']) assert.ok(copy.includes(line), `${line} in ${copy}`);
    assert.ok(!copy.includes('sum([a, b])'), 'the copier\'s own add() is not marked');
    assert.match(await instructor.getByTestId('match-list').innerText(), /Match 1: .* lines? \d+/);
  });

  await step('the cluster graph labels each line with its score, and its table says the same in words', async () => {
    const graph = instructor.getByTestId('cluster-graph');
    assert.match(await graph.getAttribute('aria-label'), /table below says the same/);
    const edge = graph.getByTestId('cluster-edge').first();
    assert.match(await edge.locator('text').textContent(), /^\d+%$/, 'the score in text, not colour or width alone');
    assert.ok((await graph.getByTestId('cluster-node').count()) >= 2);
    const row = instructor.getByTestId('cluster-pair').first();
    const cells = await row.locator('td').allInnerTexts();
    assert.ok(cells.includes(SAM) && cells.includes(SASHA), cells.join(' | '));
    assert.match(cells.find((cell) => /%$/.test(cell)) ?? '', /^\d+%$/);
    assert.match(await instructor.getByTestId('cluster-table').locator('caption').innerText(), /in words/);
  });

  await step('a decision on the pair heads its history with who and when, and stays after a reload', async () => {
    const review = instructor.getByTestId('pair-review');
    await review.getByTestId('no-decision').waitFor();
    await review.getByLabel('Decision').selectOption('referred');
    await review.getByLabel('Comment (why)').fill('The counter is the same, renamed; for the exam board.');
    await review.getByTestId('review-submit').click();
    const decision = review.locator('[data-testid="decision"][data-decision="referred"]');
    await decision.waitFor();
    assert.match(await decision.innerText(), /Referred to the exam board, by Ines Instructor/);
    assert.match(await decision.innerText(), /for the exam board\./);
    assert.match(await instructor.getByTestId('pair-row').first().getByTestId('pair-decision').innerText(), /Referred/);

    await instructor.reload();
    await instructor.locator('[data-testid="run-info"][data-reason="on_demand"]').waitFor();
    const again = instructor.getByTestId('pair-review').locator('[data-testid="decision"][data-decision="referred"]');
    await again.waitFor();
    assert.match(await again.innerText(), /by Ines Instructor/);
    assert.equal(await instructor.getByTestId('pair-review').getByTestId('decision').count(), 1);
  });

  await step('no CSP violation or unexpected error on the way', async () => {
    await instructor.context().close();
    assert.deepEqual(story.problems, []);
  });
});
