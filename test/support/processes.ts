import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Sends `signal`, SIGKILL if it is still running `graceMs` later, and resolves with its exit code once it has exited (at once if it had). */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(killer);
  return code;
}

export interface LogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

/** A service started as its own OS process, the way an operator runs it (`npm run api` runs the same file). */
export class ServiceProcess {
  readonly logs: LogLine[] = [];
  readonly output: string[] = [];
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  /** Runs `node --import tsx <script>`, or, with `args`, the command `script` with those arguments (e.g. `ip netns exec …`). */
  constructor(readonly name: string, script: string, env: Record<string, string>, args?: string[]) {
    this.child = spawn(args ? script : process.execPath, args ?? ['--import', 'tsx', script], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        this.output.push(line);
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          // not JSON: kept in output only
        }
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** null while it runs. */
  get exitCode(): number | null {
    return this.child.exitCode;
  }

  async waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find(predicate);
      if (found) return found;
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited (${this.child.exitCode}):\n${this.output.join('\n').slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: log line not seen in ${timeoutMs} ms:\n${this.output.join('\n').slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM (SIGKILL after 15 s), and wait for the exit code. */
  stop(): Promise<number | null> {
    return stopChild(this.child, 'SIGTERM', 15_000);
  }
}
