// The operator picks a category while the caller talks: by name, by a word the caller used, or by pinyin initials.
import { describe, expect, it } from 'vitest';
import { createReference, demoReference, demoReferenceData, REQUEST_TYPE_OPTIONS, ReferenceData } from '../../../src/shared/ticket/reference';
import { REQUEST_TYPES } from '../../../src/shared/ticket/vocabulary';

const ref = demoReference();

describe('request types', () => {
  it('offers every type, in the enum’s order', () => {
    expect(REQUEST_TYPE_OPTIONS.map((o) => o.value)).toEqual([...REQUEST_TYPES]);
  });
});

describe('the demo district’s linkage units', () => {
  const units = ref.data.units;
  it('has 41 tier-1 units on 24-hour duty: 23 departments and 18 streets/towns', () => {
    const tier1 = units.filter((u) => u.tier === 1);
    expect(tier1).toHaveLength(41);
    expect(tier1.every((u) => u.duty === '24h')).toBe(true);
    expect(tier1.filter((u) => u.kind === 'street' || u.kind === 'town')).toHaveLength(18);
    expect(tier1.filter((u) => u.kind === 'department' || u.kind === 'enterprise')).toHaveLength(23);
  });

  it('has tier-2 units on working-day duty', () => {
    const tier2 = units.filter((u) => u.tier === 2);
    expect(tier2.length).toBeGreaterThan(0);
    expect(tier2.every((u) => u.duty === 'working_days')).toBe(true);
  });

  it('is marked as demo data', () => {
    expect(ref.data.demo).toBe(true);
  });
});

describe('the category tree', () => {
  it('covers the subjects of the hotline, two levels deep', () => {
    const top = ref.data.categories.map((c) => c.name);
    for (const subject of ['城乡建设', '环境保护', '交通运输', '教育文体', '劳动和社会保障', '商贸旅游', '卫生计生', '公共安全', '水电气暖']) {
      expect(top).toContain(subject);
    }
    for (const c of ref.data.categories) expect(c.children?.length).toBeGreaterThan(0);
  });

  it('gives every leaf a unit that exists and a deadline rule', () => {
    for (const leaf of ref.leaves()) {
      expect(ref.unit(leaf.defaultUnitId!), leaf.name).toBeDefined();
      expect(leaf.deadline, leaf.name).toBeDefined();
    }
  });

  it('gives outages 24 hours, a gas leak 2 hours, ordinary cases 5 working days and complex ones 15', () => {
    const ruleOf = (name: string) => ref.leaves().find((c) => c.name === name)?.deadline;
    for (const outage of ['停水', '停电', '停气', '停暖与供暖不热']) expect(ruleOf(outage)).toEqual({ kind: 'hours', hours: 24 });
    expect(ruleOf('燃气泄漏')).toEqual({ kind: 'hours', hours: 2 });
    expect(ruleOf('物业管理')).toEqual({ kind: 'working_days', days: 5 });
    expect(ruleOf('违法建设')).toEqual({ kind: 'working_days', days: 15 });
  });

  it('gives the path of a category for display', () => {
    expect(ref.pathOf('0901')).toEqual(['水电气暖', '停水']);
    expect(ref.pathOf('nope')).toEqual([]);
  });
});

describe('finding a category while the caller talks', () => {
  const first = (q: string) => ref.searchCategories(q)[0]?.category.name;

  it.each([
    ['停水', '停水'], // by name
    ['物业', '物业管理'], // by the start of a name
    ['没水', '停水'], // by a word the caller used
    ['欠薪', '拖欠工资'],
    ['ts', '停水'], // pinyin initials
    ['wygl', '物业管理'],
    ['gjj', '住房公积金'], // initials of a keyword: 公积金
    ['WYGL', '物业管理'], // case does not matter
    ['zaosheng', '噪声扰民'], // full pinyin
    ['tingdian', '停电'],
  ])('%s → %s', (query, name) => {
    expect(first(query)).toBe(name);
  });

  it('prefers leaves, and ranks an exact name above a partial one', () => {
    const hits = ref.searchCategories('停水');
    expect(hits[0]).toMatchObject({ leaf: true, path: ['水电气暖', '停水'] });
    expect(hits.every((h, i) => i === 0 || h.score <= hits[i - 1]!.score)).toBe(true);
  });

  it('finds a top-level subject too', () => {
    expect(ref.searchCategories('交通运输').some((h) => h.category.id === '03')).toBe(true);
  });

  it('returns nothing for an empty or unknown query, and honours the limit', () => {
    expect(ref.searchCategories('  ')).toEqual([]);
    expect(ref.searchCategories('量子力学')).toEqual([]);
    expect(ref.searchCategories('s', 3)).toHaveLength(3);
  });
});

describe('suggesting whom to dispatch to', () => {
  it('a water outage goes to the water company with 24 hours', () => {
    expect(ref.suggestDispatch('0901')).toMatchObject({ unit: { name: '区供水有限公司' }, rule: { kind: 'hours', hours: 24 }, source: 'category' });
  });

  it('a neighbour dispute goes to the street of the caller’s address', () => {
    expect(ref.suggestDispatch('1202', '990101003001')).toMatchObject({ unit: { name: '西城街道' }, source: 'division' });
    expect(ref.suggestDispatch('1202')).toMatchObject({ unit: { name: '城关街道' }, source: 'category' });
  });

  it('suggests nothing for a branch or an unknown id', () => {
    expect(ref.suggestDispatch('09')).toBeUndefined();
    expect(ref.suggestDispatch('9999')).toBeUndefined();
  });
});

describe('a center imports its own reference data', () => {
  it('is refused when a leaf names a unit that does not exist, or lacks a deadline', () => {
    const data = demoReferenceData();
    const broken = {
      ...data,
      categories: [{ id: 'x', name: '测试', children: [{ id: 'x1', name: '叶子', defaultUnitId: 'unit-none' }] }],
    };
    const r = ReferenceData.safeParse(broken);
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => i.message);
    expect(messages).toContain('末级分类“叶子”须指定办理时限');
    expect(messages).toContain('分类“叶子”的默认承办单位 unit-none 不存在');
  });

  it('is refused with duplicate ids', () => {
    const data = demoReferenceData();
    const r = ReferenceData.safeParse({ ...data, units: [...data.units, data.units[0]] });
    expect(r.error!.issues.map((i) => i.message)).toContain(`单位编号 ${data.units[0]!.id} 重复`);
  });

  it('builds look-ups over any valid data', () => {
    const own = createReference(
      ReferenceData.parse({
        units: [{ id: 'u1', name: '某某局', kind: 'department', tier: 2, duty: 'working_days' }],
        categories: [{ id: 'a', name: '路灯', children: [{ id: 'a1', name: '路灯不亮', defaultUnitId: 'u1', deadline: { kind: 'working_days', days: 3 } }] }],
      }),
    );
    expect(own.searchCategories('ldbl')[0]?.category.id).toBe('a1');
    expect(own.data.demo).toBe(false);
  });
});
