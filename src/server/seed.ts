import type { Role } from '../shared/auth';
import type { Db } from './db';
import { verifyPassword } from './passwords';
import { createUser, findUserByUsername, type NewUser } from './users';

export interface DemoAccount {
  username: string;
  password: string;
  role: Role;
  displayName: string;
  sipExtension: string | null;
}

/** Readable on purpose: they are printed at first start so someone can log in and try the console. */
const DEMO_USERS: readonly NewUser[] = [
  { username: 'op1001', displayName: '王小明', role: 'operator', password: 'qingyu-1001', sipExtension: '1001', sipPassword: 'sip-1001' },
  { username: 'op1002', displayName: '李娜', role: 'operator', password: 'qingyu-1002', sipExtension: '1002', sipPassword: 'sip-1002' },
  { username: 'lead01', displayName: '张班长', role: 'lead', password: 'qingyu-1901', sipExtension: '1901', sipPassword: 'sip-1901' },
];

/** Its own advisory lock: two instances seeding one empty PostgreSQL at once create the accounts once. */
const SEED_LOCK_KEY = 7_464_499;

/**
 * Demo accounts for an empty system: two operators and a shift lead.
 * Does nothing once any user exists; returns the accounts it created.
 */
export async function seedDemo(db: Db): Promise<DemoAccount[]> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  if (rows[0]!.n > 0) return [];
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    const again = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    if (again.rows[0]!.n > 0) return [];
    const created: DemoAccount[] = [];
    for (const u of DEMO_USERS) {
      await createUser(tx, u);
      created.push({ username: u.username, password: u.password, role: u.role, displayName: u.displayName, sipExtension: u.sipExtension ?? null });
    }
    return created;
  });
}

/**
 * The demo accounts that still exist, are enabled and still have their demo
 * password, so `npm start` can print them at every start (and stops printing
 * one as soon as someone changes its password).
 */
export async function usableDemoAccounts(db: Db): Promise<DemoAccount[]> {
  const out: DemoAccount[] = [];
  for (const u of DEMO_USERS) {
    const row = await findUserByUsername(db, u.username);
    if (!row || row.disabled || !(await verifyPassword(row.password_hash, u.password))) continue;
    out.push({ username: u.username, password: u.password, role: u.role, displayName: u.displayName, sipExtension: u.sipExtension ?? null });
  }
  return out;
}
