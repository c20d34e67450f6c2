/**
 * One test of a question: visible to students or hidden, and what it checks.
 * A function test evaluates an expression against the answer and compares
 * it with an expected Python value; an input/output test runs the answer
 * with the given standard input and compares what it prints.
 */
import { t } from '../../i18n';
import type { ExamTest } from '../../api/types';
import { CheckboxField, RadioField } from '../../components/Field';
import { CodeLineField, TextAreaField } from './AuthorFields';
import type { DraftTest } from './draft';
import type { TestPatch } from './edits';

const text = t.author.tests;

interface Props {
  test: DraftTest;
  index: number;
  onChange: (patch: TestPatch) => void;
  onRemove: () => void;
}

/** The id of a test's heading, where focus goes when the test is added. */
export const testHeadingId = (key: number): string => `author-test-${String(key)}`;

export function TestEditor({ test, index, onChange, onRemove }: Props) {
  const headingId = testHeadingId(test.key);
  return (
    <li class="author-test" data-testid="test-editor" data-kind={test.kind} data-visibility={test.visibility}>
      <section aria-labelledby={headingId}>
        <div class="panel__head">
          <h5 id={headingId} tabIndex={-1}>{text.name(index)}</h5>
          <button
            type="button"
            class="button button--small button--danger-secondary"
            aria-describedby={headingId}
            data-testid="remove-test"
            onClick={onRemove}
          >
            {text.remove}
          </button>
        </div>
        <div class="field-row">
          <RadioField<ExamTest['visibility']>
            legend={text.visibility}
            name={`${headingId}-visibility`}
            value={test.visibility}
            onValue={(visibility) => { onChange({ visibility }); }}
            options={[
              { value: 'visible', label: text.visible, testId: 'test-visible' },
              { value: 'hidden', label: text.hidden, testId: 'test-hidden' },
            ]}
          />
          <RadioField<ExamTest['kind']>
            legend={text.kind}
            name={`${headingId}-kind`}
            value={test.kind}
            onValue={(kind) => { onChange({ kind }); }}
            options={[
              { value: 'function', label: text.function, testId: 'test-function' },
              { value: 'io', label: text.io, testId: 'test-io' },
            ]}
          />
        </div>
        {test.kind === 'function' ? (
          <>
            <CodeLineField
              label={text.expression}
              value={test.expression}
              onValue={(expression) => { onChange({ expression }); }}
              hint={text.expressionHint}
              testId="test-expression"
            />
            <CodeLineField
              label={text.expectedValue}
              value={test.expected}
              onValue={(expected) => { onChange({ expected }); }}
              hint={text.expectedValueHint}
              testId="test-expected"
            />
          </>
        ) : (
          <>
            <TextAreaField
              label={text.stdin}
              optional
              code
              rows={3}
              value={test.stdin}
              onValue={(stdin) => { onChange({ stdin }); }}
              hint={text.stdinHint}
              testId="test-stdin"
            />
            <TextAreaField
              label={text.expectedOutput}
              code
              rows={3}
              value={test.expected}
              onValue={(expected) => { onChange({ expected }); }}
              testId="test-expected"
            />
            <CheckboxField
              label={text.ignoreWhitespace}
              checked={test.ignore_trailing_whitespace}
              onChecked={(ignore_trailing_whitespace) => { onChange({ ignore_trailing_whitespace }); }}
              hint={text.ignoreWhitespaceHint}
              testId="test-ignore-whitespace"
            />
          </>
        )}
      </section>
    </li>
  );
}
