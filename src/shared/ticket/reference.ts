/**
 * Reference data the ticket form stands on: request types, the category tree
 * (诉求分类; each leaf suggests a handling unit and a deadline rule) and the
 * linkage units (联动单位, tier 1 on 24-hour duty, tier 2 on working days).
 * The JSON beside this file is demo data for a fictitious district (示例区);
 * a center imports its own, validated by the same schemas. The operator finds
 * a category by typing part of its name, a keyword (没水 → 停水) or its
 * pinyin initials (ts → 停水), so a category search lives here too.
 */
import { pinyin } from 'pinyin-pro';
import { z } from 'zod';
import categoriesJson from './reference-categories.json' with { type: 'json' };
import unitsJson from './reference-units.json' with { type: 'json' };
import { DeadlineRule } from './deadline';
import type { RequestType } from './vocabulary';

// ---------------------------------------------------------------------------
// Request types
// ---------------------------------------------------------------------------

export const REQUEST_TYPE_OPTIONS: readonly { value: RequestType; label: string; hint: string }[] = [
  { value: '咨询', label: '咨询', hint: '询问政策、办事流程' },
  { value: '求助', label: '求助', hint: '遇到困难请求帮助，如停水停电' },
  { value: '投诉', label: '投诉', hint: '对单位或个人的不满，要求处理' },
  { value: '举报', label: '举报', hint: '反映违法违规行为' },
  { value: '建议', label: '建议', hint: '对工作提出意见建议' },
  { value: '表扬', label: '表扬/感谢', hint: '表扬、感谢' },
  { value: '其他', label: '其他', hint: '以上都不是' },
];

// ---------------------------------------------------------------------------
// Linkage units
// ---------------------------------------------------------------------------

export const LinkageUnit = z.object({
  id: z.string().min(1, { error: '单位编号不能为空' }),
  name: z.string().min(1, { error: '单位名称不能为空' }).max(50, { error: '单位名称不超过50字' }),
  kind: z.enum(['department', 'street', 'town', 'enterprise'], { error: '单位类型应为部门、街道、镇或企业' }),
  /** 1: 一级联动, a team on 24-hour duty; 2: 二级联动, a duty phone on working days. */
  tier: z.union([z.literal(1), z.literal(2)], { error: '联动级别应为1或2' }),
  duty: z.enum(['24h', 'working_days'], { error: '值守方式应为24小时或工作日' }),
  /** For streets and towns: their 9-digit division code. */
  divisionCode: z.string().regex(/^\d{9}$/, { error: '街道/镇的区划代码应为9位数字' }).optional(),
});
export type LinkageUnit = z.infer<typeof LinkageUnit>;

export const LINKAGE_TIER_LABELS = { 1: '一级联动单位', 2: '二级联动单位' } as const;

// ---------------------------------------------------------------------------
// Categories
// ---------------------------------------------------------------------------

export interface Category {
  id: string;
  name: string;
  children?: Category[];
  /** Leaves: the unit suggested for dispatch. */
  defaultUnitId?: string;
  /** Leaves: the deadline rule. */
  deadline?: DeadlineRule;
  /** Words callers use for it (没水, 断水 for 停水). */
  keywords?: string[];
  /** Leaves: dispatch to the street/town of the caller's address when known. */
  unitByDivision?: boolean;
}

export const Category: z.ZodType<Category> = z.lazy(() =>
  z
    .object({
      id: z.string().min(1, { error: '分类编号不能为空' }),
      name: z.string().min(1, { error: '分类名称不能为空' }).max(30, { error: '分类名称不超过30字' }),
      children: z.array(Category).min(1, { error: '分类下至少要有一个子分类' }).optional(),
      defaultUnitId: z.string().min(1).optional(),
      deadline: DeadlineRule.optional(),
      keywords: z.array(z.string().min(1)).optional(),
      unitByDivision: z.boolean().optional(),
    })
    .superRefine((c, ctx) => {
      if (c.children) return;
      if (!c.defaultUnitId) ctx.addIssue({ code: 'custom', path: ['defaultUnitId'], message: `末级分类“${c.name}”须指定默认承办单位` });
      if (!c.deadline) ctx.addIssue({ code: 'custom', path: ['deadline'], message: `末级分类“${c.name}”须指定办理时限` });
    }),
);

export const ReferenceData = z
  .object({
    demo: z.boolean().default(false),
    units: z.array(LinkageUnit),
    categories: z.array(Category),
  })
  .superRefine((data, ctx) => {
    const unitIds = new Set<string>();
    data.units.forEach((u, i) => {
      if (unitIds.has(u.id)) ctx.addIssue({ code: 'custom', path: ['units', i, 'id'], message: `单位编号 ${u.id} 重复` });
      unitIds.add(u.id);
    });
    const categoryIds = new Set<string>();
    const walk = (nodes: Category[], path: (string | number)[]) =>
      nodes.forEach((c, i) => {
        const here = [...path, i];
        if (categoryIds.has(c.id)) ctx.addIssue({ code: 'custom', path: [...here, 'id'], message: `分类编号 ${c.id} 重复` });
        categoryIds.add(c.id);
        if (c.defaultUnitId && !unitIds.has(c.defaultUnitId)) {
          ctx.addIssue({ code: 'custom', path: [...here, 'defaultUnitId'], message: `分类“${c.name}”的默认承办单位 ${c.defaultUnitId} 不存在` });
        }
        if (c.children) walk(c.children, [...here, 'children']);
      });
    walk(data.categories, ['categories']);
  });
