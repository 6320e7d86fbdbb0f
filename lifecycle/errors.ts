/** One problem found while validating a document: where it is and what is wrong with it. */
export interface ValidationIssue {
  /** Dotted path into the document, e.g. `classes.standard.tiers.cold.afterDays`; `(root)` for the document itself. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: ValidationIssue): string {
  return `${issue.path}: ${issue.message}`;
}

function describe(title: string, issues: readonly ValidationIssue[]): string {
  return [`${title} (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}):`]
    .concat(issues.map((issue) => `  ${formatIssue(issue)}`))
    .join('\n');
}

/** lifecycle/policy.json (or a policy passed in) is not a usable retention policy. */
export class RetentionPolicyError extends Error {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(describe('invalid retention policy', issues));
    this.name = 'RetentionPolicyError';
  }
}

/** A management policy breaks Azure's limits or leaves the subset the local evaluator mirrors. */
export class AzureManagementPolicyError extends Error {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(describe('invalid Azure management policy', issues));
    this.name = 'AzureManagementPolicyError';
  }
}

/** lifecycle/prices.json (or a price table passed in) is incomplete or malformed. */
export class PriceTableError extends Error {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(describe('invalid price table', issues));
    this.name = 'PriceTableError';
  }
}
