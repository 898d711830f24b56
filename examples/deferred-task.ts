// A minimal deferred task: a worker defines it, any process defers it with type-checked arguments.
// Run: npx tsx examples/deferred-task.ts
import { TaskQueue } from '@qr/lemur';
import { connect } from './connect.js';

type Tasks = { 'add-numbers': { a: number; b: number } };
const tasks = new TaskQueue<Tasks>({ queue: 'examples.tasks' });

const transport = await connect();
await transport.declare({ exchanges: [], queues: [{ name: 'examples.tasks' }] });

const worker = tasks.worker({ transport }).defineTask('add-numbers', async ({ a, b }) => {
  console.log(`${a} + ${b} = ${a + b}`);
  setImmediate(() => void worker.close().then(() => transport.close()));
});
await worker.start();

await tasks.client(transport).defer('add-numbers', { a: 2, b: 40 });
