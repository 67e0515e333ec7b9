import { v7 as uuidv7 } from 'uuid';
import { create } from 'zustand';
import type { CallerHistory, ConsoleReference, DuplicateCandidate, TicketEventItem, TicketListItem } from '../../../src/shared/host-api-tickets';
import { createReference, defaultWorkCalendar, type Reference, type WorkCalendar } from '../../../src/shared/ticket/index';
import { host, HostCallError } from '../host-client';

/** What the operator types into the ticket form; saved as the draft on every change. */
export interface TicketFormValues {
  anonymous: boolean;
  callerName: string;
  callbackPhone: string;
  requestType: string | null;
  categoryId: string | null;
  divisionCode: string | null;
  address: string;
  description: string;
  urgency: '一般' | '紧急' | '特急';
  kbArticleIds: string[];
  outcomeKind: 'dispatched' | 'closed_on_call';
  answer: string;
  /** The operator's choice of unit; null keeps the suggestion. */
  unitId: string | null;
}

export const emptyValues = (callbackPhone = ''): TicketFormValues => ({
  anonymous: false,
  callerName: '',
  callbackPhone,
  requestType: null,
  categoryId: null,
  divisionCode: null,
  address: '',
  description: '',
  urgency: '一般',
  kbArticleIds: [],
  outcomeKind: 'dispatched',
  answer: '',
  unitId: null,
});

export interface DraftState {
  id: string;
  callId: string | null;
  callerNumber: string | null;
  values: TicketFormValues;
  /** Has the operator typed anything (then it is saved)? */
  dirty: boolean;
  restoredAt: string | null;
}

export interface ReferenceState {
  current: ConsoleReference;
  reference: Reference;
  calendar: WorkCalendar;
}

interface TicketStore {
  ref: ReferenceState | null;
  draft: DraftState;
  errors: Record<string, string>;
  formError: string | null;
  submitting: boolean;
  /** The last ticket filed from this console window. */
  filed: TicketListItem | null;
  /** The ticket the last repeat call was merged into, with its history. */
  merged: { ticket: TicketListItem; events: TicketEventItem[] } | null;
  /** The duplicate the operator is about to merge the call into (the confirmation is open). */
  mergeTarget: DuplicateCandidate | null;
  merging: boolean;
  history: { phone: string; data: CallerHistory | null; loading: boolean } | null;
  duplicates: DuplicateCandidate[];
  savedAt: string | null;
  otherDrafts: number;
}

const newDraft = (callId: string | null = null, callerNumber: string | null = null): DraftState => ({
  id: uuidv7(),
  callId,
  callerNumber,
  values: emptyValues(callerNumber ?? ''),
  dirty: false,
  restoredAt: null,
});

export const useTickets = create<TicketStore>(() => ({
  ref: null,
  draft: newDraft(),
  errors: {},
  formError: null,
  submitting: false,
  filed: null,
  merged: null,
  mergeTarget: null,
  merging: false,
  history: null,
  duplicates: [],
  savedAt: null,
  otherDrafts: 0,
}));

function buildRef(current: ConsoleReference): ReferenceState {
  return { current, reference: createReference(current.bundle.data), calendar: defaultWorkCalendar(current.bundle.calendarYears) };
}

export async function loadReference(refresh = false) {
  try {
    const current = await host.call('tickets.reference', { refresh });
    const prev = useTickets.getState().ref;
    if (!prev || prev.current.bundle.version !== current.bundle.version || prev.current.source !== current.source) useTickets.setState({ ref: buildRef(current) });
    else useTickets.setState({ ref: { ...prev, current } });
  } catch {}
}

let refTimer: ReturnType<typeof setInterval> | null = null;

/** After login: reference data (cached, then the server's), and any draft left by a console that was closed or killed. */
export async function startTickets() {
  await loadReference();
  void loadReference(true);
  if (refTimer) clearInterval(refTimer);
  refTimer = setInterval(() => void loadReference(), 60_000);
  try {
    const drafts = await host.call('tickets.drafts', {});
    const last = drafts[0];
    if (last) {
      useTickets.setState({
        draft: { id: last.id, callId: last.callId, callerNumber: last.callerNumber, values: { ...emptyValues(), ...(last.data as Partial<TicketFormValues>) }, dirty: true, restoredAt: last.updatedAt },
        otherDrafts: drafts.length - 1,
      });
    }
  } catch {}
}

