/** Which of the caller's courses they teach, and what that lets them do there. */
import { myCourses } from '../../api/me';
import type { MyCourse } from '../../api/types';

/** Instructors and reviewers see a course's exams; proctors and students only their sections. */
export const teaches = (course: MyCourse): boolean =>
  course.roles.includes('instructor') || course.roles.includes('reviewer');

/** Only instructors hand out candidate links. */
export const instructs = (course: MyCourse): boolean => course.roles.includes('instructor');

/** The caller's course `courseId` when they teach it, otherwise null (shown as "page not found"). */
export async function taughtCourse(courseId: string): Promise<MyCourse | null> {
  const course = (await myCourses()).find((candidate) => candidate.id === courseId);
  return course !== undefined && teaches(course) ? course : null;
}

export const coursePath = (courseId: string): string => `/courses/${encodeURIComponent(courseId)}`;

export const candidatesPath = (courseId: string, examId: string): string =>
  `${coursePath(courseId)}/exams/${encodeURIComponent(examId)}/candidates`;

/** The page for writing a new exam in a course. */
export const newExamPath = (courseId: string): string => `${coursePath(courseId)}/exams/new`;

/** An exam's own page (its management page). */
export const examPagePath = (courseId: string, examId: string): string =>
  `${coursePath(courseId)}/exams/${encodeURIComponent(examId)}`;

/** The editor of an existing exam. */
export const editExamPath = (courseId: string, examId: string): string => `${examPagePath(courseId, examId)}/edit`;
