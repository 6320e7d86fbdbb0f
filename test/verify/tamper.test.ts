import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkpointBlobName } from '../../src/seal';
import { verifyLog, type VerificationFailure } from '../../src/verify';
import { buildLog, type LogShape } from './support/log';
import { applyMutation, normalizeMessage, type Mutation } from './support/tamper';

/**
 * Every tamper vector of test/data/tamper: a real log is built through the real ingest path on
 * Azurite, the vector's changes are made to its storage as an attacker with write access would, and
 * verification must report exactly the vector's first failure (kind, position, event, message).
 */

interface TamperVector {
  description: string;
  log?: LogShape;
  known?: { partition: string; size: number }[];
  mutations: Mutation[];
  expect:
    | ({ ok?: false } & Omit<VerificationFailure, 'message'> & { message: string })
    | { ok: true; keyIds: Record<string, number> };
}

const DATA = path.join(__dirname, '..', 'data', 'tamper');
const vectors = readdirSync(DATA)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => ({
    name,
    vector: JSON.parse(readFileSync(path.join(DATA, name), 'utf8')) as TamperVector,
  }));

describe('tamper vectors against a log built through the ingest path', () => {
  it('has vectors for every kind of tampering the design names', () => {
    expect(vectors.length).toBe(23);
  });

  it.each(vectors)(
    '$name',
    async ({ vector }) => {
      const log = await buildLog(vector.log ?? {});
      const known: string[] = [];
      for (const { partition, size } of vector.known ?? []) {
        const blob = log.integrity.stores.checkpoints.getBlockBlobClient(
          checkpointBlobName(log.integrity.log, partition, size),
        );
        known.push((await blob.downloadToBuffer()).toString('utf8'));
      }
      for (const mutation of vector.mutations) await applyMutation(log, mutation);

      const report = await verifyLog(log.integrity, {
        publicKeys: log.publicKeys,
        knownCheckpoints: known,
      });

      if (vector.expect.ok === true) {
        expect(report.firstFailure).toBeUndefined();
        expect(report.ok).toBe(true);
        const keyIds = Object.fromEntries(
          report.partitions.map((p) => [p.partition, p.keyIds.length]),
        );
        expect(keyIds).toEqual(vector.expect.keyIds);
        return;
      }
      const failure = report.firstFailure as VerificationFailure;
      expect(report.ok).toBe(false);
      const actual = {
        kind: failure.kind,
        partition: failure.partition,
        ...(failure.index === undefined ? {} : { index: failure.index }),
        ...(failure.checkpointSize === undefined ? {} : { checkpointSize: failure.checkpointSize }),
        ...(failure.eventId === undefined ? {} : { eventId: failure.eventId }),
        message: normalizeMessage(failure.message),
      };
      if (process.env.TAMPER_DISCOVER) console.log(JSON.stringify(actual));
      expect(actual).toEqual(vector.expect);
    },
    60_000,
  );
});
