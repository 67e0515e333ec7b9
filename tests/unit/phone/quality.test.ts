import { describe, expect, it } from 'vitest';
import { QualityMeter, delayImpairment, estimateQuality, lossImpairment, qualityGrade, rToMos } from '../../../src/phone/quality';

describe('the E-model (ITU-T G.107) quality estimate', () => {
  it('maps R to MOS as G.107 Annex B: the G.109 band edges and the default R of 93.2', () => {
    // G.109 Table 1: R 90 / 80 / 70 / 60 / 50 ↔ MOS 4.34 / 4.03 / 3.60 / 3.10 / 2.58.
    // (published to two decimals; the formula gives 4.344, 4.024, 3.597, 3.1, 2.575)
    for (const [r, mos] of [[90, 4.34], [80, 4.03], [70, 3.6], [60, 3.1], [50, 2.58]] as const) {
      expect(Math.abs(rToMos(r) - mos)).toBeLessThanOrEqual(0.0061);
    }
    expect(rToMos(93.2)).toBeCloseTo(4.41, 2); // G.107 default parameters
    expect(rToMos(0)).toBe(1);
    expect(rToMos(120)).toBe(4.5);
  });

  it('delay impairment: 0.024·Ta below 177.3 ms, plus 0.11·(Ta−177.3) above', () => {
    expect(delayImpairment(100)).toBeCloseTo(2.4, 5);
    expect(delayImpairment(300)).toBeCloseTo(7.2 + 0.11 * 122.7, 5);
  });

  it('loss impairment for G.711 with PLC (G.113: Ie 0, Bpl 25.1), random loss', () => {
    expect(lossImpairment(0)).toBe(0);
    expect(lossImpairment(1)).toBeCloseTo(95 / 26.1, 4);
    expect(lossImpairment(5)).toBeCloseTo((95 * 5) / 30.1, 4);
  });

  it('a clean LAN call is "good"; 5% loss with 300 ms RTT is not', () => {
    const lan = estimateQuality({ rttMs: 2, jitterMs: 1, lossPct: 0 });
    // Ta = 1 + 2 + 20 = 23 ms → Id 0.552 → R 92.6 → MOS 4.40
    expect(lan.rFactor).toBeCloseTo(92.6, 1);
    expect(lan.mos).toBeCloseTo(4.4, 2);
    expect(qualityGrade(lan.mos)).toBe('good');
    const bad = estimateQuality({ rttMs: 300, jitterMs: 30, lossPct: 5 });
    // Ta = 150 + 60 + 20 = 230 → Id 5.52 + 5.797; Ie 15.78 → R ≈ 66.1
    expect(bad.rFactor).toBeCloseTo(66.1, 1);
    expect(qualityGrade(bad.mos)).toBe('poor');
  });

  it('a meter turns cumulative getStats counters into interval and whole-call figures', () => {
    const m = new QualityMeter();
    m.add({ packetsReceived: 100, packetsLost: 0, jitterS: 0.002, rttS: 0.01 });
    const second = m.add({ packetsReceived: 190, packetsLost: 10, jitterS: 0.004, rttS: 0.03 });
    expect(second.lossPct).toBe(10); // 10 lost of 100 expected in the interval
    const sum = m.summary()!;
    expect(sum.lossPct).toBe(5); // 10 of 200 over the call
    expect(sum.jitterMs).toBe(3);
    expect(sum.rttMs).toBe(20);
  });
});

describe('a call whose audio stopped', () => {
  it('an interval with no packet at all (link down) is rated as total loss', () => {
    const m = new QualityMeter();
    m.add({ packetsReceived: 100, packetsLost: 0, jitterS: 0.001, rttS: 0.001 });
    const down = m.add({ packetsReceived: 100, packetsLost: 0, jitterS: 0.001, rttS: 0.001 });
    expect(down.lossPct).toBe(100);
    expect(qualityGrade(down.mos)).toBe('bad');
  });
});
