import { stdio } from './output.js';
import { runCli } from './program.js';

const abort = new AbortController();
process.once('SIGINT', () => abort.abort());
process.once('SIGTERM', () => abort.abort());
process.exitCode = await runCli(process.argv.slice(2), stdio, undefined, abort.signal);
