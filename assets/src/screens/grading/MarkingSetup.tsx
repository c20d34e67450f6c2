/**
 * The instructors' part of the grading page: the exam's marking options,
 * how each question's points divide between its tests and a rubric, and
 * releasing the results to students (or withdrawing them). Each form checks
 * what it can itself, so an error sits on its field; what the server still
 * refuses (anonymous marking after a release, a release before the exam
 * closes or while a submission lacks points) shows under the form in the
 * server's words. Every save reads the grading again.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { formatDateTime, t } from '../../i18n';
import {
  setMarkingOptions,
  setReleased,
  setScheme,
  type Grading,
  type GradingQuestion,
  type MarkingOptions,
  type Release,
} from '../../api/grading';
import { useConfirm } from '../../components/ConfirmDialog';
import { CheckboxField, focusFirstInvalid, TextField } from '../../components/Field';
import { DoneNotice, ErrorNotice, SaveActions } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';
import { typedPoints } from './MarkForm';

const text = t.grading;
/** The server's bounds on a scheme (domain/marking.rs). */
const MAX_RUBRIC_ITEMS = 20;
const MAX_DESCRIPTION_CHARS = 200;
const MAX_WEIGHT = 100;

interface SetupProps {
  courseId: string;
  examId: string;
  grading: Grading;
  reload: () => void;
}

function OptionsForm({ courseId, examId, grading, reload }: SetupProps) {
  // Kept as typed while the grading reloads under it (grading runs refresh it every few seconds).
  const [options, setOptions] = useState<MarkingOptions>(grading.options);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const set = (next: Partial<MarkingOptions>): void => {
    setOptions((now) => ({ ...now, ...next }));
    setDone(null);
  };
  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setDone(null);
    if (await action.run(() => setMarkingOptions(courseId, examId, options))) {
      setDone(text.optionsSaved);
      reload();
    }
  };
  return (
    <form onSubmit={(event) => { void submit(event); }} data-testid="marking-options">
      <fieldset class="field radio-group">
        <legend class="field-label">{text.optionsLegend}</legend>
        <CheckboxField label={text.optionAnonymous} checked={options.anonymous} onChecked={(anonymous) => { set({ anonymous }); }} testId="option-anonymous" />
        <CheckboxField
          label={text.optionSecondMarker}
          hint={text.optionSecondMarkerHint}
          checked={options.second_marker}
          onChecked={(second_marker) => { set({ second_marker }); }}
          testId="option-second-marker"
        />
        <CheckboxField label={text.optionHiddenCounts} checked={options.hidden_counts} onChecked={(hidden_counts) => { set({ hidden_counts }); }} testId="option-hidden-counts" />
      </fieldset>
      <SaveActions busy={action.busy} error={action.error} done={done} label={text.saveOptions} testPrefix="options" />
    </form>
  );
}

/** A rubric item as typed; `key` keeps each item's fields its own as others are removed. */
interface ItemDraft {
  key: number;
  description: string;
  points: string;
  /** Added here, so its description takes the focus. */
  fresh: boolean;
}

type Errors = Record<string, string>;

/** What is wrong with each field, by the field's key (`weight-N`, `description-K`, `points-K`). */
function check(weights: string[], items: ItemDraft[]): Errors {
  const errors: Errors = {};
  weights.forEach((typed, position) => {
    if (!/^\d+$/.test(typed.trim()) || Number(typed) > MAX_WEIGHT) errors[`weight-${position}`] = text.weightError;
  });
  for (const item of items) {
    const description = item.description.trim();
    // Counted in code points, as the server counts characters.
    if (description === '' || Array.from(description).length > MAX_DESCRIPTION_CHARS) errors[`description-${item.key}`] = text.descriptionError;
    // The sum's bound is the division line's concern; here only the item itself.
    const points = typedPoints(item.points, Number.MAX_SAFE_INTEGER);
    if (points === undefined || points === 0) errors[`points-${item.key}`] = text.itemPointsError;
  }
  return errors;
}

/** How the points divide as typed, in the server's words where it would refuse. */
function divisionText(question: GradingQuestion, weights: string[], items: ItemDraft[]): { line: string; wrong: boolean } {
  const max = question.points;
  // In hundredths, as the server adds them, so that no sum is rounded.
  const rubric = items.reduce((sum, item) => sum + Math.round((typedPoints(item.points, Number.MAX_SAFE_INTEGER) ?? 0) * 100), 0) / 100;
  if (rubric > max) return { line: text.rubricTooMuch(rubric, max), wrong: true };
  if (question.tests.length === 0 && items.length === 0) return { line: text.divisionByHand(max), wrong: false };
  if (rubric < max && !weights.some((w) => Number(w) > 0)) return { line: text.noWeight(max), wrong: true };
  return { line: text.division(Math.round((max - rubric) * 100) / 100, rubric, max), wrong: false };
}

