/**
 * The organization administrator's screen (`/admin/<section>`): a
 * sub-navigation and one section at a time. Each section loads its own data,
 * so opening one never waits on another.
 */
import type { ComponentType } from 'preact';
import { t } from '../../i18n';
import { Link } from '../../router';
import { NotFoundScreen } from '../not-found/NotFoundScreen';
import { AuditSection } from './audit/AuditSection';
import { BackupsSection } from './backups/BackupsSection';
import { CoursesSection } from './courses/CoursesSection';
import { RetentionSection } from './retention/RetentionSection';
import { RolesSection } from './roles/RolesSection';
import { RosterSection } from './roster/RosterSection';
import { UsersSection } from './users/UsersSection';

type SectionId = keyof typeof t.admin.sections;

const sections: Record<SectionId, ComponentType> = {
  users: UsersSection,
  courses: CoursesSection,
  roles: RolesSection,
  roster: RosterSection,
  audit: AuditSection,
  backups: BackupsSection,
  retention: RetentionSection,
};

const order = Object.keys(sections) as SectionId[];

/** The section a path segment names; the empty segment (`/admin`) is Users. */
function sectionOf(segment: string): SectionId | undefined {
  if (segment === '') return 'users';
  return order.find((id) => id === segment);
}

/** The document title of `/admin/<segment>`. */
export function adminTitle(segment: string): string {
  const id = sectionOf(segment);
  return id === undefined ? t.notFound.documentTitle : t.admin.documentTitle(t.admin.sections[id]);
}

export function AdminScreen({ section }: { section: string }) {
  const current = sectionOf(section);
  if (current === undefined) return <NotFoundScreen />;
  const Section = sections[current];

  return (
    <>
      <h1>{t.admin.heading}</h1>
      <nav class="sub-nav" aria-label={t.admin.navLabel}>
        <ul>
          {order.map((id) => (
            <li key={id}>
              <Link href={`/admin/${id}`} aria-current={id === current ? 'page' : undefined} data-testid={`admin-nav-${id}`}>
                {t.admin.sections[id]}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <h2 class="section-heading">{t.admin.sections[current]}</h2>
      <Section />
    </>
  );
}
