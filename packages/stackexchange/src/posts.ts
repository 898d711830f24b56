import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SaxesParser } from 'saxes';

/** A question of a Stack Exchange dump. Dates are kept as the dump writes them (UTC, no zone): they sort as text. */
export interface SeQuestion {
  kind: 'question';
  id: number;
  createdAt: string;
  ownerUserId: number | undefined;
  title: string;
  body: string;
  tags: string[];
  acceptedAnswerId: number | undefined;
  score: number;
}

export interface SeAnswer {
  kind: 'answer';
  id: number;
  parentId: number;
  createdAt: string;
  ownerUserId: number | undefined;
  body: string;
  score: number;
}

export type SePost = SeQuestion | SeAnswer;

export interface ReadPostsOptions {
  /** Bytes of the file read so far, for a progress bar. */
  onProgress?(bytesRead: number, totalBytes: number): void;
  /** A row that cannot be a post: skipped, with the reason. */
  onMalformed?(reason: string, attributes: Record<string, string>): void;
}

const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/** `<a><b-c>` -> ['a', 'b-c']; newer dumps write `|a|b-c|`. */
export function parseTags(raw: string | undefined): string[] {
  if (!raw) return [];
  const inner = raw.startsWith('|') ? raw.split('|') : raw.replace(/^<|>$/g, '').split('><');
  return inner.map((t) => t.trim().toLowerCase()).filter(Boolean);
}

/** A dump date as a Date (the dump's times are UTC). */
export function dumpDate(createdAt: string): Date {
  return new Date(`${createdAt}Z`);
}

function toPost(a: Record<string, string>): SePost | string | undefined {
  const type = a.PostTypeId;
  if (type !== '1' && type !== '2') return undefined; // wikis, tag excerpts, moderator posts: not questions or answers
  const id = Number(a.Id);
  if (!Number.isSafeInteger(id) || id <= 0) return `bad Id "${a.Id ?? ''}"`;
  const createdAt = a.CreationDate ?? '';
  if (!DATE.test(createdAt)) return `bad CreationDate "${createdAt}" on post ${id}`;
  const owner = a.OwnerUserId === undefined || a.OwnerUserId === '' ? undefined : Number(a.OwnerUserId);
  if (owner !== undefined && !Number.isSafeInteger(owner)) return `bad OwnerUserId "${a.OwnerUserId}" on post ${id}`;
  const score = a.Score === undefined ? 0 : Number(a.Score);
  if (!Number.isFinite(score)) return `bad Score "${a.Score}" on post ${id}`;
  if (type === '1') {
    const accepted = a.AcceptedAnswerId ? Number(a.AcceptedAnswerId) : undefined;
    return {
      kind: 'question', id, createdAt, ownerUserId: owner, title: a.Title ?? '', body: a.Body ?? '', tags: parseTags(a.Tags),
      acceptedAnswerId: accepted !== undefined && Number.isSafeInteger(accepted) ? accepted : undefined, score,
    };
  }
  const parentId = Number(a.ParentId);
  if (!Number.isSafeInteger(parentId) || parentId <= 0) return `bad ParentId "${a.ParentId ?? ''}" on answer ${id}`;
  return { kind: 'answer', id, parentId, createdAt, ownerUserId: owner, body: a.Body ?? '', score };
}

/**
 * Streams the posts of a Stack Exchange Posts.xml in file order, in constant memory. Rows that are
 * not questions or answers are passed over; malformed rows are reported and skipped, never thrown.
 */
export async function* readPosts(path: string, options: ReadPostsOptions = {}): AsyncGenerator<SePost> {
  const totalBytes = (await stat(path)).size;
  const parser = new SaxesParser();
  const ready: SePost[] = [];
  let xmlError: Error | undefined;
  parser.on('opentag', (tag) => {
    if (tag.name !== 'row') return;
    const attributes = tag.attributes as Record<string, string>;
    const post = toPost(attributes);
    if (typeof post === 'string') options.onMalformed?.(post, attributes);
    else if (post) ready.push(post);
  });
  parser.on('error', (error) => {
    xmlError ??= error;
  });
  let bytesRead = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
    const text = chunk as string;
    bytesRead += Buffer.byteLength(text);
    if (bytesRead === Buffer.byteLength(text) && text.charCodeAt(0) === 0xfeff) parser.write(text.slice(1));
    else parser.write(text);
    if (xmlError) throw new Error(`${path} is not well-formed XML: ${xmlError.message}`);
    options.onProgress?.(bytesRead, totalBytes);
    yield* ready.splice(0);
  }
  parser.close();
  if (xmlError) throw new Error(`${path} is not well-formed XML: ${(xmlError as Error).message}`);
  yield* ready.splice(0);
}
