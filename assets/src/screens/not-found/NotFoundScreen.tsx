/**
 * Shown for any path the front end has no screen for, and for screens the
 * signed-in person's roles do not allow: the two look the same on purpose.
 */
import { t } from '../../i18n';
import { Link } from '../../router';

export function NotFoundScreen() {
  return (
    <div data-testid="not-found">
      <h1>{t.notFound.heading}</h1>
      <p>{t.notFound.body}</p>
      <p>
        <Link href="/">{t.notFound.home}</Link>
      </p>
      <p>
        <Link href="/check">{t.notFound.link}</Link>
      </p>
    </div>
  );
}
