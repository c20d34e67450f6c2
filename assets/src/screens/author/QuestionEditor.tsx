/**
 * One question: title, points, prompt (Markdown, previewed), starter code,
 * model solution and tests, with buttons to move it or remove it (after
 * confirming). Focus follows what the buttons do, so a keyboard user stays
 * with the question or test they were working on.
 */
import { t } from '../../i18n';
import type { ConfirmRequest } from '../../components/ConfirmDialog';
import { TextField } from '../../components/Field';
import { MarkdownField, TextAreaField } from './AuthorFields';
import { blankTest, type Draft, type DraftQuestion } from './draft';
import { addTest, focusSoon, moveQuestion, patchQuestion, patchTest, removeQuestion, removeTest } from './edits';
import { testHeadingId, TestEditor } from './TestEditor';

const text = t.author.questions;

interface Props {
  question: DraftQuestion;
  index: number;
  count: number;
  pointsError: string | undefined;
  edit: (change: (draft: Draft) => Draft) => void;
  confirm: (request: ConfirmRequest) => Promise<boolean>;
}

export const questionHeadingId = (key: number): string => `author-question-${String(key)}`;

export function QuestionEditor({ question, index, count, pointsError, edit, confirm }: Props) {
  const { key } = question;
  const headingId = questionHeadingId(key);
  const ids = { up: `${headingId}-up`, down: `${headingId}-down`, addTest: `${headingId}-add-test` };
  const name = question.title.trim() === '' ? text.number(index) : text.named(index, question.title.trim());

  const move = (by: -1 | 1): void => {
    edit((draft) => moveQuestion(draft, key, by));
    // At the top or bottom, the pressed button turns off: keep focus on the other.
    const atEnd = by === -1 ? index - 1 === 0 : index + 1 === count - 1;
    focusSoon(by === -1 ? (atEnd ? ids.down : ids.up) : (atEnd ? ids.up : ids.down));
  };

  const remove = async (): Promise<void> => {
    if (!(await confirm({ title: text.removeTitle(name), body: text.removeBody, action: text.removeConfirm }))) return;
    edit((draft) => removeQuestion(draft, key));
    focusSoon('questions-heading');
  };

  const add = (): void => {
    const test = blankTest();
    edit((draft) => addTest(draft, key, test));
    focusSoon(testHeadingId(test.key));
  };

  const removeOne = async (testKey: number, testIndex: number): Promise<void> => {
    const title = t.author.tests.removeTitle(t.author.tests.name(testIndex), name);
    if (!(await confirm({ title, body: t.author.tests.removeBody, action: t.author.tests.removeConfirm }))) return;
    edit((draft) => removeTest(draft, key, testKey));
    focusSoon(ids.addTest);
  };

  return (
    <li class="author-question" data-testid="question-editor" data-title={question.title}>
      <section aria-labelledby={headingId}>
        <div class="panel__head">
          <h3 id={headingId} tabIndex={-1}>{name}</h3>
          <div class="row-actions">
            <button type="button" id={ids.up} class="button button--small button--secondary" aria-describedby={headingId}
              disabled={index === 0} data-testid="move-question-up" onClick={() => { move(-1); }}>
              {text.moveUp}
            </button>
            <button type="button" id={ids.down} class="button button--small button--secondary" aria-describedby={headingId}
              disabled={index === count - 1} data-testid="move-question-down" onClick={() => { move(1); }}>
              {text.moveDown}
            </button>
            <button type="button" class="button button--small button--danger-secondary" aria-describedby={headingId}
              data-testid="remove-question" onClick={() => { void remove(); }}>
              {text.remove}
            </button>
          </div>
        </div>
        <div class="field-row">
          <TextField label={text.title} value={question.title} testId="question-title"
            onValue={(title) => { edit((draft) => patchQuestion(draft, key, { title })); }} />
          <TextField label={text.points} value={question.points} hint={text.pointsHint} error={pointsError} testId="question-points"
            onValue={(points) => { edit((draft) => patchQuestion(draft, key, { points })); }} />
        </div>
        <MarkdownField label={text.prompt} value={question.prompt} headingLevel={4} testId="question-prompt"
          onValue={(prompt) => { edit((draft) => patchQuestion(draft, key, { prompt })); }} />
        <TextAreaField label={text.starter} optional code rows={6} value={question.starter_code} hint={text.starterHint}
          testId="question-starter" onValue={(starter_code) => { edit((draft) => patchQuestion(draft, key, { starter_code })); }} />
        <TextAreaField label={text.model} optional code rows={8} value={question.model_solution} hint={text.modelHint}
          testId="question-model" onValue={(model_solution) => { edit((draft) => patchQuestion(draft, key, { model_solution })); }} />
        <h4>{t.author.tests.heading(question.tests.length)}</h4>
        {question.tests.length === 0 ? (
          <p class="empty">{t.author.tests.empty}</p>
        ) : (
          <ol class="author-tests">
            {question.tests.map((test, testIndex) => (
              <TestEditor
                key={test.key}
                test={test}
                index={testIndex}
                onChange={(patch) => { edit((draft) => patchTest(draft, key, test.key, patch)); }}
                onRemove={() => { void removeOne(test.key, testIndex); }}
              />
            ))}
          </ol>
        )}
        <button type="button" id={ids.addTest} class="button button--secondary" aria-describedby={headingId}
          data-testid="add-test" onClick={add}>
          {t.author.tests.add}
        </button>
      </section>
    </li>
  );
}
