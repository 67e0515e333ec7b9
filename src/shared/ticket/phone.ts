/**
 * Phone numbers as callers give them. The number is how the center finds a
 * caller's history and calls back, so it must be read the same way however
 * it was typed (+86, 0086, spaces, dashes, full-width digits, 转 extensions),
 * and shown masked (138****5678) to anyone who does not need it in full.
 *
 * Kinds: mainland mobile (1[3-9] + 9 digits), landline (area code 0xx/0xxx +
 * 7–8 digits, optional extension), and service numbers (110, 12345, 96345,
 * 95xxx, 400/800…), which are never a caller's own line.
 */
import { z } from 'zod';

export type PhoneKind = 'mobile' | 'landline' | 'service';

export interface PhoneNumber {
  kind: PhoneKind;
  /** Canonical form: '13812345678', '010-62345678', '0571-87654321-123' (extension last), '12345'. */
  normalized: string;
  /** For people: '138 1234 5678', '010-62345678 转123', '12345'. */
  display: string;
  /** Same caller, same key: the normalized number without an extension. */
  key: string;
  areaCode?: string;
  subscriber?: string;
  extension?: string;
}

export type PhoneError =
  | 'empty'
  | 'invalid_characters'
  | 'foreign_number'
  | 'mobile_length'
  | 'mobile_prefix'
  | 'landline_format'
  | 'missing_area_code'
  | 'unrecognised';

export type PhoneParse = { ok: true; phone: PhoneNumber } | { ok: false; reason: PhoneError; message: string };

export const PHONE_MESSAGES: Record<PhoneError, string> = {
  empty: '请填写电话号码',
  invalid_characters: '电话号码只能包含数字、空格、短横线和括号',
  foreign_number: '暂只支持中国大陆电话号码（+86）',
  mobile_length: '手机号码应为11位数字',
  mobile_prefix: '手机号码应以13–19开头',
  landline_format: '固定电话应为区号加7至8位号码，如 010-62345678',
  missing_area_code: '固定电话请加区号，如 0571-87654321',
  unrecognised: '无法识别的电话号码，请检查',
};

export interface PhoneOptions {
  /** The center's own area code (e.g. '0571'): a bare 7–8 digit local number is taken as in this area. */
  localAreaCode?: string;
}

