import {
  BlobTagLimitError,
  blobTagsFor,
  formatHoldIds,
  loadRetentionPolicy,
  parseRetentionTag,
  reconcileBlobTags,
} from '../../lifecycle';
import { applyEdits, fixturePolicy, fixturePolicyJson } from './fixtures';

const policy = fixturePolicy();
const MAY = new Date('2026-05-01T10:00:00Z');

describe('blobTagsFor', () => {
  it('tags a segment with the class of its events', () => {
    expect(
      blobTagsFor(policy, 'contoso', { hourStart: MAY, eventTypes: ['com.sqlmcp.tool.invoked'] }),
    ).toEqual({ retention: 'standard' });
  });

  it('tags a mixed segment with its longest-lived class', () => {
    expect(
      blobTagsFor(policy, 'contoso', {
        hourStart: MAY,
        eventTypes: ['com.sqlmcp.tool.invoked', 'com.sqlmcp.auth.failed'],
      }),
    ).toEqual({ retention: 'long' });
  });

  it('never lowers the class already on a growing segment', () => {
    expect(
      blobTagsFor(
        policy,
        'contoso',
        { hourStart: MAY, eventTypes: ['com.sqlmcp.tool.invoked'] },
        { retention: 'long' },
      ),
    ).toEqual({ retention: 'long' });
  });

  it('keeps the writer’s other tags', () => {
    expect(
      blobTagsFor(
        policy,
        'contoso',
        { hourStart: MAY, eventTypes: ['com.sqlmcp.tool.invoked'] },
        { sealed: 'false' },
      ),
    ).toEqual({ sealed: 'false', retention: 'standard' });
  });

  it('uses the tenant’s longest reachable class when no event type is known', () => {
    expect(blobTagsFor(policy, 'scratch', { hourStart: MAY, eventTypes: [] })).toEqual({
      retention: 'long',
    });
  });

  it('marks a segment covered by a hold as held and names the hold', () => {
    expect(
      blobTagsFor(policy, 'acme', { hourStart: MAY, eventTypes: ['com.sqlmcp.tool.invoked'] }),
    ).toEqual({ retention: 'standard.held', legalhold: 'LH-acme' });
  });

  it('names every hold that covers the segment', () => {
    expect(
      blobTagsFor(policy, 'acme', {
        hourStart: new Date('2026-03-01T05:00:00Z'),
        eventTypes: ['com.sqlmcp.tool.invoked'],
      }),
    ).toEqual({ retention: 'standard.held', legalhold: 'LH-acme LH-march' });
  });

  it('refuses a tag set beyond Azure’s 10 tags', () => {
    const existing = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`t${i}`, 'x']));
    let thrown: unknown;
    try {
      blobTagsFor(policy, 'acme', { hourStart: MAY, eventTypes: [] }, existing);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BlobTagLimitError);
    expect((thrown as Error).message).toBe(
      'a blob can carry at most 10 index tags; this one would carry 11 (t0, t1, t2, t3, t4, t5, t6, t7, t8, retention, legalhold)',
    );
  });
});

