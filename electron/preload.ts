import { contextBridge, ipcRenderer } from 'electron';
import { IPC_EVENT, IPC_INVOKE } from './channels';

/**
 * The only thing the sandboxed renderer sees of Electron: `window.qingyu`,
 * carrying the host API contract. Kept tiny; it runs in the sandbox.
 */
contextBridge.exposeInMainWorld('qingyu', {
  invoke: (method: string, params: unknown) => ipcRenderer.invoke(IPC_INVOKE, { method, params }),
  onEvent: (listener: (event: string, payload: unknown) => void) => {
    const handler = (_e: unknown, msg: { event: string; payload: unknown }) => listener(msg.event, msg.payload);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT, handler);
  },
});
