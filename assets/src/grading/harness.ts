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
 *   list, dict, set, ...; a set's items sorted), with the builtins captured
 *   before the student's code first ran, and whatever the code patched in
 *   builtins is put back before the report is made: an object whose `__eq__` always
 *   answers True, or a subclass of int with its own `__repr__`, is reported
 *   as what it is, an object of its type, and matches no expected value;
 * - the report travels on standard output behind a marker made for this
 *   test alone; only the last such line counts, and a test with none is an
 *   error.
 */
import type { GradingTest, Outcome } from '../api/grading';

/**
 * Defines the grader's module once per interpreter, from builtins as they
 * were before any student's code ran (a Stop that restarted the sandbox
 * starts a fresh interpreter, which defines it again).
 */
const SETUP = `
import sys
if "_examhall_grading" not in sys.modules:
    def _examhall_setup():
        import builtins, contextlib, io, json, traceback, types
        _type, _repr, _len, _sorted, _compile, _exec, _eval = type, repr, len, sorted, compile, exec, eval
        _dumps, _StringIO = json.dumps, io.StringIO
        _redirect_out, _redirect_err = contextlib.redirect_stdout, contextlib.redirect_stderr
        _exception_only = traceback.format_exception_only
        _write = sys.stdout.write
        _flush = sys.stdout.flush
        _plain = (int, float, complex, str, bytes, bool, type(None))

        def canon(value, depth=0):
            kind = _type(value)
            if depth > 100:
                raise ValueError("a value nested more than 100 deep")
            if kind in _plain:
                return _repr(value)
            if kind is list:
                return "[" + ", ".join([canon(item, depth + 1) for item in value]) + "]"
            if kind is tuple:
                items = [canon(item, depth + 1) for item in value]
                return "(" + ", ".join(items) + ("," if _len(items) == 1 else "") + ")"
            if kind is dict:
                return "{" + ", ".join([canon(k, depth + 1) + ": " + canon(v, depth + 1) for k, v in value.items()]) + "}"
            if kind is set or kind is frozenset:
                items = _sorted([canon(item, depth + 1) for item in value])
                name = "set" if kind is set else "frozenset"
                return name + "({" + ", ".join(items) + "})" if items else name + "()"
            return "<an object of type " + kind.__qualname__ + ">"

        def report(marker, body):
            _write(marker + _dumps(body) + "\\n")
            _flush()

        def expected(marker, source):
            try:
                report(marker, {"value": canon(_eval(_compile(source, "expected", "eval"), {}))})
            except BaseException as error:
                report(marker, {"error": "".join(_exception_only(_type(error), error)).strip()})

        def grade(marker, source, kind, expression, stdin):
            out, err = _StringIO(), _StringIO()
            body = {"actual": "", "error": None}
            saved_stdin, saved_builtins = sys.stdin, dict(builtins.__dict__)
            sys.stdin = _StringIO(stdin)
            value = None
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
            if body["error"] is None and kind == "function":
                try:
                    body["actual"] = canon(value)
                except BaseException as error:
                    body["error"] = "".join(_exception_only(_type(error), error)).strip()
            elif kind != "function":
                body["actual"] = out.getvalue()
            body["stdout"] = out.getvalue()
            body["stderr"] = err.getvalue()
            report(marker, body)

        module = types.ModuleType("_examhall_grading")
        module.grade, module.expected = grade, expected
        sys.modules["_examhall_grading"] = module
    _examhall_setup()
    del _examhall_setup
`;

/** A marker no program can know before it runs. */
export function newMarker(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `@@examhall-grade-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}@@`;
}

/** The program that grades `code` on one test; its report follows `marker`. */
export function gradeProgram(marker: string, code: string, test: GradingTest): string {
  const args = [marker, code, test.kind, test.expression, test.stdin].map((value) => JSON.stringify(value)).join(', ');
  return `${SETUP}\nimport sys\nsys.modules["_examhall_grading"].grade(${args})\n`;
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

/** Judges a report against the test's expected value (canonical, for function tests). */
export function judge(test: GradingTest, expected: string, reported: Reported): Outcome {
  if (reported.error !== null) return 'error';
  if (test.kind === 'function') return reported.actual === expected ? 'passed' : 'failed';
  return comparable(reported.actual, test.ignore_trailing_whitespace) === comparable(expected, test.ignore_trailing_whitespace)
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
