import { describe, expect, it } from 'vitest';
import { buildAppMenu, isPageCommand, MENU_COMMANDS, toElectronTemplate, type MenuCommand, type MenuTemplateItem } from '../../../main/app/policy/app-menu';
import { PAGE_COMMANDS } from '../../../shared/contract';

function flatten(items: readonly MenuTemplateItem[]): MenuTemplateItem[] {
  return items.flatMap((i) => [i, ...flatten(i.submenu ?? [])]);
}

describe('application menu', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    it(`wires every item to an action, and every action to an item (${platform})`, () => {
      const ran: MenuCommand[] = [];
      const items = flatten(toElectronTemplate(buildAppMenu(platform), (c) => ran.push(c)));
      for (const item of items) {
        // Each item does something: a standard role, a submenu, a separator, or a click.
        const wired = item.role !== undefined || item.submenu !== undefined || item.type === 'separator' || typeof item.click === 'function';
        expect(wired, JSON.stringify(item)).toBe(true);
      }
      for (const item of items) item.click?.();
      expect([...ran].sort()).toEqual([...MENU_COMMANDS].sort());
      // Each command once; no shortcut given twice.
      expect(new Set(ran).size).toBe(ran.length);
      const accelerators = items.flatMap((i) => (i.accelerator ? [i.accelerator] : []));
      expect(new Set(accelerators).size).toBe(accelerators.length);
    });
  }

  it('has the standard roles, and the app menu on macOS only', () => {
    const roles = (platform: NodeJS.Platform) => flatten(toElectronTemplate(buildAppMenu(platform), () => undefined)).flatMap((i) => (i.role ? [i.role] : []));
    expect(roles('linux')).toEqual(expect.arrayContaining(['editMenu', 'windowMenu', 'close', 'quit', 'togglefullscreen', 'help', 'window']));
    expect(roles('linux')).not.toContain('appMenu');
    expect(roles('darwin')).toEqual(expect.arrayContaining(['appMenu', 'editMenu', 'windowMenu']));
  });

  it('has the top-level menus the operator looks for', () => {
    expect(toElectronTemplate(buildAppMenu('linux'), () => undefined).map((i) => i.label ?? i.role)).toEqual(['File', 'editMenu', 'Wall', 'View', 'Accounts', 'Window', 'Help']);
    const help = toElectronTemplate(buildAppMenu('linux'), () => undefined).find((i) => i.label === 'Help')!;
    expect(help.submenu!.map((i) => i.label)).toEqual(['Keyboard Shortcuts', 'Open Logs Folder', 'Export Diagnostics…']);
    // View › Stats goes to the page, whose selected tile shows or hides its statistics.
    const ran: MenuCommand[] = [];
    const view = toElectronTemplate(buildAppMenu('linux'), (c) => ran.push(c)).find((i) => i.label === 'View')!;
    const stats = view.submenu!.find((i) => i.label === 'Stats of Selected Tile')!;
    expect(stats.accelerator).toBe('CmdOrCtrl+I');
    stats.click!();
    expect(ran).toEqual(['view.stats']);
    expect(isPageCommand('view.stats')).toBe(true);
  });

  it('sends page commands to the page and keeps the rest in the shell', () => {
    for (const c of PAGE_COMMANDS) expect(isPageCommand(c)).toBe(true);
    expect(isPageCommand('window.nextDisplay')).toBe(false);
    expect(isPageCommand('help.openLogs')).toBe(false);
  });
});
