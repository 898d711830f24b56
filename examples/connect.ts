// Shared by the examples: a STOMP connection to the local RabbitMQ, or in memory with LEMUR_TRANSPORT=memory.
import { MemoryTransport, StompTransport, type Transport } from '@qr/lemur';

export async function connect(): Promise<Transport> {
  const transport: Transport =
    process.env.LEMUR_TRANSPORT === 'memory'
      ? new MemoryTransport()
      : new StompTransport({
          url: process.env.STOMP_URL ?? 'ws://127.0.0.1:15674/ws',
          login: process.env.STOMP_LOGIN ?? 'guest',
          passcode: process.env.STOMP_PASSCODE ?? 'guest',
          vhost: process.env.STOMP_VHOST ?? '/',
          managementUrl: process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672',
        });
  await transport.connect();
  return transport;
}
