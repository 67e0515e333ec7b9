import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConsoleHost } from '../src/host/host';
import { IPC_EVENT, IPC_INVOKE } from './channels';
import { CONTENT_SECURITY_POLICY, consoleWebPreferences, IpcInvoke, isNavigationAllowed, isPermissionAllowed, isTrustedSender } from './security';

/**
 * Electron main process: one console window, the host in-process, IPC that
 * carries exactly the host API contract and nothing else.
 */

const rendererDir = path.join(__dirname, '..', 'dist', 'renderer');
const appUrlPrefix = pathToFileURL(rendererDir).href + '/';

let host: ConsoleHost | null = null;
let win: BrowserWindow | null = null;

function createWindow() {
  win = new BrowserWindow({
    width: 1440,
    height: 900,
    title: '晴雨 · 12345 坐席工作台',
    webPreferences: consoleWebPreferences(path.join(__dirname, 'preload.cjs')),
  });
  win.removeMenu();
  void win.loadURL(appUrlPrefix + 'index.html');
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e, url) => {
    if (!isNavigationAllowed(url, appUrlPrefix)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isNavigationAllowed(url, appUrlPrefix)) e.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
});

void app.whenReady().then(() => {
  host = new ConsoleHost({
    dbPath: path.join(app.getPath('userData'), 'console.db'),
    serverUrl: process.env.QINGYU_SERVER_URL ?? 'http://127.0.0.1:8787',
    transport: 'electron',
    version: app.getVersion(),
  });

  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details as { mediaTypes?: string[] }));
  });
  session.defaultSession.setPermissionCheckHandler((_wc, permission, _origin, details) => isPermissionAllowed(permission, details as { mediaTypes?: string[] }));

  ipcMain.handle(IPC_INVOKE, async (event, message: unknown) => {
    if (!win || event.sender !== win.webContents || !isTrustedSender(event.senderFrame?.url, appUrlPrefix)) {
      return { ok: false, error: { code: 'bad_request', message: '拒绝来自未知页面的请求' } };
    }
    const parsed = IpcInvoke.safeParse(message);
    if (!parsed.success) return { ok: false, error: { code: 'bad_request', message: '消息格式不正确，已忽略' } };
    return host!.dispatch(parsed.data.method, parsed.data.params);
  });
  host.on((name, payload) => win?.webContents.send(IPC_EVENT, { event: name, payload }));

  createWindow();
});

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting || !host) return;
  e.preventDefault();
  quitting = true;
  // Let the outbox finish its current push and close SQLite cleanly before exiting.
  void host.close().finally(() => app.quit());
});

app.on('window-all-closed', () => app.quit());
