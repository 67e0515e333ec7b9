import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TOKEN_SECRET = 'sync-fault-tests-secret-of-32-bytes-or-more';

/** The central server as a real process (`node --import tsx src/server/main.ts`) on a PostgreSQL URL. */
export class ServerProcess {
  child: ChildProcess | null = null;
  port = 0;
  constructor(
    private readonly databaseUrl: string,
    private readonly env: Record<string, string> = {},
  ) {}

  async start(): Promise<number> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: ROOT,
      // No knowledge-base snapshot builds unless a test asks for them (QINGYU_KB_SNAPSHOT_DELAY_MS).
      env: { ...process.env, DATABASE_URL: this.databaseUrl, PORT: '0', QINGYU_TOKEN_SECRET: TOKEN_SECRET, QINGYU_KB_SNAPSHOT_DELAY_MS: '86400000', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let out = '';
    this.port = await new Promise<number>((resolve, reject) => {
      const onData = (d: Buffer) => {
        out += String(d);
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (d) => (out += String(d)));
      child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
    });
    return this.port;
  }

  /** SIGKILL: no shutdown, no flushing, open transactions die with the connection. */
  async kill(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }
}

/**
 * A TCP proxy between consoles and the server, to cut the link: `cut()`
 * drops every open connection at once (requests in flight die mid-way), and
 * `down` refuses new ones until it is brought up again.
 */
export class LinkProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  down = false;

  constructor(public target: () => number) {
    this.server = net.createServer((client) => {
      if (this.down) return void client.destroy();
      const upstream = net.connect(this.target(), '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  cut() {
    for (const s of this.sockets) s.destroy();
  }

  async close() {
    this.cut();
    await new Promise((r) => this.server.close(r));
  }
}
