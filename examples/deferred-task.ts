// A minimal deferred task: a worker defines it, any process defers it with type-checked arguments.
// Run: npx tsx examples/deferred-task.ts
import { TaskQueue } from '@qr/lemur';
import { connect } from './connect.js';

type Tasks = { 'add-numbers': { a: number; b: number } };
const tasks = new TaskQueue<Tasks>({ queue: 'examples.tasks' });

const transport = await connect();
await transport.declare({ exchanges: [], queues: [{ name: 'examples.tasks' }] });

let ran!: () => void;
const done = new Promise<void>((resolve) => (ran = resolve));
const worker = tasks.worker({ transport }).defineTask('add-numbers', async ({ a, b }) => {
  console.log(`${a} + ${b} = ${a + b}`);
  ran();
});
await worker.start();

// the task can run before the broker's receipt for the defer arrives: wait for both, then close
await tasks.client(transport).defer('add-numbers', { a: 2, b: 40 });
await done;
await worker.close();
await transport.close();
