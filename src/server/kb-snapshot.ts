import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from './db';
import { HttpError } from './errors';
import type { UserRow } from './users';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The console's own knowledge-base indexer, run as a program (`npm run kb -- import`). */
const INDEXER = path.join(ROOT, 'src/host/kb/cli.ts');

export interface KbSnapshotOptions {
  /** Where snapshot files are kept (created if missing). */
  dir: string;
  /** How long after the last publish to rebuild (default 30 s): publishing comes in bursts. */
  delayMs?: number;
}

export interface KbSnapshotInfo {
  /** The change-log version the snapshot holds the knowledge base at; null before the first. */
  version: number | null;
  articles: number;
  bytes: number;
  building: boolean;
  error: string | null;
}

/**
 * A new console bootstraps the knowledge base from a ready-made index rather
 * than by indexing 100,000 articles itself (jieba, OpenCC, pinyin and FTS5
 * take ~0.6 ms an article on our 2-core machines: over a minute).
 *
 * The snapshot is a console database built by the console's own indexer
 * from the change log's kb_article payloads up to version H, so it holds
 * exactly what a console pulling up to H would hold. Rows in the log only
 * ever move to higher versions, so an article missing from it (changed while
 * it was read) has a change above H, which the console pulls after adopting
 * the snapshot (`kbAfter=H`, see pull.ts). Rebuilt in the background after
 * publishing, one build at a time; the previous file is served meanwhile.
 */
export class KbSnapshots {
  private current: { file: string; version: number; articles: number; bytes: number } | null = null;
  private timer: NodeJS.Timeout | undefined;
  private building: Promise<void> | null = null;
  private again = false;
  private child: ChildProcess | null = null;
  private closed = false;
  private lastError: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly opts: KbSnapshotOptions,
  ) {
    mkdirSync(opts.dir, { recursive: true });
    // Files of an earlier run: keep the newest complete one.
    const found = readdirSync(opts.dir)
      .map((f) => /^kb-(\d+)-(\d+)\.db$/.exec(f))
      .filter((m): m is RegExpExecArray => !!m)
      .sort((a, b) => Number(b[1]) - Number(a[1]));
    for (const [i, m] of found.entries()) {
      const file = path.join(opts.dir, m[0]);
      if (i === 0) this.current = { file, version: Number(m[1]), articles: Number(m[2]), bytes: statSync(file).size };
      else rmSync(file, { force: true });
    }
    for (const f of readdirSync(opts.dir)) if (f.startsWith('building-')) rmSync(path.join(opts.dir, f), { force: true });
  }

  info(): KbSnapshotInfo {
    return {
      version: this.current?.version ?? null,
      articles: this.current?.articles ?? 0,
      bytes: this.current?.bytes ?? 0,
      building: !!this.building,
      error: this.lastError,
    };
  }

  /** The knowledge base changed: rebuild after a quiet spell. */
  changed(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.buildNow(), this.opts.delayMs ?? 30_000);
    this.timer.unref?.();
  }

  /** Build now (or once more after the build in progress); resolves when the newest build ended. */
  async buildNow(): Promise<void> {
    clearTimeout(this.timer);
    if (this.building) {
      this.again = true;
      return this.building;
    }
    this.building = (async () => {
      do {
        this.again = false;
        try {
          await this.build();
          this.lastError = null;
        } catch (err) {
          if (this.closed) return;
          this.lastError = String((err as Error).message ?? err);
          console.error('[kb-snapshot] build failed:', err);
        }
      } while (this.again && !this.closed);
    })().finally(() => (this.building = null));
    return this.building;
  }

  private async build(): Promise<void> {
    const { rows: heads } = await this.db.query<{ version: string }>('SELECT version::text FROM sync_head WHERE id = 1');
    const head = Number(heads[0]!.version);
    if (this.current && this.current.version >= head) return;
    const stamp = `${process.pid}-${Date.now()}`;
    const json = path.join(this.opts.dir, `building-${stamp}.json`);
    const out = path.join(this.opts.dir, `building-${stamp}.db`);
    try {
      // The articles as the change log carries them, in version order (the order a pull applies them).
      const file = createWriteStream(json);
      let articles = 0;
      let after = 0;
      file.write('[');
      for (;;) {
        const { rows } = await this.db.query<{ version: string; article: string }>(
          `SELECT c.version::text AS version, (c.payload->'article')::text AS article FROM changes c
            WHERE c.entity = 'kb_article' AND c.version > $1 AND c.version <= $2 ORDER BY c.version LIMIT 2000`,
          [after, head],
        );
        if (!rows.length) break;
        for (const r of rows) {
          if (!file.write((articles++ ? ',' : '') + r.article)) await once(file, 'drain');
        }
        after = Number(rows[rows.length - 1]!.version);
      }
      file.end(']');
      await once(file, 'close');
      if (this.closed) return;
      if (articles === 0) return;
      await this.runIndexer(json, out);
      const final = path.join(this.opts.dir, `kb-${head}-${articles}.db`);
      renameSync(out, final);
      const previous = this.current;
      this.current = { file: final, version: head, articles, bytes: statSync(final).size };
      // A download of the previous file in progress keeps its open descriptor.
      if (previous && previous.file !== final) rmSync(previous.file, { force: true });
    } finally {
      rmSync(json, { force: true });
      for (const f of [out, `${out}-wal`, `${out}-shm`]) if (existsSync(f)) rmSync(f, { force: true });
    }
  }

  private async runIndexer(json: string, out: string): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', INDEXER, 'import', json, '--db', out, '--format', 'json', '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    const [code] = (await once(child, 'exit')) as [number | null];
    this.child = null;
    if (code !== 0) throw new Error(`the knowledge-base indexer exited with ${code}: ${stderr.trim().slice(0, 500)}`);
  }

  /** Stop building; files stay for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.child?.kill('SIGKILL');
    await this.building?.catch(() => {});
  }

  /** The file to send, opened now so a rebuild replacing it cannot cut the download short. */
  open(): { stream: NodeJS.ReadableStream; version: number; articles: number; bytes: number } | null {
    const c = this.current;
    if (!c) return null;
    return { stream: createReadStream(c.file), version: c.version, articles: c.articles, bytes: c.bytes };
  }
}

export const KB_SNAPSHOT_VERSION_HEADER = 'x-qingyu-kb-version';

export function registerKbSnapshotRoutes(app: FastifyInstance, snapshots: KbSnapshots | null, userOf: (req: FastifyRequest) => UserRow) {
  app.get('/api/kb/snapshot/info', async (req): Promise<KbSnapshotInfo> => {
    userOf(req);
    return snapshots?.info() ?? { version: null, articles: 0, bytes: 0, building: false, error: null };
  });

  app.get('/api/kb/snapshot', async (req, reply) => {
    userOf(req);
    const file = snapshots?.open();
    if (!file) throw new HttpError(404, 'no_snapshot', '知识库快照尚未生成，请逐条同步');
    return reply
      .header(KB_SNAPSHOT_VERSION_HEADER, String(file.version))
      .header('content-length', String(file.bytes))
      .type('application/vnd.sqlite3')
      .send(file.stream);
  });
}
