/**
 * The Python side of grading: what runs in the sandbox for one test of one
 * answer, and how its report is read and judged here.
 *
 * A student's code is nobody's to trust, so:
 * - it runs in a fresh interpreter per submission (engine.ts), in the
 *   opaque-origin sandbox with no network and no session (python/sandbox.ts);
 * - the expected value never enters that interpreter: the test's expected
 *   Python value is made canonical in a separate interpreter that runs no
 *   student's code (`canonicalExpected`), and the comparison happens here,
 *   in the page, so code that patches builtins or prints what it guesses is
 *   a result cannot pass a test whose answer it does not know;
 * - a returned value is made canonical by exact type (int, float, str,
 *   list, dict, set, ...; a set's items and a dict's pairs sorted), with the
 *   builtins captured before the student's code first ran, and whatever the
 *   code patched in builtins is put back before the report is made: an
 *   object whose `__eq__` always answers True, or a subclass of int with its
 *   own `__repr__`, is reported as what it is, an object of its type, and
 *   fails (`opaque`), as does a test whose expected value has no canonical
 *   form;
 * - output is cut at 200,000 characters (`truncated`), and such a test fails;
 * - the report travels on standard output behind a marker made for this
 *   test alone; only the last such line counts, and a test with none is an
 *   error.
 */
import type { GradingTest, Outcome } from '../api/grading';
import { CANONICAL } from '../python/canonical';

/**
 * Defines the grader's module once per interpreter, from builtins as they
 * were before any student's code ran (a Stop that restarted the sandbox
 * starts a fresh interpreter, which defines it again).
 */
const SETUP = `${CANONICAL}
import sys
if "_examhall_grading" not in sys.modules:
    def _examhall_setup():
        import builtins, contextlib, io, json, time, traceback, types
        _type, _repr, _len, _sorted, _compile, _exec, _eval = type, repr, len, sorted, compile, exec, eval
        _perf, _round = time.perf_counter, round
        _dumps, _StringIO = json.dumps, io.StringIO
        _redirect_out, _redirect_err = contextlib.redirect_stdout, contextlib.redirect_stderr
        _exception_only = traceback.format_exception_only
        _write = sys.stdout.write
        _flush = sys.stdout.flush
        canon, _Opaque = _examhall_canonical(_type, _repr, _len, _sorted)
        # Output past this is cut, and the test fails: no expected output is this long.
        _most_output = 200_000

        def report(marker, body):
            _write(marker + _dumps(body) + "\\n")
            _flush()

        def expected(marker, source):
            try:
                report(marker, {"value": canon(_eval(_compile(source, "expected", "eval"), {}))})
            except _Opaque as opaque:
                report(marker, {"error": "a value of type " + str(opaque) + " has no canonical form to compare"})
            except BaseException as error:
                report(marker, {"error": "".join(_exception_only(_type(error), error)).strip()})

        def cut(text):
            return (text[:_most_output], True) if _len(text) > _most_output else (text, False)

        def grade(marker, source, kind, expression, stdin):
            out, err = _StringIO(), _StringIO()
            body = {"actual": "", "error": None}
            saved_stdin, saved_builtins = sys.stdin, dict(builtins.__dict__)
            sys.stdin = _StringIO(stdin)
            value = None
            started = _perf()
            try:
                namespace = {"__name__": "__main__", "__file__": "main.py"}
                with _redirect_out(out), _redirect_err(err):
                    _exec(_compile(source, "main.py", "exec"), namespace)
                    if kind == "function":
                        value = _eval(_compile(expression, "test", "eval"), namespace)
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                body["error"] = "".join(_exception_only(_type(error), error)).strip()
            finally:
                # What the code patched in builtins ends with it: the report below uses the originals.
                builtins.__dict__.clear()
                builtins.__dict__.update(saved_builtins)
                sys.stdin = saved_stdin
            body["ms"] = _round((_perf() - started) * 1000, 1)
            body["opaque"] = False
            if body["error"] is None and kind == "function":
                try:
                    body["actual"] = canon(value)
                except _Opaque as opaque:
                    body["actual"], body["opaque"] = "<an object of type " + str(opaque) + ">", True
                except BaseException as error:
                    body["error"] = "".join(_exception_only(_type(error), error)).strip()
            body["stdout"], truncated = cut(out.getvalue())
            body["truncated"] = truncated and kind != "function"
            body["stderr"], _ = cut(err.getvalue())
            if kind != "function":
                body["actual"] = body["stdout"]
            report(marker, body)

        def grade_all(sources, tests):
            for index, marker, kind, expression, stdin in tests:
                grade(marker, sources[index], kind, expression, stdin)

        module = types.ModuleType("_examhall_grading")
        module.grade_all, module.expected = grade_all, expected
        sys.modules["_examhall_grading"] = module
    _examhall_setup()
    del _examhall_setup
`;

