/**
 * Sync on a real PostgreSQL, with the server as its own process (so its CPU
 * and memory are its own): a push of 10,000 tickets filed offline, a new
 * console bootstrapping 100,000 KB articles, how long a change on one
 * console takes to show on another (poke, pull, apply), and 500 simulated
 * consoles syncing every 5 s. `--quick`: 2,000 tickets, 5,000 articles,
 * 100 consoles for 20 s.
 */
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { startPostgres } from '../../tests/support/postgres';
import { TestConsole } from '../../tests/support/sync-console';
import { ServerProcess } from '../../tests/support/sync-procs';
import { tempDir } from '../../tests/support/tmp';
import { join } from 'node:path';
import { KnowledgeBase, readArticlesFile } from '../../src/host/kb/index';
import type { KbSnapshotInfo } from '../../src/server/kb-snapshot';
import { htmlToText } from '../../src/shared/kb';
import { machine, percentile, round, type Metric, type SuiteContext, type SuiteResult } from '../lib';
import { FAQ_XML } from '../../tests/unit/kb/helpers';
import { growCorpus } from './kb';

/** USER_HZ: /proc counts CPU time in these ticks on Linux. */
const TICKS = 100;

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}
/** The cluster's processes: the postmaster listening on `port` and its children (backends, autovacuum, WAL writer…). */
function postgresPids(port: string): number[] {
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const read = (pid: string, file: string) => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, 'utf8');
    } catch {
      return '';
    }
  };
  const master = procs.find((p) => {
    const argv = read(p, 'cmdline').split('\0');
    return argv[0]?.endsWith('/postgres') && argv.includes('-p') && argv[argv.indexOf('-p') + 1] === port;
  });
  if (!master) return [];
  const children = procs.filter((p) => {
    const stat = read(p, 'stat');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === master;
  });
  return [master, ...children].map(Number);
}
/** CPU seconds of each process (a process that ended meanwhile is left out). */
function cpuByPid(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      out.set(pid, cpuSeconds(pid));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}
/** CPU seconds the processes used since `before` (processes started meanwhile count whole). */
function cpuSince(before: Map<number, number>, now: Map<number, number>): number {
  let sum = 0;
  for (const [pid, s] of now) sum += s - (before.get(pid) ?? 0);
  return sum;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export default async function sync({ quick }: SuiteContext): Promise<SuiteResult> {
  const n = { tickets: quick ? 2_000 : 10_000, articles: quick ? 5_000 : 100_000, consoles: quick ? 100 : 500, seconds: quick ? 20 : 60, probes: quick ? 10 : 30 };
  const metrics: Record<string, Metric> = {};
  const cluster = await startPostgres();
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('CREATE DATABASE qingyu_bench');
  await admin.end();
  const url = cluster.url.replace(/\/postgres$/, '/qingyu_bench');
  const tmp = tempDir('qingyu-bench-sync-');
  // Knowledge-base snapshots built a second after publishing stops, into our temp dir.
  const server = new ServerProcess(url, { QINGYU_KB_SNAPSHOT_DELAY_MS: '1000', QINGYU_KB_SNAPSHOT_DIR: join(tmp.dir, 'kb-snapshots') });
  await server.start();
  const base = `http://127.0.0.1:${server.port}`;
  const consoles: TestConsole[] = [];
  const open = async (name: string, user: string, password: string, kbSnapshots = true) => {
    const c = new TestConsole(tmp.dir, name, base, 1000, kbSnapshots);
    await c.login(user, password);
    consoles.push(c);
    return c;
  };
  try {
    const pid = server.child!.pid!;

    // 1. Push of tickets filed offline.
    const op = await open('push', 'op1001', 'qingyu-1001');
    for (let i = 0; i < n.tickets; i++) op.createTicket(i % 2 ? 'closed' : 'dispatched');
    let t0 = performance.now();
    while (op.pending() > 0) await op.outbox.syncNow();
    metrics['push_10k.s'] = { value: round((performance.now() - t0) / 1000, 2), unit: 's', note: `${n.tickets} createTicket mutations, batches of 500, one transaction each` };

    // 2. Bootstrap of the knowledge base into an empty console, with articles the size of the
    // real FAQ's (grown from it as the kb suite does: real titles, units and paragraphs).
    const lead = await open('lead', 'lead01', 'qingyu-1901');
    const corpus = growCorpus(readArticlesFile(FAQ_XML), n.articles);
    const avgChars = Math.round(corpus.reduce((sum, a) => sum + a.title.length + htmlToText(a.answerHtml).length, 0) / corpus.length);
    for (let i = 0; i < n.articles; i += 200) {
      // 200 at a time: 1,000 articles of this size are more than a request may carry (1 MiB).
      const articles = corpus.slice(i, i + 200).map((a) => ({ ...a, status: 'published' as const }));
      const res = await fetch(`${base}/api/admin/kb/articles`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${lead.session!.token}` }, body: JSON.stringify({ articles }) });
      if (!res.ok) throw new Error(`publish failed: ${res.status} ${await res.text()}`);
    }
    // The server builds its snapshot (the console's own indexer, in a child process) once publishing stops.
    const published = performance.now();
    let info: KbSnapshotInfo;
    for (;;) {
      info = (await (await fetch(`${base}/api/kb/snapshot/info`, { headers: { authorization: `Bearer ${lead.session!.token}` } })).json()) as KbSnapshotInfo;
      if (info.error) throw new Error(`snapshot build failed: ${info.error}`);
      if (info.articles === n.articles && !info.building) break;
      if (performance.now() - published > 600_000) throw new Error('no snapshot within 10 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    metrics['kb_snapshot_build.s'] = {
      value: round((performance.now() - published) / 1000, 1),
      unit: 's',
      note: `on the server, after the last publish (1 s quiet time included): ${round(info.bytes / 1e6, 0)} MB`,
    };
    const bootstrap = async (name: string, kbSnapshots: boolean) => {
      const c = await open(name, 'op1002', 'qingyu-1002', kbSnapshots);
      const started = performance.now();
      await c.pull.pullNow();
      const seconds = (performance.now() - started) / 1000;
      const count = (c.db.prepare('SELECT count(*) AS n FROM kb_articles').get() as { n: number }).n;
      if (count !== n.articles) throw new Error(`bootstrap got ${count} of ${n.articles} articles`);
      const hits = new KnowledgeBase(c.db).search('停车', { limit: 5 }).length;
      if (hits === 0) throw new Error(`${name}: the bootstrapped knowledge base finds nothing`);
      await c.close();
      consoles.splice(consoles.indexOf(c), 1);
      return seconds;
    };
    const size = `${n.articles} FAQ-sized articles (${avgChars} characters of text on average)`;
    metrics['kb_bootstrap_100k.s'] = { value: round(await bootstrap('fresh', true), 2), unit: 's', note: `${size}: the server's snapshot downloaded and adopted, then the pull` };
    metrics['kb_bootstrap_100k.s.pull'] = {
      value: round(await bootstrap('fresh-by-pull', false), 2),
      unit: 's',
      note: `${size} pulled and indexed by the console, pages of 1000, each page one SQLite transaction with the FTS index`,
    };
    const fresh = await open('third', 'op1002', 'qingyu-1002');

    // 3. A change on one console visible on another: push → commit → NOTIFY → poke → pull → applied.
    const watcher = await open('watcher', 'lead01', 'qingyu-1901');
    await watcher.pull.pullNow();
    watcher.pull.start();
    await until(() => watcher.pull.status().live, 'the poke socket');
    const writer = await open('writer', 'op1001', 'qingyu-1001');
    const samples: number[] = [];
    const ticketId = writer.createTicket('dispatched');
    await writer.outbox.syncNow();
    await until(() => !!watcher.db.prepare('SELECT 1 FROM tickets WHERE id = ? AND server_snapshot IS NOT NULL').get(ticketId), 'the ticket on the watcher');
    const notes = () => (watcher.db.prepare("SELECT count(*) AS n FROM ticket_events WHERE ticket_id = ? AND type = 'note'").get(ticketId) as { n: number }).n;
    for (let i = 0; i < n.probes; i++) {
      const before = notes();
      writer.note(ticketId, `第${i}次`);
      t0 = performance.now();
      await writer.outbox.syncNow();
      await until(() => notes() > before, 'the note on the watcher');
      samples.push(performance.now() - t0);
    }
    watcher.pull.stop();
    metrics['change_visible.ms'] = { value: round(percentile(samples, 50), 1), unit: 'ms', note: `median of ${n.probes}; p95 ${round(percentile(samples, 95), 1)} ms; note pushed on one console until it is in the other's SQLite (poke)` };

    // 4. Many consoles syncing every 5 s against one server.
    const tokens = [op.session!, lead.session!, fresh.session!].map((s) => s.token);
    // Consoles that have bootstrapped already: each starts at the server's head. (Asking a pull
    // with since=0&limit=1 gives the first change's version, not the head: this benchmark
    // once had all 500 consoles paging through the whole ticket history, 1,000 at a time.)
    const headClient = new pg.Client({ connectionString: url });
    await headClient.connect();
    const head = Number((await headClient.query<{ version: string }>('SELECT version FROM sync_head WHERE id = 1')).rows[0]!.version);
    await headClient.end();
    const latencies: number[] = [];
    let errors = 0;
    const cpu0 = cpuSeconds(pid);
    const pgPort = new URL(url).port;
    const pgCpu0 = cpuByPid(postgresPids(pgPort));
    let peakRss = rssMb(pid);
    const started = performance.now();
    const end = started + n.seconds * 1000;
    const one = async (k: number) => {
      const token = tokens[k % tokens.length]!;
      let cursor = Math.max(0, head - 5);
      await new Promise((r) => setTimeout(r, (k / n.consoles) * 5000)); // staggered, as real consoles are
      while (performance.now() < end) {
        const t = performance.now();
        try {
          const res = await fetch(`${base}/api/sync/pull?since=${cursor}`, { headers: { authorization: `Bearer ${token}` } });
          const body = (await res.json()) as { nextVersion?: number };
          if (!res.ok) errors++;
          else cursor = body.nextVersion ?? cursor;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, Math.max(0, 5000 - (performance.now() - t))));
      }
    };
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 500);
    // One operator keeps filing tickets meanwhile, so the pulls have something to carry.
    const filing = (async () => {
      while (performance.now() < end) {
        writer.createTicket('closed');
        await writer.outbox.syncNow();
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await Promise.all([...Array.from({ length: n.consoles }, (_, k) => one(k)), filing]);
    clearInterval(rssTimer);
    const wall = (performance.now() - started) / 1000;
    metrics['consoles_500.p99_ms'] = { value: round(percentile(latencies, 99), 1), unit: 'ms', note: `${n.consoles} consoles pulling every 5 s for ${n.seconds} s (${latencies.length} pulls; p50 ${round(percentile(latencies, 50), 1)} ms) while one operator files 5 tickets/s; each console starts at the head, as one that has bootstrapped` };
    metrics['consoles_500.errors'] = { value: errors, unit: 'count' };
    metrics['server.cpu_pct'] = { value: round(((cpuSeconds(pid) - cpu0) / wall) * 100, 1), unit: '%', note: 'of one core, server process during the consoles phase (PostgreSQL not included)' };
    metrics['postgres.cpu_pct'] = { value: round((cpuSince(pgCpu0, cpuByPid(postgresPids(pgPort))) / wall) * 100, 1), unit: '%', note: `of one core, all of PostgreSQL's processes during the consoles phase (${pgCpu0.size} at its start)` };
    metrics['server.rss.mb'] = { value: round(peakRss, 1), unit: 'MB', note: 'peak resident memory of the server process' };
  } finally {
    for (const c of consoles) await c.close();
    await server.kill();
    await cluster.stop();
    tmp.cleanup();
  }
  return { suite: 'sync', date: new Date().toISOString(), machine: machine(), params: { ...n, quick, database: 'postgresql' }, metrics };
}
