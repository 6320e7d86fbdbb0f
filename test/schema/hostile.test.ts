import { parseEvent, REJECTION_CODES } from '../../src/schema/parse';
import { hostileBody as bodyOf, loadHostileCases as loadCases } from '../support/hostile';

const cases = loadCases();

describe('hostile corpus', () => {
  it('holds at least 20 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it('covers every rejection code', () => {
    const covered = new Set(cases.map(([, hostile]) => hostile.expect.code));
    expect([...REJECTION_CODES].filter((code) => !covered.has(code))).toEqual([]);
  });

  it.each(cases)('%s is refused with the expected code and pointer', (_file, hostile) => {
    const result = parseEvent(bodyOf(hostile));
    expect(
      result.ok ? 'accepted' : { code: result.rejection.code, pointer: result.rejection.pointer },
    ).toEqual(hostile.expect);
  });

  it.each(cases)(
    '%s explains itself in a message that starts with its pointer',
    (_file, hostile) => {
      const result = parseEvent(bodyOf(hostile));
      const prefix = hostile.expect.pointer === '' ? 'event body: ' : `${hostile.expect.pointer}: `;
      expect(result.ok ? '' : result.rejection.message.startsWith(prefix)).toBe(true);
    },
  );
});
