import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * A RabbitMQ node of the test's own (a second rabbitmq-server on other ports, with STOMP, Web-STOMP and
 * management), so a test can stop, restart and kill the broker without disturbing any other test.
 * Its data survive a restart (durable queues), as a real node's do.
 */
export class OwnRabbit {
  readonly nodename = `qrfaults${process.pid}@localhost`;
  readonly base = `/tmp/qr-rabbit-${process.pid}`;

  constructor(readonly ports: { amqp: number; stomp: number; management: number; webStomp: number; distribution: number }) {}

  get stompUrl(): string {
    return `stomp://127.0.0.1:${this.ports.stomp}`;
  }

  get managementUrl(): string {
    return `http://127.0.0.1:${this.ports.management}`;
  }

  create(): void {
    mkdirSync(this.base, { recursive: true });
    writeFileSync(
      `${this.base}/rabbitmq.conf`,
      [
        `listeners.tcp.local = 127.0.0.1:${this.ports.amqp}`,
        `stomp.listeners.tcp.1 = 127.0.0.1:${this.ports.stomp}`,
        `management.tcp.port = ${this.ports.management}`,
        'management.tcp.ip = 127.0.0.1',
        `web_stomp.tcp.port = ${this.ports.webStomp}`,
        'web_stomp.tcp.ip = 127.0.0.1',
      ].join('\n'),
    );
    chownSync(this.base, uid('rabbitmq'), gid('rabbitmq'));
    this.start();
  }

  start(): void {
    execFileSync('rabbitmq-server', ['-detached'], { env: this.env(), stdio: 'ignore' });
    execFileSync('rabbitmqctl', ['-n', this.nodename, 'wait', '--timeout', '60', `${this.base}/pid`], { env: this.env(), stdio: 'ignore' });
  }

  stop(): void {
    execFileSync('rabbitmqctl', ['-n', this.nodename, 'stop'], { env: this.env(), stdio: 'ignore' });
  }

  /** SIGKILL to the node: a crash. */
  kill(): void {
    const pid = Number(readFileSync(`${this.base}/pid`, 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && alive(pid); i++) execFileSync('sleep', ['0.1']);
  }

  remove(): void {
    spawnSync('rabbitmqctl', ['-n', this.nodename, 'stop'], { env: this.env(), stdio: 'ignore' });
    rmSync(this.base, { recursive: true, force: true });
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      RABBITMQ_NODENAME: this.nodename,
      RABBITMQ_CONFIG_FILE: `${this.base}/rabbitmq`,
      RABBITMQ_MNESIA_BASE: `${this.base}/mnesia`,
      RABBITMQ_LOG_BASE: `${this.base}/log`,
      RABBITMQ_PID_FILE: `${this.base}/pid`,
      RABBITMQ_DIST_PORT: String(this.ports.distribution),
    };
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const uid = (user: string): number => Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
const gid = (user: string): number => Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
