import { randomUUID } from 'node:crypto';
import { MemoryBroker, MemoryTransport, RabbitManagement, StompTransport, type Transport } from '../src/index.js';

/** A place to make connections in: a fresh in-memory broker, or a throwaway RabbitMQ vhost. */
export interface TransportWorld {
  name: string;
  connect(): Promise<Transport>;
  dispose(): Promise<void>;
}

export const rabbit = {
  stompUrl: process.env.STOMP_URL ?? 'ws://127.0.0.1:15674/ws',
  managementUrl: process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672',
  login: process.env.STOMP_LOGIN ?? 'guest',
  passcode: process.env.STOMP_PASSCODE ?? 'guest',
};

export function memoryWorld(): TransportWorld {
  const broker = new MemoryBroker();
  const open: Transport[] = [];
  return {
    name: 'memory',
    async connect() {
      const transport = new MemoryTransport(broker);
      await transport.connect();
      open.push(transport);
      return transport;
    },
    async dispose() {
      await Promise.all(open.map((t) => t.close()));
      broker.shutdown();
    },
  };
}

export async function stompWorld(url = rabbit.stompUrl): Promise<TransportWorld> {
  const vhost = `test-${randomUUID()}`;
  const management = new RabbitManagement({ url: rabbit.managementUrl, login: rabbit.login, passcode: rabbit.passcode, vhost });
  await management.createVhost();
  const open: Transport[] = [];
  return {
    name: url.startsWith('stomp:') ? 'stomp-tcp' : 'stomp-ws',
    async connect() {
      const transport = new StompTransport({ url, login: rabbit.login, passcode: rabbit.passcode, vhost, managementUrl: rabbit.managementUrl, receiptTimeoutMs: 5_000 });
      await transport.connect();
      open.push(transport);
      return transport;
    },
    async dispose() {
      await Promise.all(open.map((t) => t.close()));
      await management.deleteVhost();
    },
  };
}
