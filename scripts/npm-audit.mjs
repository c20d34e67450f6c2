// Runs `npm audit` for the front end (assets/) and fails on a high or
// critical advisory. A registry that gives no audit report (no network, or
// a mirror without the audit endpoint) is said and skipped: the check
// reports what the registry knows, and never blocks a build it cannot reach.
//
// Usage: node scripts/npm-audit.mjs [REPORT.json]  (a saved `npm audit --json`
// report instead of asking the registry, to check this script itself).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const saved = process.argv[2];
let text;
let why = '';
if (saved === undefined) {
  const audit = spawnSync('npm', ['audit', '--json', '--fetch-retries=1', '--fetch-timeout=30000'], {
    cwd: new URL('../assets/', import.meta.url),
    encoding: 'utf8',
    timeout: 120_000,
  });
  text = audit.stdout ?? '';
  why = audit.error?.message ?? `exit ${audit.status}`;
} else {
  text = readFileSync(saved, 'utf8');
}

let report;
try {
  report = JSON.parse(text);
} catch {
  report = undefined;
}
const counts = report?.metadata?.vulnerabilities;
if (counts === undefined) {
  const said = report?.message ?? report?.error?.summary ?? why;
  console.log(`npm audit: the registry gave no audit report (${said}); skipped`);
  process.exit(0);
}

const serious = Object.values(report.vulnerabilities ?? {}).filter((v) => ['high', 'critical'].includes(v.severity));
console.log(
  `npm audit: ${counts.total ?? 0} advisories (critical ${counts.critical ?? 0}, high ${counts.high ?? 0}, ` +
    `moderate ${counts.moderate ?? 0}, low ${counts.low ?? 0})`,
);
for (const v of serious) console.log(`  ${v.severity}: ${v.name} ${v.range ?? ''}`);
process.exit(serious.length > 0 || (counts.high ?? 0) + (counts.critical ?? 0) > 0 ? 1 : 0);
