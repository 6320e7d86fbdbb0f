import { parseSegmentName } from '../../lifecycle';

describe('parseSegmentName', () => {
  it('reads tenant, partition and hour from an archive segment name', () => {
    expect(parseSegmentName('contoso/3/2026/03/01/07.seg')).toEqual({
      tenant: 'contoso',
      partition: '3',
      hourStart: new Date('2026-03-01T07:00:00Z'),
    });
  });

  it('accepts the same prefix followed by a path, as dead letters may use', () => {
    expect(parseSegmentName('contoso/0/2026/12/31/23/seq-000042.json')?.hourStart).toEqual(
      new Date('2026-12-31T23:00:00Z'),
    );
  });

  it.each([
    'contoso/3/2026/02/30/07.seg',
    'contoso/3/2026/03/01/24.seg',
    'contoso/3/2026/3/01/07.seg',
    'contoso/2026/03/01/07.seg',
    'contoso/3/2026/03/01/07seg',
    'checkpoint-000001.json',
  ])('rejects %s', (name) => {
    expect(parseSegmentName(name)).toBeUndefined();
  });
});
