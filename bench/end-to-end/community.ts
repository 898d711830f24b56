// A community of a given size made from the beer.stackexchange dump (../shared, CC BY-SA): the dump
// is copied `copies` times with fresh post ids, each copy's people mapped onto other user ids, and
// its dates shifted so the history ends today. Every copy keeps the dump's structure (who answers
// what, accepted answers, scores), so expertise and recency look like a real site's, spread over
// `users` people. Written as a Posts.xml that `lemur import stackexchange` reads like any dump.
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '@qr/db/testing';
import type pg from 'pg';
import { syntheticDatabaseName, syntheticSpec } from '../matching/community-pg.js';
import { syntheticEnd } from '../matching/synthetic.js';

export interface CommunitySpec {
  postsXml: string;
  out: string;
  users: number;
  copies: number;
  /** The newest post of the last copy lands this many days before now. */
  endDaysAgo?: number;
  /** Each copy is shifted this many days earlier than the next one. */
  copySpacingDays?: number;
}

export interface CommunityStats {
  questions: number;
  answers: number;
  distinctUsers: number;
}

const dayMs = 86_400_000;

export function writeCommunity(spec: CommunitySpec): CommunityStats {
  const xml = readFileSync(spec.postsXml, 'utf8');
  const rows = [...xml.matchAll(/<row ([^>]*)\/>/g)].map((m) => m[1]!);
  const attr = (row: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(row)?.[1];

  // people of the dump, in order of first appearance, numbered 0..n-1
  const people = new Map<string, number>();
  let maxId = 0;
  let newest = 0;
  for (const row of rows) {
    const owner = attr(row, 'OwnerUserId');
    if (owner && !people.has(owner)) people.set(owner, people.size);
    maxId = Math.max(maxId, Number(attr(row, 'Id') ?? 0));
    newest = Math.max(newest, Date.parse(`${attr(row, 'CreationDate')}Z`));
  }
  const spacing = (spec.copySpacingDays ?? 30) * dayMs;
  const endShift = Date.now() - (spec.endDaysAgo ?? 1) * dayMs - newest;

  const out: string[] = ['<?xml version="1.0" encoding="utf-8"?>', '<posts>'];
  const seenUsers = new Set<number>();
  let questions = 0;
  let answers = 0;
  for (let copy = 0; copy < spec.copies; copy++) {
    const idOffset = copy * (maxId + 1);
    const shift = endShift - (spec.copies - 1 - copy) * spacing;
    const mapUser = (owner: string): number => {
      const user = 1 + ((people.get(owner)! + copy * people.size) % spec.users);
      seenUsers.add(user);
      return user;
    };
    for (const row of rows) {
      const type = attr(row, 'PostTypeId');
      if (type !== '1' && type !== '2') continue;
      let next = row.replace(/\bId="(\d+)"/, (_, id: string) => `Id="${Number(id) + idOffset}"`);
      next = next.replace(/\b(ParentId|AcceptedAnswerId)="(\d+)"/g, (_, name: string, id: string) => `${name}="${Number(id) + idOffset}"`);
      next = next.replace(/\bOwnerUserId="([^"]*)"/, (_, owner: string) => `OwnerUserId="${mapUser(owner)}"`);
      next = next.replace(/\b(CreationDate|LastActivityDate|LastEditDate)="([^"]*)"/g, (_, name: string, date: string) => {
        const shifted = new Date(Date.parse(`${date}Z`) + shift).toISOString().slice(0, 23);
        return `${name}="${shifted}"`;
      });
      out.push(`  <row ${next}/>`);
      if (type === '1') questions += 1;
      else answers += 1;
    }
  }
  out.push('</posts>', '');
  writeFileSync(spec.out, out.join('\n'));
  return { questions, answers, distinctUsers: seenUsers.size };
}

/**
 * The template database open-loop.ts copies for each run, made if missing: BENCH_USERS people with
 * the dump's history, imported as any dump is (minutes: expertise is built answer by answer, with the
 * matcher's own functions), kept under a name made of what it was made from; or the synthetic
 * community of `syntheticPeople` that bench/matching/live-at-scale.ts made (with its default seed).
 */
export async function communityTemplate(
  adminClient: pg.Client,
  o: { root: string; admin: string; postsXml: string; users: number; syntheticPeople?: number },
): Promise<{ templateName: string; community: CommunityStats }> {
  const copies = Math.ceil(o.users / 700);
  const migrations = readdirSync(path.join(o.root, 'migrations')).sort();
  const key = createHash('sha256').update(`${o.users}|${copies}|${statSync(o.postsXml).size}|${migrations.join(',')}|${new Date().toISOString().slice(0, 10)}`).digest('hex').slice(0, 12);
  const synthetic = o.syntheticPeople
    ? syntheticDatabaseName(syntheticSpec(o.syntheticPeople, syntheticEnd()), migrations.length)
    : undefined;
  const templateName = synthetic ?? `bench_e2e_${key}`;
  const { rowCount: haveTemplate } = await adminClient.query('select 1 from pg_database where datname = $1', [templateName]);
  if (synthetic && !haveTemplate) throw new Error(`no database ${synthetic}: make it with npx tsx bench/matching/live-at-scale.ts --sizes=${o.syntheticPeople}`);
  if (!haveTemplate) {
    const work = path.join(tmpdir(), `qr-bench-e2e-${randomUUID()}`);
    mkdirSync(work, { recursive: true });
    const made = writeCommunity({ postsXml: o.postsXml, out: path.join(work, 'Posts.xml'), users: o.users, copies });
    process.stderr.write(`community: ${made.questions} questions, ${made.answers} answers, ${made.distinctUsers} people (${copies} copies of the beer dump); importing ...\n`);
    const fresh = await createTestDatabase(o.admin);
    const importStart = performance.now();
    execFileSync(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', 'import', 'stackexchange', path.join(work, 'Posts.xml'), '--source', 'bench'], {
      cwd: o.root,
      env: { ...process.env, DATABASE_URL: fresh.url },
      stdio: 'ignore',
    });
    process.stderr.write(`imported in ${((performance.now() - importStart) / 1000).toFixed(1)} s; kept as template database ${templateName}\n`);
    rmSync(work, { recursive: true, force: true });
    await adminClient.query(`alter database ${new URL(fresh.url).pathname.slice(1)} rename to ${templateName}`);
    await adminClient.query(`comment on database ${templateName} is '${JSON.stringify(made)}'`);
  } else {
    process.stderr.write(`using the community in template database ${templateName}\n`);
  }
  const { rows: [comment] } = await adminClient.query<{ c: string }>('select shobj_description(oid, \'pg_database\') as c from pg_database where datname = $1', [templateName]);
  const described = JSON.parse(comment!.c) as CommunityStats & { people?: number };
  const community = synthetic ? { questions: described.questions, answers: described.answers, distinctUsers: described.people ?? 0 } : described;
  return { templateName, community };
}
