// Bundle the Electron main process and preload into dist-electron/ (CommonJS,
// as a sandboxed preload requires). Native and Electron modules stay external.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node22', sourcemap: true, logLevel: 'warning' };
await build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist-electron/main.cjs', external: ['electron', 'better-sqlite3', '@node-rs/*'] });
await build({ ...common, entryPoints: ['electron/preload.ts'], outfile: 'dist-electron/preload.cjs', external: ['electron'] });
console.log('built dist-electron/main.cjs and dist-electron/preload.cjs');
