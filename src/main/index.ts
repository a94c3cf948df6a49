import { app, BrowserWindow, dialog, ipcMain, session, shell, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IafaError, isCallName } from '../shared/contract';
import { createEngineHost, type EngineHost } from '../server/host';
import { setAppRoot } from '../core/paths';
import { checkCallPaths, GrantedFiles } from '../core/file-access';
import { PAGE_CSP } from '../server/security';
import { htmlToPdf } from './pdf';
import { electronSecretStore } from './secrets';
import { usePrivateUmask, writeUserFile } from '../core/umask';

const here = path.dirname(fileURLToPath(import.meta.url));
let mainWindow: BrowserWindow | null = null;
let host: EngineHost | null = null;
// The renderer may only import files the user picked in a dialog or dropped on the window.
const granted = new GrantedFiles();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app
    .whenReady()
    .then(start)
    .catch((err) => {
      dialog.showErrorBox('IAFA could not start', String(err instanceof Error ? err.stack : err));
      app.quit();
    });
}

function rendererUrl(): string {
  return process.env.ELECTRON_RENDERER_URL ?? `file://${path.join(here, '../renderer/index.html')}`;
}

/** Only our own page may call the engine: a frame navigated elsewhere gets nothing. */
function trusted(e: IpcMainInvokeEvent | IpcMainEvent): boolean {
  if (!mainWindow || e.sender !== mainWindow.webContents) return false;
  const url = e.senderFrame?.url ?? '';
  const base = rendererUrl();
  return url.startsWith(base.startsWith('file://') ? 'file://' : base);
}

function start(): void {
  // Packaged builds ship migrations, prompts and samples as extra resources.
  if (app.isPackaged) setAppRoot(process.resourcesPath);
  // Everything the app creates (datasets, reports, the database) is for this user only.
  usePrivateUmask();
  const dataDir = process.env.IAFA_DATA_DIR ?? app.getPath('userData');
  // Heavy calls run on worker threads (see server/host.ts), so IPC answers stay quick meanwhile.
  host = createEngineHost({
    dataDir,
    secrets: electronSecretStore(dataDir),
    // Reports print with Electron's own Chromium, so the desktop app needs no system browser.
    printPdf: async (html, { paper }) => Buffer.from(await htmlToPdf(html, paper)),
    // Two workers unless IAFA_WORKERS says otherwise: each keeps its own copy of the datasets it
    // opened, and a laptop has less memory to spare than a server.
    pool: { size: process.env.IAFA_WORKERS ? undefined : 2 },
  });

  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [PAGE_CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));

  registerIpc(host);
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'IAFA',
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  // Links open in the user's browser; the app window never navigates away from the app.
  mainWindow.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  mainWindow.webContents.on('will-navigate', (e, url) => {
    if (!url.startsWith(rendererUrl())) e.preventDefault();
  });
  // Work the page asked for stops with the page: after a reload or a closed window nobody waits for it.
  mainWindow.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) host?.cancelAll();
  });
  mainWindow.on('closed', () => {
    host?.cancelAll();
    mainWindow = null;
  });
  void mainWindow.loadURL(rendererUrl());
}

function registerIpc(eng: EngineHost): void {
  ipcMain.handle('iafa:call', async (e, name: unknown, input: unknown, opId: unknown) => {
    if (!trusted(e)) return { ok: false, error: { kind: 'validation', message: 'Untrusted sender.' } };
    if (!isCallName(name)) return { ok: false, error: { kind: 'not_found', message: `Unknown call "${String(name)}".` } };
    const op = typeof opId === 'string' && opId.length <= 100 ? opId : undefined;
    try {
      const value = await eng.dispatch(name, checkCallPaths(name, input, granted), {
        opId: op,
        onProgress: (ev) => {
          if (op && !e.sender.isDestroyed()) e.sender.send('iafa:progress', op, ev);
        },
      });
      return { ok: true, value };
    } catch (err) {
      return { ok: false, error: IafaError.from(err).toPayload() };
    }
  });
  ipcMain.handle('iafa:cancel', async (e, opId: unknown) => {
    if (!trusted(e) || typeof opId !== 'string') return;
    await eng.dispatch('ops:cancel', { opId });
  });
  ipcMain.handle('iafa:pick-file', async (e, filters: unknown) => {
    if (!trusted(e) || !mainWindow) return null;
    const r = await dialog.showOpenDialog(mainWindow, {
      properties: ['openFile'],
      filters: Array.isArray(filters)
        ? filters
        : [{ name: 'Data files', extensions: ['csv', 'tsv', 'txt', 'json', 'ndjson', 'jsonl', 'gz', 'zip', 'parquet'] }],
    });
    if (r.canceled || r.filePaths.length === 0) return null;
    granted.grant(r.filePaths[0]);
    return r.filePaths[0];
  });
  // The preload reports the path of a file the user dropped or chose in a file input; a page
  // cannot fake one, since only a File from the OS has a path.
  ipcMain.on('iafa:granted', (e, p: unknown) => {
    if (trusted(e) && typeof p === 'string' && path.isAbsolute(p)) granted.grant(p);
  });
  ipcMain.handle('iafa:save-file', async (e, name: unknown, data: unknown) => {
    if (!trusted(e) || !mainWindow) return null;
    const r = await dialog.showSaveDialog(mainWindow, { defaultPath: typeof name === 'string' ? path.basename(name) : 'report' });
    if (r.canceled || !r.filePath) return null;
    writeUserFile(r.filePath, typeof data === 'string' ? data : Buffer.from(data as Uint8Array));
    return r.filePath;
  });
  ipcMain.handle('iafa:open-external', async (e, url: unknown) => {
    if (trusted(e) && typeof url === 'string' && /^https?:\/\//.test(url)) await shell.openExternal(url);
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('will-quit', () => {
  void host?.close();
});
