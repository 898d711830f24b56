// A community of a given size made from the beer.stackexchange dump (../shared, CC BY-SA): the dump
// is copied `copies` times with fresh post ids, each copy's people mapped onto other user ids, and
// its dates shifted so the history ends today. Every copy keeps the dump's structure (who answers
// what, accepted answers, scores), so expertise and recency look like a real site's, spread over
// `users` people. Written as a Posts.xml that `lemur import stackexchange` reads like any dump.
import { readFileSync, writeFileSync } from 'node:fs';

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
