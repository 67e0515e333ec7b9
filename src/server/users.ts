import { v7 as uuidv7 } from 'uuid';
import type { Role, SipAccount, UserInfo } from '../shared/auth';
import type { Queryable } from './db';
import { hashPassword } from './passwords';

/** A row of `users`. */
export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  sip_extension: string | null;
  sip_password: string | null;
  disabled: boolean;
}

const COLUMNS = 'id, username, display_name, role, password_hash, sip_extension, sip_password, disabled';

export async function findUserByUsername(db: Queryable, username: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [username]);
  return rows[0] ?? null;
}

export async function findUserById(db: Queryable, id: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  password: string;
  sipExtension?: string | null;
  sipPassword?: string | null;
  disabled?: boolean;
}

export async function createUser(db: Queryable, u: NewUser): Promise<UserRow> {
  const passwordHash = await hashPassword(u.password);
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (id, username, display_name, role, password_hash, sip_extension, sip_password, disabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [uuidv7(), u.username, u.displayName, u.role, passwordHash, u.sipExtension ?? null, u.sipPassword ?? null, u.disabled ?? false],
  );
  return rows[0]!;
}

export interface SipSettings {
  wsServer: string;
  domain: string;
}

/** What the console gets about its user: never the password hash. */
export function toUserInfo(u: UserRow, sip: SipSettings): UserInfo {
  const account: SipAccount | null = u.sip_extension
    ? {
        uri: `sip:${u.sip_extension}@${sip.domain}`,
        wsServer: sip.wsServer,
        authorizationUsername: u.sip_extension,
        authorizationPassword: u.sip_password ?? '',
        displayName: u.display_name,
      }
    : null;
  return { id: u.id, username: u.username, displayName: u.display_name, role: u.role, sip: account };
}
