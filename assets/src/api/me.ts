/** Calls about the signed-in member of an organization themselves. */
import { api } from './client';
import type { MyCourse } from './types';

/** The courses where the caller holds a role; students see only their own section. */
export const myCourses = (): Promise<MyCourse[]> => api('/me/courses');
