import { mount } from 'svelte';
import { api } from './api';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('KVS Wall: #app element missing from index.html');
mount(App, { target, props: { api } });
