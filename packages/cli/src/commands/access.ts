import { randomBytes } from 'node:crypto';
import { topology } from '@qr/contracts';
import { RabbitManagement } from '@qr/lemur';
import { createPool } from '@qr/db';
import type { CliContext } from '../context.js';
import { UsageError, type Output } from '../output.js';

/**
 * Least privilege, written down once: what each service may do on the broker (its own vhost; regexes
 * over exchange and queue names, RabbitMQ's configure/write/read) and in Postgres (per table). Used
 * by `lemur access setup` and printed in the README.
 *
 * On the broker, publishing to a queue (`/amq/queue/<name>`) is a write to the default exchange, and
 * RabbitMQ cannot restrict that by queue name: a service allowed to publish work or retries can
 * publish to any queue of the vhost (it still cannot read them).
 */
export const servicePermissions = {
  api: {
    broker: { configure: '^$', write: '^(amq\\.default|events)$', read: '^$' },
    tables: {
      users: ['select', 'insert'],
      questions: ['select', 'insert', 'update'],
      answers: ['select', 'insert', 'update'],
      votes: ['select', 'insert', 'update'],
      question_matches: ['select'],
      outbox: ['select', 'insert', 'update', 'delete'],
      user_preferences: ['select', 'insert', 'update'],
      site_status: ['select', 'update'],
      api_tokens: ['select'],
      // unsubscribe links: checked and pruned, never made (hydra makes them)
      unsubscribe_tokens: ['select', 'delete'],
      idempotency_keys: ['select', 'insert', 'update', 'delete'],
      pgmigrations: ['select'],
    },
  },
  matcher: {
    broker: { configure: '^$', write: '^(amq\\.default|events)$', read: '^(question\\.asked|matcher\\..+)$' },
    tables: {
      questions: ['select', 'update'],
      answers: ['select'],
      question_matches: ['select', 'insert'],
      outbox: ['select', 'insert', 'update'],
      question_terms: ['select', 'insert'],
      term_document_frequency: ['select', 'insert', 'update'],
      user_expertise: ['select', 'insert', 'update'],
      answer_contributions: ['select', 'insert'],
      // when people changed (countAnswer), read by a matcher starting from a snapshot
      people_changes: ['select', 'insert', 'update'],
      database_identity: ['select'],
      // ask limits and pauses, and the model to rank with: read, never written
      user_preferences: ['select'],
      ranking_models: ['select'],
      active_ranking_model: ['select'],
      pgmigrations: ['select'],
    },
  },
  hydra: {
    broker: { configure: '^$', write: '^amq\\.default$', read: '^hydra\\..+$' },
    tables: {
      users: ['select'],
      questions: ['select'],
      answers: ['select'],
      question_matches: ['select'],
      notifications: ['select', 'insert', 'update'],
      user_preferences: ['select', 'insert', 'update'],
      unsubscribe_tokens: ['insert'],
      pgmigrations: ['select'],
    },
  },
} as const;

export type ServiceName = keyof typeof servicePermissions;
export const serviceNames = Object.keys(servicePermissions) as ServiceName[];

const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new UsageError(`not a plain SQL name: ${name}`);
  return name;
};

export interface AccessSetup {
  /** The broker vhost the services live in (made if missing). */
  vhost: string;
  /** Prefix of the users and roles made: <prefix>-api on the broker, <prefix>_api in Postgres. */
  prefix: string;
  /** Passwords, by service; missing ones are generated. */
  passwords?: Partial<Record<ServiceName, string>>;
}

export interface AccessResult {
  vhost: string;
  services: Record<ServiceName, { brokerUser: string; databaseRole: string; password: string }>;
}

/**
 * Makes (or brings up to date) a broker user and a Postgres role per service with only what it needs,
 * declares the topology in the vhost (the services are then run with DECLARE_TOPOLOGY=false: they
 * may not configure anything), and returns the credentials. Runs with the operator's own
 * credentials: a broker administrator (STOMP_LOGIN/STOMP_PASSCODE, over the management API) and a
 * database role that may create roles and owns the tables (DATABASE_URL). Idempotent.
 */
