import type { CallResponse, WallApi } from '../../../shared/contract';
import type { AccountSummary, Settings, Wall } from '../../../shared/model';
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

/** A saved first wall of an account's cameras, so a new user sees live video at once. */
export async function createDefaultWall(api: WallApi, accounts: readonly AccountSummary[]): Promise<Wall | undefined> {
  const account = firstAccount(accounts);
  if (!account) return undefined;
  const page = await api.call('streams.list', { accountId: account.id, maxResults: 64 });
  const wall = defaultWall(newWallId(), account.kind === 'demo' ? 'Demo wall' : `${account.name} wall`, account.id, page.streams);
  return api.call('walls.save', wall);
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
  if (walls.length === 0) {
    const created = await createDefaultWall(api, accounts);
    if (created) walls = [created];
  }
  return { info, accounts, walls, wallId: chooseWall(walls, info.kiosk?.wall, settings.lastWallId)?.id, settings };
}
