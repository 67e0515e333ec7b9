import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane); the library's default
// algorithm is argon2id, which hashPassword checks rather than trusts.
const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export async function hashPassword(password: string): Promise<string> {
  const phc = await hash(password, PARAMS);
  if (!phc.startsWith('$argon2id$')) throw new Error('password hashing did not produce argon2id');
  return phc;
}

/** False for a wrong password and for a stored hash that cannot be read. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password, verified against when the username is
 * unknown, so an unknown user costs as much time as a wrong password.
 */
export function makeDummyHash(): Promise<string> {
  return hashPassword(randomBytes(24).toString('base64url'));
}
