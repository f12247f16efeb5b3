import { PAGE_COMMANDS, type PageCommand } from '../../../shared/contract';

/** Commands the desktop shell carries out itself (windows, displays, files). */
export const SHELL_COMMANDS = ['window.new', 'window.nextDisplay', 'view.alwaysOnTop', 'help.openLogs'] as const;
export type ShellCommand = (typeof SHELL_COMMANDS)[number];
export type MenuCommand = PageCommand | ShellCommand;
export const MENU_COMMANDS: readonly MenuCommand[] = [...SHELL_COMMANDS, ...PAGE_COMMANDS];

/** Electron's standard menu roles the app uses (each does what the platform expects). */
export type MenuRole =
  | 'appMenu'
  | 'editMenu'
  | 'windowMenu'
  | 'close'
  | 'quit'
  | 'togglefullscreen'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'toggleDevTools';

export type MenuSpec =
  | { kind: 'command'; label: string; command: MenuCommand; accelerator?: string; checkbox?: boolean }
  | { kind: 'role'; role: MenuRole }
  | { kind: 'separator' }
  | { kind: 'submenu'; label: string; role?: 'help' | 'window'; items: MenuSpec[] };

const command = (label: string, cmd: MenuCommand, accelerator?: string): MenuSpec => ({ kind: 'command', label, command: cmd, ...(accelerator ? { accelerator } : {}) });
const role = (r: MenuRole): MenuSpec => ({ kind: 'role', role: r });
const separator: MenuSpec = { kind: 'separator' };

/**
 * The application menu: the platform's standard roles plus Wall, View, Accounts and Help. A pure
 * description; ./app-menu's `toElectronTemplate` in the shell wires each command to its action.
 */
export function buildAppMenu(platform: NodeJS.Platform): MenuSpec[] {
  const mac = platform === 'darwin';
  return [
    ...(mac ? [role('appMenu')] : []),
    { kind: 'submenu', label: 'File', items: [command('New Window', 'window.new', 'CmdOrCtrl+N'), separator, role('close'), ...(mac ? [] : [role('quit')])] },
    role('editMenu'),
    {
      kind: 'submenu',
      label: 'Wall',
      items: [
        command('New Wall', 'wall.new', 'CmdOrCtrl+Shift+N'),
        command('Rename Wall…', 'wall.rename'),
        command('Duplicate Wall', 'wall.duplicate'),
        command('Delete Wall…', 'wall.delete'),
        separator,
        command('Grid…', 'wall.grid', 'CmdOrCtrl+G'),
        separator,
        command('Next Wall', 'wall.next', 'CmdOrCtrl+]'),
        command('Previous Wall', 'wall.previous', 'CmdOrCtrl+['),
        command('Start or Stop Tour', 'tour.toggle', 'CmdOrCtrl+T'),
      ],
    },
    {
      kind: 'submenu',
      label: 'View',
      items: [
        role('togglefullscreen'),
        { kind: 'command', label: 'Always on Top', command: 'view.alwaysOnTop', checkbox: true },
        command('Move Wall to Next Display', 'window.nextDisplay', 'CmdOrCtrl+Shift+M'),
        command('Stats of Selected Tile', 'view.stats', 'CmdOrCtrl+I'),
        separator,
        role('resetZoom'),
        role('zoomIn'),
        role('zoomOut'),
        separator,
        command('Settings…', 'settings.open', 'CmdOrCtrl+,'),
      ],
    },
    { kind: 'submenu', label: 'Accounts', items: [command('Accounts…', 'accounts.open')] },
    { kind: 'submenu', label: 'Window', role: 'window', items: [role('windowMenu')] },
    {
      kind: 'submenu',
      label: 'Help',
      role: 'help',
      items: [command('Keyboard Shortcuts', 'help.shortcuts', 'F1'), command('Open Logs Folder', 'help.openLogs'), command('Export Diagnostics…', 'help.exportDiagnostics')],
    },
  ];
}

/** Electron's MenuItemConstructorOptions, as far as the app uses them (kept structural: no Electron import). */
export interface MenuTemplateItem {
  label?: string;
  role?: MenuRole | 'help' | 'window';
  type?: 'separator' | 'checkbox' | 'submenu';
  accelerator?: string;
  click?: () => void;
  submenu?: MenuTemplateItem[];
}

/** The description as Electron's template, each command's click calling `run`. */
export function toElectronTemplate(spec: readonly MenuSpec[], run: (command: MenuCommand) => void): MenuTemplateItem[] {
  return spec.map((item): MenuTemplateItem => {
    switch (item.kind) {
      case 'role':
        return { role: item.role };
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: item.label, ...(item.role ? { role: item.role } : {}), submenu: toElectronTemplate(item.items, run) };
      case 'command':
        return { label: item.label, ...(item.accelerator ? { accelerator: item.accelerator } : {}), ...(item.checkbox ? { type: 'checkbox' as const } : {}), click: () => run(item.command) };
    }
  });
}

export function isPageCommand(command: MenuCommand): command is PageCommand {
  return (PAGE_COMMANDS as readonly string[]).includes(command);
}
