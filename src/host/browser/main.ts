import path from 'node:path';
import { ConsoleHost } from '../host';
import { serveBrowserMode } from './serve';

/**
 * Run the console host as a plain Node process in browser mode.
 * Env: QINGYU_SERVER_URL (default http://127.0.0.1:8787), QINGYU_CONSOLE_DB
 * (default ./data/console/console.db), QINGYU_CONSOLE_PORT (default 5780),
 * QINGYU_RENDERER_DIR (default ./dist/renderer), QINGYU_CONSOLE_TOKEN (default random).
 */
async function main() {
  const serverUrl = process.env.QINGYU_SERVER_URL ?? 'http://127.0.0.1:8787';
  const dbPath = path.resolve(process.env.QINGYU_CONSOLE_DB ?? 'data/console/console.db');
  const host = new ConsoleHost({ dbPath, serverUrl, transport: 'browser' });
  const mode = await serveBrowserMode({
    host,
    rendererDir: path.resolve(process.env.QINGYU_RENDERER_DIR ?? 'dist/renderer'),
    port: Number(process.env.QINGYU_CONSOLE_PORT ?? 5780),
    token: process.env.QINGYU_CONSOLE_TOKEN || undefined,
  });
  console.log(`Qingyu console (browser mode) ready: ${mode.url}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await mode.close();
    await host.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`Qingyu console failed to start: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
