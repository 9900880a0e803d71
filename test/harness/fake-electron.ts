import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A recording stand-in for the `electron` module, for unit tests of electron/desktop/**,
 * main and preload (the binary is not installed here, and unit tests should not need it).
 * Use with:
 *   vi.mock('electron', () => import('../harness/fake-electron'));
 *   import { fake } from '../harness/fake-electron';
 * Only what the desktop code touches is modelled; every call is recorded on `fake`.
 */

type Listener = (...args: unknown[]) => void;

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Displays by bounds and work area; the pointer position for trays that report no bounds. */
export const screen = {
  displays: [{ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }] as Array<{ id: number; bounds: Rectangle; workArea: Rectangle }>,
  cursor: { x: 0, y: 0 },
  getCursorScreenPoint(): { x: number; y: number } {
    return { ...this.cursor };
  },
  getDisplayNearestPoint(p: { x: number; y: number }): { id: number; bounds: Rectangle; workArea: Rectangle } {
    const inside = this.displays.find((d) => p.x >= d.bounds.x && p.x < d.bounds.x + d.bounds.width && p.y >= d.bounds.y && p.y < d.bounds.y + d.bounds.height);
    return inside ?? this.displays[0]!;
  },
  getPrimaryDisplay(): { id: number; bounds: Rectangle; workArea: Rectangle } {
    return this.displays[0]!;
  },
};

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}
export function fakeEvent(): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

export interface MenuItemLike {
  id?: string;
  label?: string;
  type?: string;
  checked?: boolean;
  enabled?: boolean;
  submenu?: MenuItemLike[];
  click?: (item: { checked: boolean }, win?: unknown, event?: unknown) => void;
}

export class FakeMenu {
  constructor(readonly items: MenuItemLike[]) {}
  /** Finds an item by id anywhere in the menu, including submenus. */
  find(id: string): MenuItemLike | undefined {
    const walk = (items: MenuItemLike[]): MenuItemLike | undefined => {
      for (const i of items) {
        if (i.id === id) return i;
        const inner = i.submenu ? walk(i.submenu) : undefined;
        if (inner) return inner;
      }
      return undefined;
    };
    return walk(this.items);
  }
  /** Simulates a click the way Electron does: checkboxes flip before `click` runs. */
  click(id: string): void {
    const item = this.find(id);
    if (!item) throw new Error(`no menu item ${id}`);
    if (item.type === 'checkbox') item.checked = !item.checked;
    item.click?.({ checked: item.checked ?? false });
  }
}

