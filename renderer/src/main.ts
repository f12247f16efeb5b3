import { mount } from 'svelte';
import { api as transport } from './api';
import { trackCalls } from './api/quiet';
import { useSoftwareHevc } from './player/hevc/software-hevc-provider';
import App from './App.svelte';
import ConnectionBanner from './app/ConnectionBanner.svelte';
import IdleCursor from './app/IdleCursor.svelte';
import { PageLease } from './app/page-lease';
import { ReloadGate } from './app/reload-gate';
import { pageStorage } from './app/ui-memory';

// H.265 where the platform has no decoder: the canvas player decodes it in a worker (WebAssembly).
useSoftwareHevc();

const target = document.getElementById('app');
if (!target) throw new Error('KVS Wall: #app element missing from index.html');

const api = trackCalls(transport);
/** An answer on its way when main asks for a reload (the account just added) is waited for, up to this. */
const RELOAD_WAIT_MS = 3000;

const reloads = new ReloadGate(() => void api.whenQuiet(RELOAD_WAIT_MS).then(() => location.reload()));

// Attached before any tile asks for a session; attached again whenever main may have let go of it.
const lease = new PageLease({ api, onReconnected: api.onReconnected, storage: pageStorage(), reload: () => reloads.request() });
lease.start();
// Gone now rather than after a lease period: the tiles' sessions go back to the pool for the next page.
addEventListener('pagehide', () => lease.detach());
// Restored from the back/forward cache: the same page, back again.
addEventListener('pageshow', (event) => {
  if (event.persisted) lease.start();
});

mount(App, { target, props: { api, lease, reloads } });

/** A pointer left still over the wall is hidden after this long. */
const CURSOR_IDLE_MS = 3000;

// Their own roots, fixed over the wall: whatever App shows, losing main is said on top of it.
const bannerTarget = document.body.appendChild(document.createElement('div'));
mount(ConnectionBanner, {
  target: bannerTarget,
  props: {
    onConnectionChange: api.onConnectionChange,
    // Untracked: a ping waiting on a hung main must not hold back a reload main asked for.
    ping: () => transport.call('app.info', {}),
  },
});
mount(IdleCursor, { target: bannerTarget, props: { api, idleMs: CURSOR_IDLE_MS } });
