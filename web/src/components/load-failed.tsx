/** What a page shows when what it reads could not be loaded, with a way to try again. */
export function LoadFailed(props: { what: string; message: string; onRetry: () => void }) {
  return (
    <div class="alert alert-error" role="alert">
      <p>
        {props.what} could not be loaded: {props.message}
      </p>
      <button type="button" onClick={props.onRetry}>
        Try again
      </button>
    </div>
  );
}
