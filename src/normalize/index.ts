export { deriveFacts, fingerprintIdOf, type DerivedFacts } from './facts';
export { fingerprintStatement } from './fingerprint';
export { deriveStatementKind, deriveStatementVerb, kindOfVerb } from './statement-kind';
