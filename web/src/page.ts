/** Page titles and focus on navigation: a new page's heading takes focus so that a screen reader reads it. */
import { useEffect, useRef } from 'preact/hooks';

let firstPage = true;

export function usePageTitle(title: string) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Aurora Time`;
    // On the first page of a visit the browser's own start position is right; after that, focus follows.
    if (firstPage) firstPage = false;
    else heading.current?.focus();
  }, [title]);
  return heading;
}
