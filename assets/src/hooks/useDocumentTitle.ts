/**
 * Sets the document title from what a screen has loaded (a course, an exam),
 * once known. The frame sets each route's general title first; this refines it.
 */
import { useEffect } from 'preact/hooks';

export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    if (title !== undefined) document.title = title;
  }, [title]);
}
