/** The frame of a signed-in page: the main landmark, then the page's heading with its actions, then the page. */
import type { ComponentChildren } from 'preact';
import { usePageTitle } from '../page';

/**
 * `title` names the page (the document title too) and its heading takes focus as the page opens; `before`
 * comes ahead of the heading (a section nav, a back link), `action` beside it (buttons, a note).
 */
export function PageFrame(props: {
  pageClass: string;
  title: string;
  before?: ComponentChildren;
  action?: ComponentChildren;
  children: ComponentChildren;
}) {
  const heading = usePageTitle(props.title);
  return (
    <main id="main" class={props.pageClass}>
      {props.before}
      <div class="page-header">
        <h1 ref={heading} tabIndex={-1}>
          {props.title}
        </h1>
        {props.action}
      </div>
      {props.children}
    </main>
  );
}
