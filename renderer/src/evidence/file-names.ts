/** Anything but letters, digits, space and `_ . -` becomes `_`: a file name every system accepts. */
export function safeName(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9 _.-]/g, '_').replace(/^[.\s]+/, '').trim().slice(0, 100);
  return cleaned.length > 0 ? cleaned : 'camera';
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2025-11-29 14.03.07` of `ms` in the operator's clock: sorts by time in a folder listing. */
export function fileStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}.${pad(d.getMinutes())}.${pad(d.getSeconds())}`;
}
