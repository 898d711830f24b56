import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const version = (): string => readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)).at(-1) as string;
const run = (command: string, args: string[]): string => execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * A PostgreSQL cluster of the test's own (pg_createcluster, on its own port, trust auth on loopback),
 * so a test can stop, restart and kill the server without disturbing any other test.
 */
export class OwnPostgres {
  readonly version = version();
  readonly name = `qrfaults${process.pid}`;

  constructor(readonly port: number) {}

  /** The cluster's administrative URL (the postgres database). */
  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  create(): void {
    run('pg_createcluster', [this.version, this.name, '-p', String(this.port), '--', '--auth=trust']);
    this.start();
  }

  start(): void {
    run('pg_ctlcluster', [this.version, this.name, 'start']);
  }

  /** A clean stop (fast mode: connections are terminated). */
  stop(): void {
    run('pg_ctlcluster', [this.version, this.name, 'stop', '-m', 'fast']);
  }

  restart(): void {
    run('pg_ctlcluster', [this.version, this.name, 'restart', '-m', 'fast']);
  }

  /** SIGKILL to the postmaster: a crash; the next start runs crash recovery. */
  kill(): void {
    const pid = Number(readFileSync(`/var/lib/postgresql/${this.version}/${this.name}/postmaster.pid`, 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    // its backends notice the postmaster is gone and exit; wait for the port to be free
    for (let i = 0; i < 100; i++) {
      try {
        run('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(this.port)]);
      } catch {
        return;
      }
      execFileSync('sleep', ['0.1']);
    }
  }

  drop(): void {
    run('pg_dropcluster', [this.version, this.name, '--stop']);
  }
}
