// The reference PBX for tests and benchmarks: Kamailio (registrar + proxy, UDP and
// SIP over WebSocket) and, on request, rtpengine bridging WebRTC to plain RTP.
// Everything is started by absolute path, with absolute pid files and its own
// control socket in a work directory; stop() kills by PID and waits for exit.
// Run inside `bash tests/e2e/netns.sh …` so nothing leaves loopback.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KAMAILIO_CFG, SIPP_DIR } from '../../rig/paths';

export { KAMAILIO_CFG, SIPP_DIR, SIPP_UAC_RR } from '../../rig/paths';

export const KAMAILIO_BIN = '/usr/sbin/kamailio';
export const KAMCMD_BIN = '/usr/sbin/kamcmd';
export const RTPENGINE_BIN = '/usr/bin/rtpengine';
export const SIPP_BIN = '/usr/bin/sipp';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SIP_DOMAIN = 'qingyu.local';

export interface PbxOptions {
  /** UDP SIP port on 127.0.0.1; a free one is picked when omitted. */
  sipPort?: number;
  /** TCP port for SIP over WebSocket (ws://127.0.0.1:wsPort); a free one when omitted. */
  wsPort?: number;
  /** Also start rtpengine (userspace, --table=-1) and bridge WebRTC <-> plain RTP through it. */
  rtpengine?: boolean;
  /**
   * Where pid files, logs and the ctl socket go. When omitted, a fresh temp dir that stop()
   * removes again (keep it with env QINGYU_KEEP_RIG=1; read logs with logTail() before stop()).
   */
  workDir?: string;
  /** rtpengine's RTP port range (default 30000-30999). */
  rtpPortMin?: number;
  rtpPortMax?: number;
  /** Kamailio debug level (default 2 = info; 3 = debug). */
  logLevel?: number;
  /** Milliseconds to wait for the ports (default 10 000). */
  startTimeoutMs?: number;
}

export interface Pbx {
  /** ws://127.0.0.1:<wsPort> for sip.js. */
  wsUrl: string;
  /** 127.0.0.1:<sipPort> (UDP), e.g. for sipp. */
  sipUdp: string;
  /** 'qingyu.local' */
  domain: string;
  sipPort: number;
  wsPort: number;
  workDir: string;
  kamailioLog: string;
  rtpengineLog?: string;
  /** Kamailio's PID (changes after restart()). */
  readonly kamailioPid: number | undefined;
  /** Kill Kamailio and rtpengine by PID and wait for both to exit. Idempotent. */
  stop(): Promise<void>;
  /** `kamcmd ul.dump` output, for assertions and diagnostics. */
  registrations(): Promise<string>;
  /** Kill only Kamailio (default SIGKILL, like a crash) and wait for it to exit. All registrations are lost. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Kill Kamailio if running and start it again on the same ports (rtpengine keeps running). */
  restart(): Promise<void>;
  /** Last lines of Kamailio's (and rtpengine's) log, for error messages. */
  logTail(lines?: number): string;
}

/** Last `lines` lines of a file, or a note that it is missing. */
export function tailFile(file: string, lines = 60): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n');
  } catch (e) {
    return `(no ${file}: ${(e as Error).message})`;
  }
}

/** A TCP port nobody listens on right now. */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A UDP port nobody is bound to right now. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.setTimeout(500, () => done(false));
  });
}

/** Send one UDP datagram (built from the probe's own port, if a function) and wait for any reply that satisfies `ok`. */
function udpProbe(port: number, payload: string | Buffer | ((localPort: number) => string), ok: (msg: Buffer) => boolean, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    let finished = false;
    const finish = (v: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      try {
        s.close();
      } catch {}
      resolve(v);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    s.on('message', (m) => finish(ok(m)));
    s.on('error', () => finish(false));
    s.bind(0, '127.0.0.1', () => {
      const data = typeof payload === 'function' ? payload(s.address().port) : payload;
      s.send(typeof data === 'string' ? Buffer.from(data) : data, port, '127.0.0.1', (err) => {
        if (err) finish(false);
      });
    });
  });
}

function sipOptions(sipPort: number, localPort: number): string {
  const branch = 'z9hG4bK-rig-' + Math.random().toString(36).slice(2);
  return (
    `OPTIONS sip:127.0.0.1:${sipPort} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=${branch};rport\r\n` +
    `Max-Forwards: 5\r\n` +
    `From: <sip:rig-probe@${SIP_DOMAIN}>;tag=${Math.random().toString(36).slice(2)}\r\n` +
    `To: <sip:127.0.0.1:${sipPort}>\r\n` +
    `Call-ID: rig-probe-${Math.random().toString(36).slice(2)}\r\n` +
    `CSeq: 1 OPTIONS\r\n` +
    `Content-Length: 0\r\n\r\n`
  );
}

/** True when Kamailio answers a SIP OPTIONS on UDP 127.0.0.1:port. */
export function sipUdpAlive(port: number, timeoutMs = 300): Promise<boolean> {
  return udpProbe(port, (localPort) => sipOptions(port, localPort), (m) => m.toString().startsWith('SIP/2.0 200'), timeoutMs);
}

