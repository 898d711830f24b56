import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/** One row of a binary COPY, read in place (valid only during the `each` call that receives it); its statement's columns are never null. */
export interface CopyRow {
  /** a bigint (int8) or integer (int4) field, as a number (ids stay below 2^53) */
  int(field: number): number;
  float(field: number): number;
  /**
   * A number for this field's text, the same for the same bytes throughout the stream (0, 1, 2, ...
   * in order of first sight), and `textOf` gives the text back: a column whose values repeat (terms:
   * ~100k distinct in ~100M rows) is read without a string, or a hash lookup of one, per row.
   */
  textId(field: number): number;
  textOf(id: number): string;
  bool(field: number): boolean;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Streams a query's rows out of Postgres with COPY in its binary format, handing each row to `each`
 * without making an object of it: how a matcher reads ~100M rows at start. Binary, because Postgres
 * prints float8 as text at about half the rate it sends it binary (946k expertise rows: 0.75 s as
 * text, 0.38 s binary, psql to /dev/null), and parsing text costs this process more. Returns the row
 * count. `each` runs synchronously per row; what it throws ends the stream and is rethrown.
 */
export async function copyOut(pool: pg.Pool, query: string, each: (row: CopyRow) => void): Promise<number> {
  const client = await pool.connect();
  const reader = new BinaryCopyReader(each);
  try {
    await pipeline(
      client.query(copyTo(`copy (${query}) to stdout (format binary)`)),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          try {
            reader.push(chunk);
            done();
          } catch (error) {
            done(error as Error);
          }
        },
      }),
    );
    return reader.finish();
  } finally {
    client.release();
  }
}

/** The binary COPY format (Postgres docs, "COPY, Binary Format"): a header, then tuples of length-prefixed fields, then -1. */
class BinaryCopyReader implements CopyRow {
  private buffer: Buffer = Buffer.alloc(0);
  private headerRead = false;
  private ended = false;
  private rows = 0;
  private starts = new Int32Array(16);
  private lengths = new Int32Array(16);

  constructor(private readonly each: (row: CopyRow) => void) {}

  push(chunk: Buffer): void {
    const buffer: Buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let at = 0;
    if (!this.headerRead) {
      if (buffer.length < 19) {
        this.buffer = buffer;
        return;
      }
      if (!buffer.subarray(0, 11).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
      at = 19 + buffer.readInt32BE(15); // flags, then the header extension's length and the extension
      this.headerRead = true;
    }
    while (!this.ended && at + 2 <= buffer.length) {
      const fields = buffer.readInt16BE(at);
      if (fields === -1) {
        this.ended = true;
        at += 2;
        break;
      }
      if (fields > this.starts.length) {
        this.starts = new Int32Array(fields);
        this.lengths = new Int32Array(fields);
      }
      // the whole tuple must be here before it is read
      let end = at + 2;
      let complete = true;
      for (let f = 0; f < fields; f++) {
        if (end + 4 > buffer.length) {
          complete = false;
          break;
        }
        const length = buffer.readInt32BE(end);
        this.starts[f] = end + 4;
        this.lengths[f] = length;
        end += 4 + Math.max(0, length);
        if (end > buffer.length) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      this.current = buffer;
      this.rows += 1;
      this.each(this);
      at = end;
    }
    this.buffer = at < buffer.length ? Buffer.from(buffer.subarray(at)) : Buffer.alloc(0);
  }

  finish(): number {
    if (!this.ended) throw new Error('the COPY stream ended before its trailer');
    return this.rows;
  }

  private current: Buffer = Buffer.alloc(0);
  private readonly texts = new TextIds();

  int(field: number): number {
    const at = this.starts[field] as number;
    if (this.lengths[field] === 4) return this.current.readInt32BE(at);
    return this.current.readInt32BE(at) * 4_294_967_296 + this.current.readUInt32BE(at + 4);
  }

  float(field: number): number {
    return this.current.readDoubleBE(this.starts[field] as number);
  }

  textId(field: number): number {
    const at = this.starts[field] as number;
    const length = this.lengths[field] as number;
    const bytes = this.current;
    let hash = 0x811c9dc5; // FNV-1a
    for (let i = at; i < at + length; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
    return this.texts.idOf(bytes, at, length, hash);
  }

  textOf(id: number): string {
    return this.texts.textOf(id);
  }

  bool(field: number): boolean {
    return this.current[this.starts[field] as number] === 1;
  }
}

/** Distinct byte strings numbered in order of first sight: an open-addressing table over their hashes. */
class TextIds {
  private table = new Int32Array(1 << 16).fill(-1);
  private hashes = new Int32Array(1 << 16);
  private starts: number[] = [];
  private bytes = Buffer.alloc(1 << 20);
  private used = 0;
  private readonly texts: string[] = [];

  idOf(from: Buffer, at: number, length: number, hash: number): number {
    const mask = this.table.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const id = this.table[i] as number;
      if (id < 0) return this.add(from, at, length, hash, i);
      if (this.hashes[id] === hash && this.same(id, from, at, length)) return id;
    }
  }

  textOf(id: number): string {
    return this.texts[id] as string;
  }

  private same(id: number, from: Buffer, at: number, length: number): boolean {
    const start = this.starts[id] as number;
    if ((this.starts[id + 1] ?? this.used) - start !== length) return false;
    for (let k = 0; k < length; k++) if (this.bytes[start + k] !== from[at + k]) return false;
    return true;
  }

  private add(from: Buffer, at: number, length: number, hash: number, place: number): number {
    const id = this.texts.length;
    if (this.used + length > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(this.bytes.length * 2, this.used + length));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    from.copy(this.bytes, this.used, at, at + length);
    this.starts.push(this.used);
    this.used += length;
    this.texts.push(from.toString('utf8', at, at + length));
    if (id >= this.hashes.length) {
      const hashes = new Int32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.hashes[id] = hash;
    this.table[place] = id;
    if (this.texts.length * 2 > this.table.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = table.length - 1;
    for (let id = 0; id < this.texts.length; id++) {
      let i = (this.hashes[id] as number) & mask;
      while ((table[i] as number) >= 0) i = (i + 1) & mask;
      table[i] = id;
    }
    this.table = table;
  }
}
