/** Entry point: applies the catalogue's language and mounts the app. */
import { render } from 'preact';
import { App } from './app';
import { t } from './i18n';
import './styles.css';

document.documentElement.lang = t.lang;
document.documentElement.dir = t.dir;

const root = document.getElementById('app');
if (root !== null) {
  root.replaceChildren();
  render(<App />, root);
}
