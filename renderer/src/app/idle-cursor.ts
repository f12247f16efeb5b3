/** What wakes the cursor: the operator touching mouse or keyboard. */
const ACTIVITY = ['pointermove', 'pointerdown', 'wheel', 'keydown'] as const;

export interface IdleCursorOptions {
  target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  /** Hides (`true`) or shows (`false`) the cursor. */
  setIdle: (idle: boolean) => void;
  idleMs: number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

/**
 * Hides the mouse cursor after `idleMs` without activity, so a pointer left on a wall doesn't sit over
 * a camera for weeks; any movement brings it back at once. Returns a function that stops watching.
 */
export function hideCursorWhenIdle(options: IdleCursorOptions): () => void {
  const set = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
  const clear = options.clearTimeout ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  let idle = false;
  let timer: unknown;
  const arm = () => {
    if (timer !== undefined) clear(timer);
    timer = set(() => {
      timer = undefined;
      idle = true;
      options.setIdle(true);
    }, options.idleMs);
  };
  const onActivity = () => {
    if (idle) {
      idle = false;
      options.setIdle(false);
    }
    arm();
  };
  for (const type of ACTIVITY) options.target.addEventListener(type, onActivity, { passive: true } as AddEventListenerOptions);
  arm();
  return () => {
    for (const type of ACTIVITY) options.target.removeEventListener(type, onActivity);
    if (timer !== undefined) clear(timer);
    if (idle) options.setIdle(false);
  };
}
