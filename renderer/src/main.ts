import { mount } from 'svelte';
import { useSoftwareHevc } from './player/hevc/software-hevc-provider';
import { api } from './api';
import App from './App.svelte';

// H.265 where the platform has no decoder: the canvas player decodes it in a worker (WebAssembly).
useSoftwareHevc();

const target = document.getElementById('app');
if (!target) throw new Error('KVS Wall: #app element missing from index.html');
mount(App, { target, props: { api } });
