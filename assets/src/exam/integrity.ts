/**
 * The integrity evidence the exam page records (DESIGN.md, "The exam
 * client"): focus, visibility, resize, network, fullscreen and devtools
 * heuristics. Each becomes an item in the same durable queue as the edits.
 * Nothing here blocks the student or decides anything: a person reviews it.
 */
import { useEffect } from 'preact/hooks';

/** Records one event; `soon` sends it without waiting for the autosave pace. */
export type RecordEvent = (kind: string, data?: Record<string, unknown>, soon?: boolean) => void;

/**
 * Browser chrome rarely takes more than this many pixels beside or below the
 * page; docked developer tools take far more. A heuristic: a sidebar or a
 * zoomed page can trip it too, which is why it is evidence, not a verdict.
 */
const DOCKED_DEVTOOLS_PX = 200;

/** The keyboard shortcuts that open the browser's developer tools. */
export function devtoolsShortcut(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): boolean {
  if (event.key === 'F12') return true;
  const key = event.key.toLowerCase();
  const windowsLinux = event.ctrlKey && event.shiftKey && ['i', 'j', 'c'].includes(key);
  const mac = event.metaKey && event.altKey && ['i', 'j', 'c'].includes(key);
  return windowsLinux || mac;
}

/** Whether the window is much larger than the page inside it, as with docked developer tools. */
export function looksDocked(outer: { width: number; height: number }, inner: { width: number; height: number }): boolean {
  return outer.width - inner.width > DOCKED_DEVTOOLS_PX || outer.height - inner.height > DOCKED_DEVTOOLS_PX;
}

interface Options {
  record: RecordEvent;
  requireFullscreen: boolean;
  /** Show or hide the prompt to return to fullscreen. */
  promptFullscreen: (show: boolean) => void;
  /** The network is back. */
  onOnline: () => void;
  /** The page is going away: send what is queued. */
  onPageHide: () => void;
}

/** Listens for the events while the exam page is open. */
export function useIntegrityEvents({ record, requireFullscreen, promptFullscreen, onOnline, onPageHide }: Options): void {
  useEffect(() => {
    let resizeTimer: ReturnType<typeof setTimeout> | undefined;
    let docked = false;
    const checkDocked = (): void => {
      const now = looksDocked({ width: outerWidth, height: outerHeight }, { width: innerWidth, height: innerHeight });
      if (now !== docked) {
        docked = now;
        record(now ? 'devtools_suspected' : 'devtools_cleared', { outer: [outerWidth, outerHeight], inner: [innerWidth, innerHeight] });
      }
    };
    const windowEvents: [string, (event: Event) => void][] = [
      // The window's own focus: listening in the capture phase also hears
      // every element's focus and blur, which are moves inside the page.
      ['blur', (event) => { if (event.target === window) record('focus_lost', {}, true); }],
      ['focus', (event) => { if (event.target === window) record('focus_returned'); }],
      ['resize', () => {
        clearTimeout(resizeTimer);
        resizeTimer = setTimeout(() => {
          record('resize', { width: innerWidth, height: innerHeight });
          checkDocked();
        }, 500);
      }],
      ['offline', () => { record('network_offline'); }],
      ['online', () => { record('network_online'); onOnline(); }],
      ['pagehide', onPageHide],
      ['keydown', (event) => {
        if (event instanceof KeyboardEvent && devtoolsShortcut(event)) record('devtools_shortcut', { key: event.key }, true);
      }],
    ];
    const documentEvents: [string, () => void][] = [
      ['visibilitychange', () => {
        const hidden = document.visibilityState === 'hidden';
        record(hidden ? 'visibility_hidden' : 'visibility_visible', {}, hidden);
      }],
      ['fullscreenchange', () => {
        if (document.fullscreenElement === null) {
          record('fullscreen_exit', {}, true);
          if (requireFullscreen) promptFullscreen(true);
        } else {
          record('fullscreen_enter');
          promptFullscreen(false);
        }
      }],
    ];
    for (const [name, listener] of windowEvents) window.addEventListener(name, listener, { capture: true });
    for (const [name, listener] of documentEvents) document.addEventListener(name, listener);
    if (requireFullscreen && document.fullscreenElement === null) promptFullscreen(true);
    checkDocked();
    return () => {
      clearTimeout(resizeTimer);
      for (const [name, listener] of windowEvents) window.removeEventListener(name, listener, { capture: true });
      for (const [name, listener] of documentEvents) document.removeEventListener(name, listener);
    };
  }, [record, requireFullscreen, promptFullscreen, onOnline, onPageHide]);
}
