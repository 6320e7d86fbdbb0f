import { planEpisodes, playEpisode, type EpisodePlan } from './anomalies';
import { planConfigChange, planSession, type World } from './behaviour';
import { toCloudEvent } from './events';
import { activity, buildPopulation, localTime, type Actor, type Tenant } from './population';
import { Random } from './random';
import { Timeline } from './timeline';
import {
  ANOMALY_KINDS,
  type AnomalyKind,
  type SimulatedEvent,
  type SimulationOptions,
} from './types';

export const DEFAULT_START = new Date('2025-06-02T06:00:00.000Z');
export const DEFAULT_TENANTS = 5;
export const DEFAULT_RATE_PER_SECOND = 1;
const MAX_TENANTS = 100;

/** Ordinary sessions average about this many events (measured); it turns an event rate into a session rate. */
const EVENTS_PER_SESSION = 7;
/** Share of arrivals that are a configuration change rather than a session. */
const CONFIG_CHANGE_SHARE = 0.004;

/**
 * Realistic SQL MCP audit traffic: CloudEvents 1.0 structured JSON from several tenants, each with its
 * own servers, databases, people, agents and services keeping their habits, plus optional labelled
 * anomalies. A discrete-event simulation on a simulated clock: sessions arrive as a Poisson process
 * thinned by who is at work in each tenant's time zone, and every session schedules its events ahead;
 * events come out in time order.
 *
 * Deterministic: no wall clock and no Math.random; the same options give byte-identical bodies.
 *
 * @throws RangeError for options out of range (count, tenants, rate, start, anomaly kinds, or
 *   anomalies with count below 200).
 */
export function* simulateTraffic(options: SimulationOptions): Generator<SimulatedEvent> {
  const settings = validate(options);
  const random = new Random(options.seed);
  const tenants = buildPopulation(settings.tenants, random);
  const world: World = { random, tenants, config: new Map(), introducedAgents: new Set() };
  const plans = planEpisodes(settings.anomalies, settings.count, random);
  const timeline = new Timeline();
  const loads = new LoadCache(tenants);
  const meanArrivalGapMs = (1000 * EVENTS_PER_SESSION) / settings.ratePerSecond;
  let arrival = settings.start.getTime();
  let clock = arrival;
  let owed = plans.reduce((sum, plan) => sum + plan.length, 0);
  let nextPlan = 0;
  let emitted = 0;

  while (emitted < settings.count) {
    while (nextPlan < plans.length && (plans[nextPlan] as EpisodePlan).atIndex <= emitted) {
      for (const draft of playEpisode(world, plans[nextPlan] as EpisodePlan, clock))
        timeline.add(draft);
      nextPlan++;
    }
    // Every arrival up to the next pending event is scheduled first, so the stream stays in time order.
    while (timeline.size === 0 || arrival <= (timeline.peekTime() ?? Infinity)) {
      spawn(world, loads, arrival, timeline);
      arrival = nextArrival(world, loads, arrival, meanArrivalGapMs);
    }
    const draft = timeline.take();
    // Room left for the anomaly events still owed is theirs: ordinary events wait out the gap.
    if (draft.anomaly === undefined && settings.count - emitted <= owed) continue;
    if (draft.anomaly !== undefined) owed--;
    clock = draft.time;
    const event = toCloudEvent(draft, random);
    emitted++;
    yield draft.anomaly === undefined
      ? { event, body: JSON.stringify(event) }
      : { event, body: JSON.stringify(event), anomaly: draft.anomaly };
  }
}

interface Settings {
  readonly count: number;
  readonly tenants: number;
  readonly start: Date;
  readonly ratePerSecond: number;
  readonly anomalies: readonly AnomalyKind[];
}

