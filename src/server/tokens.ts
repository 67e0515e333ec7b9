import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { Role } from '../shared/auth';

const ISSUER = 'qingyu-server';
const AUDIENCE = 'qingyu-console';

/** One operator shift. */
export const DEFAULT_TOKEN_TTL_SECONDS = 12 * 60 * 60;

const MIN_SECRET_BYTES = 32;

export function secretKey(secret: Uint8Array | string): Uint8Array {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (key.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`the token secret must be at least ${MIN_SECRET_BYTES} bytes (HS256); set QINGYU_TOKEN_SECRET to a long random string`);
  }
  return key;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export async function issueToken(key: Uint8Array, user: { id: string; role: Role }, ttlSeconds: number, now = new Date()): Promise<IssuedToken> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ttlSeconds;
  const token = await new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
  return { token, expiresAt: new Date(exp * 1000) };
}

const Claims = z.object({ sub: z.uuid(), role: Role });

export type TokenCheck = { ok: true; userId: string } | { ok: false; reason: 'token_expired' | 'unauthenticated' };

/** Only HS256 signed with our key, by us, for the console, not expired. */
export async function checkToken(key: Uint8Array, token: string): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['exp', 'sub'] });
    const claims = Claims.safeParse(payload);
    if (!claims.success) return { ok: false, reason: 'unauthenticated' };
    return { ok: true, userId: claims.data.sub };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: 'token_expired' };
    return { ok: false, reason: 'unauthenticated' };
  }
}
