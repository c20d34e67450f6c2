/** An exam's status as a badge: draft, published (before its window), open, closed. */
import { t } from '../../i18n';
import type { ExamPhase } from '../../api/types';

const tone: Record<ExamPhase, string> = {
  draft: 'badge--neutral',
  published: 'badge--info',
  open: 'badge--pass',
  closed: 'badge--neutral',
};

export function PhaseBadge({ phase }: { phase: ExamPhase }) {
  return <span class={`badge ${tone[phase]}`} data-testid="exam-phase">{t.exams.phase[phase]}</span>;
}
