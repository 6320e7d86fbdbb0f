import { byPosition, describeFailure, type VerificationFailure } from '../../src/verify/report';

describe('verification failures', () => {
  it('describe where they are and what differed', () => {
    expect(
      describeFailure({
        kind: 'record-modified',
        partition: '0',
        index: 37,
        eventId: 'evt-000037',
        message: 'the archived record hashes to a, the log recorded leaf b',
      }),
    ).toBe(
      'record-modified at partition 0, index 37, event evt-000037: the archived record hashes to a, the log recorded leaf b',
    );
  });

  it('sort by position, a checkpoint before a record at the same position', () => {
    const failures: VerificationFailure[] = [
      { kind: 'record-missing', partition: '0', index: 90, message: 'r' },
      { kind: 'checkpoint-chain', partition: '0', checkpointSize: 90, message: 'c' },
      { kind: 'record-modified', partition: '0', index: 12, message: 'm' },
    ];
    expect(failures.sort(byPosition).map((f) => f.kind)).toEqual([
      'record-modified',
      'checkpoint-chain',
      'record-missing',
    ]);
  });
});
