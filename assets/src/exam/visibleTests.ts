/**
 * Runs a question's tests in the Python worker (a student's visible ones, or
 * every test against the model solution while authoring), as one program: each
 * test runs the student's code in a fresh namespace with its own standard
 * input, and reports one line on standard output behind a marker. Function
 * tests compare the canonical forms (python/canonical.ts, as grading does) of
 * `eval(expression)` and `eval(expected)`; io tests
 * compare what the program printed with the expected output, line by line
 * without trailing whitespace when the test says so. An io test records the
 * prompts the program gave input() (which Python prints into that output,
 * as grading sees it too), so a failed test can say the prompt is why.
 */
import { CANONICAL } from '../python/canonical';
import type { PythonRunner, RunStatus } from '../python/runner';

/**
 * What running a test needs: a student's visible test and an instructor's
 * test (visible or hidden, checked against the model solution) both have it.
 */
export interface RunnableTest {
  kind: 'function' | 'io';
  expression: string;
  stdin: string;
  expected: string;
  ignore_trailing_whitespace: boolean;
}

export interface TestResult {
  index: number;
  passed: boolean;
  expected: string;
  actual: string;
  error: string | null;
  /**
   * The prompts the program gave input() in an io test, which Python prints
   * into the output the test compares (the expected output usually holds
   * only what print() writes): shown beside a failed test to say why.
   */
  prompts?: string[];
}

const HARNESS = `${CANONICAL}
import builtins, contextlib, io, json, sys, traceback

def _examhall_tests(source, tests, marker):
    canon, Opaque = _examhall_canonical(type, repr, len, sorted)

    def shown(value):
        try:
            return canon(value), False
        except Opaque as opaque:
            return "<an object of type " + str(opaque) + ">", True

    def same(actual, expected, loose):
        if not loose:
            return actual == expected
        def norm(text):
            return "\\n".join(line.rstrip() for line in text.split("\\n")).rstrip("\\n")
        return norm(actual) == norm(expected)
    for index, test in enumerate(tests):
        out = io.StringIO()
        result = {"index": index, "passed": False, "expected": test["expected"], "actual": "", "error": None}
        saved_stdin = sys.stdin
        sys.stdin = io.StringIO(test["stdin"] or "")
        prompts = []
        saved_input = builtins.input
        def noting_input(prompt="", _input=saved_input, _prompts=prompts):
            if prompt != "":
                _prompts.append(str(prompt))
            return _input(prompt)
        builtins.input = noting_input
        try:
            namespace = {"__name__": "__main__", "__file__": "main.py"}
            with contextlib.redirect_stdout(out):
                exec(compile(source, "main.py", "exec"), namespace)
                if test["kind"] == "function":
                    actual, odd = shown(eval(test["expression"], namespace))
            if test["kind"] == "function":
                expected, unmatched = shown(eval(test["expected"], {}))
                result.update(expected=expected, actual=actual, passed=not odd and not unmatched and actual == expected)
            else:
                actual = out.getvalue()
                result.update(actual=actual, passed=same(actual, test["expected"], test["ignore_trailing_whitespace"]))
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            result["actual"] = out.getvalue()
            result["error"] = "".join(traceback.format_exception_only(type(error), error)).strip()
        finally:
            sys.stdin = saved_stdin
            builtins.input = saved_input
        if test["kind"] != "function" and prompts:
            result["prompts"] = prompts[:5]
        print(marker + json.dumps(result), flush=True)
`;

/** Runs `tests` against `code`; resolves with one result per test (fewer when stopped) and how the run ended. */
export async function runVisibleTests(
  runner: PythonRunner,
  code: string,
  tests: readonly RunnableTest[],
): Promise<{ results: TestResult[]; status: RunStatus }> {
  const marker = `@@examhall-test-${Math.random().toString(36).slice(2)}@@`;
  const program = `${HARNESS}\n_examhall_tests(${JSON.stringify(code)}, json.loads(${JSON.stringify(JSON.stringify(tests))}), ${JSON.stringify(marker)})\n`;
  const results: TestResult[] = [];
  const run = await runner.run(program, {
    stdout: (line) => {
      if (line.startsWith(marker)) results.push(JSON.parse(line.slice(marker.length)) as TestResult);
    },
  });
  return { results, status: run.status };
}
