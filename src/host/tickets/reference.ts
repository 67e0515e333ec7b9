import type { ConsoleReference } from '../../shared/host-api-tickets';
import { defaultWorkCalendar, type WorkCalendar } from '../../shared/ticket/calendar';
import { createReference, demoReferenceData, type Reference } from '../../shared/ticket/reference';
import { ReferenceBundle, type Division } from '../../shared/ticket-wire';
import type { HostContext } from '../context';

/**
 * The reference data the console files tickets against: the last bundle the
 * server sent (kept in SQLite, so it holds while offline), or, on a console
 * that has never synced, the shipped demo data, which the UI says it is.
 */

export interface ReferenceTools {
  current: ConsoleReference;
  reference: Reference;
  calendar: WorkCalendar;
  divisions: Map<string, Division>;
}

/** The demo data as a bundle (version 0): its fictitious district and the streets named by its units. */
export function defaultBundle(): ReferenceBundle {
  const data = demoReferenceData();
  const towns = data.units.filter((u) => u.divisionCode);
  const districtCode = towns[0]?.divisionCode?.slice(0, 6) ?? '990101';
  const divisions: Division[] = [
    { code: districtCode, name: '示例区', parentCode: null, level: 'district' },
    ...towns.map((u) => ({ code: u.divisionCode!, name: u.name, parentCode: districtCode, level: 'town' as const })),
  ];
  return ReferenceBundle.parse({
    version: 0,
    updatedAt: new Date(0).toISOString(),
    district: { code: districtCode, name: '示例区', fullName: '示例区（演示数据）' },
    data,
    divisions,
    calendarYears: [],
  });
}

const REFRESH_EVERY_MS = 5 * 60_000;

export class ReferenceCache {
  private tools: ReferenceTools | null = null;
  private lastAttempt = 0;
  private inFlight: Promise<void> | null = null;

  constructor(private readonly ctx: HostContext) {}

  private read(): ConsoleReference {
    const row = this.ctx.db.prepare('SELECT bundle, synced_at FROM reference_cache WHERE id = 1').get() as { bundle: string; synced_at: string } | undefined;
    if (row) {
      const parsed = ReferenceBundle.safeParse(JSON.parse(row.bundle));
      if (parsed.success) return { bundle: parsed.data, source: 'server', syncedAt: row.synced_at };
    }
    return { bundle: defaultBundle(), source: 'default', syncedAt: null };
  }

  /** Look-ups over the current bundle (rebuilt only when the version changes). */
  get(): ReferenceTools {
    if (!this.tools) {
      const current = this.read();
      this.tools = {
        current,
        reference: createReference(current.bundle.data),
        calendar: defaultWorkCalendar(current.bundle.calendarYears),
        divisions: new Map(current.bundle.divisions.map((d) => [d.code, d])),
      };
    }
    return this.tools;
  }

  /** Ask the server for a newer bundle; offline or logged out, keep the cache. Resolves when done. */
  refresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.lastAttempt = Date.now();
    this.inFlight = (async () => {
      const session = this.ctx.session();
      if (!session) return;
      const current = this.get().current;
      const since = current.source === 'server' ? current.bundle.version : null;
      try {
        const bundle = await this.ctx.server.reference(session.token, since);
        const now = new Date().toISOString();
        if (bundle) {
          this.ctx.db
            .prepare('INSERT INTO reference_cache (id, version, bundle, synced_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, bundle = excluded.bundle, synced_at = excluded.synced_at')
            .run(bundle.version, JSON.stringify(bundle), now);
          this.tools = null;
        } else if (current.source === 'server') {
          this.ctx.db.prepare('UPDATE reference_cache SET synced_at = ? WHERE id = 1').run(now);
          this.tools = null;
        }
      } catch {
        // Offline: the cached bundle (or the defaults) stands; the sync indicator already says why.
      }
    })().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Refresh in the background when the last attempt is old (or the console has never synced). */
  refreshIfDue() {
    const due = Date.now() - this.lastAttempt > (this.get().current.source === 'default' ? 10_000 : REFRESH_EVERY_MS);
    if (due) void this.refresh();
  }
}
