/**
 * A modal dialog on the native <dialog>: showModal() makes the rest of the page inert and keeps Tab inside;
 * Escape closes it; focus goes back to what opened it (or to a fallback when that is gone).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export function Dialog(props: {
  title: string;
  onClose: () => void;
  /** Where focus goes on close when the element that had it is gone (a calendar slot re-rendered). */
  returnFocus?: () => HTMLElement | null | undefined;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  const returnFocus = useRef(props.returnFocus);
  returnFocus.current = props.returnFocus;

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const dialog = ref.current;
    dialog?.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      const target =
        opener && opener !== document.body && opener.isConnected ? opener : returnFocus.current?.();
      target?.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={headingId}
      onCancel={(event) => {
        // Escape: the app decides (it unmounts the dialog), rather than the browser closing it behind its back.
        event.preventDefault();
        props.onClose();
      }}
    >
      <div class="dialog-header">
        <h2 id={headingId}>{props.title}</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={props.onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      <div class="dialog-body">{props.children}</div>
    </dialog>
  );
}
