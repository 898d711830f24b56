// `npm run migrate`: applies missing migrations to DATABASE_URL.
import { migrate } from './migrate.js';

// eslint-disable-next-line no-restricted-syntax -- a command's entry point reads its one setting
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
migrate(databaseUrl, { info: (obj, msg) => console.log(msg, JSON.stringify(obj)) }).catch((error: unknown) => {
  console.error('migration failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
