import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { PokeMessage } from '../shared/sync-changes';
import { CHANGES_CHANNEL } from './changes';
import type { Db } from './db';
import type { UserRow } from './users';

const PING_MS = 25_000;
/** Commits closer together than this are announced once. */
const COALESCE_MS = 20;

/**
 * `GET /api/sync/poke` (WebSocket, same bearer token as every route): the
 * server says "pull" after changes commit. Commits are heard through the
 * database's NOTIFY (PGlite in process, PostgreSQL from any instance), so a
 * console connected to one instance hears of a change made through another.
 * A poke carries no data: the console pulls its own scope.
 */
export async function registerPoke(app: FastifyInstance, db: Db, userOf: (req: FastifyRequest) => UserRow) {
  const sockets = new Set<WebSocket>();
  let head = 0;
  let pending: NodeJS.Timeout | null = null;

  const broadcast = () => {
    pending = null;
    const msg = JSON.stringify({ type: 'poke', version: head } satisfies PokeMessage);
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(msg);
  };
  const stopListening = await db.listen(CHANGES_CHANNEL, (payload) => {
    // '' = the listening connection was lost and is back: something may have been missed.
    const v = Number(payload);
    if (Number.isFinite(v) && v > head) head = v;
    pending ??= setTimeout(broadcast, COALESCE_MS);
  });
  const ping = setInterval(() => {
    for (const s of sockets) if (s.readyState === s.OPEN) s.ping();
  }, PING_MS);
  ping.unref();

  app.addHook('onClose', async () => {
    clearInterval(ping);
    if (pending) clearTimeout(pending);
    for (const s of sockets) s.terminate();
    await stopListening().catch(() => {}); // the database may already be closed
  });

  await app.register(websocket, { options: { maxPayload: 1024 } });
  app.get('/api/sync/poke', { websocket: true }, (socket, req) => {
    userOf(req); // the onRequest hook authenticated the upgrade
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
    socket.on('message', () => {}); // consoles do not talk on this socket
    socket.send(JSON.stringify({ type: 'poke', version: head } satisfies PokeMessage));
  });
}
