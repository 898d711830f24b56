// A minimal consumer: takes messages off a queue, one handler, acked after it returns.
// Run: npx tsx examples/minimal-consumer.ts
import { Consumer, createMessage } from '@qr/lemur';
import { connect } from './connect.js';

const transport = await connect();
await transport.declare({ exchanges: [], queues: [{ name: 'examples.greetings' }] });

let received = 0;
let bothReceived!: () => void;
const done = new Promise<void>((resolve) => (bothReceived = resolve));
const consumer = new Consumer<{ name: string }>({
  transport,
  queue: 'examples.greetings',
  defaultType: 'greeting',
  decode: (_type, _version, body) => body as { name: string },
  handle: async (message) => {
    console.log(`hello, ${message.body.name}`);
    if (++received === 2) bothReceived();
  },
});
await consumer.start();

for (const name of ['Ada', 'Grace']) await transport.publish({ queue: 'examples.greetings' }, createMessage('greeting', { name }));
// a message can be handled before the broker's receipt for its publish arrives: wait for both, then close
await done;
await consumer.close();
await transport.close();
