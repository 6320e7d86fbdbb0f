import type { Database, Table } from './catalog';
import type { Outcome, Policy } from './events';
import type { Actor } from './population';
import type { Random } from './random';
import type { ToolCall } from './sql';

const FAILURE_RATE = 0.025;

/** A call the policy and the database have ruled on. */
export interface Ruling {
  readonly outcome: Outcome;
  readonly policy: Policy;
}

/** The server-side policy: read-only actors do not write, restricted tables need a role, agents are bounded. */
export function decidePolicy(
  actor: Actor,
  database: Database,
  table: Table | undefined,
  call: ToolCall,
  random: Random,
): Policy {
  if (
    table !== undefined &&
    table.sensitivity === 'restricted' &&
    !actor.restrictedAccess.includes(database.name)
  ) {
    return { decision: 'deny', ruleId: 'restricted-tables' };
  }
  if (actor.readOnly && call.kind !== 'SELECT') {
    return {
      decision: 'deny',
      ruleId: actor.type === 'agent' ? 'agents-read-only' : 'read-only-role',
    };
  }
  if (actor.type === 'agent' && table !== undefined) {
    if (table.sensitivity === 'pii' && random.chance(0.15))
      return { decision: 'deny', ruleId: 'pii-requires-approval' };
    if (
      call.tool === 'read_query' &&
      !/\bTOP \(/.test(call.text) &&
      table.rows > 1_000_000 &&
      random.chance(0.3)
    ) {
      return { decision: 'deny', ruleId: 'unbounded-scan' };
    }
  }
  return { decision: 'allow', ruleId: actor.allowRule };
}

const DENIAL_REASONS: Record<string, string> = {
  'restricted-tables': 'the table is restricted to its owning department',
  'agents-read-only': 'agents may only read',
  'read-only-role': 'the role may only read',
  'pii-requires-approval': 'reading personal data needs an approved request',
  'unbounded-scan': 'queries on large tables need TOP or a selective filter',
  'stacked-statements': 'one statement per call',
};

export function denialReason(ruleId: string): string {
  return DENIAL_REASONS[ruleId] ?? 'denied by policy';
}

/** How the call ends: denied by the policy, failed in the database, or rows returned or changed. */
export function rule(actor: Actor, call: ToolCall, policy: Policy, random: Random): Ruling {
  if (policy.decision === 'deny') {
    return {
      policy,
      outcome: {
        status: 'denied',
        durationMs: random.int(1, 6),
        errorCode: 'POLICY_DENIED',
        errorMessage: `Denied by rule ${policy.ruleId}: ${denialReason(policy.ruleId)}.`,
      },
    };
  }
  const durationMs = (rows: number): number =>
    Math.max(
      1,
      Math.round(random.logNormal(6 * call.cost, 0.7) + rows * random.logNormal(0.004, 0.5)),
    );
  if (random.chance(FAILURE_RATE * (call.cost > 10 ? 2 : 1))) {
    const error = failureFor(call, random);
    const timedOut = error.code === '-2';
    return {
      policy,
      outcome: {
        status: 'failure',
        rowsReturned: 0,
        rowsAffected: 0,
        durationMs: timedOut ? 30_000 + random.int(0, 40) : durationMs(0),
        errorCode: error.code,
        errorMessage: error.message,
      },
    };
  }
  if (call.kind === 'SELECT') {
    const habit =
      call.tool === 'read_query'
        ? Math.min(call.typicalRows, Math.max(1, actor.medianRows))
        : call.typicalRows;
    const spread = call.tool === 'read_query' ? 1.3 : 0;
    const rows = Math.min(call.maxRows, Math.max(0, Math.round(random.logNormal(habit, spread))));
    return {
      policy,
      outcome: {
        status: 'success',
        rowsReturned: rows,
        rowsAffected: 0,
        durationMs: durationMs(rows),
      },
    };
  }
  const affected = call.kind === 'DDL' || call.kind === 'GRANT' ? 0 : call.typicalRows;
  return {
    policy,
    outcome: {
      status: 'success',
      rowsReturned: 0,
      rowsAffected: affected,
      durationMs: durationMs(affected),
    },
  };
}

function failureFor(call: ToolCall, random: Random): { code: string; message: string } {
  const object = call.objects[0] ?? 'dbo.unknown';
  switch (call.kind) {
    case 'SELECT':
      return random.pick([
        { code: '208', message: `Invalid object name '${object.slice(0, -1)}'.` },
        {
          code: '207',
          message: `Invalid column name '${random.pick(['total', 'created', 'customer', 'amount_usd'])}'.`,
        },
        { code: '102', message: "Incorrect syntax near 'FROM'." },
        {
          code: '-2',
          message:
            'Execution Timeout Expired. The timeout period elapsed prior to completion of the operation or the server is not responding.',
        },
      ]);
    case 'DDL':
    case 'GRANT':
      return random.pick([
        {
          code: '1913',
          message: `The operation failed because an index or statistics with that name already exists on table '${object}'.`,
        },
        {
          code: '15151',
          message: 'Cannot find the user, because it does not exist or you do not have permission.',
        },
      ]);
    default:
      return random.pick([
        {
          code: '1205',
          message: `Transaction (Process ID ${random.int(51, 190)}) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.`,
        },
        {
          code: '2627',
          message: `Violation of PRIMARY KEY constraint. Cannot insert duplicate key in object '${object}'.`,
        },
        {
          code: '547',
          message: `The statement conflicted with a FOREIGN KEY constraint on '${object}'.`,
        },
      ]);
  }
}
