import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consoleWebPreferences, CONTENT_SECURITY_POLICY, IpcInvoke, isNavigationAllowed, isPermissionAllowed, isTrustedSender } from '../../electron/security';

const app = 'file:///opt/qingyu/resources/app.asar/dist/renderer/';

describe('the Electron shell', () => {
  it('runs the renderer isolated, sandboxed, without Node, and never throttled in the background', () => {
    expect(consoleWebPreferences('/p/preload.cjs')).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, backgroundThrottling: false, webSecurity: true });
  });

  it('grants the microphone and nothing else', () => {
    expect(isPermissionAllowed('media', { mediaTypes: ['audio'] })).toBe(true);
    expect(isPermissionAllowed('media', { mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(isPermissionAllowed('media', { mediaTypes: ['video'] })).toBe(false);
    for (const p of ['geolocation', 'notifications', 'display-capture', 'clipboard-read', 'openExternal', 'midi']) expect(isPermissionAllowed(p), p).toBe(false);
  });

  it('answers IPC only from its own pages and blocks navigation elsewhere', () => {
    expect(isTrustedSender(app + 'index.html', app)).toBe(true);
    expect(isTrustedSender('https://evil.example/', app)).toBe(false);
    expect(isTrustedSender(undefined, app)).toBe(false);
    expect(isNavigationAllowed('https://evil.example/', app)).toBe(false);
    expect(isNavigationAllowed('file:///etc/passwd', app)).toBe(false);
  });

  it('accepts only host API methods over IPC', () => {
    expect(IpcInvoke.safeParse({ method: 'app.info', params: {} }).success).toBe(true);
    expect(IpcInvoke.safeParse({ method: 'fs.readFile', params: {} }).success).toBe(false);
    expect(IpcInvoke.safeParse({ method: 'app.info', params: {}, __proto__x: 1 }).success).toBe(false);
  });

  it('has a strict CSP: no inline or remote scripts, no plugins', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
  });

  it('the preload exposes only the host bridge', () => {
    const src = fs.readFileSync('electron/preload.ts', 'utf8');
    expect(src.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(src).not.toMatch(/require\(|ipcRenderer\.send\(|exposeInMainWorld\('ipcRenderer'/);
  });
});
