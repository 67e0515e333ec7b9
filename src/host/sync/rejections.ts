import type Database from 'better-sqlite3';
import type { SyncStatus } from '../../shared/host-api';

/** What an operator can do about a change the server refused, by kind of change. */
const ADVICE: Record<string, string> = {
  createTicket: '该工单未被中心受理：请核对分类、承办单位和内容后重新受理，或联系班长处理',
  changeTicket: '工单已按中心的最新状态显示（可能已被他人处理）：请查看工单当前状态后再决定是否重新操作',
  addTicketNote: '备注未能保存到中心：请确认工单仍在本人处理范围内后重新填写',
  mergeRepeatCall: '重复来电未能合并到该工单（可能已办结或不在本人处理范围内）：来电人本次反映的内容已恢复为草稿，请据此新建工单或报班长处理',
  recordCall: '通话记录未被中心接收：请联系技术支持核对',
  recordAgentState: '坐席状态记录未被中心接收：不影响接听，如反复出现请联系技术支持',
};
const DEFAULT_ADVICE = '中心未接受此操作：请记下提示内容并联系班长或技术支持';

const MAX_SHOWN = 20;

export function rejectedItems(db: Database.Database, userId: string | null): NonNullable<SyncStatus['rejectedItems']> {
  if (!userId) return [];
  const rows = db
    .prepare(`SELECT id, name, last_error, created_at FROM outbox WHERE status = 'rejected' AND user_id = ? ORDER BY id DESC LIMIT ${MAX_SHOWN}`)
    .all(userId) as { id: string; name: string; last_error: string | null; created_at: string }[];
  return rows.map((r) => ({ id: r.id, name: r.name, message: r.last_error ?? '中心拒绝了此操作', advice: ADVICE[r.name] ?? DEFAULT_ADVICE, createdAt: r.created_at }));
}
