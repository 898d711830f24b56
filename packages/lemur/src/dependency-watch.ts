import type { Log } from './log.js';

/**
 * What a consumer needs to wait out an outage of something its handler needs (a database) instead of
 * spending the messages' attempts on it: which errors mean "unavailable", and how to ask whether it
 * answers again.
 */
export interface DependencyGate {
  /** Whether a handler's error says the dependency is unavailable (the message is not at fault). */
  isUnavailable(error: Error): boolean;
  /** Resolves when the dependency answers (e.g. `select 1`); rejects while it does not. */
  probe(): Promise<void>;
  /** How often to probe while waiting. Default 1000 ms: work resumes within about that of its return. */
  probeIntervalMs?: number;
}

/** A consumer's dependency: available, waited for (probed until it answers), or no longer watched. */
export enum Availability {
  Available = 'available',
  Waiting = 'waiting',
  Stopped = 'stopped',
}

/**
 * Follows one dependency for a consumer. Transitions: Available -> Waiting (a handler failed with an
 * unavailability error) -> Available (a probe succeeded; `onAvailable` runs) and any -> Stopped.
 */
export class DependencyWatch {
  private current = Availability.Available;
  private timer: NodeJS.Timeout | undefined;
  private since = 0;

  constructor(
    private readonly gate: DependencyGate,
    private readonly log: Log,
    private readonly onAvailable: () => void,
  ) {}

  get state(): Availability {
    return this.current;
  }

  /** Whether a handler's error is this dependency being away. */
  explains(error: Error): boolean {
    return this.gate.isUnavailable(error);
  }

  /** The dependency failed a handler: wait, probing, until it answers (once per outage, however many fail). */
  unavailable(error: Error): void {
    if (this.current !== Availability.Available) return;
    this.current = Availability.Waiting;
    this.since = Date.now();
    this.log.warn({ err: error }, 'a dependency is unavailable: no new messages are started until it answers; their attempts are not spent');
    this.schedule();
  }

  stop(): void {
    this.current = Availability.Stopped;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.check(), this.gate.probeIntervalMs ?? 1_000);
  }

  private async check(): Promise<void> {
    if (this.current !== Availability.Waiting) return;
    try {
      await this.gate.probe();
    } catch {
      if (this.current === Availability.Waiting) this.schedule();
      return;
    }
    if (this.current !== Availability.Waiting) return;
    this.current = Availability.Available;
    this.log.info({ waitedMs: Date.now() - this.since }, 'the dependency answers again: taking messages');
    this.onAvailable();
  }
}
