/**
 * Python for the exam client, started as early as possible. The landing page
 * of an open exam starts it while the student reads the rules, and the exam
 * client claims that same runner when Start takes the student there (one
 * document, so Python's sandbox frame, which hangs off <body> outside the
 * app's tree, carries over with its worker); a student who goes elsewhere
 * instead lets it go after a short while. Reloading the exam page starts a
 * fresh one at once, before the attempt is even read.
 */
import { PythonRunner } from '../python/runner';

/** How long a started Python waits to be claimed before it is stopped. */
const UNCLAIMED_MS = 15_000;

let warm: { runner: PythonRunner; timer: ReturnType<typeof setTimeout> | undefined } | null = null;

/** Starts Python now (once), for the exam client to claim. */
export function warmUpPython(): void {
  if (warm !== null) {
    clearTimeout(warm.timer);
    warm.timer = undefined;
    return;
  }
  warm = { runner: new PythonRunner(), timer: undefined };
  warm.runner.boot().catch(() => undefined);
}

/** The page that warmed Python up is going: stop it unless claimed soon. */
export function releaseWarmPython(): void {
  if (warm === null) return;
  const current = warm;
  clearTimeout(current.timer);
  current.timer = setTimeout(() => {
    current.runner.dispose();
    if (warm === current) warm = null;
  }, UNCLAIMED_MS);
}

/** The warmed-up runner, or a new one; the caller owns it (and disposes of it). */
export function claimPython(): PythonRunner {
  if (warm === null) return new PythonRunner();
  clearTimeout(warm.timer);
  const { runner } = warm;
  warm = null;
  return runner;
}
