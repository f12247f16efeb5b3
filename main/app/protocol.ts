import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { answerAppRequest } from './policy/app-protocol';
import { APP_SCHEME } from './policy/app-origin';

/** Must run before `app.whenReady()`: a standard, secure scheme gets a real origin and fetch. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** Serves the built renderer under app://kvs-wall/, with the CSP on its page. */
export function serveRenderer(rendererDir: string, csp: () => Promise<string>): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const answer = await answerAppRequest(request.url, rendererDir, csp);
    if (answer.status !== 200) return new Response('Not found', { status: 404, headers: answer.headers });
    return new Response(await readFile(answer.filePath), { status: 200, headers: answer.headers });
  });
}