/** True when rtpengine answers an NG "ping". */
export function rtpengineAlive(ngPort: number): Promise<boolean> {
  return udpProbe(ngPort, 'rigping d7:command4:pinge', (m) => m.toString().includes('pong'));
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kill a child by PID (SIGTERM, then SIGKILL after `graceMs`) and wait until it has exited. */
async function killChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
  if (!child || child.pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, signal);
  } catch {}
  if (await waitExit(child, graceMs)) return;
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {}
  await waitExit(child, 5000);
}

/** Kamailio forks workers; with -DD they are its children. Wait until none of them lingers (they hold the ports). */
async function waitPortsFree(sipPort: number, wsPort: number, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const tcpBusy = await tcpOpen(wsPort);
    const udpBusy = await new Promise<boolean>((resolve) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => resolve(true));
      s.bind(sipPort, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (!tcpBusy && !udpBusy) return;
    await sleep(50);
  }
}

function childPids(pid: number): number[] {
  try {
    const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text ? text.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

/** Start Kamailio (and rtpengine when asked); resolves once the SIP/UDP and WebSocket ports answer. */
export async function startPbx(opts: PbxOptions = {}): Promise<Pbx> {
  const ownWorkDir = opts.workDir === undefined;
  const workDir = path.resolve(opts.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'qingyu-pbx-')));
  fs.mkdirSync(workDir, { recursive: true });
  const sipPort = opts.sipPort ?? (await freeUdpPort());
  const wsPort = opts.wsPort ?? (await freeTcpPort());
  const timeoutMs = opts.startTimeoutMs ?? 10_000;
  const kamailioLog = path.join(workDir, 'kamailio.log');
  const kamailioPidFile = path.join(workDir, 'kamailio.pid');
  const ctlSock = path.join(workDir, 'kamailio_ctl');
  const rtpengineLog = opts.rtpengine ? path.join(workDir, 'rtpengine.log') : undefined;

  let rtpe: ChildProcess | undefined;
  let kam: ChildProcess | undefined;
  let ngPort: number | undefined;
  let stopped = false;

  const logTail = (lines = 60): string => {
    let out = `--- kamailio log (${kamailioLog}) ---\n${tailFile(kamailioLog, lines)}`;
    if (rtpengineLog) out += `\n--- rtpengine log (${rtpengineLog}) ---\n${tailFile(rtpengineLog, Math.ceil(lines / 2))}`;
    return out;
  };

  const fail = async (what: string): Promise<never> => {
    const tail = logTail();
    await killChild(kam);
    await killChild(rtpe);
    throw new Error(`startPbx: ${what}\n${tail}`);
  };

  if (opts.rtpengine) {
    ngPort = await freeUdpPort();
    const fd = fs.openSync(rtpengineLog!, 'a');
    rtpe = spawn(
      RTPENGINE_BIN,
      [
        '--config-file=none',
        '--table=-1',
        '--foreground',
        '--log-stderr',
        `--log-level=${opts.logLevel !== undefined && opts.logLevel >= 3 ? 7 : 6}`,
        `--pidfile=${path.join(workDir, 'rtpengine.pid')}`,
        '--interface=127.0.0.1',
        `--listen-ng=127.0.0.1:${ngPort}`,
        `--port-min=${opts.rtpPortMin ?? 30000}`,
        `--port-max=${opts.rtpPortMax ?? 30999}`,
        '--delete-delay=0',
        '--num-threads=2',
      ],
      { stdio: ['ignore', fd, fd], cwd: workDir },
    );
    fs.closeSync(fd);
    const end = Date.now() + timeoutMs;
    while (!(await rtpengineAlive(ngPort))) {
      if (rtpe.exitCode !== null || rtpe.signalCode !== null) await fail(`rtpengine exited (code ${rtpe.exitCode}, signal ${rtpe.signalCode})`);
      if (Date.now() > end) await fail(`rtpengine did not answer NG ping on 127.0.0.1:${ngPort} within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  const kamArgs = [
    '-f', KAMAILIO_CFG,
    '-DD', '-E',
    '-m', '64', '-M', '8',
    '-P', kamailioPidFile,
    '-w', workDir,
    '-Y', workDir,
    '-A', `SIP_PORT=${sipPort}`,
    '-A', `WS_PORT=${wsPort}`,
    '-A', `CTL_SOCK="unix:${ctlSock}"`,
    '-A', `LOG_LEVEL=${opts.logLevel ?? 2}`,
  ];
  if (opts.rtpengine) kamArgs.push('-A', 'WITH_RTPENGINE', '-A', `RTPENGINE_SOCK="udp:127.0.0.1:${ngPort}"`);

  const startKamailio = async (): Promise<void> => {
    try {
      fs.rmSync(ctlSock, { force: true });
      fs.rmSync(kamailioPidFile, { force: true });
    } catch {}
    fs.appendFileSync(kamailioLog, `\n===== ${new Date().toISOString()} starting ${KAMAILIO_BIN} ${kamArgs.join(' ')}\n`);
    const fd = fs.openSync(kamailioLog, 'a');
    kam = spawn(KAMAILIO_BIN, kamArgs, { stdio: ['ignore', fd, fd], cwd: workDir });
    fs.closeSync(fd);
    const child = kam;
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) await fail(`kamailio exited during start (code ${child.exitCode}, signal ${child.signalCode})`);
      if ((await sipUdpAlive(sipPort)) && (await tcpOpen(wsPort)) && fs.existsSync(ctlSock)) return;
      if (Date.now() > end) await fail(`kamailio did not answer on udp 127.0.0.1:${sipPort} / tcp ${wsPort} within ${timeoutMs} ms`);
      await sleep(50);
    }
  };

  const killKamailio = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const child = kam;
    if (!child || child.pid === undefined) return;
    // With SIGKILL the workers are orphaned, not told: kill them too (by PID).
    const workers = childPids(child.pid);
    await killChild(child, signal);
    for (const pid of workers) {
      if (pidAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
    }
    await waitPortsFree(sipPort, wsPort);
  };

  await startKamailio();

  const pbx: Pbx = {
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    sipUdp: `127.0.0.1:${sipPort}`,
    domain: SIP_DOMAIN,
    sipPort,
    wsPort,
    workDir,
    kamailioLog,
    rtpengineLog,
    get kamailioPid() {
      return kam?.pid;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await killKamailio('SIGTERM');
      await killChild(rtpe);
      if (ownWorkDir && process.env.QINGYU_KEEP_RIG !== '1') fs.rmSync(workDir, { recursive: true, force: true });
    },
    registrations() {
      return new Promise((resolve, reject) => {
        execFile(KAMCMD_BIN, ['-s', `unix:${ctlSock}`, 'ul.dump'], { timeout: 5000 }, (err, stdout, stderr) => {
          if (err) reject(new Error(`kamcmd ul.dump failed: ${err.message}\n${stderr}\n${logTail(30)}`));
          else resolve(stdout);
        });
      });
    },
    kill: (signal = 'SIGKILL') => killKamailio(signal),
    async restart() {
      await killKamailio('SIGTERM');
      stopped = false;
      await startKamailio();
    },
    logTail,
  };
  return pbx;
}

/** Kill the PBX's Kamailio like a crash (SIGKILL by default); `pbx.restart()` brings it back. */
export function killPbx(pbx: Pbx, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return pbx.kill(signal);
}

export interface SippResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** sipp's own log files (-trace_err / -trace_msg) */
  errorLog: string;
  messageLog: string;
  elapsedMs: number;
}

/**
 * Run sipp with a scenario from rig/sipp/ (e.g. 'uac-rr.xml') against the PBX and resolve on exit.
 * `service` is the dialled user (-s), `caller` the From user (-key caller, default 13900139000);
 * the call lasts `durationMs` between ACK and BYE (-d). Extra args (e.g. '-rtp_echo') go last.
 * Resolves with sipp's exit code (0 = every call succeeded) and the tails of its logs.
 */
export async function runSipp(
  pbx: Pbx,
  opts: { scenario: string; service: string; caller?: string; localPort?: number; mediaPort?: number; calls?: number; durationMs?: number; extraArgs?: string[]; timeoutMs?: number },
): Promise<SippResult> {
  const dir = fs.mkdtempSync(path.join(pbx.workDir, 'sipp-'));
  const errorLog = path.join(dir, 'sipp-errors.log');
  const messageLog = path.join(dir, 'sipp-messages.log');
  const args = [
    '-sf', path.isAbsolute(opts.scenario) ? opts.scenario : path.join(SIPP_DIR, opts.scenario),
    pbx.sipUdp,
    '-s', opts.service,
    '-i', '127.0.0.1',
    '-mi', '127.0.0.1',
    '-m', String(opts.calls ?? 1),
    '-l', String(opts.calls ?? 1),
    '-d', String(opts.durationMs ?? 3000),
    '-timeout', `${Math.ceil((opts.timeoutMs ?? 30_000) / 1000)}s`,
    '-timeout_error',
    '-nostdin',
    '-key', 'caller', opts.caller ?? '13900139000',
    '-trace_err', '-error_file', errorLog,
    '-trace_msg', '-message_file', messageLog,
  ];
  // sipp's default local port is 5060; take a free one so a PBX on 5060 never clashes.
  args.push('-p', String(opts.localPort ?? (await freeUdpPort())));
  if (opts.mediaPort) args.push('-mp', String(opts.mediaPort));
  args.push(...(opts.extraArgs ?? []));
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(SIPP_BIN, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), (opts.timeoutMs ?? 30_000) + 5000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, errorLog: tailFile(errorLog, 40), messageLog: tailFile(messageLog, 200), elapsedMs: Date.now() - started });
    });
  });
}
