import { parseRegions, RegionConfigError, regionsFromSettings } from '../../src/regions';

const KEY = Buffer.from('not a real key').toString('base64');
const azurite = (port: number): string =>
  `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};` +
  `BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:${port + 2}/devstoreaccount1`;
const identity = {
  blobServiceUri: 'https://stauditneu.blob.core.windows.net',
  tableServiceUri: 'https://stauditneu.table.core.windows.net',
};

function errorOf(text: string): RegionConfigError {
  try {
    parseRegions(text, 'AUDIT_REGIONS');
  } catch (error) {
    if (error instanceof RegionConfigError) return error;
    throw error;
  }
  throw new Error('parseRegions accepted the list');
}

const one = (entry: unknown): string => JSON.stringify([entry]);

describe('parseRegions', () => {
  it('reads connection strings, identity-based storage and API URLs, primary first', () => {
    const text = JSON.stringify([
      { name: 'westeurope', storage: azurite(10000), url: 'https://weu.example.net/' },
      { name: 'northeurope', storage: identity },
    ]);
    expect(parseRegions(text, 'AUDIT_REGIONS')).toEqual([
      {
        name: 'westeurope',
        storage: { kind: 'connectionString', connectionString: azurite(10000) },
        url: 'https://weu.example.net',
      },
      { name: 'northeurope', storage: { kind: 'identity', ...identity } },
    ]);
  });

  it('expands UseDevelopmentStorage=true to Azurite on its default ports', () => {
    const [region] = parseRegions(
      one({ name: 'local', storage: 'UseDevelopmentStorage=true' }),
      'AUDIT_REGIONS',
    );
    expect(region?.storage).toEqual({
      kind: 'connectionString',
      connectionString: expect.stringContaining(
        'TableEndpoint=http://127.0.0.1:10002/devstoreaccount1',
      ),
    });
  });

  it('names the source when the text is not JSON', () => {
    let parseMessage = '';
    try {
      JSON.parse('[{');
    } catch (error) {
      parseMessage = (error as Error).message;
    }
    expect(errorOf('[{').message).toBe(
      `AUDIT_REGIONS: is not JSON (${parseMessage}); expected a list of { name, storage, url? }, primary first`,
    );
  });

  it('refuses an empty list', () => {
    expect(errorOf('[]').message).toBe(
      'AUDIT_REGIONS: must be a non-empty JSON list of { name, storage, url? }, primary first',
    );
  });

  it('refuses an object instead of a list', () => {
    expect(errorOf('{"name":"westeurope"}').message).toBe(
      'AUDIT_REGIONS: must be a non-empty JSON list of { name, storage, url? }, primary first',
    );
  });

  it('names the position of an entry that is not an object', () => {
    const text = JSON.stringify([{ name: 'westeurope', storage: azurite(10000) }, 'northeurope']);
    expect(errorOf(text).message).toBe(
      'AUDIT_REGIONS: entry 2: must be an object { name, storage, url? }',
    );
  });

  it('refuses an entry without a name', () => {
    expect(errorOf(one({ storage: azurite(10000) })).message).toBe(
      'AUDIT_REGIONS: entry 1: name: must be a non-empty string (the AUDIT_REGION of that region)',
    );
  });

  it('refuses a name that cannot be an AUDIT_REGION', () => {
    expect(errorOf(one({ name: 'west europe', storage: azurite(10000) })).message).toBe(
      'AUDIT_REGIONS: entry 1 ("west europe"): name: region "west europe" is not 1-63 of [A-Za-z0-9._-] starting with a letter or digit',
    );
  });

  it('refuses an unknown field, naming it', () => {
    expect(errorOf(one({ name: 'westeurope', storage: azurite(10000), urls: 'x' })).message).toBe(
      'AUDIT_REGIONS: entry 1 ("westeurope"): unknown field "urls" (expected name, storage, url)',
    );
  });

  it('refuses a connection string without an account key', () => {
    expect(
      errorOf(one({ name: 'westeurope', storage: 'AccountName=x;BlobEndpoint=http://a' })).message,
    ).toBe(
      'AUDIT_REGIONS: entry 1 ("westeurope"): storage: storage connection string needs AccountName and AccountKey (SAS-only strings are not supported)',
    );
  });

  it('refuses storage that is neither a string nor an object', () => {
    expect(errorOf(one({ name: 'westeurope', storage: 42 })).message).toBe(
      'AUDIT_REGIONS: entry 1 ("westeurope"): storage: must be a connection string or { blobServiceUri, tableServiceUri } (identity-based access)',
    );
  });

  it('refuses identity-based storage without a table service URI', () => {
    const storage = { blobServiceUri: identity.blobServiceUri };
    expect(errorOf(one({ name: 'westeurope', storage })).message).toBe(
      'AUDIT_REGIONS: entry 1 ("westeurope"): storage.tableServiceUri: must be an http(s) URL, got undefined',
    );
  });

  it('refuses an unknown field of identity-based storage', () => {
    const storage = { ...identity, queueServiceUri: 'https://q' };
    expect(errorOf(one({ name: 'westeurope', storage })).message).toBe(
      'AUDIT_REGIONS: entry 1 ("westeurope"): storage: unknown field "queueServiceUri" (expected blobServiceUri, tableServiceUri)',
    );
  });

  it('refuses a URL that is not http(s)', () => {
    expect(
      errorOf(one({ name: 'westeurope', storage: azurite(10000), url: 'ftp://weu' })).message,
    ).toBe('AUDIT_REGIONS: entry 1 ("westeurope"): url: must be an http(s) URL, got "ftp://weu"');
  });

  it('refuses a name used twice', () => {
    const text = JSON.stringify([
      { name: 'westeurope', storage: azurite(10000) },
      { name: 'westeurope', storage: azurite(20000) },
    ]);
    expect(errorOf(text).message).toBe(
      'AUDIT_REGIONS: entry 2 ("westeurope"): name: already used by entry 1',
    );
  });

  it('refuses two regions on the same storage account', () => {
    const text = JSON.stringify([
      { name: 'westeurope', storage: azurite(10000) },
      { name: 'northeurope', storage: azurite(10000) },
    ]);
    expect(errorOf(text).message).toBe(
      'AUDIT_REGIONS: entry 2 ("northeurope"): storage: the same account as entry 1 (http://127.0.0.1:10002/devstoreaccount1); every region has its own',
    );
  });

  it('carries the entry and the region name on the error', () => {
    const error = errorOf(one({ name: 'westeurope', storage: 42 }));
    expect([error.source, error.entry, error.regionName]).toEqual([
      'AUDIT_REGIONS',
      1,
      'westeurope',
    ]);
  });
});

describe('regionsFromSettings', () => {
  it('is undefined when AUDIT_REGIONS is not set', () => {
    expect(regionsFromSettings({})).toBeUndefined();
  });

  it('reads AUDIT_REGIONS', () => {
    const regions = regionsFromSettings({
      AUDIT_REGIONS: one({ name: 'westeurope', storage: identity }),
    });
    expect(regions?.map((region) => region.name)).toEqual(['westeurope']);
  });
});
