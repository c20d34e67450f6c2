/** English messages: the reference catalogue that every translation copies. */
import type { Messages } from './messages';

const numbers = new Intl.NumberFormat('en');

export const en: Messages = {
  lang: 'en',
  dir: 'ltr',
  product: 'examhall',
  skipToContent: 'Skip to main content',
  readiness: {
    documentTitle: 'Exam-room readiness check · examhall',
    heading: 'Exam-room readiness check',
    intro:
      'Open this page on every computer that students will use for an exam, in the browser they will use. ' +
      'Each check below must pass. Nothing is installed and no data is kept.',
    checksHeading: 'Checks',
    status: { pending: 'Checking…', pass: 'Passed', fail: 'Failed' },
    summary: {
      running: 'Running the checks…',
      ready: 'This computer is ready for exams.',
      notReady: (failed) =>
        failed === 1
          ? '1 check failed. This computer is not ready for exams yet.'
          : `${numbers.format(failed)} checks failed. This computer is not ready for exams yet.`,
    },
    checks: {
      modules: {
        label: 'JavaScript modules',
        pass: 'The browser runs the exam page’s code.',
        fail: 'The browser cannot run the exam page’s code. Update the browser or allow JavaScript for this site.',
      },
      wasm: {
        label: 'WebAssembly',
        pass: 'The browser can run the compiled Python interpreter.',
        fail: 'WebAssembly is missing or blocked. Update the browser or remove the policy that disables it.',
      },
      isolation: {
        label: 'Cross-origin isolation (SharedArrayBuffer)',
        pass: 'The page is isolated, so a student can stop a program that runs forever.',
        fail:
          'The page is not isolated. Open it through the examhall server’s own address; a proxy that drops the ' +
          'Cross-Origin-Opener-Policy or Cross-Origin-Embedder-Policy headers causes this.',
      },
      indexedDb: {
        label: 'Local storage for unsent work (IndexedDB)',
        pass: 'Work can be kept on this computer while the network is down.',
        fail: 'IndexedDB is blocked, often by private browsing or a storage policy. Work could be lost if the network drops.',
      },
      serviceWorker: {
        label: 'Service workers',
        pass: 'The exam page can keep working through a short network outage.',
        fail: 'Service workers are unavailable or disabled by policy. Check the browser’s settings.',
      },
      secureContext: {
        label: 'Secure connection (HTTPS)',
        pass: 'The page was loaded over a secure connection.',
        fail: 'The page was not loaded over HTTPS. Use the https:// address of the examhall server.',
      },
      python: {
        label: 'Python runs in this browser',
        pass: 'Python started in the background and ran a test program.',
        fail: 'Python could not start. The browser may be too old, short of memory, or blocked from loading the interpreter.',
      },
    },
    pythonDetail: (pythonVersion, bootMs) =>
      `Python ${pythonVersion}, ready in ${numbers.format(Math.round(bootMs))} ms.`,
    failureDetail: (reason) => `Details: ${reason}`,
    runAgain: 'Run the checks again',
  },
  scratch: {
    heading: 'Try Python',
    intro: 'Write a short program and run it here, as a student would during an exam.',
    editorLabel: 'Python program',
    editorHint: 'Ctrl+Enter (⌘+Enter on a Mac) runs the program.',
    defaultProgram: [
      '# A quick check that Python works in this browser.',
      'import sys',
      '',
      'squares = [n * n for n in range(1, 6)]',
      'print("Squares:", squares)',
      'print("Sum:", sum(squares))',
      'print("Python", sys.version.split()[0])',
      '',
    ].join('\n'),
    run: 'Run',
    running: 'Running…',
    stop: 'Stop',
    outputLabel: 'Output',
    outputEmpty: 'Output appears here.',
    outputTruncated: '… More output was left out.',
    result: {
      ok: (ms) => `Finished in ${numbers.format(Math.round(ms))} ms.`,
      error: (ms) => `Stopped with an error after ${numbers.format(Math.round(ms))} ms.`,
      interrupted: 'Stopped.',
      unavailable: 'Python is not available in this browser.',
    },
  },
  notFound: {
    documentTitle: 'Page not found · examhall',
    heading: 'Page not found',
    body: 'There is no page at this address.',
    link: 'Open the exam-room readiness check',
  },
};
