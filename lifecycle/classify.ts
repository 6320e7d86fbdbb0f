import type { AssignmentRule, RetentionClass, RetentionPolicy } from './types';

const DAY_MS = 86_400_000;

function matchesTenant(rule: AssignmentRule, tenant: string): boolean {
  return rule.tenants === undefined || rule.tenants.includes(tenant);
}

function matchesEventType(rule: AssignmentRule, eventType: string): boolean {
  return rule.eventTypes === undefined || rule.eventTypes.includes(eventType);
}

function classNamed(policy: RetentionPolicy, name: string): RetentionClass {
  const retentionClass = policy.classes[name];
  // loadRetentionPolicy guarantees every referenced class exists; reaching this means the policy
  // did not come from the loader.
  if (retentionClass === undefined) throw new Error(`retention class "${name}" is not defined`);
  return retentionClass;
}

/** The retention class of one event: the first assignment rule matching tenant and type, else the default. */
export function classify(policy: RetentionPolicy, tenant: string, eventType: string): string {
  const rule = policy.assignment.rules.find(
    (candidate) => matchesTenant(candidate, tenant) && matchesEventType(candidate, eventType),
  );
  return rule?.class ?? policy.assignment.defaultClass;
}

/**
 * Every class an event of `tenant` can fall into, whatever its type, in first-match order.
 * A rule that matches the tenant for every type ends the search: nothing after it is reachable.
 */
export function classesReachableFor(policy: RetentionPolicy, tenant: string): string[] {
  const reachable: string[] = [];
  for (const rule of policy.assignment.rules) {
    if (!matchesTenant(rule, tenant)) continue;
    if (!reachable.includes(rule.class)) reachable.push(rule.class);
    if (rule.eventTypes === undefined) return reachable;
  }
  if (!reachable.includes(policy.assignment.defaultClass)) {
    reachable.push(policy.assignment.defaultClass);
  }
  return reachable;
}

/**
 * The longest-lived of `classNames`: latest deletion, then longest hot window, then the class
 * declared first. A segment mixes events of several classes and keeps the longest of them, so no
 * event is deleted before its own class allows.
 * Precondition: `classNames` is not empty and names classes of `policy`.
 */
export function longestLivedClass(policy: RetentionPolicy, classNames: Iterable<string>): string {
  const declared = Object.keys(policy.classes);
  let best: string | undefined;
  for (const name of classNames) {
    if (best === undefined) {
      best = name;
      continue;
    }
    const candidate = classNamed(policy, name);
    const current = classNamed(policy, best);
    const longer =
      candidate.delete.afterDays !== current.delete.afterDays
        ? candidate.delete.afterDays > current.delete.afterDays
        : candidate.hot.days !== current.hot.days
          ? candidate.hot.days > current.hot.days
          : declared.indexOf(name) < declared.indexOf(best);
    if (longer) best = name;
  }
  if (best === undefined) throw new Error('longestLivedClass needs at least one class name');
  classNamed(policy, best);
  return best;
}

/** How long an event of this tenant and type stays in the hot Table. */
export function hotWindowFor(
  policy: RetentionPolicy,
  tenant: string,
  eventType: string,
): { days: number; className: string } {
  const className = classify(policy, tenant, eventType);
  return { days: classNamed(policy, className).hot.days, className };
}

/**
 * Events of `tenant` older than the returned instant may leave the hot Table at `now`.
 * With `eventType`, the cutoff of that type's class. Without it, the earliest cutoff over every
 * class the tenant's events can fall into, so a sweep that ignores event types never removes an
 * event before its own hot window ends.
 */
export function hotCutoff(
  policy: RetentionPolicy,
  tenant: string,
  now: Date,
  eventType?: string,
): Date {
  const days =
    eventType === undefined
      ? Math.max(
          ...classesReachableFor(policy, tenant).map((name) => classNamed(policy, name).hot.days),
        )
      : hotWindowFor(policy, tenant, eventType).days;
  return new Date(now.getTime() - days * DAY_MS);
}
