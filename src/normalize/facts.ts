import * as crypto from 'node:crypto';
import type { AuditEvent, StatementKind } from '../schema/types';
import { fingerprintStatement } from './fingerprint';
import { detachedCopy, RecentMap } from './recent-map';
import { RecentSightings } from './recent-sightings';
import { deriveStatementVerb, kindOfVerb } from './statement-kind';

/** What the pipeline derives from an event's statement, stored beside the event. */
export interface DerivedFacts {
  /** The producer's data.statement.kind when given, else derived from data.statement.text. */
  statementKind?: StatementKind;
  /** True when statementKind was derived from the text rather than sent by the producer. */
  statementKindDerived: boolean;
  /** The statement's first verb, upper-cased (e.g. 'DROP'), when the text has one. */
  statementVerb?: string;
  /** fingerprintStatement(data.statement.text). */
  fingerprint?: string;
  /** The first 16 hex digits of SHA-256 over the fingerprint's UTF-8 bytes: a short grouping key. */
  fingerprintId?: string;
}

/**
 * The facts for `event`; every field but statementKindDerived is absent when there is no statement.
 * Each call returns a new object, so a caller may change its facts without touching anyone else's.
 */
export function deriveFacts(event: AuditEvent): DerivedFacts {
  const statement = event.data.statement;
  const facts: DerivedFacts = { statementKindDerived: false };
  const text = statement?.text;
  if (text === undefined) {
    if (statement?.kind !== undefined) {
      facts.statementKind = statement.kind;
    }
    return facts;
  }
  const derived = textFactsOf(text);
  if (statement?.kind !== undefined) {
    facts.statementKind = statement.kind;
  } else {
    facts.statementKind = derived.kind;
    facts.statementKindDerived = true;
  }
  if (derived.verb !== undefined) {
    facts.statementVerb = derived.verb;
  }
  facts.fingerprint = derived.fingerprint;
  facts.fingerprintId = derived.fingerprintId;
  return facts;
}

/** The first 16 hex digits of SHA-256(UTF-8 of `fingerprint`). */
export function fingerprintIdOf(fingerprint: string): string {
  return sha256Hex(fingerprint).slice(0, 16);
}

/** What depends on the statement text alone. Shared between events, so never handed out. */
interface TextFacts {
  readonly verb: string | undefined;
  readonly kind: StatementKind;
  readonly fingerprint: string;
  readonly fingerprintId: string;
}

/**
 * Agents repeat statements (schema discovery, the same report query), so the facts of recent texts are
 * remembered. They are a pure function of the text, so a remembered entry is exactly what a fresh
 * derivation would give.
 *
 * A memo entry outlives the young generation, so every insertion costs the garbage collector a copy
 * and, later, an old-generation collection. Most texts that miss are one-offs (literals inlined), so a
 * text is remembered only on its second sighting (a false positive of the filter only remembers a
 * one-off). Bounded: texts longer than MAX_REMEMBERED_TEXT are not remembered, and the memo holds at
 * most two generations of GENERATION_ENTRIES entries or GENERATION_CHARACTERS characters.
 */
const MAX_REMEMBERED_TEXT = 2048;
const GENERATION_ENTRIES = 4096;
const GENERATION_CHARACTERS = 1 << 20;
/** 32 KiB of filter, sparse enough (under 1 bit in 8 set) that false positives stay rare. */
const SIGHTING_BITS = 1 << 18;
const SIGHTING_RESET = 1 << 14;

const textFacts = new RecentMap<string, TextFacts>(
  GENERATION_ENTRIES,
  GENERATION_CHARACTERS,
  (text, facts) => text.length + facts.fingerprint.length,
);
const sightings = new RecentSightings(SIGHTING_BITS, SIGHTING_RESET);

function textFactsOf(text: string): TextFacts {
  if (text.length > MAX_REMEMBERED_TEXT) {
    return deriveTextFacts(text);
  }
  let facts = textFacts.get(text);
  if (facts === undefined) {
    if (!sightings.sawBefore(text)) {
      return deriveTextFacts(text);
    }
    // Derived from the copy, so that the verb and fingerprint (which may be slices) refer to it only.
    const key = detachedCopy(text);
    facts = deriveTextFacts(key);
    textFacts.set(key, facts);
  }
  return facts;
}

function deriveTextFacts(text: string): TextFacts {
  const verb = deriveStatementVerb(text);
  const fingerprint = fingerprintStatement(text);
  return { verb, kind: kindOfVerb(verb), fingerprint, fingerprintId: fingerprintIdOf(fingerprint) };
}

// crypto.hash (Node 20.12+) is a one-shot digest about three times cheaper than createHash for short
// inputs; older Node 20 releases fall back to createHash.
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
