const pad = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock time as HH:MM:SS, for messages an operator reads next to a clock. */
export function timeOfDay(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