export class FakeNativeImage {
  template = false;
  constructor(readonly path: string) {}
  isEmpty(): boolean {
    return !existsSync(this.path);
  }
  setTemplateImage(on: boolean): void {
    this.template = on;
  }
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' | 'allow' }) | null = null;
  sent: Array<{ channel: string; args: unknown[] }> = [];
  executed: string[] = [];
  setWindowOpenHandler(h: (details: { url: string }) => { action: 'deny' | 'allow' }): void {
    this.windowOpenHandler = h;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  executeJavaScript(code: string): Promise<unknown> {
    this.executed.push(code);
    return Promise.resolve(undefined);
  }
}

export interface BrowserWindowOptionsLike {
  show?: boolean;
  webPreferences?: Record<string, unknown>;
  [key: string]: unknown;
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible: boolean;
  focused = false;
  destroyed = false;
  minimized = false;
  loaded: { file?: string; url?: string; hash?: string } = {};
  bounds: Rectangle = { x: 0, y: 0, width: 0, height: 0 };
  constructor(readonly options: BrowserWindowOptionsLike) {
    super();
    this.visible = options.show !== false;
    this.bounds = { x: 0, y: 0, width: Number(options.width ?? 800), height: Number(options.height ?? 600) };
    BrowserWindow.instances.push(this);
  }
  loadFile(file: string, options?: { hash?: string }): Promise<void> {
    this.loaded = { file, ...(options?.hash ? { hash: options.hash } : {}) };
    return Promise.resolve();
  }
  setBounds(r: Partial<Rectangle>): void {
    this.bounds = { ...this.bounds, ...r };
  }
  getBounds(): Rectangle {
    return { ...this.bounds };
  }
  loadURL(url: string): Promise<void> {
    this.loaded = { url };
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
  }
  focus(): void {
    this.focused = true;
  }
  /** Simulates the window losing focus (a click elsewhere). */
  userBlur(): void {
    this.focused = false;
    this.emit('blur', fakeEvent());
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  isVisible(): boolean {
    return this.visible;
  }
  /** Simulates the user closing the window; returns whether the close was prevented. */
  userClose(): boolean {
    const ev = fakeEvent();
    this.emit('close', ev);
    if (!ev.defaultPrevented) this.destroy();
    return ev.defaultPrevented;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('closed');
  }
}

export class Tray extends EventEmitter {
  static instances: Tray[] = [];
  image: FakeNativeImage;
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  /** What getBounds reports; empty like many Linux trays unless a test sets it. */
  bounds: Rectangle = { x: 0, y: 0, width: 0, height: 0 };
  readonly calls = { setImage: 0, setToolTip: 0, setContextMenu: 0 };
  constructor(image: FakeNativeImage) {
    super();
    this.image = image;
    Tray.instances.push(this);
  }
  setImage(image: FakeNativeImage): void {
    this.image = image;
    this.calls.setImage++;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
    this.calls.setToolTip++;
  }
  setContextMenu(menu: FakeMenu): void {
    this.menu = menu;
    this.calls.setContextMenu++;
  }
  getBounds(): Rectangle {
    return { ...this.bounds };
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export const Menu = {
  buildFromTemplate(template: MenuItemLike[]): FakeMenu {
    // Deep-ish copy so later mutations (checkbox flips) don't touch the caller's template.
    const copy = (items: MenuItemLike[]): MenuItemLike[] => items.map((i) => ({ ...i, ...(i.submenu ? { submenu: copy(i.submenu) } : {}) }));
    return new FakeMenu(copy(template));
  },
};

export const nativeImage = {
  createFromPath: (p: string) => new FakeNativeImage(p),
};

export interface NotificationOptionsLike {
  title: string;
  body: string;
  urgency?: string;
  icon?: unknown;
}

export class Notification extends EventEmitter {
  static supported = true;
  static instances: Notification[] = [];
  shown = false;
  constructor(readonly options: NotificationOptionsLike) {
    super();
    Notification.instances.push(this);
  }
  static isSupported(): boolean {
    return Notification.supported;
  }
  show(): void {
    this.shown = true;
  }
}

type IpcHandler = (event: unknown, ...args: unknown[]) => unknown;
export const ipcMain = {
  handlers: new Map<string, IpcHandler>(),
  handle(channel: string, fn: IpcHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, fn);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
};

class FakeIpcRenderer extends EventEmitter {
  invocations: Array<{ channel: string; args: unknown[] }> = [];
  reply: (channel: string, args: unknown[]) => unknown = () => ({ success: true });
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invocations.push({ channel, args });
    return Promise.resolve(this.reply(channel, args));
  }
}
export const ipcRenderer = new FakeIpcRenderer();

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    this.exposed.set(key, api);
  },
};

export const shell = {
  opened: [] as string[],
  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  },
};

type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (r: { responseHeaders: Record<string, string[]> }) => void,
) => void;

class FakeSession {
  permissionRequestHandler: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  headersListeners: HeadersListener[] = [];
  readonly webRequest = {
    onHeadersReceived: (l: HeadersListener) => {
      this.headersListeners.push(l);
    },
  };
  setPermissionRequestHandler(h: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = h;
  }
}
export const session = { defaultSession: new FakeSession() };

