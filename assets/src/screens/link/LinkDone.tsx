/** After a one-time link has been used: done, and a way to sign in with the form filled in. */
import { t } from '../../i18n';
import type { LinkView } from '../../api/types';
import { Link } from '../../router';

function signInPath(link: LinkView, email: string): string {
  const query = new URLSearchParams();
  if (link.org === null) query.set('platform', '1');
  else query.set('org', link.org.slug);
  if (email !== '') query.set('email', email);
  return `/signin?${query.toString()}`;
}

export function LinkDone({ link, email }: { link: LinkView; email: string }) {
  return (
    <div data-testid="link-done">
      <h1>{t.link.doneHeading}</h1>
      <p class="notice notice--done" role="status">{t.link.done[link.purpose]}</p>
      <p>
        <Link href={signInPath(link, email)} class="button" data-testid="link-sign-in">
          {t.link.signIn}
        </Link>
      </p>
    </div>
  );
}