const MOBILE = /^1[3-9]\d{9}$/;
/** Emergency and public short numbers (110, 119, 120, 122, 114…), government and carrier lines (12345, 12315, 10086…), public-service and enterprise lines (96345, 95588…), 400/800. */
const SERVICE = [/^1\d{2}$/, /^1[0-2]\d{3}$/, /^9[56]\d{3,6}$/, /^[48]00\d{7}$/];
const FULLWIDTH_DIGIT = /[０-９]/g;
const EXTENSION = /\s*(?:转|分机|ext\.?|x|#|,)\s*(\d{1,6})\s*$/i;
const SEPARATORS = /[\s\-–—()（）.]/g;

function fail(reason: PhoneError): PhoneParse {
  return { ok: false, reason, message: PHONE_MESSAGES[reason] };
}

function areaCodeLength(digits: string): number {
  // 010 (Beijing) and 020–029 are 3 digits; the rest are 4 (0311, 0571, 0755…).
  return /^0(10|2\d)/.test(digits) ? 3 : 4;
}

function landline(areaCode: string, subscriber: string, extension?: string): PhoneParse {
  if (!/^0[1-9]\d{1,2}$/.test(areaCode) || !/^[2-9]\d{6,7}$/.test(subscriber)) return fail('landline_format');
  const key = `${areaCode}-${subscriber}`;
  return {
    ok: true,
    phone: {
      kind: 'landline',
      normalized: extension ? `${key}-${extension}` : key,
      display: extension ? `${key} 转${extension}` : key,
      key,
      areaCode,
      subscriber,
      ...(extension ? { extension } : {}),
    },
  };
}

/** Read a phone number as typed. */
export function parsePhone(input: string, options: PhoneOptions = {}): PhoneParse {
  let text = (input ?? '').replace(FULLWIDTH_DIGIT, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).trim();
  if (text === '') return fail('empty');

  let extension: string | undefined;
  const ext = EXTENSION.exec(text);
  if (ext) {
    extension = ext[1];
    text = text.slice(0, ext.index);
  } else {
    // 010-12345678-123: a third dash group after a full area code and number is an extension.
    const groups = text.split(/[\s\-–—]+/).map((g) => g.replace(/[()（）]/g, ''));
    if (groups.length === 3 && /^0\d{2,3}$/.test(groups[0]!) && /^\d{7,8}$/.test(groups[1]!) && /^\d{1,6}$/.test(groups[2]!)) {
      extension = groups[2];
      text = `${groups[0]}${groups[1]}`;
    }
  }

  let digits = text.replace(SEPARATORS, '');
  if (!/^\+?\d+$/.test(digits)) return fail('invalid_characters');

  let international = false;
  if (digits.startsWith('+86')) {
    digits = digits.slice(3);
    international = true;
  } else if (digits.startsWith('0086')) {
    digits = digits.slice(4);
    international = true;
  } else if (digits.startsWith('+') || digits.startsWith('00')) {
    return fail('foreign_number');
  } else if (digits.length === 13 && digits.startsWith('86') && MOBILE.test(digits.slice(2))) {
    digits = digits.slice(2);
  }
  // In international form a landline drops its trunk 0: +86 10 12345678.
  if (international && !digits.startsWith('0') && !(digits.startsWith('1') && digits.length === 11)) digits = `0${digits}`;

  if (!extension && SERVICE.some((re) => re.test(digits))) {
    return { ok: true, phone: { kind: 'service', normalized: digits, display: digits, key: digits } };
  }
  // An out-of-town mobile dialled with a trunk 0: 013812345678.
  if (digits.length === 12 && digits.startsWith('01') && MOBILE.test(digits.slice(1))) digits = digits.slice(1);

  if (digits.startsWith('1')) {
    if (extension) return fail('unrecognised');
    if (digits.length !== 11) return fail('mobile_length');
    if (!MOBILE.test(digits)) return fail('mobile_prefix');
    return {
      ok: true,
      phone: { kind: 'mobile', normalized: digits, display: `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`, key: digits },
    };
  }
  if (digits.startsWith('0')) {
    const n = areaCodeLength(digits);
    return landline(digits.slice(0, n), digits.slice(n), extension);
  }
  if (/^[2-9]\d{6,7}$/.test(digits)) {
    if (options.localAreaCode) return landline(options.localAreaCode, digits, extension);
    return fail('missing_area_code');
  }
  return fail('unrecognised');
}

/** The canonical form of a number, or null if it cannot be read. */
export function normalizePhone(input: string, options: PhoneOptions = {}): string | null {
  const r = parsePhone(input, options);
  return r.ok ? r.phone.normalized : null;
}

/**
 * The number as shown to a viewer who does not need it in full:
 * mobile 138****5678, landline 010-****5678 (extension dropped), service
 * numbers in full. Unreadable input keeps only its last 4 digits.
 */
export function maskPhone(input: string, options: PhoneOptions = {}): string {
  const r = parsePhone(input, options);
  if (r.ok) {
    const p = r.phone;
    if (p.kind === 'mobile') return `${p.normalized.slice(0, 3)}****${p.normalized.slice(7)}`;
    if (p.kind === 'landline') return `${p.areaCode}-${'*'.repeat(p.subscriber!.length - 4)}${p.subscriber!.slice(-4)}`;
    return p.normalized;
  }
  const digits = (input ?? '').replace(/\D/g, '');
  if (digits.length <= 4) return '****';
  return `${'*'.repeat(Math.min(digits.length - 4, 7))}${digits.slice(-4)}`;
}

/** A form field: any readable number, normalized; Chinese message at the field otherwise. */
export const PhoneField = z.string({ error: PHONE_MESSAGES.empty }).transform((s, ctx) => {
  const r = parsePhone(s);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.message, params: { reason: r.reason } });
    return z.NEVER;
  }
  return r.phone.normalized;
});

/** A number the center can call back: a mobile or landline, not a service number like 12345. */
export const CallbackPhone = z.string({ error: PHONE_MESSAGES.empty }).transform((s, ctx) => {
  const r = parsePhone(s);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.message, params: { reason: r.reason } });
    return z.NEVER;
  }
  if (r.phone.kind === 'service') {
    ctx.addIssue({ code: 'custom', message: `${r.phone.normalized} 是服务号码，不能作为回访电话`, params: { reason: 'service_number' } });
    return z.NEVER;
  }
  return r.phone.normalized;
});
