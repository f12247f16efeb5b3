import { mount } from 'svelte';
import { api } from './api';
import App from './App.svelte';
import { PageLease } from './app/page-lease';
import { pageStorage } from './app/ui-memory';

const target = document.getElementById('app');
if (!target) throw new Error('KVS Wall: #app element missing from index.html');

// Attached before any tile asks for a session; attached again whenever main may have let go of it.
const lease = new PageLease({ api, onReconnected: api.onReconnected, storage: pageStorage(), reload: () => location.reload() });
lease.start();
// Gone now rather than after a lease period: the tiles' sessions go back to the pool for the next page.
addEventListener('pagehide', () => lease.detach());
// Restored from the back/forward cache: the same page, back again.
addEventListener('pageshow', (event) => {
  if (event.persisted) lease.start();
});

mount(App, { target, props: { api, lease } });
