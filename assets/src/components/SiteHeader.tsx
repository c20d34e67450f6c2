/**
 * The header on every page: product and organization, and for a signed-in
 * person their name, account and sign-out, and the navigation their roles
 * allow. Students see no staff links; the platform administrator sees only
 * organizations. During an exam (`inExam`) it invites nobody away: the
 * product's name is not a link, and there is no navigation and no account
 * link, only who is signed in and Sign out.
 */
import { t } from '../i18n';
import { useAction } from '../hooks/useAction';
import { Link, useLocation } from '../router';
import { isOrgAdmin, isPlatformAdmin, isStaff, isStudent } from '../session/roles';
import { useSession } from '../session/SessionProvider';
import type { SessionView } from '../api/types';
import { ErrorNotice } from './ErrorNotice';

interface NavItem {
  href: string;
  label: string;
  testId: string;
}

function navItems(view: SessionView): NavItem[] {
  const items: NavItem[] = [];
  if (isPlatformAdmin(view)) items.push({ href: '/platform', label: t.header.nav.platform, testId: 'nav-platform' });
  if (isOrgAdmin(view)) items.push({ href: '/admin', label: t.header.nav.admin, testId: 'nav-admin' });
  if (isStaff(view)) items.push({ href: '/courses', label: t.header.nav.courses, testId: 'nav-courses' });
  if (isStudent(view)) items.push({ href: '/home', label: t.header.nav.home, testId: 'nav-home' });
  return items;
}

const isCurrent = (path: string, href: string): boolean => path === href || path.startsWith(`${href}/`);

export function SiteHeader({ inExam = false }: { inExam?: boolean }) {
  const { view, signOut } = useSession();
  const { path } = useLocation();
  const leaving = useAction();
  const items = view === null || inExam ? [] : navItems(view);

  return (
    <header class="site-header">
      <div class="site-header__bar">
        <p class="brand">
          {inExam ? <span class="brand__name">{t.product}</span> : <Link href="/" class="brand__name">{t.product}</Link>}
          {view?.org != null && <span class="brand__org" data-testid="header-org">{view.org.name}</span>}
        </p>
        {view !== null && (
          <div class="site-header__user">
            <span data-testid="header-user">{t.header.signedInAs(view.user.display_name)}</span>
            {!inExam && (
              <Link href="/account" aria-current={isCurrent(path, '/account') ? 'page' : undefined} data-testid="nav-account">
                {t.header.account}
              </Link>
            )}
            <button
              type="button"
              class="link-button"
              disabled={leaving.busy}
              data-testid="sign-out"
              onClick={() => { void leaving.run(signOut); }}
            >
              {t.header.signOut}
            </button>
          </div>
        )}
      </div>
      {items.length > 0 && (
        <nav class="site-nav" aria-label={t.header.navLabel}>
          <ul>
            {items.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={isCurrent(path, item.href) ? 'page' : undefined} data-testid={item.testId}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <ErrorNotice error={leaving.error} testId="sign-out-error" />
    </header>
  );
}
