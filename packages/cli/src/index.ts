export { runCli } from './program.js';
export type { Output } from './output.js';
