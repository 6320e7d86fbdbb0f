/** Validation of legal holds and their scopes. */
import {
  IssueList,
  field,
  item,
  readArray,
  readObject,
  readString,
  readTimestamp,
  rejectUnknownKeys,
} from './check';
import { checkTenant } from './validate-assignment';

// Hold ids are written into the `legalhold` blob index tag, so they use tag-safe characters only.
const HOLD_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

function readScope(value: unknown, path: string, issues: IssueList): void {
  const scope = readObject(value, path, issues);
  if (scope === undefined) return;
  rejectUnknownKeys(scope, ['tenant', 'from', 'to', 'events'], path, issues);
  const hasRange = scope.from !== undefined || scope.to !== undefined;
  const hasEvents = scope.events !== undefined;
  if (scope.tenant !== undefined) checkTenant(scope.tenant, field(path, 'tenant'), issues);

  if (hasRange && hasEvents) {
    issues.add(path, 'must hold either a time range (from, to) or events, not both');
    return;
  }
  if (hasRange) {
    const from = readTimestamp(scope.from, field(path, 'from'), issues);
    const to = readTimestamp(scope.to, field(path, 'to'), issues);
    if (from !== undefined && to !== undefined && to.getTime() <= from.getTime()) {
      issues.add(field(path, 'to'), `must be later than from (${String(scope.from)})`);
    }
    return;
  }
  if (hasEvents) {
    if (scope.tenant === undefined) {
      issues.add(field(path, 'tenant'), 'is required when the hold names events');
    }
    const eventsPath = field(path, 'events');
    const events = readArray(scope.events, eventsPath, issues);
    if (events !== undefined && events.length === 0) {
      issues.add(eventsPath, 'must name at least one event');
    }
    events?.forEach((entry, index) => {
      const eventPath = item(eventsPath, index);
      const event = readObject(entry, eventPath, issues);
      if (event === undefined) return;
      rejectUnknownKeys(event, ['id', 'time'], eventPath, issues);
      readString(event.id, field(eventPath, 'id'), issues);
      readTimestamp(event.time, field(eventPath, 'time'), issues);
    });
    return;
  }
  if (scope.tenant === undefined) {
    issues.add(path, 'must name a tenant, a time range (from, to) or events');
  }
}

export function readLegalHolds(value: unknown, issues: IssueList): void {
  const holds = readArray(value, 'legalHolds', issues);
  const seenIds = new Set<string>();
  holds?.forEach((entry, index) => {
    const path = item('legalHolds', index);
    const hold = readObject(entry, path, issues);
    if (hold === undefined) return;
    rejectUnknownKeys(
      hold,
      ['id', 'reason', 'placedBy', 'placedAt', 'releasedAt', 'releasedBy', 'scope'],
      path,
      issues,
    );
    const id = readString(hold.id, field(path, 'id'), issues);
    if (id !== undefined) {
      if (!HOLD_ID.test(id)) {
        issues.add(
          field(path, 'id'),
          `must match ${HOLD_ID.source} (it is written into a blob index tag)`,
        );
      } else if (seenIds.has(id)) {
        issues.add(field(path, 'id'), `duplicates an earlier hold id ("${id}")`);
      }
      seenIds.add(id);
    }
    readString(hold.reason, field(path, 'reason'), issues);
    readString(hold.placedBy, field(path, 'placedBy'), issues);
    const placedAt = readTimestamp(hold.placedAt, field(path, 'placedAt'), issues);
    if (hold.releasedAt !== undefined) {
      const releasedAt = readTimestamp(hold.releasedAt, field(path, 'releasedAt'), issues);
      if (placedAt !== undefined && releasedAt !== undefined && releasedAt < placedAt) {
        issues.add(
          field(path, 'releasedAt'),
          `must not be earlier than placedAt (${String(hold.placedAt)})`,
        );
      }
      readString(hold.releasedBy, field(path, 'releasedBy'), issues);
    } else if (hold.releasedBy !== undefined) {
      issues.add(field(path, 'releasedBy'), 'must not be set without releasedAt');
    }
    readScope(hold.scope, field(path, 'scope'), issues);
  });
}
