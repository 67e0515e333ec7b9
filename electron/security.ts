/**
 * The Electron shell's security decisions, as plain functions so they are
 * unit-tested without an Electron binary (see tests/unit/electron-security.test.ts).
 */
import { z } from 'zod';
import { hostApi } from '../src/shared/host-api';

/** Content-Security-Policy for every response the window loads. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // antd's CSS-in-JS injects <style> tags
  "img-src 'self' data:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self' ws: wss: https: http://127.0.0.1:* http://localhost:*", // PBX over WS(S), central server
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** webPreferences of the console window. */
export function consoleWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    spellcheck: false,
    // A hidden or minimised console must keep its SIP registration refreshed.
    backgroundThrottling: false,
  } as const;
}

/** Only the microphone (and choosing the audio output) may be granted; never camera, screen, location, notifications… */
export function isPermissionAllowed(permission: string, details?: { mediaTypes?: string[] }): boolean {
  if (permission === 'speaker-selection') return true;
  if (permission !== 'media') return false;
  const types = details?.mediaTypes ?? ['audio'];
  return types.length > 0 && types.every((t) => t === 'audio');
}

/** IPC is answered only for our own window's top frame loaded from our own files. */
export function isTrustedSender(frameUrl: string | undefined, appUrlPrefix: string): boolean {
  if (!frameUrl) return false;
  return frameUrl.startsWith(appUrlPrefix);
}

/** Navigation away from the console (links in KB articles, drag-dropped URLs) is never allowed. */
export function isNavigationAllowed(targetUrl: string, appUrlPrefix: string): boolean {
  return targetUrl.startsWith(appUrlPrefix);
}

export const IpcInvoke = z
  .object({
    method: z.enum(Object.keys(hostApi) as [keyof typeof hostApi, ...(keyof typeof hostApi)[]]),
    params: z.unknown(),
  })
  .strict();
export type IpcInvoke = z.infer<typeof IpcInvoke>;
