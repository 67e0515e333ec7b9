import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serveBrowserMode, type BrowserMode } from '../../src/host/browser/serve';
import { ConsoleHost } from '../../src/host/host';
import { tempDir } from '../support/tmp';

let tmp: ReturnType<typeof tempDir>;
let host: ConsoleHost;
let mode: BrowserMode;

beforeAll(async () => {
  tmp = tempDir();
  const rendererDir = path.join(tmp.dir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>晴雨</title>');
  host = new ConsoleHost({ dbPath: path.join(tmp.dir, 'c.db'), serverUrl: 'http://127.0.0.1:9', transport: 'browser' });
  mode = await serveBrowserMode({ host, rendererDir, port: 0 });
});
afterAll(async () => {
  await mode.close();
  await host.close();
  tmp.cleanup();
});

function wsUrl(token: string) {
  const u = new URL(mode.url);
  return `ws://${u.host}/host?token=${encodeURIComponent(token)}`;
}

function connect(token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(token));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function next(ws: WebSocket): Promise<any> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))));
}

describe('browser mode', () => {
  it('listens on loopback only and serves the console page', async () => {
    expect(new URL(mode.url).hostname).toBe('127.0.0.1');
    const res = await fetch(new URL('/', mode.url));
    expect(await res.text()).toContain('晴雨');
  });

  it('closes a socket that has no or a wrong launch token', async () => {
    for (const token of ['', 'guess', mode.token + 'x']) {
      const ws = new WebSocket(wsUrl(token));
      const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
      expect(code, `token ${JSON.stringify(token)}`).toBe(4401);
    }
  });

  it('carries the host API with the right token', async () => {
    const ws = await connect(mode.token);
    ws.send(JSON.stringify({ id: 7, method: 'app.info', params: {} }));
    expect(await next(ws)).toEqual({ id: 7, ok: true, result: { version: '0.1.0', transport: 'browser', serverUrl: 'http://127.0.0.1:9' } });
    ws.close();
  });

  it('answers malformed messages with a clear error and keeps the connection usable', async () => {
    const ws = await connect(mode.token);
    for (const bad of ['not json', '{"id":1}', JSON.stringify({ id: 1, method: 'app.info', params: {}, extra: true }), '[]', 'null']) {
      ws.send(bad);
      expect(await next(ws)).toEqual({ id: null, ok: false, error: { code: 'bad_request', message: '消息格式不正确，已忽略' } });
    }
    ws.send(JSON.stringify({ id: 2, method: 'no.such', params: {} }));
    expect(await next(ws)).toMatchObject({ id: 2, ok: false, error: { code: 'unknown_method' } });
    ws.send(JSON.stringify({ id: 3, method: 'sync.status', params: {} }));
    expect(await next(ws)).toMatchObject({ id: 3, ok: true });
    ws.close();
  });
});
