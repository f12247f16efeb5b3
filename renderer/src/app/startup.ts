import type { CallResponse, WallApi } from '../../../shared/contract';
import type { AccountSummary, Settings, Wall } from '../../../shared/model';
import { taggedSubStreams } from '../../../shared/sub-streams';
import { defaultWall, gridFor, newWallId } from '../walls/wall-layout';

export type AppInfo = CallResponse<'app.info'>;

export interface InitialState {
  info: AppInfo;
  accounts: AccountSummary[];
  walls: Wall[];
  wallId: string | undefined;
  settings: Settings;
}

/** The account a first wall is built from: the demo cameras when present and shown, else the first account. */
function firstAccount(accounts: readonly AccountSummary[]): AccountSummary | undefined {
  const shown = accounts.filter((a) => !(a.kind === 'demo' && a.hidden));
  return shown.find((a) => a.kind === 'demo') ?? shown[0];
}

export type DemoWalls = NonNullable<AppInfo['demoWalls']>;

/** One wall per camera, in order, on a `grid` × `grid` wall. */
export function gridWall(id: string, name: string, accountId: string, grid: number, cameras: readonly string[]): Wall {
  return { id, name, grid, tiles: cameras.slice(0, grid * grid).map((streamName, cell) => ({ cell, colSpan: 1, rowSpan: 1, muted: true, stream: { accountId, streamName } })) };
}

/**
 * Saved first walls of an account's cameras, so a new user sees live video at once: the first wall of
 * its cameras and, for the Demo cameras, the larger walls the demo offers (of cameras it prepares in
 * the background, left out of the first wall). Returns the first wall's.
 */
export async function createDefaultWalls(api: WallApi, accounts: readonly AccountSummary[], demoWalls: DemoWalls = []): Promise<Wall[]> {
  const account = firstAccount(accounts);
  if (!account) return [];
  const page = await api.call('streams.list', { accountId: account.id, maxResults: 64 });
  const isDemo = account.kind === 'demo';
  const offered = new Set(isDemo ? demoWalls.flatMap((w) => w.cameras) : []);
  // A camera's sub-stream is the camera's, not a camera of its own: its tile plays it in the grid.
  for (const name of await subStreamsAmong(api, account.id, page.streams.map((s) => s.name))) offered.add(name);
  const first = defaultWall(newWallId(), isDemo ? 'Demo wall' : `${account.name} wall`, account.id, page.streams.filter((s) => !offered.has(s.name)));
  const walls = [await api.call('walls.save', first)];
  if (isDemo) {
    for (const offer of demoWalls) walls.push(await api.call('walls.save', gridWall(newWallId(), offer.name, account.id, offer.grid, offer.cameras)));
  }
  return walls;
}

/** The streams some of `names` name as their sub-stream by tag (none when the tags can't be read). */
async function subStreamsAmong(api: WallApi, accountId: string, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  try {
    return taggedSubStreams((await api.call('streams.tags', { accountId, streamNames: names.slice(0, 200) })).tags);
  } catch {
    return new Set();
  }
}

/** An empty wall with a unique name. */
export function blankWall(existing: readonly Wall[]): Wall {
  let n = existing.length + 1;
  while (existing.some((w) => w.name === `Wall ${n}`)) n += 1;
  return { id: newWallId(), name: `Wall ${n}`, grid: gridFor(4), tiles: [] };
}

/**
 * Which wall to open: the kiosk's (by name), else the one last open, else the first. The kiosk asks by
 * name because that is what an operator types on a command line.
 */
export function chooseWall(walls: readonly Wall[], kioskWall: string | undefined, lastWallId: string | undefined): Wall | undefined {
  if (kioskWall) {
    const named = walls.find((w) => w.name === kioskWall || w.id === kioskWall);
    if (named) return named;
  }
  return walls.find((w) => w.id === lastWallId) ?? walls[0];
}

export async function loadInitialState(api: WallApi): Promise<InitialState> {
  const [info, accounts, settings] = await Promise.all([api.call('app.info', {}), api.call('accounts.list', {}), api.call('settings.get', {})]);
  let walls = await api.call('walls.list', {});
  if (walls.length === 0) walls = await createDefaultWalls(api, accounts, info.demoWalls);
  // A restored window opens on its own wall; chooseWall takes an id as well as a name.
  return { info, accounts, walls, wallId: chooseWall(walls, info.kiosk?.wall ?? info.windowWall, settings.lastWallId)?.id, settings };
}
