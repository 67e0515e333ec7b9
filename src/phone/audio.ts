/**
 * Audio devices for the softphone: the microphone, the headset output, a
 * separate device for the ringtone; a ringtone and a short auto-answer tone
 * made with Web Audio; a live microphone level; devices plugged in or out
 * during the shift are picked up without a restart (devicechange).
 */

export interface DeviceChoice {
  micId?: string | null;
  outputId?: string | null;
  ringId?: string | null;
}

export interface DeviceList {
  mics: { id: string; label: string }[];
  outputs: { id: string; label: string }[];
}

type SinkAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

export class AudioDevices {
  private choice: DeviceChoice;
  private available: DeviceList = { mics: [], outputs: [] };
  private ctx: AudioContext | null = null;
  private ringEl: SinkAudio | null = null;
  private ringDest: MediaStreamAudioDestinationNode | null = null;
  private ringTimer: ReturnType<typeof setInterval> | null = null;
  private analyser: AnalyserNode | null = null;
  private analysedTrack: MediaStreamTrack | null = null;
  private readonly buf = new Float32Array(512);

  constructor(
    choice: DeviceChoice | undefined,
    private readonly onChange: () => void,
  ) {
    this.choice = { ...choice };
  }

  async start() {
    // Create the audio context now, not while the first call rings.
    try {
      this.audioContext();
    } catch {}
    await this.refresh();
    navigator.mediaDevices?.addEventListener?.('devicechange', this.onDeviceChange);
  }

  stop() {
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.onDeviceChange);
    this.ring(false);
    void this.ctx?.close().catch(() => {});
    this.ctx = null;
  }

  private onDeviceChange = () => {
    void this.refresh().then(() => this.onChange());
  };

  async refresh(): Promise<DeviceList> {
    try {
      const all = await navigator.mediaDevices.enumerateDevices();
      const label = (d: MediaDeviceInfo, i: number, kind: string) => d.label || `${kind} ${i + 1}`;
      this.available = {
        mics: all.filter((d) => d.kind === 'audioinput').map((d, i) => ({ id: d.deviceId, label: label(d, i, '麦克风') })),
        outputs: all.filter((d) => d.kind === 'audiooutput').map((d, i) => ({ id: d.deviceId, label: label(d, i, '扬声器') })),
      };
    } catch {
      this.available = { mics: [], outputs: [] };
    }
    return this.available;
  }

  get list(): DeviceList {
    return this.available;
  }

  get chosen(): DeviceChoice {
    return { ...this.choice };
  }

  choose(choice: DeviceChoice) {
    this.choice = { ...this.choice, ...choice };
    if (this.ringEl) void this.setSink(this.ringEl, this.ringSink());
  }

  /** The chosen microphone if it is plugged in, else the system default. */
  micConstraint(): MediaTrackConstraints | boolean {
    const id = this.choice.micId;
    return id && this.available.mics.some((m) => m.id === id) ? { deviceId: { exact: id } } : true;
  }

  private outputSink(): string {
    const id = this.choice.outputId;
    return id && this.available.outputs.some((o) => o.id === id) ? id : '';
  }

  private ringSink(): string {
    const id = this.choice.ringId;
    return id && this.available.outputs.some((o) => o.id === id) ? id : this.outputSink();
  }

  private async setSink(el: SinkAudio, id: string) {
    if (typeof el.setSinkId !== 'function') return;
    try {
      await el.setSinkId(id);
    } catch {}
  }

  /** Play a call's audio on the headset output (also mid-call, after a change). */
  applyOutput(el: HTMLAudioElement) {
    return this.setSink(el as SinkAudio, this.outputSink());
  }

  private audioContext(): AudioContext {
    this.ctx ??= new AudioContext();
    void this.ctx.resume().catch(() => {});
    return this.ctx;
  }

  private ringOutput(): MediaStreamAudioDestinationNode {
    const ctx = this.audioContext();
    if (!this.ringDest) {
      this.ringDest = ctx.createMediaStreamDestination();
      const el = document.createElement('audio') as SinkAudio;
      el.autoplay = true;
      el.dataset.role = 'ringer';
      el.srcObject = this.ringDest.stream;
      document.body.appendChild(el);
      this.ringEl = el;
      void this.setSink(el, this.ringSink());
      void el.play().catch(() => {});
    }
    return this.ringDest;
  }

  private tone(freqs: number[], start: number, seconds: number, out: AudioNode) {
    const ctx = this.audioContext();
    const gain = ctx.createGain();
    gain.gain.value = 0.15;
    gain.connect(out);
    for (const f of freqs) {
      const osc = ctx.createOscillator();
      osc.frequency.value = f;
      osc.connect(gain);
      osc.start(ctx.currentTime + start);
      osc.stop(ctx.currentTime + start + seconds);
    }
  }

  /** The ringtone on the ringing device: two short bursts every three seconds. */
  ring(on: boolean) {
    if (!on) {
      if (this.ringTimer) clearInterval(this.ringTimer);
      this.ringTimer = null;
      return;
    }
    if (this.ringTimer) return;
    try {
      const burst = () => {
        const out = this.ringOutput();
        this.tone([440, 480], 0, 0.4, out);
        this.tone([440, 480], 0.6, 0.4, out);
      };
      burst();
      this.ringTimer = setInterval(burst, 3000);
    } catch {}
  }

  /** A short tone in the headset before an automatic answer. */
  beep() {
    try {
      this.tone([880], 0, 0.15, this.ringOutput());
    } catch {}
  }

  /** Measure the level of this microphone track. */
  watchMic(track: MediaStreamTrack) {
    if (this.analysedTrack === track) return;
    try {
      const ctx = this.audioContext();
      const src = ctx.createMediaStreamSource(new MediaStream([track]));
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 512;
      src.connect(analyser);
      this.analyser = analyser;
      this.analysedTrack = track;
    } catch {}
  }

  /** RMS level of the microphone, 0…1 (0 when muted or no call). */
  level(): number {
    const a = this.analyser;
    const t = this.analysedTrack;
    if (!a || !t || t.readyState === 'ended' || !t.enabled) return 0;
    a.getFloatTimeDomainData(this.buf);
    let sum = 0;
    for (const v of this.buf) sum += v * v;
    return Math.min(1, Math.sqrt(sum / this.buf.length) * 4);
  }

  /**
   * If the call's microphone was unplugged (track ended) or another one was
   * chosen, open the right one and put it on the call in place of the old.
   */
  async followMic(track: MediaStreamTrack | null, pc: RTCPeerConnection | undefined): Promise<MediaStreamTrack | null> {
    if (!pc || pc.connectionState === 'closed') return null;
    const wanted = this.choice.micId && this.available.mics.some((m) => m.id === this.choice.micId) ? this.choice.micId : null;
    const current = track?.getSettings().deviceId;
    if (track && track.readyState === 'live' && (!wanted || wanted === current)) return null;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: this.micConstraint(), video: false });
      const next = stream.getAudioTracks()[0];
      const sender = pc.getSenders().find((s) => s.track === track || s.track?.kind === 'audio');
      if (!next || !sender) return null;
      next.enabled = track?.enabled ?? true;
      await sender.replaceTrack(next);
      track?.stop();
      this.watchMic(next);
      return next;
    } catch {
      return null;
    }
  }
}