// ---------------------------------------------------------------------------
// Drafts: saved on every change (debounced), on blur and when the page goes away
// ---------------------------------------------------------------------------

export const DRAFT_SAVE_DELAY_MS = 250;
let saveTimer: ReturnType<typeof setTimeout> | null = null;

export function flushDraft() {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  const { draft } = useTickets.getState();
  if (!draft.dirty) return;
  host
    .call('tickets.saveDraft', { id: draft.id, callId: draft.callId, callerNumber: draft.callerNumber, data: { ...draft.values } })
    .then((r) => useTickets.setState({ savedAt: r.updatedAt }))
    .catch(() => {});
}

export function setValues(patch: Partial<TicketFormValues>) {
  useTickets.setState((s) => {
    const errors = { ...s.errors };
    for (const k of Object.keys(patch)) {
      delete errors[k];
      if (k === 'outcomeKind' || k === 'answer' || k === 'unitId') for (const e of Object.keys(errors)) if (e.startsWith('outcome')) delete errors[e];
      if (k === 'anonymous') {
        delete errors.callerName;
        delete errors.callbackPhone;
      }
    }
    return { draft: { ...s.draft, values: { ...s.draft.values, ...patch }, dirty: true }, errors };
  });
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(flushDraft, DRAFT_SAVE_DELAY_MS);
}

if (typeof window !== 'undefined') {
  window.addEventListener('beforeunload', flushDraft);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flushDraft());
}

/** A call rings: show the caller's history and bind a fresh draft to the call (the current one, if typed into, is kept as a draft). */
export function onIncomingCall(callId: string, remoteNumber: string) {
  const { draft } = useTickets.getState();
  if (draft.callId !== callId) {
    flushDraft();
    if (draft.dirty) useTickets.setState((s) => ({ otherDrafts: s.otherDrafts + 1 }));
    useTickets.setState({ draft: newDraft(callId, remoteNumber || null), errors: {}, formError: null, filed: null, merged: null, duplicates: [] });
  }
  void loadHistory(remoteNumber);
}

/** The caller's history: the local cache at once, then the server's answer. */
export async function loadHistory(phone: string) {
  if (!phone) {
    useTickets.setState({ history: null });
    return;
  }
  useTickets.setState({ history: { phone, data: null, loading: true } });
  const apply = (data: CallerHistory, loading: boolean) => {
    if (useTickets.getState().history?.phone === phone) useTickets.setState({ history: { phone, data, loading } });
  };
  try {
    apply(await host.call('tickets.callerHistory', { phone, remote: false }), true);
    apply(await host.call('tickets.callerHistory', { phone, remote: true }), false);
  } catch {
    const h = useTickets.getState().history;
    if (h?.phone === phone) useTickets.setState({ history: { ...h, loading: false } });
  }
}

export function newBlankDraft() {
  flushDraft();
  const { draft } = useTickets.getState();
  if (draft.dirty) useTickets.setState((s) => ({ otherDrafts: s.otherDrafts + 1 }));
  useTickets.setState({ draft: newDraft(), errors: {}, formError: null, duplicates: [] });
}

export async function openDraft(id: string) {
  flushDraft();
  const drafts = await host.call('tickets.drafts', {});
  const d = drafts.find((x) => x.id === id);
  if (!d) return;
  useTickets.setState({
    draft: { id: d.id, callId: d.callId, callerNumber: d.callerNumber, values: { ...emptyValues(), ...(d.data as Partial<TicketFormValues>) }, dirty: true, restoredAt: d.updatedAt },
    otherDrafts: drafts.length - 1,
    errors: {},
    formError: null,
  });
}

export async function discardDraft() {
  const { draft } = useTickets.getState();
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  await host.call('tickets.discardDraft', { id: draft.id }).catch(() => {});
  useTickets.setState({ draft: newDraft(draft.callId, draft.callerNumber), errors: {}, formError: null, duplicates: [] });
}

/** What the form submits: the shared TicketDraft's shape; the host validates and plans it. */
export function toDraftInput(d: DraftState) {
  const v = d.values;
  return {
    callId: d.callId ?? undefined,
    anonymous: v.anonymous,
    callerName: v.callerName || undefined,
    callbackPhone: v.callbackPhone || undefined,
    requestType: v.requestType ?? undefined,
    categoryId: v.categoryId ?? undefined,
    divisionCode: v.divisionCode ?? undefined,
    address: v.address || undefined,
    description: v.description,
    urgency: v.urgency,
    kbArticleIds: v.kbArticleIds,
    outcome: v.outcomeKind === 'closed_on_call' ? { kind: 'closed_on_call', answer: v.answer } : { kind: 'dispatched', unitId: v.unitId ?? '' },
  };
}

