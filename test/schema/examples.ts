import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent } from '../../src/schema/types';

/** The valid example events in test/data/events, one per event type. */
export const EXAMPLE_EVENT_FILES = [
  'tool-invoked.json',
  'session-started.json',
  'session-ended.json',
  'auth-failed.json',
  'policy-denied.json',
  'config-changed.json',
] as const;

export type ExampleEventFile = (typeof EXAMPLE_EVENT_FILES)[number];

const EVENTS_DIR = join(__dirname, '..', 'data', 'events');

export function exampleEventBytes(file: ExampleEventFile): Buffer {
  return readFileSync(join(EVENTS_DIR, file));
}

/** A fresh copy of an example event, safe to modify. */
export function exampleEvent(file: ExampleEventFile): AuditEvent {
  return JSON.parse(exampleEventBytes(file).toString('utf8')) as AuditEvent;
}

/**
 * An event under construction by a test: deliberately untyped, because tests reach into it at any
 * depth to make it invalid in every way the schema forbids.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MutableEvent = Record<string, any>;

/** The example's JSON with `change` applied to a fresh copy, as bytes. */
export function exampleWith(file: ExampleEventFile, change: (event: MutableEvent) => void): Buffer {
  const event = exampleEvent(file) as unknown as MutableEvent;
  change(event);
  return Buffer.from(JSON.stringify(event), 'utf8');
}