function SchemeForm({ courseId, examId, question, reload }: Omit<SetupProps, 'grading'> & { question: GradingQuestion }) {
  const id = useId();
  const keys = useRef(question.scheme.rubric.length);
  const [weights, setWeights] = useState(() => question.tests.map((_, p) => String(question.scheme.test_weights[p] ?? 1)));
  const [items, setItems] = useState<ItemDraft[]>(() =>
    question.scheme.rubric.map((item, key) => ({ key, description: item.description, points: String(item.points), fresh: false })),
  );
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);
  const add = useRef<HTMLButtonElement>(null);
  const division = divisionText(question, weights, items);

  const edit = (key: number, next: Partial<ItemDraft>): void => {
    setItems((now) => now.map((item) => (item.key === key ? { ...item, ...next } : item)));
    setDone(null);
  };
  const remove = (key: number): void => {
    setItems((now) => now.filter((item) => item.key !== key));
    setDone(null);
    // The removed item's button is gone: the keyboard carries on from "Add".
    add.current?.focus();
  };
  const append = (): void => {
    setItems((now) => [...now, { key: keys.current++, description: '', points: '', fresh: true }]);
    setDone(null);
  };

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setDone(null);
    const found = check(weights, items);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    const scheme = {
      test_weights: weights.map(Number),
      rubric: items.map((item) => ({ description: item.description.trim(), points: Number(item.points) })),
    };
    if (await action.run(() => setScheme(courseId, examId, question.id, scheme))) {
      setDone(text.schemeSaved(question.title));
      reload();
    }
  };

  return (
    <form ref={form} class="panel" noValidate onSubmit={(event) => { void submit(event); }} data-testid="scheme-form" data-question={question.id}>
      <fieldset class="field radio-group">
        <legend class="field-label">{text.schemeLegend(question.title, question.points)}</legend>
        {question.tests.map((test, position) => {
          const error = errors[`weight-${position}`];
          return (
            <div class="field" key={test.position}>
              <label class="field-label" for={`${id}-weight-${position}`}>{text.weightLabel(test.position, test.visibility)}</label>
              <input
                id={`${id}-weight-${position}`}
                class="input"
                type="number"
                inputMode="numeric"
                min={0}
                max={MAX_WEIGHT}
                step={1}
                value={weights[position]}
                aria-invalid={error === undefined ? undefined : 'true'}
                aria-describedby={`${id}-weight-hint${error === undefined ? '' : ` ${id}-weight-${position}-error`}`}
                onInput={(event) => {
                  const typed = event.currentTarget.value;
                  setWeights((now) => now.map((w, p) => (p === position ? typed : w)));
                  setDone(null);
                }}
                data-testid="scheme-weight"
              />
              {error !== undefined && <p class="field-error" id={`${id}-weight-${position}-error`}>{error}</p>}
            </div>
          );
        })}
        {question.tests.length > 0 && <p class="hint" id={`${id}-weight-hint`}>{text.weightHint}</p>}
        {items.length === 0 && <p class="hint">{text.noRubric}</p>}
        {items.map((item, position) => (
          <RubricItemFields
            key={item.key}
            id={`${id}-item-${item.key}`}
            item={item}
            position={position}
            errors={errors}
            onEdit={(next) => { edit(item.key, next); }}
            onRemove={() => { remove(item.key); }}
          />
        ))}
        <p class="row-actions">
          <button ref={add} type="button" class="button button--secondary" disabled={items.length >= MAX_RUBRIC_ITEMS} aria-describedby={`${id}-most`} onClick={append} data-testid="scheme-add-item">
            {text.addItem}
          </button>
        </p>
        <p class="hint" id={`${id}-most`}>{text.mostItems(MAX_RUBRIC_ITEMS)}</p>
      </fieldset>
      <p class={division.wrong ? 'field-error' : undefined} role="status" data-testid="scheme-division">{division.line}</p>
      <SaveActions busy={action.busy} error={action.error} done={done} label={text.saveScheme} testPrefix="scheme" />
    </form>
  );
}

