// axe-core (from the front end's dev dependencies, never fetched) run in a
// page: WCAG 2.1 A and AA rules, every violation reported with the nodes it
// names. The page's own Content-Security-Policy forbids injected scripts, so
// the source is evaluated through the browser's debugging protocol, which
// the policy does not govern (the page's own scripts stay under it).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './harness.mjs';

const axePath = createRequire(join(repoRoot, 'assets', 'package.json')).resolve('axe-core/axe.min.js');
const axeSource = await readFile(axePath, 'utf8');

/** The WCAG levels checked. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe on `page` as it is and fails, naming each rule and node, on any violation. */
export async function assertAccessible(page, where) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async (tags) => {
    const result = await globalThis.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  }, TAGS);
  const described = violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n');
  assert.equal(violations.length, 0, `axe found on ${where}:\n${described}`);
}
