import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuery, QuerySyntaxError } from '../../src/query/ql';

// docs/query.md is executed here, so the guide cannot drift from the parser.
const GUIDE = readFileSync(join(__dirname, '../../docs/query.md'), 'utf8');
const NOW = new Date('2025-06-10T12:00:00.000Z');

function section(title: string): string {
  const start = GUIDE.indexOf(`## ${title}\n`);
  const end = GUIDE.indexOf('\n## ', start + 1);
  if (start < 0) throw new Error(`docs/query.md has no section "${title}"`);
  return GUIDE.slice(start, end < 0 ? undefined : end);
}

function firstCodeBlock(text: string): string[] {
  const match = /```\n([\s\S]*?)\n```/.exec(text);
  if (match === null) throw new Error('no code block');
  return (match[1] as string).split('\n');
}

const examples = firstCodeBlock(section('Examples')).map((line) =>
  (line.split(/ {2,}/)[0] as string).trim(),
);
const errorRows = section('Errors')
  .split('\n')
  .flatMap((line) => {
    const match = /^\| `(.+?)` +\| `(.+)` +\|$/.exec(line);
    return match === null ? [] : [[match[1] as string, match[2] as string] as const];
  });

function messageOf(query: string): string {
  try {
    parseQuery(query, NOW);
  } catch (error) {
    if (error instanceof QuerySyntaxError) return `${error.caret()}\n${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('docs/query.md', () => {
  it('has examples and error rows to check', () => {
    expect([examples.length >= 5, errorRows.length >= 10]).toEqual([true, true]);
  });

  it.each(examples)('accepts the example %j', (query) => {
    expect(messageOf(query)).toBe('accepted');
  });

  it.each(errorRows)('rejects %j with the documented message', (query, message) => {
    expect(messageOf(query).split('\n').pop()).toBe(message);
  });

  it('shows the caret and message the parser gives for the first error', () => {
    const [query, caret, message] = firstCodeBlock(section('Errors'));
    expect(messageOf(query as string)).toBe(`${query}\n${caret}\n${message}`);
  });

  it('opens with a query the parser accepts', () => {
    const [opening] = firstCodeBlock(GUIDE);
    expect(messageOf(opening as string)).toBe('accepted');
  });
});
