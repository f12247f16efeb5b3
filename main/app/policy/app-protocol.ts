import { contentTypeOf, resolveStaticFile } from '../../web/static-files';
import { APP_HOST, APP_SCHEME } from './app-origin';

export type AppFileAnswer =
  | { status: 200; filePath: string; headers: Record<string, string> }
  | { status: 404; headers: Record<string, string> };

/**
 * What `app://kvs-wall/<path>` serves: a file of the built renderer, with the CSP on pages.
 * Requests for any other host of the scheme, or outside the renderer folder, get 404.
 */
export async function answerAppRequest(url: string, rendererDir: string, csp: () => Promise<string>): Promise<AppFileAnswer> {
  const base = { 'X-Content-Type-Options': 'nosniff' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { status: 404, headers: base };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return { status: 404, headers: base };
  const filePath = await resolveStaticFile(rendererDir, parsed.pathname);
  if (!filePath) return { status: 404, headers: base };
  const headers: Record<string, string> = { ...base, 'Content-Type': contentTypeOf(filePath) };
  if (filePath.endsWith('.html')) headers['Content-Security-Policy'] = await csp();
  return { status: 200, filePath, headers };
}
