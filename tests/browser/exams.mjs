/**
 * Exams the browser stories write through the API.
 */

/** RFC 3339 (UTC, whole seconds) `hours` from now. */
export const hoursFromNow = (hours) => new Date(Date.now() + hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A short exam for `sectionId`, open from an hour ago for four hours, with one question and one visible test. */
export function midterm(sectionId) {
  return {
    title: 'Midterm',
    opens_at: hoursFromNow(-1),
    closes_at: hoursFromNow(3),
    duration_minutes: 60,
    late_policy: 'accept_queued',
    integrity_profile: 'standard',
    section_ids: [sectionId],
    questions: [
      {
        title: 'Add',
        prompt: 'Write add',
        starter_code: 'def add(a, b):\n    pass\n',
        model_solution: 'def add(a, b):\n    return a + b\n',
        points: 5,
        tests: [{ visibility: 'visible', kind: 'function', expression: 'add(1, 2)', expected: '3' }],
      },
    ],
  };
}
