import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { HostRequest } from '../../shared/host-api';
import type { ConsoleHost } from '../host';

export interface BrowserModeOptions {
  host: ConsoleHost;
  /** Folder with the built renderer (vite build output). */
  rendererDir: string;
  port?: number;
  /** Loopback only: the token is the only guard, so never listen wider. */
  bindHost?: '127.0.0.1' | '::1';
  token?: string;
}

export interface BrowserMode {
  app: FastifyInstance;
  url: string;
  token: string;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Browser mode: serve the built console and carry the host API over a
 * loopback WebSocket guarded by a per-launch token. Same contract, same
 * validation as Electron IPC.
 */
export async function serveBrowserMode(opts: BrowserModeOptions): Promise<BrowserMode> {
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url');
  const bindHost = opts.bindHost ?? '127.0.0.1';
  if (!fs.existsSync(opts.rendererDir)) {
    throw new Error(`renderer not built: ${opts.rendererDir} is missing (run \`npm run build\`)`);
  }
  const app = Fastify({ logger: false });
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });
  await app.register(fastifyStatic, { root: opts.rendererDir, index: 'index.html' });

  const sockets = new Set<{ send(data: string): void }>();
  const unsubscribe = opts.host.on((event, payload) => {
    const msg = JSON.stringify({ event, payload });
    for (const s of sockets) s.send(msg);
  });

  app.get('/host', { websocket: true }, (socket, req) => {
    const given = new URL(req.url, 'http://x').searchParams.get('token') ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
      socket.close(4401, 'invalid token');
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      void (async () => {
        let parsed;
        try {
          parsed = isBinary ? null : HostRequest.safeParse(JSON.parse(data.toString('utf8')));
        } catch {
          parsed = null;
        }
        if (!parsed?.success) {
          socket.send(JSON.stringify({ id: null, ok: false, error: { code: 'bad_request', message: '消息格式不正确，已忽略' } }));
          return;
        }
        const { id, method, params } = parsed.data;
        const result = await opts.host.dispatch(method, params);
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ id, ...result }));
      })();
    });
  });

  const address = await app.listen({ host: bindHost, port: opts.port ?? 0 });
  const base = address.replace('[::1]', 'localhost');
  return {
    app,
    token,
    url: `${base}/?token=${token}`,
    close: async () => {
      unsubscribe();
      await app.close();
    },
  };
}
