import { InvocationContext, type Timer } from '@azure/functions';
import { integrityRegistrations, SealFailedError, sealTimer } from '../../functions/integrity';
import { registrations, type TimerRegistration } from '../../functions/registrations';
import { readCheckpointHead } from '../../src/seal';
import { readLogState, writeLogState } from '../../src/store/log-state';
import { ingestHarness } from '../support/ingest-harness';
import { testBody } from '../support/events';

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};

function context(lines: string[]): InvocationContext {
  return new InvocationContext({
    invocationId: 'seal-test',
    functionName: 'seal',
    logHandler: (_level, ...args) => lines.push(args.map(String).join(' ')),
  });
}

describe('the seal timer function', () => {
  it('is registered every 20 seconds, beside the integrity routes', () => {
    const seal = registrations.find((r) => r.name === 'seal') as TimerRegistration;
    expect([seal.kind, seal.schedule, integrityRegistrations.map((r) => r.name)]).toEqual([
      'timer',
      '*/20 * * * * *',
      ['seal', 'listCheckpoints', 'checkpointConsistency', 'keys', 'eventProof', 'verify'],
    ]);
  });

  it("seals the runtime's log and logs what it signed", async () => {
    const harness = await ingestHarness(undefined, undefined, { integrity: true });
    await harness.deliver(
      '0',
      Array.from({ length: 4 }, (_, i) => ({ sequenceNumber: i, body: testBody(i) })),
    );
    const lines: string[] = [];
    await sealTimer(timer, context(lines));
    expect([lines, (await readCheckpointHead(harness.integrity.stores.state, '0'))?.size]).toEqual([
      ['seal: partition 0 at size 4'],
      4,
    ]);
  });

  it('throws when a partition cannot be sealed, after sealing the others', async () => {
    const harness = await ingestHarness(undefined, undefined, { integrity: true });
    await harness.deliver(
      '0',
      Array.from({ length: 4 }, (_, i) => ({ sequenceNumber: i, body: testBody(i) })),
    );
    await harness.deliver(
      '1',
      Array.from({ length: 4 }, (_, i) => ({ sequenceNumber: i, body: testBody(100 + i) })),
    );
    const state = await readLogState(harness.clients.tables.state, '1');
    await writeLogState(harness.clients.tables.state, state, { ...state, nextIndex: 5 });
    await expect(sealTimer(timer, context([]))).rejects.toThrow(SealFailedError);
    expect((await readCheckpointHead(harness.integrity.stores.state, '0'))?.size).toBe(4);
  });
});
