import type { PageCommand, RendererCapabilities, WallApi } from '../../../shared/contract';
import type { Wall } from '../../../shared/model';

/** What the page does for each menu command; the app passes its own functions in. */
export interface PageActions {
  walls: () => readonly Wall[];
  current: () => Wall | undefined;
  show: (wallId: string) => void;
  newWall: () => void;
  duplicate: (wall: Wall) => void;
  remove: (wall: Wall) => void;
  edit: () => void;
  openPanel: (panel: 'account' | 'settings') => void;
  showShortcuts: () => void;
  toggleTour: () => void;
  /** The selected tile's statistics overlay on or off. */
  toggleStats: () => void;
  exportDiagnostics: () => void;
}

/** The wall `step` places after the current one, wrapping; undefined with fewer than two walls. */
export function neighbourWall(walls: readonly Wall[], currentId: string | undefined, step: 1 | -1): Wall | undefined {
  if (walls.length < 2) return undefined;
  const at = Math.max(0, walls.findIndex((w) => w.id === currentId));
  return walls[(at + step + walls.length) % walls.length];
}

export function runPageCommand(command: PageCommand, actions: PageActions): void {
  const wall = actions.current();
  switch (command) {
    case 'wall.new':
      return actions.newWall();
    case 'wall.next':
    case 'wall.previous': {
      const next = neighbourWall(actions.walls(), wall?.id, command === 'wall.next' ? 1 : -1);
      if (next) actions.show(next.id);
      return;
    }
    // Renaming and the grid are in the wall toolbar's edit mode.
    case 'wall.rename':
    case 'wall.grid':
      return actions.edit();
    case 'wall.duplicate':
      if (wall) actions.duplicate(wall);
      return;
    case 'wall.delete':
      if (wall) actions.remove(wall);
      return;
    case 'tour.toggle':
      return actions.toggleTour();
    case 'view.stats':
      return actions.toggleStats();
    case 'accounts.open':
      return actions.openPanel('account');
    case 'settings.open':
      return actions.openPanel('settings');
    case 'help.shortcuts':
      return actions.showShortcuts();
    case 'help.exportDiagnostics':
      return actions.exportDiagnostics();
  }
}

/** Content types whose decoding support support staff ask about first. */
const PROBED = ['video/mp4; codecs="avc1.64001f"', 'video/mp4; codecs="avc1.640033"', 'video/mp4; codecs="hvc1.1.6.L120.90"', 'video/mp4; codecs="av01.0.08M.08"'];

/** What this page can tell about decoding here (MediaCapabilities, WebGL), for the diagnostics zip. */
export async function rendererCapabilities(): Promise<RendererCapabilities> {
  const decoders: NonNullable<RendererCapabilities['decoders']> = [];
  for (const contentType of PROBED) {
    try {
      const info = await navigator.mediaCapabilities.decodingInfo({ type: 'media-source', video: { contentType, width: 1920, height: 1080, bitrate: 4_000_000, framerate: 30 } });
      decoders.push({ contentType, supported: info.supported, smooth: info.smooth, powerEfficient: info.powerEfficient });
    } catch {
      decoders.push({ contentType, supported: false });
    }
  }
  let webglRenderer: string | undefined;
  try {
    const gl = document.createElement('canvas').getContext('webgl');
    const ext = gl?.getExtension('WEBGL_debug_renderer_info');
    if (gl && ext) webglRenderer = String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)).slice(0, 500);
  } catch {
    // No WebGL here: left out.
  }
  return { decoders, hardwareConcurrency: navigator.hardwareConcurrency, userAgent: navigator.userAgent.slice(0, 1000), ...(webglRenderer ? { webglRenderer } : {}) };
}

/** Exports diagnostics and says where the zip is, in a sentence for the page. */
export async function exportDiagnosticsFromPage(api: WallApi): Promise<string> {
  const result = await api.call('diagnostics.export', { capabilities: await rendererCapabilities() });
  const left = Object.entries(result.sections).filter(([, s]) => !s.included).map(([name]) => name);
  return `Diagnostics saved to ${result.file} in KVS Wall's data folder (${Math.round(result.bytes / 1024)} KiB)${left.length ? `; not included: ${left.join(', ')}` : ''}.`;
}
