export { runCli } from './program.js';
export { CliContext } from './context.js';
export { loadCliConfig } from './config.js';
export { servicePermissions, setupAccess, type AccessResult } from './commands/access.js';
export type { Output } from './output.js';
