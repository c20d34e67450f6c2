/**
 * The exam's questions as tabs, each saying whether it was edited: arrows,
 * Home and End move between them, and only the selected one is in the Tab
 * order (the ARIA tabs pattern). The panel is `#question-panel`.
 */
import { useRef } from 'preact/hooks';
import type { TargetedKeyboardEvent } from 'preact';
import { t } from '../../i18n';
import type { AttemptQuestion } from '../../api/attempts';

interface Props {
  questions: readonly AttemptQuestion[];
  active: number;
  edited: ReadonlySet<string>;
  onSelect: (index: number) => void;
}

export function QuestionTabs({ questions, active, edited, onSelect }: Props) {
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);

  const onTabKey = (event: TargetedKeyboardEvent<HTMLButtonElement>, index: number): void => {
    let next: number | undefined;
    if (event.key === 'ArrowRight') next = (index + 1) % questions.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + questions.length) % questions.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = questions.length - 1;
    if (next === undefined) return;
    event.preventDefault();
    onSelect(next);
    tabs.current[next]?.focus();
  };

  return (
    <div role="tablist" aria-label={t.exam.questionsLabel} class="tabs" data-testid="question-tabs">
      {questions.map((q, index) => (
        <button
          key={q.id}
          ref={(element) => { tabs.current[index] = element; }}
          type="button"
          role="tab"
          id={`tab-${q.id}`}
          aria-selected={index === active}
          aria-controls="question-panel"
          tabIndex={index === active ? 0 : -1}
          class="tab"
          onClick={() => { onSelect(index); }}
          onKeyDown={(event) => { onTabKey(event, index); }}
          data-testid="question-tab"
          data-state={edited.has(q.id) ? 'edited' : 'untouched'}
        >
          {`${String(index + 1)}. ${q.title}`}
          <span class="tab__state">{edited.has(q.id) ? t.exam.tabState.edited : t.exam.tabState.untouched}</span>
        </button>
      ))}
    </div>
  );
}