function validate(options: SimulationOptions): Settings {
  const {
    count,
    tenants = DEFAULT_TENANTS,
    start = DEFAULT_START,
    ratePerSecond = DEFAULT_RATE_PER_SECOND,
  } = options;
  if (!Number.isSafeInteger(count) || count < 0)
    throw new RangeError(`count must be a whole number >= 0, got ${count}`);
  if (!Number.isInteger(tenants) || tenants < 1 || tenants > MAX_TENANTS) {
    throw new RangeError(`tenants must be a whole number in 1..${MAX_TENANTS}, got ${tenants}`);
  }
  if (!(start instanceof Date) || Number.isNaN(start.getTime()))
    throw new RangeError(`start must be a valid Date, got ${String(start)}`);
  if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
    throw new RangeError(`ratePerSecond must be a positive number, got ${ratePerSecond}`);
  }
  const requested = options.anomalies ?? false;
  const anomalies =
    requested === true ? [...ANOMALY_KINDS] : requested === false ? [] : [...new Set(requested)];
  for (const kind of anomalies) {
    if (!(ANOMALY_KINDS as readonly string[]).includes(kind)) {
      throw new RangeError(
        `unknown anomaly kind "${String(kind)}": expected one of ${ANOMALY_KINDS.join(', ')}`,
      );
    }
  }
  return { count, tenants, start, ratePerSecond, anomalies };
}

interface TenantLoad {
  readonly tenant: Tenant;
  /** 0..1: the tenant's actors' activity weighted by how much each does. */
  readonly load: number;
  /** Each actor's weight times activity, in `tenant.actors` order. */
  readonly weights: readonly number[];
}

/**
 * Activity changes only on whole local hours, and every tenant's offset is a multiple of 30 minutes,
 * so loads are constant within a half hour of UTC: computed once per half hour.
 */
const LOAD_BUCKET_MS = 1_800_000;

class LoadCache {
  private bucket = Number.NaN;
  private current: { readonly tenants: readonly TenantLoad[]; readonly mean: number } = {
    tenants: [],
    mean: 0,
  };

  constructor(private readonly tenants: readonly Tenant[]) {}

  at(time: number): { readonly tenants: readonly TenantLoad[]; readonly mean: number } {
    const bucket = Math.floor(time / LOAD_BUCKET_MS);
    if (bucket !== this.bucket) {
      const loads = this.tenants.map((tenant) => tenantLoad(tenant, bucket * LOAD_BUCKET_MS));
      this.current = {
        tenants: loads,
        mean: loads.reduce((sum, l) => sum + l.load, 0) / loads.length,
      };
      this.bucket = bucket;
    }
    return this.current;
  }
}

function tenantLoad(tenant: Tenant, at: number): TenantLoad {
  const { hour, weekday } = localTime(at, tenant.utcOffsetMinutes);
  let total = 0;
  let active = 0;
  const weights = tenant.actors.map((actor) => {
    const weight = actor.weight * activity(actor, hour, weekday);
    total += actor.weight;
    active += weight;
    return weight;
  });
  return { tenant, load: active / total, weights };
}

/** The next session arrival: a Poisson process at the peak rate, thinned by the tenants' current load. */
function nextArrival(world: World, loads: LoadCache, after: number, meanGapMs: number): number {
  let at = after;
  for (;;) {
    at += Math.max(1, Math.round(world.random.exponential(meanGapMs)));
    if (world.random.next() < loads.at(at).mean) return at;
  }
}

function spawn(world: World, loads: LoadCache, at: number, timeline: Timeline): void {
  const { random } = world;
  const { tenant, weights } = random.weighted(loads.at(at).tenants, (entry) => entry.load);
  if (random.chance(CONFIG_CHANGE_SHARE)) {
    for (const draft of planConfigChange(world, tenant, at)) timeline.add(draft);
    return;
  }
  const indexed = tenant.actors.map((actor, i) => ({ actor, weight: weights[i] ?? 0 }));
  const { actor } = random.weighted<{ actor: Actor; weight: number }>(
    indexed,
    (entry) => entry.weight,
  );
  for (const draft of planSession(world, tenant, actor, at)) timeline.add(draft);
}
