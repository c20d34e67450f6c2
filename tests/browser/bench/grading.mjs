// The browser side of the grading benchmark (tests/api/grading_bench.rs
// starts the server, hands the submissions in and runs this with the path
// of a JSON job: url, email, password, org, grading page, submissions,
// tests per submission). Signs the instructor in, in headless Chromium,
// presses "Grade every submission", and prints the wall time until every
// result is stored, with the throughput per sandbox.
import { readFileSync } from 'node:fs';
import { launchBrowser, newContext } from '../harness.mjs';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const at = (path) => new URL(path, job.url).href;

const browser = await launchBrowser();
try {
  const page = await newContext(browser).then((context) => context.newPage());
  await page.goto(at(`/signin?org=${job.org}&email=${encodeURIComponent(job.email)}`));
  await page.getByTestId('sign-in-password').fill(job.password);
  await page.getByTestId('sign-in-submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
  await page.goto(at(job.grading));
  await page.getByTestId('gradebook').waitFor({ timeout: 120_000 });
  const workers = await page.evaluate(() => Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1)));
  const started = Date.now();
  await page.getByTestId('grade-start').click();
  await page.locator('[data-testid="grade-status"][data-phase="running"]').waitFor({ timeout: 120_000 });
  const booted = Date.now();
  await page.locator('[data-testid="grade-status"][data-phase="done"]').waitFor({ timeout: 3_600_000 });
  const seconds = (Date.now() - started) / 1000;
  const tests = job.submissions * job.tests;
  const figures = {
    submissions: job.submissions,
    tests,
    workers,
    wall_seconds: Number(seconds.toFixed(1)),
    preparing_seconds: Number(((booted - started) / 1000).toFixed(1)),
    submissions_per_minute: Number(((job.submissions / seconds) * 60).toFixed(1)),
    submissions_per_minute_per_worker: Number(((job.submissions / seconds) * 60 / workers).toFixed(1)),
    ms_per_test: Number(((seconds * 1000 * workers) / tests).toFixed(1)),
  };
  console.log(JSON.stringify(figures));
} finally {
  await browser.close();
}
