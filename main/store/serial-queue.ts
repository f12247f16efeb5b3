/**
 * Runs tasks one after another per key. Keys are absolute file paths, shared process-wide, so two
 * store objects opened on the same file still never interleave a read-modify-write.
 */
const tails = new Map<string, Promise<unknown>>();

export function runSerially<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  // The tail swallows the outcome: one failed write must not poison the next one.
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
