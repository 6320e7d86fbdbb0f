import { isEmulatorConnectionString, isEmulatorEndpoint } from '../../src/lifecycle-runtime';

describe('isEmulatorEndpoint', () => {
  it.each([
    ['http://127.0.0.1:10000/devstoreaccount1', true],
    ['http://localhost:10000/devstoreaccount1/', true],
    ['http://[::1]:10000/devstoreaccount1', true],
    ['http://azurite:10000/devstoreaccount1', true],
    ['https://contosoaudit.blob.core.windows.net/', false],
    ['https://contosoaudit.blob.core.windows.net/devstoreaccount1', false],
    ['not a url', false],
  ])('%s -> %p', (url, expected) => {
    expect(isEmulatorEndpoint(url)).toBe(expected);
  });
});

describe('isEmulatorConnectionString', () => {
  it.each([
    ['UseDevelopmentStorage=true', true],
    ['DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5', true],
    [
      'DefaultEndpointsProtocol=http;AccountName=local;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/local',
      true,
    ],
    [
      'DefaultEndpointsProtocol=https;AccountName=contosoaudit;AccountKey=a2V5;EndpointSuffix=core.windows.net',
      false,
    ],
  ])('%s -> %p', (connectionString, expected) => {
    expect(isEmulatorConnectionString(connectionString)).toBe(expected);
  });
});
