/**
 * Call quality: an E-model (ITU-T G.107) estimate of the listening MOS from
 * what WebRTC measures (round-trip time, jitter, packet loss). Pure.
 *
 * - One-way delay Ta = RTT/2 + the jitter buffer (2 × jitter) + 20 ms of
 *   packetisation and coding.
 * - Delay impairment Id from Ta with the usual simplification of G.107's
 *   Idd/Idte (Cole & Rosenbluth 2001): Id = 0.024·Ta + 0.11·(Ta − 177.3)·H(Ta − 177.3).
 * - Equipment impairment Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl)
 *   (G.107 §7.2), with G.113 Appendix I's values for G.711 with packet loss
 *   concealment (Ie = 0, Bpl = 25.1) and random loss (BurstR = 1). G.113 has
 *   no values for Opus; G.711's are the conservative stand-in.
 * - R = 93.2 − Id − Ie,eff (G.107's default R0 − Is with all other
 *   parameters at their defaults), and MOS from R by G.107 Annex B.
 */

export interface QualityInput {
  rttMs: number;
  jitterMs: number;
  /** Packets lost, percent of packets expected. */
  lossPct: number;
}

export interface QualityEstimate extends QualityInput {
  rFactor: number;
  mos: number;
}

export const R_DEFAULT = 93.2;
const IE_G711 = 0;
const BPL_G711_PLC = 25.1;

/** G.107 Annex B: MOS_CQE from the rating factor R. */
export function rToMos(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

/** Delay impairment Id for a one-way mouth-to-ear delay Ta (ms). */
export function delayImpairment(taMs: number): number {
  return 0.024 * taMs + (taMs > 177.3 ? 0.11 * (taMs - 177.3) : 0);
}

/** Effective equipment impairment Ie,eff for a packet loss percentage (G.107 eq. 7-29). */
export function lossImpairment(lossPct: number, ie = IE_G711, bpl = BPL_G711_PLC, burstR = 1): number {
  const ppl = Math.max(0, Math.min(100, lossPct));
  return ie + ((95 - ie) * ppl) / (ppl / burstR + bpl);
}

/** One-way delay the listener experiences, from what getStats() reports. */
export function mouthToEarMs(rttMs: number, jitterMs: number): number {
  return rttMs / 2 + 2 * jitterMs + 20;
}

export function estimateQuality(input: QualityInput): QualityEstimate {
  const ta = mouthToEarMs(Math.max(0, input.rttMs), Math.max(0, input.jitterMs));
  const r = Math.max(0, Math.min(100, R_DEFAULT - delayImpairment(ta) - lossImpairment(input.lossPct)));
  const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
  return {
    rttMs: round(Math.max(0, input.rttMs), 1),
    jitterMs: round(Math.max(0, input.jitterMs), 1),
    lossPct: round(Math.max(0, Math.min(100, input.lossPct)), 2),
    rFactor: round(r, 1),
    mos: round(rToMos(r), 2),
  };
}

/** What the operator sees: 优 / 良 / 中 / 差 (G.109's user-satisfaction bands by R). */
export type QualityGrade = 'good' | 'fair' | 'poor' | 'bad';
export function qualityGrade(mos: number): QualityGrade {
  if (mos >= rToMos(80)) return 'good'; // R ≥ 80: satisfied
  if (mos >= rToMos(70)) return 'fair'; // R ≥ 70: some users dissatisfied
  if (mos >= rToMos(60)) return 'poor'; // R ≥ 60: many dissatisfied
  return 'bad';
}

/** Raw counters read from RTCPeerConnection.getStats() for the audio stream. */
export interface RtpSample {
  packetsReceived: number;
  packetsLost: number;
  /** seconds, as getStats() reports it */
  jitterS: number;
  /** seconds; null when no RTCP round trip was measured yet */
  rttS: number | null;
}

/**
 * Turns successive getStats() samples into quality estimates: the latest
 * interval for the indicator, the whole call for the call record.
 */
export class QualityMeter {
  private first: RtpSample | null = null;
  private prev: RtpSample | null = null;
  private jitterSum = 0;
  private rttSum = 0;
  private rttCount = 0;
  private samples = 0;
  latest: QualityEstimate | null = null;

  add(s: RtpSample): QualityEstimate {
    const prev = this.prev ?? { packetsReceived: 0, packetsLost: 0, jitterS: 0, rttS: null };
    this.first ??= s;
    const received = Math.max(0, s.packetsReceived - prev.packetsReceived);
    const lost = Math.max(0, s.packetsLost - prev.packetsLost);
    // Nothing at all arrived since the last sample (the link is down): as bad as it gets.
    const silent = this.prev !== null && received === 0 && lost === 0;
    const lossPct = silent ? 100 : received + lost > 0 ? (100 * lost) / (received + lost) : 0;
    const rttMs = (s.rttS ?? 0) * 1000;
    this.prev = s;
    this.samples++;
    this.jitterSum += s.jitterS * 1000;
    if (s.rttS !== null) {
      this.rttSum += rttMs;
      this.rttCount++;
    }
    this.latest = estimateQuality({ rttMs, jitterMs: s.jitterS * 1000, lossPct });
    return this.latest;
  }

  /** The whole call: total loss, mean jitter and mean RTT. Null before any sample. */
  summary(): QualityEstimate | null {
    if (!this.prev || !this.samples) return null;
    const total = this.prev.packetsReceived + this.prev.packetsLost;
    return estimateQuality({
      rttMs: this.rttCount ? this.rttSum / this.rttCount : 0,
      jitterMs: this.jitterSum / this.samples,
      lossPct: total > 0 ? (100 * this.prev.packetsLost) / total : 0,
    });
  }
}
