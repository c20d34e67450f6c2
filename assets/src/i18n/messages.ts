/**
 * The shape of a message catalogue. Every string a person sees comes from an
 * object of this type, so a translation is one new file (see en.ts) and the
 * compiler lists whatever it is missing.
 */

/** Text for one readiness check: what it is, and what passing or failing means. */
export interface CheckText {
  label: string;
  pass: string;
  fail: string;
}

export interface Messages {
  /** BCP 47 tag for <html lang>. */
  lang: string;
  dir: 'ltr' | 'rtl';
  product: string;
  skipToContent: string;
  readiness: {
    documentTitle: string;
    heading: string;
    intro: string;
    checksHeading: string;
    status: { pending: string; pass: string; fail: string };
    summary: {
      running: string;
      ready: string;
      notReady: (failed: number) => string;
    };
    checks: {
      modules: CheckText;
      wasm: CheckText;
      isolation: CheckText;
      indexedDb: CheckText;
      serviceWorker: CheckText;
      secureContext: CheckText;
      python: CheckText;
    };
    pythonDetail: (pythonVersion: string, bootMs: number) => string;
    failureDetail: (reason: string) => string;
    runAgain: string;
  };
  scratch: {
    heading: string;
    intro: string;
    editorLabel: string;
    editorHint: string;
    defaultProgram: string;
    run: string;
    running: string;
    stop: string;
    outputLabel: string;
    outputEmpty: string;
    outputTruncated: string;
    result: {
      ok: (ms: number) => string;
      error: (ms: number) => string;
      interrupted: string;
      unavailable: string;
    };
  };
  notFound: {
    documentTitle: string;
    heading: string;
    body: string;
    link: string;
  };
}

/** The key of each readiness check, in the order the page lists them. */
export type CheckId = keyof Messages['readiness']['checks'];
