/**
 * The application frame: skip link, header and one screen chosen by path.
 * Screens live in src/screens/<name>/; add a route here when adding one.
 */
import { useEffect } from 'preact/hooks';
import type { ComponentType } from 'preact';
import { t } from './i18n';
import { NotFoundScreen } from './screens/not-found/NotFoundScreen';
import { ReadinessScreen } from './screens/readiness/ReadinessScreen';

interface Route {
  screen: ComponentType;
  title: string;
}

function route(path: string): Route {
  const normalised = path.replace(/\/+$/, '') || '/';
  switch (normalised) {
    case '/':
    case '/check':
      return { screen: ReadinessScreen, title: t.readiness.documentTitle };
    default:
      return { screen: NotFoundScreen, title: t.notFound.documentTitle };
  }
}

export function App({ path }: { path: string }) {
  const { screen: Screen, title } = route(path);

  useEffect(() => {
    document.title = title;
  }, [title]);

  return (
    <>
      <a class="skip-link" href="#main">{t.skipToContent}</a>
      <header class="site-header">
        <p class="brand">{t.product}</p>
      </header>
      <main id="main" class="page" tabIndex={-1}>
        <Screen />
      </main>
    </>
  );
}
