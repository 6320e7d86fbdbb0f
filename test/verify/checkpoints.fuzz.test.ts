import fc from 'fast-check';
import { buildConsistencyProof } from '../../src/integrity';
import type { JsonWebKeySet } from '../../src/keys/types';
import {
  listCheckpointRefs,
  readCheckpointNote,
  sealPartitions,
  tileNodeStore,
} from '../../src/seal';
import { verifyCheckpointChain, type StoredCheckpoint } from '../../src/verify';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { testBody } from '../support/events';

/**
 * The checkpoint chain verifier never accepts an altered chain: any one character of any note
 * changed, a note dropped, repeated or two swapped, yields a failure (and nothing is thrown).
 */

let harness: Harness;
let stored: StoredCheckpoint[];
let publicKeys: JsonWebKeySet;

beforeAll(async () => {
  harness = await ingestHarness(undefined, undefined, { integrity: true });
  for (let batch = 0; batch < 4; batch++) {
    await harness.deliver(
      '0',
      Array.from({ length: 25 }, (_, i) => ({
        sequenceNumber: batch * 25 + i,
        body: testBody(batch * 25 + i),
      })),
    );
    await sealPartitions(harness.integrity, new Date(Date.UTC(2026, 10, 26, 11, batch)));
  }
  stored = [];
  for await (const ref of listCheckpointRefs(
    harness.integrity.stores.checkpoints,
    harness.integrity.log,
    '0',
  )) {
    const note = await readCheckpointNote(
      harness.integrity.stores.checkpoints,
      harness.integrity.log,
      '0',
      ref.size,
    );
    stored.push({ name: ref.name, nameSize: ref.size, note: note as string });
  }
  publicKeys = await harness.integrity.keys.publicJwks();
});

function chain(notes: StoredCheckpoint[]) {
  return verifyCheckpointChain({
    partition: '0',
    origin: 'sql-mcp-audit/default/0',
    stored: notes,
    publicKeys,
    fromFirst: true,
    consistencyProof: (a, b) =>
      buildConsistencyProof(
        tileNodeStore(harness.integrity.stores, harness.integrity.log, '0', b),
        a,
        b,
      ),
  });
}

describe('verifyCheckpointChain under mutation', () => {
  it('accepts the genuine chain of four checkpoints', async () => {
    const result = await chain(stored);
    expect([result.verified.map((v) => v.checkpoint.size), result.failures]).toEqual([
      [25, 50, 75, 100],
      [],
    ]);
  });

  it('never accepts a chain with one character of one note changed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 9, max: 0x2014 }),
        async (which, position, code) => {
          const notes = stored.map((s) => ({ ...s }));
          const target = notes[which % notes.length] as StoredCheckpoint;
          const at = position % target.note.length;
          const replacement = String.fromCharCode(code);
          if (target.note[at] === replacement) return true;
          target.note = target.note.slice(0, at) + replacement + target.note.slice(at + 1);
          return (await chain(notes)).failures.length > 0;
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never accepts a chain with a note dropped, repeated, or two notes swapped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('drop', 'repeat', 'swap'),
        fc.nat(),
        async (change, which) => {
          const notes = stored.map((s) => ({ ...s }));
          const at = which % notes.length;
          if (change === 'drop') {
            if (at === notes.length - 1) return true; // the newest: caught by the head, see the tamper vectors
            notes.splice(at, 1);
          } else if (change === 'repeat') {
            notes.splice(at + 1, 0, {
              ...(notes[at] as StoredCheckpoint),
              nameSize: (notes[at] as StoredCheckpoint).nameSize + 1,
            });
          } else {
            const next = (at + 1) % notes.length;
            [notes[at], notes[next]] = [
              notes[next] as StoredCheckpoint,
              notes[at] as StoredCheckpoint,
            ];
          }
          return (await chain(notes)).failures.length > 0;
        },
      ),
      { numRuns: 60 },
    );
  });
});
