/** How a role grant's scope reads: the whole organization, a course, or a course's section. */
import { t } from '../../i18n';
import type { Course, Grant } from '../../api/types';

export function scopeText(grant: Grant, courses: Course[]): string {
  if (grant.section_id !== null) {
    for (const course of courses) {
      const section = course.sections.find((candidate) => candidate.id === grant.section_id);
      if (section !== undefined) return t.admin.roles.sectionScope(course.code, section.name);
    }
    return t.common.unknown;
  }
  if (grant.course_id !== null) {
    return courses.find((course) => course.id === grant.course_id)?.code ?? t.common.unknown;
  }
  return t.admin.roles.wholeOrg;
}

/** "Instructor (PHYS101)" for a grant in a list of someone's roles. */
export function grantText(grant: Grant, courses: Course[]): string {
  const scope = scopeText(grant, courses);
  return grant.role === 'org_admin' ? t.roles.org_admin : t.common.withDetail(t.roles[grant.role], scope);
}