describe('reconcileBlobTags', () => {
  it('marks a blob held once a hold covering it is placed', () => {
    expect(
      reconcileBlobTags(policy, {
        container: 'audit-archive',
        name: 'acme/2/2024/01/01/00.seg',
        tags: { retention: 'long' },
      }),
    ).toEqual({ tags: { retention: 'long.held', legalhold: 'LH-acme' }, changed: true });
  });

  it('lifts the hold once the hold is released', () => {
    expect(
      reconcileBlobTags(policy, {
        container: 'audit-archive',
        name: 'initech/2/2025/07/01/00.seg',
        tags: { retention: 'standard.held', legalhold: 'LH-initech' },
      }),
    ).toEqual({ tags: { retention: 'standard' }, changed: true });
  });

  it('reports no change when the tags are already right', () => {
    expect(
      reconcileBlobTags(policy, {
        container: 'audit-deadletter',
        name: 'acme/0/2026/01/01/00/seq-1.json',
        tags: { legalhold: 'LH-acme', retention: 'standard.held' },
      }).changed,
    ).toBe(false);
  });

  it('gives an untagged segment its tenant’s longest reachable class', () => {
    expect(
      reconcileBlobTags(policy, {
        container: 'audit-archive',
        name: 'sandbox/0/2026/01/01/00.seg',
        tags: {},
      }),
    ).toEqual({ tags: { retention: 'short' }, changed: true });
  });

  it('keeps a blob outside the segment layout held while a listed hold is active', () => {
    expect(
      reconcileBlobTags(policy, {
        container: 'audit-deadletter',
        name: 'unparseable-0001.json',
        tags: { retention: 'standard.held', legalhold: 'LH-initech LH-acme' },
      }).tags,
    ).toEqual({ retention: 'standard.held', legalhold: 'LH-acme' });
  });

  it('lifts the hold of a blob outside the segment layout once all its holds are released', () => {
    expect(
      reconcileBlobTags(policy, {
        container: 'audit-deadletter',
        name: 'unparseable-0001.json',
        tags: { retention: 'standard.held', legalhold: 'LH-initech' },
      }).tags,
    ).toEqual({ retention: 'standard' });
  });

  it('keeps a held blob held when it lists no holds to check', () => {
    expect(
      reconcileBlobTags(policy, {
        container: 'audit-deadletter',
        name: 'unparseable-0001.json',
        tags: { retention: 'short.held' },
      }),
    ).toEqual({ tags: { retention: 'short.held' }, changed: false });
  });

  it('keeps a held blob held when some of its hold ids were cut from the tag', () => {
    expect(
      reconcileBlobTags(policy, {
        container: 'audit-deadletter',
        name: 'unparseable-0001.json',
        tags: { retention: 'standard.held', legalhold: 'LH-initech +2' },
      }).tags,
    ).toEqual({ retention: 'standard.held', legalhold: '+2' });
  });

  it('gives an untagged blob outside the layout the longest-lived class', () => {
    expect(
      reconcileBlobTags(policy, { container: 'audit-deadletter', name: 'x.json', tags: {} }).tags,
    ).toEqual({ retention: 'long' });
  });

  it('leaves checkpoints alone', () => {
    expect(
      reconcileBlobTags(policy, {
        container: 'audit-checkpoints',
        name: 'c/000001.json',
        tags: {},
      }),
    ).toEqual({ tags: {}, changed: false });
  });

  it('replaces an unknown class with the tenant’s longest reachable class', () => {
    const json = fixturePolicyJson();
    applyEdits(json, { legalHolds: [] });
    expect(
      reconcileBlobTags(loadRetentionPolicy(json), {
        container: 'audit-archive',
        name: 'contoso/0/2026/01/01/00.seg',
        tags: { retention: 'gold' },
      }).tags,
    ).toEqual({ retention: 'long' });
  });
});

describe('formatHoldIds', () => {
  it('joins ids with spaces', () => {
    expect(formatHoldIds(['LH-1', 'LH-2'])).toBe('LH-1 LH-2');
  });

  it('cuts the list to 256 characters and counts what was left out', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `HOLD-${String(i).padStart(4, '0')}`);
    const text = formatHoldIds(ids);
    // 25 ids of 9 characters and their separators take 249 characters; the marker takes 3.
    expect(text).toBe(`${ids.slice(0, 25).join(' ')} +5`);
    expect(text).toHaveLength(252);
  });
});

describe('parseRetentionTag', () => {
  it('separates the class from the held marker', () => {
    expect(parseRetentionTag('long.held')).toEqual({ className: 'long', held: true });
    expect(parseRetentionTag('long')).toEqual({ className: 'long', held: false });
    expect(parseRetentionTag(undefined)).toBeUndefined();
  });
});
