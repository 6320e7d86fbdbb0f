import {
  activeHolds,
  holdsForSegment,
  parseSegmentName,
  type SegmentLocation,
} from '../../lifecycle';
import { fixturePolicy } from './fixtures';

const policy = fixturePolicy();

function at(name: string): SegmentLocation {
  const location = parseSegmentName(name);
  if (location === undefined) throw new Error(`not a segment name: ${name}`);
  return location;
}

function holdIds(name: string): string[] {
  return holdsForSegment(policy, at(name)).map((hold) => hold.id);
}

describe('activeHolds', () => {
  it('leaves out released holds', () => {
    expect(activeHolds(policy).map((hold) => hold.id)).toEqual([
      'LH-acme',
      'LH-march',
      'LH-globex-evt',
    ]);
  });
});

describe('holdsForSegment', () => {
  it('covers every segment of a held tenant', () => {
    expect(holdIds('acme/0/2019/01/01/00.seg')).toEqual(['LH-acme']);
  });

  it('ignores a released hold', () => {
    expect(holdIds('initech/0/2025/07/01/00.seg')).toEqual([]);
  });

  describe('a time-range hold [2026-03-01, 2026-03-02) with a 2-hour margin', () => {
    it.each([
      ['contoso/1/2026/02/28/21.seg', []],
      ['contoso/1/2026/02/28/22.seg', ['LH-march']],
      ['contoso/1/2026/03/01/12.seg', ['LH-march']],
      ['contoso/1/2026/03/02/01.seg', ['LH-march']],
      ['contoso/1/2026/03/02/02.seg', []],
    ])('%s is held by %j', (name, expected) => {
      expect(holdIds(name)).toEqual(expected);
    });

    it('covers every tenant', () => {
      expect(holdIds('acme/1/2026/03/01/12.seg')).toEqual(['LH-acme', 'LH-march']);
    });
  });

  describe('an event hold at 2026-05-10T12:30Z with a 2-hour margin', () => {
    it.each([
      ['globex/0/2026/05/10/09.seg', []],
      ['globex/0/2026/05/10/10.seg', ['LH-globex-evt']],
      ['globex/7/2026/05/10/12.seg', ['LH-globex-evt']],
      ['globex/0/2026/05/10/14.seg', ['LH-globex-evt']],
      ['globex/0/2026/05/10/15.seg', []],
    ])('%s is held by %j', (name, expected) => {
      expect(holdIds(name)).toEqual(expected);
    });

    it('does not cover another tenant at the same hour', () => {
      expect(holdIds('contoso/0/2026/05/10/12.seg')).toEqual([]);
    });
  });
});
