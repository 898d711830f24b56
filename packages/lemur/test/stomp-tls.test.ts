import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMessage, RabbitManagement, StompTransport, type Delivery } from '../src/index.js';
import { rabbit } from './transports.js';

// STOMP over TLS (stomps://): a TLS front in the test (as RabbitMQ's stomp.listeners.ssl would be, or
// a TLS-terminating proxy), with a certificate signed by a CA made here. The transport verifies it:
// with the CA it works, without it the connection is refused.

const dir = mkdtempSync(path.join(tmpdir(), 'qr-tls-'));
const vhost = `test-tls-${randomUUID()}`;
const management = new RabbitManagement({ url: rabbit.managementUrl, login: rabbit.login, passcode: rabbit.passcode, vhost });
let front: TlsServer;
let port = 0;
let ca = '';

beforeAll(async () => {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=localhost');
  execFileSync('sh', ['-c', 'printf "subjectAltName=DNS:localhost" > ext.cnf'], { cwd: dir });
  openssl('x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'broker.pem', '-days', '1', '-extfile', 'ext.cnf');
  ca = readFileSync(path.join(dir, 'ca.pem'), 'utf8');
  front = createTlsServer({ key: readFileSync(path.join(dir, 'broker.key')), cert: readFileSync(path.join(dir, 'broker.pem')) }, (tlsSocket) => {
    const upstream = connect(61613, '127.0.0.1');
    tlsSocket.pipe(upstream).pipe(tlsSocket);
    const close = () => {
      tlsSocket.destroy();
      upstream.destroy();
    };
    tlsSocket.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  port = (front.address() as AddressInfo).port;
  await management.createVhost();
});

afterAll(async () => {
  await new Promise((resolve) => front.close(resolve));
  await management.deleteVhost().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

it('publishes and consumes over stomps:// with the broker certificate verified against the given CA', { timeout: 30_000 }, async () => {
  const transport = new StompTransport({ url: `stomps://localhost:${port}`, login: rabbit.login, passcode: rabbit.passcode, vhost, managementUrl: rabbit.managementUrl, tls: { ca } });
  try {
    await transport.connect();
    await transport.declare({ exchanges: [], queues: [{ name: 'secret.work' }] });
    const got = new Promise<Delivery>((resolve) => void transport.subscribe('secret.work', resolve, { prefetch: 1 }));
    await transport.publish({ queue: 'secret.work' }, createMessage('secret', { over: 'tls' }));
    const delivery = await got;
    expect(JSON.parse(delivery.body)).toEqual({ over: 'tls' });
    delivery.ack();
  } finally {
    await transport.close();
  }
});

it('refuses a broker whose certificate it cannot verify', { timeout: 30_000 }, async () => {
  // no CA given: the test CA is not among Node's trusted roots
  const transport = new StompTransport({ url: `stomps://localhost:${port}`, login: rabbit.login, passcode: rabbit.passcode, vhost, managementUrl: rabbit.managementUrl });
  try {
    const outcome = await Promise.race([transport.connect().then(() => 'connected'), new Promise((r) => setTimeout(() => r('not connected'), 3_000))]);
    expect(outcome).toBe('not connected');
    expect(transport.isConnected()).toBe(false);
  } finally {
    await transport.close();
  }
});
