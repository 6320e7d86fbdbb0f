import * as crypto from 'node:crypto';
import type { AuditEvent, StatementKind } from '../schema/types';
import { fingerprintStatement } from './fingerprint';
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

/** The facts for `event`; every field but statementKindDerived is absent when there is no statement. */
export function deriveFacts(event: AuditEvent): DerivedFacts {
  const statement = event.data.statement;
  const text = statement?.text;
  const verb = text === undefined ? undefined : deriveStatementVerb(text);
  const facts: DerivedFacts = { statementKindDerived: false };
  if (statement?.kind !== undefined) {
    facts.statementKind = statement.kind;
  } else if (text !== undefined) {
    facts.statementKind = kindOfVerb(verb);
    facts.statementKindDerived = true;
  }
  if (verb !== undefined) {
    facts.statementVerb = verb;
  }
  if (text !== undefined) {
    const fingerprint = fingerprintStatement(text);
    facts.fingerprint = fingerprint;
    facts.fingerprintId = fingerprintIdOf(fingerprint);
  }
  return facts;
}

/** The first 16 hex digits of SHA-256(UTF-8 of `fingerprint`). */
export function fingerprintIdOf(fingerprint: string): string {
  return sha256Hex(fingerprint).slice(0, 16);
}

// crypto.hash (Node 20.12+) is a one-shot digest about three times cheaper than createHash for short
// inputs; older Node 20 releases fall back to createHash.
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
