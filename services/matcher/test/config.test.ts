import { describe, expect, it } from 'vitest';
import { loadMatcherConfig } from '../src/config.js';

describe("the matcher's configuration", () => {
  it('writes its snapshot again every 30 minutes unless told otherwise, 0 turning that off', () => {
    expect(loadMatcherConfig({})).toMatchObject({ snapshot: undefined, snapshotEveryMs: 30 * 60_000 });
    expect(loadMatcherConfig({ MATCHER_SNAPSHOT: '/var/lib/qr/m1.snapshot', MATCHER_SNAPSHOT_MINUTES: '5' })).toMatchObject({ snapshot: '/var/lib/qr/m1.snapshot', snapshotEveryMs: 300_000 });
    expect(loadMatcherConfig({ MATCHER_SNAPSHOT_MINUTES: '0' }).snapshotEveryMs).toBe(0);
    expect(() => loadMatcherConfig({ MATCHER_SNAPSHOT_MINUTES: 'soon' })).toThrow('MATCHER_SNAPSHOT_MINUTES must be a whole number of minutes (0 or more); got "soon"');
    expect(() => loadMatcherConfig({ MATCHER_SNAPSHOT_MINUTES: '-1' })).toThrow(/MATCHER_SNAPSHOT_MINUTES/);
  });
});
