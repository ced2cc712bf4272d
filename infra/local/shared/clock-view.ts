/**
 * The local cloud's time as Lambda worker threads read it: the main thread's Clock writes its state into a
 * SharedArrayBuffer on every change, and each worker computes the cloud's "now" from it synchronously, so
 * the functions' `Date` says what the rest of the local cloud says (a manual clock stands still for them too;
 * a jump moves them at once). Two numbers: whether the clock is manual, and its frozen time (manual) or its
 * offset from the wall clock (real).
 */
export const CLOCK_VIEW_BYTES = 2 * Float64Array.BYTES_PER_ELEMENT;

const MANUAL = 1;

export function writeClockView(view: Float64Array, mode: 'real' | 'manual', value: number): void {
  view[1] = value;
  view[0] = mode === 'manual' ? MANUAL : 0;
}

export function cloudNow(view: Float64Array, wallClockNow: number): number {
  return view[0] === MANUAL ? (view[1] ?? wallClockNow) : wallClockNow + (view[1] ?? 0);
}
