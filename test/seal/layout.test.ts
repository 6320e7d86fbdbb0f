import {
  checkpointBlobName,
  InvalidRegionError,
  logIdentity,
  logOrigin,
  partialTilePrefix,
  sizeOfCheckpointBlob,
  tileBlobName,
} from '../../src/seal/layout';

describe('the signed log layout', () => {
  it('uses the default region when AUDIT_REGION is unset or empty', () => {
    expect([logIdentity(undefined), logIdentity('')]).toEqual([
      { region: 'default' },
      { region: 'default' },
    ]);
  });

  it('names each partition log by region: the origin has no space and no plus', () => {
    expect(logOrigin(logIdentity('weu'), '3')).toBe('sql-mcp-audit/weu/3');
  });

  it('refuses a region that could not be a path segment', () => {
    expect(() => logIdentity('west europe')).toThrow(new InvalidRegionError('west europe'));
    expect(new InvalidRegionError('a/b').message).toBe(
      'region "a/b" is not 1-63 of [A-Za-z0-9._-] starting with a letter or digit',
    );
  });

  it('keeps tiles under region and partition in the tlog-tiles layout', () => {
    const log = logIdentity('weu');
    expect([
      tileBlobName(log, '3', { level: 0, index: 1234067 }, 256),
      tileBlobName(log, '3', { level: 1, index: 5 }, 17),
      partialTilePrefix(log, '3', { level: 1, index: 5 }),
    ]).toEqual(['weu/3/tile/0/x001/x234/067', 'weu/3/tile/1/005.p/17', 'weu/3/tile/1/005.p/']);
  });

  it('names checkpoints by their size, zero-padded so names sort by size', () => {
    const name = checkpointBlobName(logIdentity(undefined), '0', 1500);
    expect([name, sizeOfCheckpointBlob(name), sizeOfCheckpointBlob('default/0/latest')]).toEqual([
      'default/0/0000000000001500.note',
      1500,
      undefined,
    ]);
  });
});
