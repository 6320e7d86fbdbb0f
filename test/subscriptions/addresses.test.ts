import { readFileSync } from 'node:fs';
import path from 'node:path';
import { classifyAddress, InvalidAddressError } from '../../src/subscriptions/addresses';

const data = JSON.parse(
  readFileSync(path.resolve(__dirname, '../data/subscriptions/addresses.json'), 'utf8'),
) as { vectors: { address: string; class: string }[]; invalid: string[] };

describe('classifyAddress', () => {
  it.each(data.vectors.map((v) => [v.address, v.class]))(
    'classifies %s as %s',
    (address, expected) => {
      expect(classifyAddress(address)).toBe(expected);
    },
  );

  it.each(data.invalid)('refuses "%s", which is not an IP address', (text) => {
    expect(() => classifyAddress(text)).toThrow(new InvalidAddressError(text));
  });
});
