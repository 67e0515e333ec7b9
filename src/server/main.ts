import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './app';
import { openDatabase, type Db } from './db';
import { migrate } from './migrate';
import { seedDemo, usableDemoAccounts, type DemoAccount } from './seed';

export interface StartServerOptions {
  port?: number; // 0 = any free port
  host?: string;
  /** A real PostgreSQL; without it, embedded PGlite in dataDir. */
  databaseUrl?: string;
  dataDir?: string;
  sipWsServer?: string;
  sipDomain?: string;
  /** Without it: generated once and kept in the data dir (PGlite) or the server_secrets table (PostgreSQL). */
  tokenSecret?: string;
  tokenTtlSeconds?: number;
  /** Create the demo accounts in an empty database (default true). */
  seed?: boolean;
  logger?: boolean;
  /** Where knowledge-base snapshots for new consoles are kept (default: in the data dir, or the temp dir with PostgreSQL). */
  kbSnapshotDir?: string;
  /** Quiet time after publishing before the snapshot is rebuilt (default 30 s). */
  kbSnapshotDelayMs?: number;
  /** Where start-up lines go (default console.log). */
  print?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  app: FastifyInstance;
  db: Db;
  /** Accounts created by this start (empty unless the database was empty). */
  demoAccounts: DemoAccount[];
  /** Stop accepting requests, finish those in flight, close the database. Safe to call twice. */
  close(): Promise<void>;
}

export const DEFAULTS = {
  port: 8787,
  host: '127.0.0.1',
  dataDir: './data/server',
  sipWsServer: 'ws://127.0.0.1:8088',
  sipDomain: 'qingyu.local',
} as const;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): StartServerOptions {
  const port = env.PORT ? Number(env.PORT) : DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  return {
    port,
    host: env.HOST || DEFAULTS.host,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.QINGYU_DATA_DIR || DEFAULTS.dataDir,
    sipWsServer: env.QINGYU_SIP_WS || DEFAULTS.sipWsServer,
    sipDomain: env.QINGYU_SIP_DOMAIN || DEFAULTS.sipDomain,
    tokenSecret: env.QINGYU_TOKEN_SECRET || undefined,
    logger: env.QINGYU_LOG === '1',
    kbSnapshotDir: env.QINGYU_KB_SNAPSHOT_DIR || undefined,
    kbSnapshotDelayMs: env.QINGYU_KB_SNAPSHOT_DELAY_MS ? Number(env.QINGYU_KB_SNAPSHOT_DELAY_MS) : undefined,
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one process's database: a second server on the same folder
 * would damage it. A pid file refuses the second one; a stale file (its
 * process gone) is taken over.
 */
function lockDataDir(dir: string): () => void {
  const file = path.join(dir, 'server.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new Error(`another Qingyu server (pid ${pid}) is using ${dir}; stop it first, or remove ${file} if that is not so`, { cause: err });
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${dir}`);
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The data dir's own signing key, created on first start, readable by this user only. */
function fileSecret(dir: string): string {
  const file = path.join(dir, 'token-secret');
  try {
    writeFileSync(file, newSecret() + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

/** One key for every instance on this PostgreSQL; the first instance to start makes it. */
async function databaseSecret(db: Db): Promise<string> {
  await db.query("INSERT INTO server_secrets (name, value) VALUES ('token_secret', $1) ON CONFLICT (name) DO NOTHING", [newSecret()]);
  const { rows } = await db.query<{ value: string }>("SELECT value FROM server_secrets WHERE name = 'token_secret'");
  return rows[0]!.value;
}

/** Open and migrate the database, seed an empty one, and listen. */
export async function startServer(opts: StartServerOptions = {}): Promise<RunningServer> {
  const print = opts.print ?? ((line: string) => console.log(line));
  const host = opts.host ?? DEFAULTS.host;
  const dataDir = path.resolve(opts.dataDir ?? DEFAULTS.dataDir);

  let unlock = () => {};
  let db: Db;
  if (opts.databaseUrl) {
    db = await openDatabase({ url: opts.databaseUrl });
  } else {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    unlock = lockDataDir(dataDir);
    try {
      db = await openDatabase({ dataDir: path.join(dataDir, 'pgdata') });
    } catch (err) {
      unlock();
      throw err;
    }
  }

  try {
    await migrate(db);
    const tokenSecret = opts.tokenSecret ?? (opts.databaseUrl ? await databaseSecret(db) : fileSecret(dataDir));
    const demoAccounts = opts.seed === false ? [] : await seedDemo(db);
    const app = await buildServer({
      db,
      tokenSecret,
      tokenTtlSeconds: opts.tokenTtlSeconds,
      sip: { wsServer: opts.sipWsServer ?? DEFAULTS.sipWsServer, domain: opts.sipDomain ?? DEFAULTS.sipDomain },
      logger: opts.logger ?? false,
      kbSnapshots: {
        dir: opts.kbSnapshotDir ?? (opts.databaseUrl ? path.join(tmpdir(), `qingyu-kb-snapshots-${process.getuid?.() ?? 'user'}`) : path.join(dataDir, 'kb-snapshots')),
        delayMs: opts.kbSnapshotDelayMs,
      },
    });
    try {
      await app.listen({ port: opts.port ?? DEFAULTS.port, host });
    } catch (err) {
      await app.close();
      throw err;
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : (opts.port ?? DEFAULTS.port);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

    const printable = demoAccounts.length ? demoAccounts : opts.seed === false ? [] : await usableDemoAccounts(db);
    if (printable.length) {
      print(demoAccounts.length ? 'Demo accounts created:' : 'Demo accounts (still with their demo passwords):');
      for (const a of printable) {
        print(`  ${a.username.padEnd(8)} password ${a.password.padEnd(12)} ${a.role.padEnd(8)} ${a.displayName}${a.sipExtension ? `  ext ${a.sipExtension}` : ''}`);
      }
    }
    print(`Qingyu server listening on ${url}`);

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        try {
          await app.close();
        } finally {
          await db.close();
          unlock();
        }
      })());
    return { url, host, port, app, db, demoAccounts, close };
  } catch (err) {
    await db.close();
    unlock();
    throw err;
  }
}

async function main(): Promise<void> {
  const server = await startServer(configFromEnv());
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return; // a second Ctrl-C must not cut PGlite off mid-close
    stopping = true;
    console.log(`${signal} received, closing the server and the database…`);
    setTimeout(() => {
      console.error('shutdown took longer than 15 s; exiting anyway');
      process.exit(1);
    }, 15_000).unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

const runDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
