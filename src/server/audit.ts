import type { Queryable } from './db';

export type AuditAction = 'login.succeeded' | 'login.failed' | 'login.refused' | 'reference.updated' | 'caller_history.viewed' | 'tickets.searched' | 'kb.published' | 'kb.retired';

/** Append one line to the audit trail. */
export async function audit(db: Queryable, action: AuditAction, userId: string | null, detail: Record<string, unknown> = {}): Promise<void> {
  await db.query('INSERT INTO audit_log (user_id, action, detail) VALUES ($1, $2, $3::jsonb)', [userId, action, JSON.stringify(detail)]);
}
