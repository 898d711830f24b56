import { closeSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { ActivityTable, type AnswerFact } from './activity-table.js';
import { HELD_MAXIMA } from './held.js';
import { PeopleIndex } from './people-index.js';
import { PostingList } from './posting-list.js';

const MAGIC = 'QRIDX001';

interface Header {
  people: number;
  terms: string[];
  /** per term id: its list's width and size */
  widths: number[];
  sizes: number[];
  /** unsettled answers, per activity row */
  pending: [number, AnswerFact[]][];
  /** what the writer says about what the snapshot holds (when it was taken, of which database) */
  meta: Record<string, unknown>;
}

type Column = Float64Array | Int32Array | Uint32Array;
const bytesOf = (array: Column): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/**
 * Writes an index to `path` (through a temporary file and a rename: a reader never sees half of one):
 * a header (people, terms, list shapes, unsettled answers; JSON) and then the typed arrays as they are
 * in memory. A million people (~100M entries) are ~2 GB, read back in seconds where loading them from
 * Postgres takes minutes. What it does not hold (ask preferences, asks, the model) is read from
 * Postgres, as is what changed since it was written (routing's snapshot check).
 */
export function writeSnapshot(index: PeopleIndex, path: string, meta: Record<string, unknown> = {}): void {
  const parts = index.parts();
  const people = parts.userIds.length;
  const pending: [number, AnswerFact[]][] = [...parts.activities.pending].filter(([row]) => row < people);
  const header: Header = { people, terms: parts.terms, widths: parts.lists.map((l) => l.width), sizes: parts.lists.map((l) => l.size), pending, meta };
  const json = Buffer.from(JSON.stringify(header));
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    const length = Buffer.alloc(4);
    length.writeUInt32LE(json.length);
    for (const chunk of [Buffer.from(MAGIC), length, json]) writeSync(fd, chunk);
    const write = (array: Column): void => {
      for (let at = 0, bytes = bytesOf(array); at < bytes.length; ) at += writeSync(fd, bytes, at, Math.min(1 << 30, bytes.length - at));
    };
    write(parts.userIds);
    write(parts.termCount);
    write(parts.maxima);
    for (const column of parts.activities.columns()) write(column.subarray(0, people * parts.activities.widthOf(column)));
    for (const list of parts.lists) {
      write(list.slots.subarray(0, list.size));
      write(list.values.subarray(0, list.size * list.width));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

/** Reads an index written by writeSnapshot, and what its writer said of it. Throws on a file that is not one (or is cut short). */
export function readSnapshot(path: string): { index: PeopleIndex; meta: Record<string, unknown> } {
  const fd = openSync(path, 'r');
  try {
    let position = 0;
    const fill = (bytes: Uint8Array): void => {
      for (let at = 0; at < bytes.length; ) {
        const read = readSync(fd, bytes, at, Math.min(1 << 30, bytes.length - at), position);
        if (read === 0) throw new Error(`snapshot ${path} is cut short`);
        at += read;
        position += read;
      }
    };
    const start = Buffer.alloc(12);
    fill(start);
    if (start.subarray(0, 8).toString() !== MAGIC) throw new Error(`${path} is not a people snapshot (or one of another version)`);
    const json = Buffer.alloc(start.readUInt32LE(8));
    fill(json);
    const header = JSON.parse(json.toString()) as Header;
    const { people } = header;
    const read = <T extends Column>(array: T): T => {
      fill(bytesOf(array));
      return array;
    };
    const userIds = read(new Float64Array(people));
    const termCount = read(new Int32Array(people));
    const maxima = read(new Float64Array(people * HELD_MAXIMA));
    const activities = ActivityTable.read(people, (column) => read(column));
    for (const [row, facts] of header.pending) activities.pending.set(row, facts);
    const lists = header.widths.map((width, id) => PostingList.read(width, header.sizes[id] as number, (slots, values) => {
      read(slots);
      read(values);
    }));
    const index = PeopleIndex.fromParts({ userIds, terms: header.terms, lists, activities, termCount, maxima });
    return { index, meta: header.meta ?? {} };
  } finally {
    closeSync(fd);
  }
}