interface SchemeLike {
  scheme: string;
  privileges?: Record<string, boolean>;
}
type ProtocolHandler = (request: Request) => Response | Promise<Response>;
export const protocol = {
  privileged: [] as SchemeLike[],
  handlers: new Map<string, ProtocolHandler>(),
  registerSchemesAsPrivileged(schemes: SchemeLike[]): void {
    // Electron throws away (with a console error) a registration made after ready.
    if (app.ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: ProtocolHandler): void {
    if (!app.ready) throw new Error('protocol.handle must be called after app is ready');
    if (this.handlers.has(scheme)) throw new Error(`The scheme has been handled: ${scheme}`);
    this.handlers.set(scheme, handler);
  },
  unhandle(scheme: string): void {
    this.handlers.delete(scheme);
  },
  isProtocolHandled(scheme: string): boolean {
    return this.handlers.has(scheme);
  },
  /** What the page would get for `url` (the test plays Chromium's part). */
  async fetch(url: string, method = 'GET'): Promise<Response> {
    const scheme = new URL(url).protocol.replace(/:$/, '');
    const h = this.handlers.get(scheme);
    if (!h) throw new Error(`net::ERR_UNKNOWN_URL_SCHEME ${url}`);
    return h(new Request(url, { method }));
  },
};

export const dialog = {
  errorBoxes: [] as Array<{ title: string; content: string }>,
  showErrorBox(title: string, content: string): void {
    this.errorBoxes.push({ title, content });
  },
};

class FakeApp extends EventEmitter {
  gotLock = true;
  isPackaged = false;
  userData = path.join(os.tmpdir(), 'fogis-fake-electron-userdata');
  appPath = process.cwd();
  languages = ['en-US'];
  appUserModelId: string | null = null;
  quitCalls = 0;
  exitCode: number | null = null;
  loginItem: { openAtLogin: boolean; args?: string[]; path?: string } = { openAtLogin: false };
  /** macOS: whether this launch came from the login item. */
  wasOpenedAtLogin = false;
  ready = false;
  requestSingleInstanceLock(): boolean {
    return this.gotLock;
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  quit(): void {
    this.quitCalls++;
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
  whenReady(): Promise<void> {
    this.ready = true;
    return Promise.resolve();
  }
  isReady(): boolean {
    return this.ready;
  }
  getPath(name: string): string {
    if (name === 'userData') return this.userData;
    return path.join(os.tmpdir(), `fogis-fake-${name}`);
  }
  getAppPath(): string {
    return this.appPath;
  }
  getPreferredSystemLanguages(): string[] {
    return this.languages;
  }
  getLocale(): string {
    return this.languages[0] ?? 'en-US';
  }
  setLoginItemSettings(s: { openAtLogin?: boolean; args?: string[]; path?: string }): void {
    this.loginItem = { openAtLogin: s.openAtLogin ?? false, ...(s.args ? { args: s.args } : {}), ...(s.path ? { path: s.path } : {}) };
  }
  getLoginItemSettings(): { openAtLogin: boolean; wasOpenedAtLogin: boolean } {
    return { openAtLogin: this.loginItem.openAtLogin, wasOpenedAtLogin: this.wasOpenedAtLogin };
  }
}
export const app = new FakeApp();

export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown',
  reEncrypt: false,
  /** The next N decryptions fail as a locked or busy keyring does. */
  failDecrypts: 0,
  decryptCalls: 0,
  isAsyncEncryptionAvailable(): Promise<boolean> {
    return Promise.resolve(this.available);
  },
  isEncryptionAvailable(): boolean {
    return this.available;
  },
  getSelectedStorageBackend() {
    return this.backend;
  },
  // Reversible but not plain text, so a test can tell the file holds ciphertext.
  encryptStringAsync(plain: string): Promise<Buffer> {
    if (!this.available) return Promise.reject(new Error('Encryption is not available.'));
    return Promise.resolve(Buffer.from(`enc1:${Buffer.from(plain, 'utf8').toString('hex')}`, 'utf8'));
  },
  decryptStringAsync(buf: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    this.decryptCalls++;
    if (this.failDecrypts > 0) {
      this.failDecrypts--;
      return Promise.reject(new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString. Keyring is locked.'));
    }
    const text = buf.toString('utf8');
    if (!text.startsWith('enc1:')) return Promise.reject(new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.'));
    return Promise.resolve({ result: Buffer.from(text.slice(5), 'hex').toString('utf8'), shouldReEncrypt: this.reEncrypt });
  },
};

/** Everything recorded, in one place, and a reset between tests. */
export const fake = {
  app,
  BrowserWindow,
  Tray,
  Notification,
  ipcMain,
  ipcRenderer,
  contextBridge,
  shell,
  session,
  safeStorage,
  screen,
  protocol,
  dialog,
  reset(): void {
    screen.displays = [{ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }];
    screen.cursor = { x: 0, y: 0 };
    app.removeAllListeners();
    app.ready = false;
    app.wasOpenedAtLogin = false;
    protocol.privileged = [];
    protocol.handlers.clear();
    dialog.errorBoxes = [];
    safeStorage.failDecrypts = 0;
    safeStorage.decryptCalls = 0;
    app.gotLock = true;
    app.isPackaged = false;
    app.languages = ['en-US'];
    app.appUserModelId = null;
    app.quitCalls = 0;
    app.exitCode = null;
    app.loginItem = { openAtLogin: false };
    BrowserWindow.instances = [];
    Tray.instances = [];
    Notification.instances = [];
    Notification.supported = true;
    ipcMain.handlers.clear();
    ipcRenderer.removeAllListeners();
    ipcRenderer.invocations = [];
    ipcRenderer.reply = () => ({ success: true });
    contextBridge.exposed.clear();
    shell.opened = [];
    session.defaultSession = new FakeSession();
    safeStorage.available = true;
    safeStorage.backend = 'gnome_libsecret';
    safeStorage.reEncrypt = false;
  },
};

export const lastWindow = (): BrowserWindow => {
  const w = BrowserWindow.instances[BrowserWindow.instances.length - 1];
  if (!w) throw new Error('no BrowserWindow was created');
  return w;
};

export const lastTray = (): Tray => {
  const t = Tray.instances[Tray.instances.length - 1];
  if (!t) throw new Error('no Tray was created');
  return t;
};

export type { Listener };
export default { app, BrowserWindow, Tray, Menu, nativeImage, Notification, ipcMain, ipcRenderer, contextBridge, shell, session, safeStorage, screen, protocol, dialog };
