// Browser test of the similarity report: `examhall similarity --html` over
// three Python files, one holding a planted copy (renamed) of another's
// functions, opened from disk in the system's Chromium through
// playwright-core (nothing is downloaded). The top pair's side-by-side view
// must mark the planted fragment in both files and nothing else of them,
// work from the keyboard, and the file must load nothing from anywhere.
//
//   cargo build                       (build.rs also builds the viewer)
//   cd assets && npm run test:browser
//
// EXAMHALL_BIN overrides the binary (default target/debug/examhall from the
// repository root); CHROMIUM_PATH overrides /usr/bin/chromium.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { cleanup, launchBrowser, repoRoot, reportCspViolations, tempDir, watchProblems } from './harness.mjs';

const binary = resolve(repoRoot, process.env.EXAMHALL_BIN ?? 'target/debug/examhall');

const ALICE = `def greet(name):
    return "Hello, " + name.title() + "!"

def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps

def longest_chain(limit):
    best, best_start = 0, 1
    for start in range(1, limit):
        length = collatz_steps(start)
        if length > best:
            best, best_start = length, start
    return best_start, best
`;

// Bob's own code, then Alice's two functions renamed and re-spaced: the planted copy.
const BOB = `import math

def area(radius):
    return math.pi * radius ** 2

def count_moves(value):
    moves = 0
    while value != 1:
        if value % 2 == 0:
            value = value // 2
        else:
            value = 3 * value + 1
        moves += 1
    return moves

def best_under(bound):
    top, top_start = 0, 1
    for s in range(1, bound):
        size = count_moves(s)
        if size > top:
            top, top_start = size, s
    return top_start, top
`;

const CAROL = `def fizzbuzz(limit):
    words = {3: "Fizz", 5: "Buzz"}
    lines = []
    for i in range(1, limit + 1):
        said = "".join(word for k, word in words.items() if i % k == 0)
        lines.append(said or str(i))
    return lines
`;

after(cleanup);

test('the HTML report shows the top pair side by side with the planted copy marked in both files', { timeout: 120_000 }, async () => {
  const dir = await tempDir('examhall-similarity-');
  await mkdir(join(dir, 'submissions'));
  await writeFile(join(dir, 'submissions', 'alice.py'), ALICE);
  await writeFile(join(dir, 'submissions', 'bob.py'), BOB);
  await writeFile(join(dir, 'submissions', 'carol.py'), CAROL);
  const report = join(dir, 'report.html');
  await promisify(execFile)(binary, ['similarity', '--lang', 'python', join(dir, 'submissions'), '--html', report]);

  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    await reportCspViolations(context);
    const problems = watchProblems(context);
    const requests = [];
    context.on('request', (request) => requests.push(request.url()));
    const page = await context.newPage();
    await page.goto(pathToFileURL(report).href);

    await page.getByTestId('side-by-side').waitFor();
    assert.match(await page.getByTestId('notice').innerText(), /not a verdict/);
    const rows = page.getByTestId('pair-row');
    assert.match(await rows.first().innerText(), /alice\.py\s+bob\.py/);

    // From the keyboard: the top row's button selects the pair (it is shown
    // from the start) and takes the reader to it, which only the key does.
    const compare = rows.first().getByTestId('compare');
    await compare.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'pair-heading');
    assert.equal(await compare.getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('#pair-heading').innerText(), 'alice.py and bob.py');

    const marked = async (side) => (await page.locator(`[data-testid="side-${side}"] mark`).allTextContents()).join('\n');
    const alice = await marked('a');
    const bob = await marked('b');
    for (const line of ['while n != 1:', 'n = 3 * n + 1', 'length = collatz_steps(start)']) assert.ok(alice.includes(line), `${line} in ${alice}`);
    for (const line of ['while value != 1:', 'value = 3 * value + 1', 'size = count_moves(s)']) assert.ok(bob.includes(line), `${line} in ${bob}`);
    assert.ok(!alice.includes('Hello'), 'greet() is Alice’s own');
    assert.ok(!bob.includes('math.pi'), 'area() is Bob’s own');

    // Colour is not the only sign: every fragment is numbered and listed with its lines.
    assert.ok((await page.locator('[data-testid="side-a"] .match-label').count()) >= 1);
    const listed = await page.getByTestId('match-list').innerText();
    assert.match(listed, /Match 1: alice\.py lines? \d+(–\d+)? and bob\.py lines? \d+(–\d+)?/);
    await page.getByRole('button', { name: 'Show match 1 in both files' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-match')), '1');

    // The cluster picture labels each line with its score, and has its text equivalent: a table.
    assert.match(await page.getByTestId('cluster-graph').getAttribute('aria-label'), /table below says the same/);
    assert.match(await page.getByTestId('cluster-edge').first().locator('text').textContent(), /^\d+%$/);
    const cluster = await page.getByTestId('cluster-pair').first().locator('td').allInnerTexts();
    assert.deepEqual(cluster.slice(0, 2), ['alice.py', 'bob.py']);
    assert.match(cluster[2], /^\d+%$/);

    const foreign = requests.filter((url) => !url.startsWith('file:'));
    assert.deepEqual(foreign, [], 'the report loads nothing');
    assert.deepEqual(problems, [], 'no console error, uncaught error or CSP violation');
    await context.close();
  } finally {
    await browser.close();
  }
});
