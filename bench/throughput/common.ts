// Shared pieces of the throughput benchmark: the payload, the counters and the result shape.
import { readdirSync, readFileSync } from 'node:fs';

export interface BenchConfig {
  n: number;
  /** Handlers at once (lemur's concurrency, BullMQ's Worker concurrency, pg-boss's batch). */
  concurrency: number;
  /** Deliveries a broker may send ahead of acks, where a peer has such a window (STOMP prefetch-count, Celery's prefetch). */
  prefetch: number;
  /** Publish window: receipts in flight (raw STOMP) / chunk size (lemur, BullMQ addBulk, pg-boss insert). */
  window: number;
  rabbit: { host: string; tcpPort: number; login: string; passcode: string; wsUrl: string; managementUrl: string };
  redisUrl: string;
  postgresAdminUrl: string;
  /** Per-peer deadline: a peer that has not drained by then is reported as failed. */
  timeoutMs: number;
}

export interface PeerResult {
  name: string;
  n: number;
  publishMs: number;
  e2eMs: number;
  publishRate: number;
  e2eRate: number;
  /** What "concurrency" means for this peer (prefetch, worker concurrency, batch size, pool). */
  concurrency: string;
  guarantees: string;
  /** CPU spent during the timed part (first publish to last completion), where it was measured. */
  cpu?: CpuUse;
}

/** CPU per message over a peer's timed part: the clients (this process: publisher and worker), the server's processes, the whole machine. */
export interface CpuUse {
  /** This process: the publishing client and the worker, which run here for every peer but Celery. */
  clientUsPerMsg: number;
  /** The server's processes, by name (beam.smp for RabbitMQ, redis-server, postgres). */
  serverUsPerMsg: number;
  server: string;
  /** Busy share of all cores over the timed part, 0-100. */
  machineBusyPct: number;
}

export interface PeerOutcome {
  name: string;
  /** The median round by end-to-end rate. */
  result?: PeerResult;
  /** Every round's result. */
  runs?: PeerResult[];
  skipped?: string;
}

/** ~100 bytes of JSON, the same for every peer. */
export function payload(i: number): { i: number; pad: string } {
  return { i, pad: 'x'.repeat(Math.max(0, 100 - 16 - String(i).length)) };
}

export function result(name: string, n: number, publishMs: number, e2eMs: number, concurrency: string, guarantees: string, cpu?: CpuUse): PeerResult {
  return {
    ...(cpu ? { cpu } : {}),
    name,
    n,
    publishMs: Math.round(publishMs),
    e2eMs: Math.round(e2eMs),
    publishRate: Math.round((n / publishMs) * 1000),
    e2eRate: Math.round((n / e2eMs) * 1000),
    concurrency,
    guarantees,
  };
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux for x86 and arm). */
const ticksPerSecond = 100;

/** utime + stime of every process whose name (comm) is `comm`, in ticks; 0 where /proc is not readable. */
function ticksOf(comm: string): number {
  let ticks = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    } catch {
      continue; // ended meanwhile
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== comm) continue;
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of proc(5))
  }
  return ticks;
}

/** Busy and total ticks of all cores, from /proc/stat's first line (busy = all but idle and iowait). */
function machineTicks(): { busy: number; total: number } {
  try {
    const values = readFileSync('/proc/stat', 'latin1').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    return { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/**
 * Measures CPU over a peer's timed part: call it just before its start, then `stop(n)` when it
 * finished. The machine has two cores that broker, clients and workers share, so a client's CPU per
 * message is CPU the broker cannot have: these columns say where a rate's limit lies. The /proc
 * scans for the server's processes lie outside this process's measured CPU (before its start,
 * after its end); `server` undefined: no server process (in-process peers).
 */
export function cpuMeter(server: string | undefined): { stop(n: number): CpuUse } {
  const serverTicks = server === undefined ? 0 : ticksOf(server);
  const machine = machineTicks();
  const client = process.cpuUsage();
  return {
    stop(n) {
      const used = process.cpuUsage(client);
      const after = machineTicks();
      const total = after.total - machine.total;
      return {
        clientUsPerMsg: round1((used.user + used.system) / n),
        serverUsPerMsg: server === undefined ? 0 : round1((((ticksOf(server) - serverTicks) / ticksPerSecond) * 1e6) / n),
        server: server ?? 'none: in process',
        machineBusyPct: total > 0 ? Math.round(((after.busy - machine.busy) / total) * 100) : 0,
      };
    },
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Counts completions and resolves with performance.now() at the n-th one (rejects on timeout). */
export class Countdown {
  private count = 0;
  private resolveDone: ((at: number) => void) | undefined;
  readonly done: Promise<number>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: number,
    timeoutMs: number,
    label: string,
  ) {
    this.done = new Promise<number>((resolve, reject) => {
      this.resolveDone = resolve;
      this.timer = setTimeout(() => reject(new Error(`${label}: only ${this.count} of ${target} completed within ${timeoutMs} ms`)), timeoutMs);
    });
    // The timeout rejection is observed by whoever awaits `done`; avoid an unhandled rejection before that.
    this.done.catch(() => {});
  }

  get value(): number {
    return this.count;
  }

  tick(): void {
    this.count += 1;
    if (this.count === this.target) {
      clearTimeout(this.timer);
      this.resolveDone?.(performance.now());
    }
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(errorMessage).join('; ') || 'AggregateError';
  if (error instanceof Error) {
    const cause = error.cause ? ` (cause: ${errorMessage(error.cause)})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

export function runId(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Publishes n messages keeping at most `window` unconfirmed: each confirmation frees a slot at once
 * (the best a client can do). `send` reports through callbacks, so the raw ceiling pays for no
 * promise per message; resolves when all n are confirmed, rejects on the first failure or at `timeoutMs`.
 */
export function slidingWindow(
  n: number,
  window: number,
  timeoutMs: number,
  send: (i: number, confirmed: () => void, failed: (error: unknown) => void) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let sent = 0;
    let confirmed = 0;
    const timer = setTimeout(() => reject(new Error(`${confirmed} of ${n} confirmed within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: unknown): void => {
      clearTimeout(timer);
      reject(error);
    };
    const onConfirmed = (): void => {
      confirmed += 1;
      if (confirmed === n) {
        clearTimeout(timer);
        resolve();
      } else pump();
    };
    const pump = (): void => {
      while (sent < n && sent - confirmed < window) send(sent++, onConfirmed, fail);
    };
    pump();
  });
}
