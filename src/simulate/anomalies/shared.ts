import type { Outcome, Policy } from '../events';
import type { Actor, Tenant } from '../population';

export function allow(ruleId: string): Policy {
  return { decision: 'allow', ruleId };
}

export function success(rowsReturned: number, rowsAffected: number, durationMs: number): Outcome {
  return { status: 'success', rowsReturned, rowsAffected, durationMs };
}

export function agentsOf(tenant: Tenant): Actor[] {
  return tenant.actors.filter((actor) => actor.type === 'agent');
}
