import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CALL_NAMES, type ProgressEvent } from '../shared/contract';
import type { IafaBridge } from './api';

// The allow-list comes from the contract: a name that is not a declared call never reaches main.
const allowed = new Set<string>(CALL_NAMES);

const bridge: IafaBridge = {
  shell: 'electron',
  call(name, input, opId) {
    if (!allowed.has(name)) return Promise.resolve({ ok: false, error: { kind: 'not_found', message: `Unknown call "${name}".` } });
    return ipcRenderer.invoke('iafa:call', name, input, opId);
  },
  cancel: (opId) => ipcRenderer.invoke('iafa:cancel', String(opId)),
  onProgress(listener) {
    const wrapped = (_e: Electron.IpcRendererEvent, opId: string, ev: ProgressEvent) => listener(opId, ev);
    ipcRenderer.on('iafa:progress', wrapped);
    return () => ipcRenderer.removeListener('iafa:progress', wrapped);
  },
  // Since Electron 32 a dropped File no longer carries its path; webUtils is the supported way.
  pathForFile: (file) => {
    const p = webUtils.getPathForFile(file);
    // Sent before any call that uses it (IPC keeps order), so main can allow exactly this file.
    if (p) ipcRenderer.send('iafa:granted', p);
    return p;
  },
  pickFile: (filters) => ipcRenderer.invoke('iafa:pick-file', filters ?? null),
  saveFile: (name, data) => ipcRenderer.invoke('iafa:save-file', String(name), data),
  openExternal: (url) => ipcRenderer.invoke('iafa:open-external', String(url)),
};

contextBridge.exposeInMainWorld('api', bridge);