interface ItemProps {
  id: string;
  item: ItemDraft;
  position: number;
  errors: Errors;
  onEdit: (next: Partial<ItemDraft>) => void;
  onRemove: () => void;
}

/** One rubric item's description, points and Remove button, in a fieldset named by its place. */
function RubricItemFields({ id, item, position, errors, onEdit, onRemove }: ItemProps) {
  const fieldset = useRef<HTMLFieldSetElement>(null);
  // Added by "Add a rubric item": the keyboard carries on in its description.
  // (An autofocus attribute works only as the page loads.)
  useEffect(() => {
    if (item.fresh) fieldset.current?.querySelector('input')?.focus();
  }, [item.fresh]);
  return (
    <fieldset ref={fieldset} class="field radio-group" data-testid="scheme-rubric-item">
      <legend class="field-label">{text.rubricItemLegend(position)}</legend>
      <TextField
        label={text.itemDescription}
        value={item.description}
        onValue={(description) => { onEdit({ description }); }}
        error={errors[`description-${item.key}`]}
        testId="scheme-rubric-description"
      />
      <PointsInput id={`${id}-points`} value={item.points} onValue={(points) => { onEdit({ points }); }} error={errors[`points-${item.key}`]} />
      <button type="button" class="button button--secondary button--small" onClick={onRemove} data-testid="scheme-remove-item">
        {text.removeItem(position)}
      </button>
    </fieldset>
  );
}

/** A rubric item's points: a number input with its own label and error. */
function PointsInput({ id, value, onValue, error }: { id: string; value: string; onValue: (value: string) => void; error: string | undefined }) {
  return (
    <div class="field">
      <label class="field-label" for={id}>{text.itemPoints}</label>
      <input
        id={id}
        class="input"
        type="number"
        inputMode="decimal"
        min={0.01}
        step={0.01}
        value={value}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={error === undefined ? undefined : `${id}-error`}
        onInput={(event) => { onValue(event.currentTarget.value); }}
        data-testid="scheme-rubric-points"
      />
      {error !== undefined && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

function releaseText(release: Release | null): string {
  if (release === null) return text.releaseNever;
  const when = formatDateTime(release.made_at);
  return release.released ? text.releasedBy(release.made_by_name, when) : text.withdrawnBy(release.made_by_name, when);
}

function ReleasePanel({ courseId, examId, grading, reload }: SetupProps) {
  const [dialog, confirm] = useConfirm();
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);
  const released = grading.release?.released === true;
  const change = async (): Promise<void> => {
    setDone(null);
    // Releasing shows every student their results (and graders the names); withdrawing hides them: ask first.
    if (!(await confirm(released ? text.withdrawConfirm : text.releaseConfirm))) return;
    if (await action.run(() => setReleased(courseId, examId, !released))) {
      setDone(released ? text.withdrawDone : text.releaseDone);
      reload();
    }
  };
  return (
    <section class="panel" aria-labelledby="release-heading" data-testid="release-panel">
      <h2 id="release-heading">{text.releaseHeading}</h2>
      <p role="status" data-testid="release-status" data-released={released}>{releaseText(grading.release)}</p>
      <p class="hint">{text.releaseHint}</p>
      <ErrorNotice error={action.error} testId="release-error" />
      <DoneNotice text={done} testId="release-done" />
      <div class="actions">
        <button type="button" class={released ? 'button button--secondary' : 'button'} disabled={action.busy} onClick={() => { void change(); }} data-testid={released ? 'withdraw-results' : 'release-results'}>
          {released ? text.withdrawButton : text.releaseButton}
        </button>
      </div>
      {dialog}
    </section>
  );
}

/** Three panels: options, how each question's points divide, release. */
export function MarkingSetup(props: SetupProps) {
  return (
    <div data-testid="marking-setup">
      <section class="panel" aria-labelledby="marking-setup-heading">
        <h2 id="marking-setup-heading">{text.setupHeading}</h2>
        <p class="hint">{text.setupIntro}</p>
        <OptionsForm {...props} />
      </section>
      <section class="panel" aria-labelledby="schemes-heading">
        <h2 id="schemes-heading">{text.schemesHeading}</h2>
        <p>{text.schemesIntro}</p>
        {props.grading.questions.map((question) => (
          <SchemeForm key={question.id} courseId={props.courseId} examId={props.examId} question={question} reload={props.reload} />
        ))}
      </section>
      <ReleasePanel {...props} />
    </div>
  );
}
