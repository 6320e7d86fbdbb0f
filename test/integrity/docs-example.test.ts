import { readFileSync } from 'node:fs';
import path from 'node:path';
import { verifyCheckpointNote } from '../../src/integrity/checkpoint';
import { ecdsaVerifierKey } from '../../src/integrity/note';
import { verifyInclusion } from '../../src/integrity/verify';
import { parseJwks, spkiFromJwk } from '../../src/keys/jwk';

// The worked examples in docs/integrity.md, checked so the document cannot drift from the code.
const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'integrity.md'), 'utf8');

function block(marker: string): string {
  const match = new RegExp(`<!-- ${marker} -->\\n+\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (match === null) throw new Error(`docs/integrity.md has no block after <!-- ${marker} -->`);
  return match[1] as string;
}

const note = block('example-checkpoint');
const jwks = parseJwks({ keys: [JSON.parse(block('example-jwk')) as unknown] });

describe('docs/integrity.md examples', () => {
  it('has an example checkpoint that verifies with the example key', () => {
    const checkpoint = verifyCheckpointNote(note, jwks);
    expect([checkpoint.origin, checkpoint.size, checkpoint.partition]).toEqual([
      'sql-mcp-audit/weu/3',
      8,
      '3',
    ]);
  });

  it('gives the verifier key of the example key', () => {
    const vkey = ecdsaVerifierKey(
      'sql-mcp-audit/weu/3',
      spkiFromJwk(jwks.keys[0] as (typeof jwks.keys)[0]),
    );
    expect(doc).toContain(`\`${vkey}\``);
  });

  it('has an inclusion proof that verifies against the example checkpoint', () => {
    const proof = JSON.parse(
      /```json\n(\{\n {2}"logIndex"[\s\S]*?)```/.exec(doc)?.[1] as string,
    ) as {
      logIndex: number;
      treeSize: number;
      leafHash: string;
      hashes: string[];
    };
    const checkpoint = verifyCheckpointNote(note, jwks);
    expect(() =>
      verifyInclusion(
        Buffer.from(proof.leafHash, 'base64'),
        proof.logIndex,
        proof.treeSize,
        proof.hashes.map((h) => Buffer.from(h, 'base64')),
        checkpoint.rootHash,
      ),
    ).not.toThrow();
  });
});
