import fs from 'node:fs';
import path from 'node:path';
import { build } from 'vite';
import { serveBrowserMode, type BrowserMode } from '../../src/host/browser/serve';
import { ConsoleHost } from '../../src/host/host';
import { REPO_ROOT } from './rig';

export const RENDERER_DIR = path.join(REPO_ROOT, 'dist', 'renderer');

/** The built renderer; built here if `npm test` has not built it already. */
export async function ensureRendererBuilt(): Promise<string> {
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    await build({ configFile: path.join(REPO_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  }
  return RENDERER_DIR;
}

export interface RunningConsole {
  host: ConsoleHost;
  mode: BrowserMode;
  stop(): Promise<void>;
}

/** A console host in browser mode, as `npm start` runs it, on a SQLite file of the test's. */
export async function startConsole(opts: { dbPath: string; serverUrl: string }): Promise<RunningConsole> {
  const rendererDir = await ensureRendererBuilt();
  const host = new ConsoleHost({ dbPath: opts.dbPath, serverUrl: opts.serverUrl, transport: 'browser' });
  const mode = await serveBrowserMode({ host, rendererDir, port: 0 });
  return {
    host,
    mode,
    stop: async () => {
      await mode.close();
      await host.close();
    },
  };
}
