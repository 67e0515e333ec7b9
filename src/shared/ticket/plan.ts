/**
 * Where a ticket goes and by when: the same computation on the console (to
 * show the operator a due date while they type) and on the server (which
 * decides). Pure: reference data and the calendar come in as arguments.
 */
import type { WorkCalendar } from './calendar';
import { computeDeadline } from './deadline';
import type { Reference } from './reference';
import type { Urgency } from './vocabulary';

export interface DispatchPlanInput {
  categoryId: string;
  divisionCode?: string;
  urgency: Urgency;
  acceptedAt: Date;
  /** The unit the operator chose instead of the suggested one, if any. */
  unitId?: string;
}

export type DispatchPlan =
  | {
      ok: true;
      unitId: string;
      unitName: string;
      /** Where the suggestion came from: the address's street/town or the category's default unit. */
      suggestedUnitId: string;
      source: 'division' | 'category';
      dueAt: Date;
      provisional: boolean;
      explanation: string;
    }
  | { ok: false; field: 'categoryId' | 'outcome.unitId'; message: string };

export function planDispatch(reference: Reference, calendar: WorkCalendar, input: DispatchPlanInput): DispatchPlan {
  const category = reference.category(input.categoryId);
  if (!category) return { ok: false, field: 'categoryId', message: `诉求分类 ${input.categoryId} 不存在，请重新选择` };
  if (category.children?.length) return { ok: false, field: 'categoryId', message: `请选择“${category.name}”下的具体分类` };
  const suggestion = reference.suggestDispatch(input.categoryId, input.divisionCode);
  if (!suggestion) return { ok: false, field: 'categoryId', message: `分类“${category.name}”没有配置承办单位和办理时限` };
  const unitId = input.unitId || suggestion.unit.id;
  const unit = reference.unit(unitId);
  if (!unit) return { ok: false, field: 'outcome.unitId', message: `承办单位 ${unitId} 不存在，请重新选择` };
  const deadline = computeDeadline({ acceptedAt: input.acceptedAt, rule: suggestion.rule, urgency: input.urgency, calendar });
  return {
    ok: true,
    unitId,
    unitName: unit.name,
    suggestedUnitId: suggestion.unit.id,
    source: suggestion.source,
    dueAt: deadline.dueAt,
    provisional: deadline.provisional,
    explanation: deadline.explanation,
  };
}
