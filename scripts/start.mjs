// `npm start`: the central server on embedded PGlite (./data/server) and the
// console — the Electron app when its binary is installed, otherwise browser
// mode with the URL to open. Ctrl-C stops everything cleanly.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
const require = createRequire(import.meta.url);
const children = [];
const env = {
  ...process.env,
  QINGYU_DATA_DIR: process.env.QINGYU_DATA_DIR ?? path.join(root, 'data', 'server'),
  QINGYU_CONSOLE_DB: process.env.QINGYU_CONSOLE_DB ?? path.join(root, 'data', 'console', 'console.db'),
  QINGYU_SERVER_URL: process.env.QINGYU_SERVER_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`,
};

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`✗ ${cmd} ${args.join(' ')} failed`);
    process.exit(r.status ?? 1);
  }
}

/** Start a child, echo its output, resolve when a line matches `ready`. */
function start(name, cmd, args, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let done = false;
    const onLine = (chunk) => {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        console.log(`[${name}] ${line}`);
        if (!done && ready.test(line)) {
          done = true;
          resolve(child);
        }
      }
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    child.on('exit', (code) => {
      if (!done) reject(new Error(`${name} exited (${code}) before it was ready`));
      else if (!stopping) {
        console.error(`[${name}] stopped unexpectedly (${code}); stopping the rest`);
        void stop(1);
      }
    });
  });
}

function electronBinary() {
  try {
    const bin = require('electron'); // the path of the binary, if it was downloaded
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/**
 * Demo data for the knowledge base: on the first start, publish the city FAQ
 * that ships beside the repository (../shared/data) to the server as the demo
 * shift lead; consoles receive it through sync like any published article.
 */
function seedKnowledgeBase() {
  const marker = path.join(env.QINGYU_DATA_DIR, 'kb-demo-published');
  const faq = path.resolve(root, '..', 'shared', 'data', 'taipei-faq.xml');
  if (fs.existsSync(marker) || !fs.existsSync(faq)) return;
  console.log('Publishing the demo knowledge base (Taipei City FAQ, 1,877 articles)…');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/publish-kb.ts', faq, '--server', env.QINGYU_SERVER_URL], { stdio: 'inherit', env });
  if (r.status === 0) fs.writeFileSync(marker, new Date().toISOString() + '\n');
  else console.error('The demo knowledge base was not published; the console works without it.');
}

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children
      .filter((c) => c.exitCode === null)
      .map(
        (c) =>
          new Promise((resolve) => {
            c.once('exit', resolve);
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
          }),
      ),
  );
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  console.log('Building the console…');
  run(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn']);
  await start('server', process.execPath, ['--import', 'tsx', 'src/server/main.ts'], /listening on/);
  seedKnowledgeBase();
  const electron = electronBinary();
  if (electron) {
    run(process.execPath, ['scripts/build-electron.mjs']);
    await start('console', electron, ['.'], /./);
    console.log('Qingyu is running in its desktop window. Ctrl-C stops it.');
  } else {
    await start('console', process.execPath, ['--import', 'tsx', 'src/host/browser/main.ts'], /ready: /);
    console.log('\nThe Electron binary is not installed here, so the console runs in browser mode.');
    console.log('Open the URL printed above (…/?token=…) in Chromium or Chrome. Ctrl-C stops everything.');
  }
} catch (e) {
  console.error(`✗ ${e.message}`);
  await stop(1);
}