export async function submitTicket(): Promise<boolean> {
  const s = useTickets.getState();
  if (s.submitting) return false;
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  useTickets.setState({ submitting: true, formError: null });
  try {
    const r = await host.call('tickets.create', { draftId: s.draft.dirty ? s.draft.id : null, callerNumber: s.draft.callerNumber, draft: toDraftInput(s.draft) });
    useTickets.setState({ filed: r.ticket, merged: null, draft: newDraft(s.draft.callId, s.draft.callerNumber), errors: {}, duplicates: [], submitting: false });
    if (s.draft.callerNumber) void loadHistory(s.draft.callerNumber);
    return true;
  } catch (e) {
    const err = e as HostCallError;
    if (err.code !== 'invalid_input') flushDraft();
    useTickets.setState({ errors: err.fields ?? {}, formError: err.message, submitting: false });
    return false;
  }
}

/** The filed ticket's number arrives with the sync: refresh it when the sync status changes. */
export async function refreshFiled() {
  const f = useTickets.getState().filed;
  if (!f || f.number) return;
  try {
    const d = await host.call('tickets.get', { id: f.id });
    if (useTickets.getState().filed?.id === f.id) useTickets.setState({ filed: d.ticket });
  } catch {}
}

let dupTimer: ReturnType<typeof setTimeout> | null = null;
/** Possible duplicates while the operator types (same number; same category near the same place). */
export function checkDuplicates() {
  if (dupTimer) clearTimeout(dupTimer);
  dupTimer = setTimeout(() => {
    const { draft } = useTickets.getState();
    const v = draft.values;
    const phones = [...new Set([draft.callerNumber, v.callbackPhone].filter((p): p is string => !!p && p.length >= 5))];
    if (!phones.length && !v.categoryId) return useTickets.setState({ duplicates: [] });
    host
      .call('tickets.duplicates', { phones, categoryId: v.categoryId, divisionCode: v.divisionCode, address: v.address || null })
      .then((duplicates) => useTickets.setState({ duplicates }))
      .catch(() => {});
  }, 300);
}

// ---------------------------------------------------------------------------
// Repeat calls (重复来电): merge the call into an open ticket instead of filing it again
// ---------------------------------------------------------------------------

/** Ask to merge the current call into this open ticket (the confirmation shows its number and the masked phone). */
export function askMerge(target: DuplicateCandidate) {
  const { draft } = useTickets.getState();
  if (!draft.values.description.trim()) {
    useTickets.setState({ errors: { ...useTickets.getState().errors, description: '请填写来电人本次反映的内容' }, formError: '请先在“诉求内容”中记下来电人本次反映的内容，再合并' });
    return false;
  }
  useTickets.setState({ mergeTarget: target, formError: null });
  return true;
}

export function cancelMerge() {
  useTickets.setState({ mergeTarget: null });
}

/**
 * Merge: the draft is saved as it stands, then the host appends it to the
 * ticket as a repeat call (with the outbox entry) and removes it; the form
 * starts afresh for the next call.
 */
export async function confirmMerge(): Promise<boolean> {
  const s = useTickets.getState();
  const target = s.mergeTarget;
  if (!target || s.merging) return false;
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  useTickets.setState({ merging: true, formError: null });
  try {
    await host.call('tickets.saveDraft', { id: s.draft.id, callId: s.draft.callId, callerNumber: s.draft.callerNumber, data: { ...s.draft.values } });
    const r = await host.call('tickets.mergeDraft', { draftId: s.draft.id, ticketId: target.ticket.id });
    useTickets.setState({ merged: r, filed: null, mergeTarget: null, merging: false, draft: newDraft(s.draft.callId, s.draft.callerNumber), errors: {}, duplicates: [] });
    if (s.draft.callerNumber) void loadHistory(s.draft.callerNumber);
    return true;
  } catch (e) {
    const err = e as HostCallError;
    useTickets.setState({ errors: err.fields ?? {}, formError: err.message, mergeTarget: null, merging: false });
    return false;
  }
}
