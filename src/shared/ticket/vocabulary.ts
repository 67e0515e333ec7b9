/**
 * The hotline's small closed vocabularies that several ticket modules share:
 * request type (诉求类型) and urgency (紧急程度). Values are the Chinese words
 * the center itself uses on forms and in statistics, so stored data, exports
 * and reports read the same.
 */
import { z } from 'zod';

/** 诉求类型. 表扬 covers 表扬/感谢. */
export const REQUEST_TYPES = ['咨询', '求助', '投诉', '举报', '建议', '表扬', '其他'] as const;
export const RequestType = z.enum(REQUEST_TYPES, { error: '请选择诉求类型（咨询、求助、投诉、举报、建议、表扬、其他）' });
export type RequestType = z.infer<typeof RequestType>;

/** 紧急程度. */
export const URGENCIES = ['一般', '紧急', '特急'] as const;
export const Urgency = z.enum(URGENCIES, { error: '请选择紧急程度（一般、紧急、特急）' });
export type Urgency = z.infer<typeof Urgency>;