export type ReferenceData = z.infer<typeof ReferenceData>;

/** The demo district's data shipped beside this file. */
export function demoReferenceData(): ReferenceData {
  return ReferenceData.parse({ demo: true, units: unitsJson.units, categories: categoriesJson.categories });
}

// ---------------------------------------------------------------------------
// Looking things up
// ---------------------------------------------------------------------------

export interface CategoryHit {
  category: Category;
  /** Names from the top: ['水电气暖', '停水']. */
  path: string[];
  leaf: boolean;
  /** Higher is better. */
  score: number;
}

export interface DispatchSuggestion {
  unit: LinkageUnit;
  rule: DeadlineRule;
  /** 'division': the street/town of the address; 'category': the leaf's default. */
  source: 'division' | 'category';
}

export interface Reference {
  readonly data: ReferenceData;
  unit(id: string): LinkageUnit | undefined;
  category(id: string): Category | undefined;
  /** Names from the top to this category. */
  pathOf(id: string): string[];
  /** Leaves only, in tree order. */
  leaves(): Category[];
  searchCategories(query: string, limit?: number): CategoryHit[];
  /** Which unit and rule a leaf suggests for an address in `divisionCode`. */
  suggestDispatch(categoryId: string, divisionCode?: string): DispatchSuggestion | undefined;
}

interface Indexed {
  category: Category;
  path: string[];
  leaf: boolean;
  /** Lower-case texts to match Chinese against: name and keywords. */
  words: string[];
  /** Pinyin initials of name and keywords ('ts' for 停水), and their full pinyin without spaces. */
  initials: string[];
  spelled: string[];
}

function initialsOf(text: string): string {
  return pinyin(text, { pattern: 'first', toneType: 'none', type: 'array' })
    .join('')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

function spelledOf(text: string): string {
  return pinyin(text, { toneType: 'none', type: 'array', v: true })
    .join('')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** Build look-ups over reference data. */
export function createReference(data: ReferenceData): Reference {
  const units = new Map(data.units.map((u) => [u.id, u]));
  const townByCode = new Map(data.units.filter((u) => u.divisionCode).map((u) => [u.divisionCode!, u]));
  const index: Indexed[] = [];
  const byId = new Map<string, Indexed>();
  const walk = (nodes: Category[], parents: string[]) => {
    for (const c of nodes) {
      const path = [...parents, c.name];
      const texts = [c.name, ...(c.keywords ?? [])];
      const entry: Indexed = {
        category: c,
        path,
        leaf: !c.children,
        words: texts.map((t) => t.toLowerCase()),
        initials: texts.map(initialsOf),
        spelled: texts.map(spelledOf),
      };
      index.push(entry);
      byId.set(c.id, entry);
      if (c.children) walk(c.children, path);
    }
  };
  walk(data.categories, []);

  function score(entry: Indexed, q: string, latin: boolean): number {
    let best = 0;
    const bump = (n: number) => {
      if (n > best) best = n;
    };
    entry.words.forEach((w, i) => {
      const weight = i === 0 ? 1 : 0.8; // the name above its keywords
      if (w === q) bump(100 * weight);
      else if (w.startsWith(q)) bump(80 * weight);
      else if (w.includes(q)) bump(60 * weight);
    });
    if (latin) {
      entry.initials.forEach((w, i) => {
        const weight = i === 0 ? 1 : 0.8;
        if (w === q) bump(70 * weight);
        else if (w.startsWith(q)) bump(50 * weight);
        else if (q.length >= 2 && w.includes(q)) bump(30 * weight);
      });
      entry.spelled.forEach((w, i) => {
        const weight = i === 0 ? 1 : 0.8;
        if (q.length >= 2 && w.startsWith(q)) bump(45 * weight);
        else if (q.length >= 3 && w.includes(q)) bump(25 * weight);
      });
    }
    if (best > 0 && entry.leaf) best += 5; // the operator needs a leaf
    return best;
  }

  return {
    data,
    unit: (id) => units.get(id),
    category: (id) => byId.get(id)?.category,
    pathOf: (id) => byId.get(id)?.path ?? [],
    leaves: () => index.filter((e) => e.leaf).map((e) => e.category),
    searchCategories(query, limit = 10) {
      const q = query.trim().toLowerCase().replace(/\s+/g, '');
      if (q === '') return [];
      const latin = /^[a-z0-9]+$/.test(q);
      return index
        .map((e) => ({ category: e.category, path: e.path, leaf: e.leaf, score: score(e, q, latin) }))
        .filter((h) => h.score > 0)
        .sort((a, b) => b.score - a.score || a.path.length - b.path.length)
        .slice(0, limit);
    },
    suggestDispatch(categoryId, divisionCode) {
      const c = byId.get(categoryId)?.category;
      if (!c || c.children || !c.deadline) return undefined;
      if (c.unitByDivision && divisionCode && divisionCode.length >= 9) {
        const town = townByCode.get(divisionCode.slice(0, 9));
        if (town) return { unit: town, rule: c.deadline, source: 'division' };
      }
      const unit = c.defaultUnitId ? units.get(c.defaultUnitId) : undefined;
      return unit ? { unit, rule: c.deadline, source: 'category' } : undefined;
    },
  };
}

let demo: Reference | undefined;

/** Look-ups over the demo district's data (built once). */
export function demoReference(): Reference {
  demo ??= createReference(demoReferenceData());
  return demo;
}
