import type { Log } from '@qr/lemur';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({ head, style: { head: [], border: [], compact: true } });
  t.push(...rows.map((r) => r.map(String)));
  return t.toString();
}

/** A progress bar on stderr for long operations (quiet when stderr is not a terminal, except a final line). */
export function progress(label: string, total: number): { update(done: number): void; stop(): void } {
  if (!process.stderr.isTTY) {
    let last = 0;
    return {
      update(done) {
        if (done - last >= 1000) {
          last = done;
          process.stderr.write(`${label}: ${done}/${total}\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta}s`, stream: process.stderr, hideCursor: true });
  bar.start(total, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A body as JSON when it is JSON, else the raw text. */
export function parseOrRaw(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

/** The library's Log for a command: warnings and errors as one line each on stderr, the rest unsaid. */
export function commandLog(io: Output): Log {
  const say = (level: string) => (obj: object, msg?: string) => io.err(`${level}: ${msg ?? ''} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`);
  const log: Log = { debug: () => {}, info: () => {}, warn: say('warning'), error: say('error'), child: () => log };
  return log;
}
