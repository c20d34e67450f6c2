/**
 * Each question's code as the server holds it, read-only, read again every
 * 15 s while the attempt runs and the tab is in view (reading it is audited
 * once per viewing, not per refresh).
 */
import { useEffect, useState } from 'preact/hooks';
import { formatTime, t } from '../../i18n';
import { attemptCode, type AttemptCode } from '../../api/review';
import { CodeView } from '../../components/CodeView';

const text = t.student;

/** How often running code is read again. */
const REFRESH_MS = 15_000;

interface Props {
  courseId: string;
  examId: string;
  attemptId: string;
  first: AttemptCode;
  titles: Map<string, string>;
  running: boolean;
}

export function LiveCode({ courseId, examId, attemptId, first, titles, running }: Props) {
  const [code, setCode] = useState(first);
  const [readAt, setReadAt] = useState(() => new Date());
  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      attemptCode(courseId, examId, attemptId).then(
        (now) => {
          setCode(now);
          setReadAt(new Date());
        },
        () => undefined,
      );
    }, REFRESH_MS);
    return () => { clearInterval(timer); };
  }, [courseId, examId, attemptId, running]);
  return (
    <>
      {running && <p class="hint" data-testid="code-read-at">{text.codeReadAt(formatTime(readAt))}</p>}
      {code.answers.map((answer) => {
        const title = titles.get(answer.question_id) ?? '';
        return (
          <section key={answer.question_id} aria-label={title} data-testid="answer">
            <h3>{title}</h3>
            <CodeView code={answer.code} label={title} />
          </section>
        );
      })}
    </>
  );
}
