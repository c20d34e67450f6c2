/**
 * Similarity between an exam's submissions, one question at a time, for the
 * course's instructors and reviewers: the same report viewer as
 * `examhall similarity --html` (what it is and is not, the clusters, the
 * ranked pairs and the chosen pair side by side), over every submitted
 * student's code with the question's starter code excluded.
 */
import { useCallback, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { api } from '../../api/client';
import { getExam } from '../../api/exams';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { SimilarityReport } from '../../similarity/SimilarityReport';
import type { Report } from '../../similarity/types';
import '../../similarity/similarity.css';

interface Props {
  courseId: string;
  examId: string;
}

function QuestionReport({ courseId, examId, questionId }: Props & { questionId: string }) {
  const loaded = useLoad(
    useCallback(
      () => api<Report>(`/courses/${encodeURIComponent(courseId)}/exams/${encodeURIComponent(examId)}/similarity?question=${encodeURIComponent(questionId)}`),
      [courseId, examId, questionId],
    ),
  );
  return <WhenLoaded loaded={loaded}>{(report) => <SimilarityReport report={report} />}</WhenLoaded>;
}

export function SimilarityScreen({ courseId, examId }: Props) {
  const exam = useLoad(useCallback(() => getExam(courseId, examId), [courseId, examId]));
  const [question, setQuestion] = useState(0);
  return (
    <WhenLoaded loaded={exam}>
      {(found) => (
        <>
          <h1 data-testid="similarity-heading">{t.similarityScreen.heading(found.title)}</h1>
          <label class="field-label" for="similarity-question">{t.similarityScreen.question}</label>
          <select id="similarity-question" class="input" value={question} onChange={(e) => { setQuestion(Number(e.currentTarget.value)); }} data-testid="similarity-question">
            {found.questions.map((q, index) => <option key={index} value={index}>{q.title}</option>)}
          </select>
          {found.question_ids[question] !== undefined && (
            <QuestionReport courseId={courseId} examId={examId} questionId={found.question_ids[question]} />
          )}
        </>
      )}
    </WhenLoaded>
  );
}
