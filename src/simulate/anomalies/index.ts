import type { World } from '../behaviour';
import type { Draft } from '../events';
import type { Random } from '../random';
import type { AnomalyKind } from '../types';
import { bulkExportAtNight } from './bulk-export-at-night';
import { credentialStuffing } from './credential-stuffing';
import { ddlFromReadOnlyAgent } from './ddl-from-read-only-agent';
import { newAgentSensitiveTables } from './new-agent-sensitive-tables';
import { sqlInjectionShaped } from './sql-injection-shaped';

/** One injected episode: which kind, after how many emitted events it starts, how many events it has. */
export interface EpisodePlan {
  readonly kind: AnomalyKind;
  readonly atIndex: number;
  readonly length: number;
}

/** Events per episode, inclusive bounds. */
const EPISODE_LENGTHS: Record<AnomalyKind, readonly [number, number]> = {
  'bulk-export-at-night': [5, 9],
  'ddl-from-read-only-agent': [4, 7],
  'sql-injection-shaped': [3, 8],
  'credential-stuffing': [20, 60],
  'new-agent-sensitive-tables': [4, 8],
};

/** One more episode of each kind per this many events. */
const EVENTS_PER_EXTRA_EPISODE = 20_000;

/** Below this count, episodes would crowd out the ordinary traffic they are meant to stand out from. */
export const MIN_COUNT_WITH_ANOMALIES = 200;

/**
 * Where episodes go: each kind once plus once per 20,000 events, at random points early enough that
 * all of them fit before `count` (the generator reserves room for the ones still owed).
 */
export function planEpisodes(
  kinds: readonly AnomalyKind[],
  count: number,
  random: Random,
): EpisodePlan[] {
  if (kinds.length === 0) return [];
  if (count < MIN_COUNT_WITH_ANOMALIES) {
    throw new RangeError(
      `count ${count} is too small to inject anomalies: use at least ${MIN_COUNT_WITH_ANOMALIES}`,
    );
  }
  const perKind = 1 + Math.floor(count / EVENTS_PER_EXTRA_EPISODE);
  const drafts: { kind: AnomalyKind; length: number }[] = [];
  for (let i = 0; i < perKind; i++) {
    for (const kind of kinds) {
      const [min, max] = EPISODE_LENGTHS[kind];
      drafts.push({ kind, length: random.int(min, max) });
    }
  }
  const total = drafts.reduce((sum, d) => sum + d.length, 0);
  const latest = Math.max(0, count - total);
  const earliest = Math.min(latest, Math.floor(count * 0.02));
  return drafts
    .map((d) => ({ ...d, atIndex: random.int(earliest, latest) }))
    .sort((a, b) => a.atIndex - b.atIndex || a.kind.localeCompare(b.kind));
}

/** The episode's events, exactly `plan.length` of them, none earlier than `now`. */
export function playEpisode(world: World, plan: EpisodePlan, now: number): Draft[] {
  const drafts = EPISODES[plan.kind](world, plan.length, now);
  if (drafts.length !== plan.length) {
    throw new Error(
      `episode ${plan.kind} produced ${drafts.length} events, planned ${plan.length}`,
    );
  }
  return drafts;
}

type Episode = (world: World, length: number, now: number) => Draft[];

const EPISODES: Record<AnomalyKind, Episode> = {
  'bulk-export-at-night': bulkExportAtNight,
  'ddl-from-read-only-agent': ddlFromReadOnlyAgent,
  'sql-injection-shaped': sqlInjectionShaped,
  'credential-stuffing': credentialStuffing,
  'new-agent-sensitive-tables': newAgentSensitiveTables,
};