/** A marker no program can know before it runs. */
export function newMarker(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `@@examhall-grade-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}@@`;
}

/** One test to run on one answer's code. */
export interface Graded {
  code: string;
  test: GradingTest;
}

/**
 * The program that runs `items` (each a test on an answer's code), one
 * after the other, each in a fresh namespace with builtins put back after
 * it; the report of item i follows `markers[i]`. One run for many tests: a
 * run's round trip through the sandbox costs many times what a small test
 * does.
 */
export function gradeProgram(markers: readonly string[], items: readonly Graded[]): string {
  const sources = [...new Set(items.map((item) => item.code))];
  const specs = items.map((item, i) => [sources.indexOf(item.code), markers[i] ?? '', item.test.kind, item.test.expression, item.test.stdin]);
  return `${SETUP}\nimport sys\nsys.modules["_examhall_grading"].grade_all(${JSON.stringify(sources)}, ${JSON.stringify(specs)})\n`;
}

/** The program that makes a function test's expected value canonical; its report follows `marker`. */
export function expectedProgram(marker: string, source: string): string {
  return `${SETUP}\nimport sys\nsys.modules["_examhall_grading"].expected(${JSON.stringify(marker)}, ${JSON.stringify(source)})\n`;
}

/** What a graded test reported: the last line behind its marker, or null. */
export interface Reported {
  actual: string;
  error: string | null;
  stdout: string;
  stderr: string;
  /** The value had no canonical form: it matches nothing. */
  opaque: boolean;
  /** The output was cut: it matches nothing. */
  truncated: boolean;
  /** How long the test ran in the interpreter, when it said. */
  ms: number | null;
}

/** Reads the report of a program: the last line behind `marker` that parses, or null. */
export function readReport(lines: readonly string[], marker: string): Reported | null {
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = lines[index] ?? '';
    if (!line.startsWith(marker)) continue;
    try {
      const body = JSON.parse(line.slice(marker.length)) as Record<string, unknown>;
      const text = (value: unknown): string => (typeof value === 'string' ? value : '');
      return {
        actual: text(body.actual),
        error: typeof body.error === 'string' ? body.error : null,
        stdout: text(body.stdout),
        stderr: text(body.stderr),
        opaque: body.opaque === true,
        truncated: body.truncated === true,
        ms: typeof body.ms === 'number' ? body.ms : null,
      };
    } catch {
      return null;
    }
  }
  return null;
}

/** Output as an io test compares it: without trailing white space on each line and at the end, when the test says so. */
function comparable(text: string, loose: boolean): string {
  if (!loose) return text;
  return text.split('\n').map((line) => line.trimEnd()).join('\n').replace(/\n+$/, '');
}

/** A test's expected value (canonical, for function tests), or why it has none. */
export interface Expected {
  value: string;
  error: string | null;
}

/** Judges a report against the test's expected value; a test without one fails every answer. */
export function judge(test: GradingTest, expected: Expected, reported: Reported): Outcome {
  if (reported.error !== null) return 'error';
  if (expected.error !== null || reported.opaque || reported.truncated) return 'failed';
  if (test.kind === 'function') return reported.actual === expected.value ? 'passed' : 'failed';
  return comparable(reported.actual, test.ignore_trailing_whitespace) === comparable(expected.value, test.ignore_trailing_whitespace)
    ? 'passed'
    : 'failed';
}

/** The most characters of an excerpt the server keeps (service::grading::MAX_EXCERPT_CHARS). */
export const MAX_EXCERPT_CHARS = 4000;

/** `text` cut to what the server keeps, saying so at the end. */
export function excerpt(text: string): string {
  const chars = Array.from(text);
  if (chars.length <= MAX_EXCERPT_CHARS) return text;
  const note = '\n… (cut)';
  return chars.slice(0, MAX_EXCERPT_CHARS - note.length).join('') + note;
}
