import { describeError } from '../../../client/shared/describe-error';

describe('describeError', () => {
  it('uses the message when there is one', () => {
    expect(describeError(new Error('disk full'))).toBe('disk full');
  });

  it('finds the messages inside nested AggregateErrors with empty messages, once each', () => {
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:5672');
    const error = new AggregateError(
      [new AggregateError([refused, refused], ''), new AggregateError([refused], '')],
      '',
    );
    expect(describeError(error)).toBe('connect ECONNREFUSED 127.0.0.1:5672');
  });

  it('falls back to the code, then the name', () => {
    expect(describeError(Object.assign(new Error(''), { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
    expect(describeError(new TypeError(''))).toBe('TypeError');
  });

  it('turns a thrown non-error into text', () => {
    expect(describeError('plain')).toBe('plain');
  });
});
