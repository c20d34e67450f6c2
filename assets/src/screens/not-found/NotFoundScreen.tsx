/** Shown for any path the front end has no screen for. */
import { t } from '../../i18n';

export function NotFoundScreen() {
  return (
    <>
      <h1>{t.notFound.heading}</h1>
      <p>{t.notFound.body}</p>
      <p>
        <a href="/check">{t.notFound.link}</a>
      </p>
    </>
  );
}
