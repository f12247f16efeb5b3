/**
 * `work`'s result, or a rejection with `message` if it hasn't settled after `ms`. The work itself goes
 * on (a promise can't be cancelled): whoever waited destroys what it was for, and its late outcome is
 * swallowed here rather than reported as unhandled.
 */
export async function within<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
