// The operator types the number the caller reads out, however they read it.
import { describe, expect, it } from 'vitest';
import { CallbackPhone, maskPhone, normalizePhone, parsePhone } from '../../../src/shared/ticket/phone';

describe('reading a number the caller gives', () => {
  it.each([
    // input, kind, normalized
    ['13812345678', 'mobile', '13812345678'],
    ['138 1234 5678', 'mobile', '13812345678'],
    ['138-1234-5678', 'mobile', '13812345678'],
    ['+86 138 1234 5678', 'mobile', '13812345678'],
    ['+8613812345678', 'mobile', '13812345678'],
    ['0086 13812345678', 'mobile', '13812345678'],
    ['8613812345678', 'mobile', '13812345678'],
    ['１３８１２３４５６７８', 'mobile', '13812345678'], // full-width digits from a Chinese IME
    ['013812345678', 'mobile', '13812345678'], // out-of-town mobile dialled with a 0
    ['19912345678', 'mobile', '19912345678'],
    ['010-62345678', 'landline', '010-62345678'],
    ['(010) 8765 4321', 'landline', '010-87654321'],
    ['（0571）87654321', 'landline', '0571-87654321'],
    ['02087654321', 'landline', '020-87654321'],
    ['0571-8765432', 'landline', '0571-8765432'], // 7-digit number
    ['+86 10 62345678', 'landline', '010-62345678'],
    ['0086-571-87654321', 'landline', '0571-87654321'],
    ['0571-87654321转123', 'landline', '0571-87654321-123'],
    ['0571-87654321 分机 8001', 'landline', '0571-87654321-8001'],
    ['010-62345678-123', 'landline', '010-62345678-123'],
    ['010 62345678 ext. 9', 'landline', '010-62345678-9'],
    ['12345', 'service', '12345'],
    ['110', 'service', '110'],
    ['120', 'service', '120'],
    ['12315', 'service', '12315'],
    ['96345', 'service', '96345'],
    ['95588', 'service', '95588'],
    ['400-123-4567', 'service', '4001234567'],
  ])('%s → %s %s', (input, kind, normalized) => {
    const r = parsePhone(input);
    expect(r).toMatchObject({ ok: true, phone: { kind, normalized } });
  });

  it.each([
    ['', 'empty', '请填写电话号码'],
    ['   ', 'empty', '请填写电话号码'],
    ['138123456', 'mobile_length', '手机号码应为11位数字'],
    ['138123456789', 'mobile_length', '手机号码应为11位数字'],
    ['12812345678', 'mobile_prefix', '手机号码应以13–19开头'],
    ['0571-123', 'landline_format', '固定电话应为区号加7至8位号码，如 010-62345678'],
    ['010-12345678', 'landline_format', '固定电话应为区号加7至8位号码，如 010-62345678'],
    ['87654321', 'missing_area_code', '固定电话请加区号，如 0571-87654321'],
    ['138abc45678', 'invalid_characters', '电话号码只能包含数字、空格、短横线和括号'],
    ['+852 2123 4567', 'foreign_number', '暂只支持中国大陆电话号码（+86）'],
    ['5', 'unrecognised', '无法识别的电话号码，请检查'],
  ])('%j is refused: %s', (input, reason, message) => {
    expect(parsePhone(input)).toEqual({ ok: false, reason, message });
  });

  it('takes a bare local number as the center’s own area when told its area code', () => {
    expect(normalizePhone('87654321', { localAreaCode: '0571' })).toBe('0571-87654321');
    expect(normalizePhone('87654321')).toBeNull();
  });

  it('gives one key per line, extension or not, so a switchboard is one caller', () => {
    const a = parsePhone('0571-87654321转123');
    const b = parsePhone('057187654321');
    expect(a.ok && b.ok && a.phone.key === b.phone.key).toBe(true);
  });

  it('shows numbers in a readable form', () => {
    expect(parsePhone('13812345678')).toMatchObject({ phone: { display: '138 1234 5678' } });
    expect(parsePhone('0571-87654321转123')).toMatchObject({ phone: { display: '0571-87654321 转123' } });
  });
});

describe('masking for viewers who do not need the full number', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['+86 138-1234-5678', '138****5678'],
    ['010-62345678', '010-****5678'],
    ['0571-8765432', '0571-***5432'],
    ['0571-87654321转123', '0571-****4321'],
    ['12345', '12345'],
    ['not a number 99887766', '****7766'],
    ['12', '****'],
  ])('%s → %s', (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });
});

describe('the callback phone on a ticket form', () => {
  it('normalizes a good number', () => {
    expect(CallbackPhone.parse('+86 139 0000 1111')).toBe('13900001111');
  });

  it('refuses a service number with a Chinese message', () => {
    const r = CallbackPhone.safeParse('12345');
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toBe('12345 是服务号码，不能作为回访电话');
  });

  it('refuses a malformed number with the reason', () => {
    const r = CallbackPhone.safeParse('1381234');
    expect(r.error!.issues[0]!.message).toBe('手机号码应为11位数字');
  });
});
