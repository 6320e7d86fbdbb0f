import type { SimulatedEvent } from './types';

/** Newline-delimited JSON: one event body per line, each line ending in "\n" (what POST /api/events accepts). */
export function toNdjson(events: Iterable<SimulatedEvent>): string {
  let out = '';
  for (const { body } of events) out += `${body}\n`;
  return out;
}