export async function setupAccess(ctx: CliContext, setup: AccessSetup): Promise<AccessResult> {
  const admin = new RabbitManagement({ url: ctx.config.rabbitmqManagementUrl, login: ctx.config.stompLogin, passcode: ctx.config.stompPasscode, vhost: setup.vhost });
  await admin.createVhost(); // also gives the operator all rights in it
  await admin.declare(topology);
  const vhost = encodeURIComponent(setup.vhost);
  const services = {} as AccessResult['services'];
  const client = createPool(ctx.config.databaseUrl, { max: 1, onError: () => {} });
  try {
    const { rows } = await client.query<{ db: string }>('select current_database() as db');
    const database = rows[0]!.db;
    for (const service of serviceNames) {
      const password = setup.passwords?.[service] ?? randomBytes(24).toString('base64url');
      const brokerUser = `${setup.prefix}-${service}`;
      const databaseRole = ident(`${setup.prefix.replace(/-/g, '_')}_${service}`);
      const rules = servicePermissions[service];
      // broker: a user with no tags (no management access) and rights in this vhost only
      await admin.request('PUT', `users/${encodeURIComponent(brokerUser)}`, { password, tags: '' });
      await admin.request('PUT', `permissions/${vhost}/${encodeURIComponent(brokerUser)}`, rules.broker);
      // Postgres: a login role with rights on its tables only
      const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [databaseRole]);
      const escaped = password.replace(/'/g, "''");
      await client.query(`${rowCount ? 'alter' : 'create'} role ${databaseRole} with login password '${escaped}'`);
      await client.query(`revoke all on all tables in schema public from ${databaseRole}`);
      await client.query(`revoke all on all sequences in schema public from ${databaseRole}`);
      await client.query(`grant connect on database ${ident(database)} to ${databaseRole}`);
      await client.query(`grant usage on schema public to ${databaseRole}`);
      for (const [table, privileges] of Object.entries(rules.tables)) {
        await client.query(`grant ${privileges.join(', ')} on ${ident(table)} to ${databaseRole}`);
        if ((privileges as readonly string[]).includes('insert')) {
          const { rows: sequences } = await client.query<{ seq: string | null }>('select pg_get_serial_sequence($1, $2) as seq', [table, 'id']).catch(() => ({ rows: [] }));
          for (const { seq } of sequences) if (seq) await client.query(`grant usage, select on sequence ${seq} to ${databaseRole}`);
        }
      }
      services[service] = { brokerUser, databaseRole, password };
    }
  } finally {
    await client.end();
  }
  return { vhost: setup.vhost, services };
}

/** `lemur access setup`: prints each service's environment (passwords appear only here). */
export async function accessSetupCommand(ctx: CliContext, io: Output, options: { vhost: string; prefix: string }): Promise<void> {
  // QR_API_PASSWORD etc. fix the passwords (docker-compose passes the ones its services use); unset: generated
  const result = await setupAccess(ctx, { vhost: options.vhost, prefix: options.prefix, passwords: ctx.config.accessPasswords });
  const database = new URL(ctx.config.databaseUrl);
  for (const [service, access] of Object.entries(result.services)) {
    const url = new URL(database.toString());
    url.username = access.databaseRole;
    url.password = access.password;
    io.out(`# ${service}`);
    io.out(`DATABASE_URL=${url.toString()}`);
    io.out(`STOMP_LOGIN=${access.brokerUser}`);
    io.out(`STOMP_PASSCODE=${access.password}`);
    io.out(`STOMP_VHOST=${result.vhost}`);
    io.out('DECLARE_TOPOLOGY=false');
    io.out('');
  }
  io.err(`made or updated ${serviceNames.length} broker users and Postgres roles in vhost ${result.vhost}; the passwords above are shown only now`);
}
