/**
 * Replay of one student's attempt: the code of a question after each saved
 * change, rebuilt in this browser from the change sets the server kept (as
 * the editor made them), with a labelled slider, play and pause at 1x to 50x
 * (real time between changes, by the server's clock), and jumps to the items
 * behind the signals. The replay up to the first submission must equal the
 * submitted code; when it does not, that is said plainly.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ChangeSet, Text } from '@codemirror/state';
import { formatTime, t } from '../../i18n';
import type { Replay as ReplayData, Signal } from '../../api/review';
import { CodeView } from '../../components/CodeView';

const text = t.student.replay;
const SPEEDS = [1, 5, 10, 50] as const;
/** The longest wait between two changes while playing: a long pause is shown, not sat through. */
const MAX_WAIT_MS = 3_000;

/** The question's code after each change: index 0 is the starter code. */
function rebuild(starter: string, edits: { changes: unknown }[]): string[] {
  let doc = Text.of(starter.split('\n'));
  const docs = [starter];
  for (const edit of edits) {
    try {
      doc = ChangeSet.fromJSON(edit.changes).apply(doc);
    } catch {
      // A change that does not apply is kept as the history mismatch signal; the replay shows what it can.
    }
    docs.push(doc.toString());
  }
  return docs;
}

interface Props {
  data: ReplayData;
  signals: Signal[];
}

export function Replay({ data, signals }: Props) {
  const [questionIndex, setQuestionIndex] = useState(0);
  const question = data.questions[questionIndex] ?? data.questions[0];
  const docs = useMemo(() => (question === undefined ? [] : rebuild(question.starter_code, question.edits)), [question]);
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<number>(10);
  const edits = question?.edits ?? [];

  useEffect(() => { setPosition(edits.length); setPlaying(false); }, [question, edits.length]);

  useEffect(() => {
    if (!playing) return;
    if (position >= edits.length) {
      setPlaying(false);
      return;
    }
    const from = position === 0 ? undefined : edits[position - 1];
    const to = edits[position];
    const gap = from === undefined || to === undefined ? 0 : Date.parse(to.server_at) - Date.parse(from.server_at);
    const timer = setTimeout(() => { setPosition((p) => p + 1); }, Math.min(MAX_WAIT_MS, Math.max(16, gap / speed)));
    return () => { clearTimeout(timer); };
  }, [playing, position, speed, edits]);

  if (question === undefined) return null;
  const submittedIndex = data.submitted_at_seq === null ? null : edits.filter((e) => e.seq <= (data.submitted_at_seq ?? 0)).length;
  const explained = submittedIndex === null || question.submitted === null ? null : docs[submittedIndex] === question.submitted;
  const at = position === 0 ? '' : formatTime(new Date(edits[position - 1]?.server_at ?? ''));
  const jumps = signals.flatMap((signal) =>
    signal.evidence.slice(0, 1).map((e) => ({ what: t.student.severity[signal.severity] + ': ' + signal.kind.replaceAll('_', ' '), seq: e.seq })),
  );

  return (
    <div class="replay" data-testid="replay">
      <p class="hint">{text.intro}</p>
      {data.questions.length > 1 && (
        <>
          <label class="field-label" for="replay-question">{text.question}</label>
          <select id="replay-question" class="input" value={questionIndex} onChange={(e) => { setQuestionIndex(Number(e.currentTarget.value)); }} data-testid="replay-question">
            {data.questions.map((q, index) => <option key={q.question_id} value={index}>{q.title}</option>)}
          </select>
        </>
      )}
      {edits.length === 0 ? (
        <p class="empty-state">{text.noEdits}</p>
      ) : (
        <>
          <label class="field-label" for="replay-position">{text.position}</label>
          <input
            id="replay-position"
            type="range"
            min={0}
            max={edits.length}
            value={position}
            aria-valuetext={text.positionText(position, edits.length, at)}
            onInput={(e) => { setPosition(Number(e.currentTarget.value)); setPlaying(false); }}
            data-testid="replay-slider"
          />
          <p role="status" data-testid="replay-position">{text.positionText(position, edits.length, at)}</p>
          <div class="actions">
            <button type="button" class="button button--secondary" onClick={() => { if (position >= edits.length) setPosition(0); setPlaying(!playing); }} data-testid="replay-play">
              {playing ? text.pause : text.play}
            </button>
            <label class="field-label" for="replay-speed">{text.speed}</label>
            <select id="replay-speed" class="input" value={speed} onChange={(e) => { setSpeed(Number(e.currentTarget.value)); }} data-testid="replay-speed">
              {SPEEDS.map((s) => <option key={s} value={s}>{`${s}×`}</option>)}
            </select>
          </div>
          {jumps.length > 0 && (
            <p>
              {text.jumps}:{' '}
              {jumps.map((jump) => (
                <button
                  key={jump.seq}
                  type="button"
                  class="button button--small button--secondary"
                  // Just after the first change at or after the signal's item: a paste's
                  // event comes just before the change that inserts it.
                  onClick={() => { setPlaying(false); setPosition(Math.min(edits.length, edits.filter((e) => e.seq < jump.seq).length + 1)); }}
                  data-testid="replay-jump"
                >
                  {text.jumpTo(jump.what, jump.seq)}
                </button>
              ))}
            </p>
          )}
        </>
      )}
      <CodeView code={docs[position] ?? question.starter_code} label={`${question.title}, ${text.heading}`} />
      {explained === null ? (
        <p class="hint" data-testid="replay-check" data-explained="unknown">{text.notSubmitted}</p>
      ) : explained ? (
        <p class="notice notice--done" data-testid="replay-check" data-explained="true">{text.explained}</p>
      ) : (
        <p class="notice notice--error" role="alert" data-testid="replay-check" data-explained="false">{text.unexplained}</p>
      )}
    </div>
  );
}
