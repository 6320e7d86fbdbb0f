import type { World } from '../behaviour';
import { FIRST_NAMES, LAST_NAMES } from '../catalog';
import { authFailed, type Draft, type Participant } from '../events';
import { serverFor } from '../population';

const COMMON_USER_NAMES = [
  'admin',
  'sa',
  'root',
  'test',
  'administrator',
  'sqladmin',
  'backup',
  'guest',
  'support',
  'dbo',
];

/** One outside address tries many user names in a quick burst. */
export function credentialStuffing(world: World, length: number, now: number): Draft[] {
  const { random } = world;
  const tenant = random.pick(world.tenants);
  const ip = random.pick([
    `203.0.113.${random.int(2, 250)}`,
    `198.51.100.${random.int(2, 250)}`,
    `192.0.2.${random.int(2, 250)}`,
  ]);
  const client = random.pick([
    { name: 'mcp-client', version: '0.1.0' },
    { name: 'python-httpx', version: '0.27.0' },
  ]);
  const server = serverFor(random.pick(tenant.databases));
  const real = tenant.actors.filter((actor) => actor.type === 'user').map((actor) => actor.id);
  const names: string[] = [];
  while (names.length < length) {
    const r = random.next();
    const name =
      r < 0.35
        ? random.pick(real)
        : r < 0.6
          ? random.pick(COMMON_USER_NAMES)
          : `${random.pick(FIRST_NAMES).charAt(0)}.${random.pick(LAST_NAMES)}`;
    if (!names.includes(name) || names.length > real.length + COMMON_USER_NAMES.length)
      names.push(name);
  }
  let time = now + random.int(1_000, 60_000);
  return names.map((name) => {
    const who: Participant = { id: name, type: 'user', ip, client };
    const locked = real.includes(name) && random.chance(0.2);
    const error = locked
      ? {
          code: 'account_locked',
          message: `Sign-in blocked for "${name}": too many failed attempts.`,
        }
      : {
          code: 'invalid_credentials',
          message: `Sign-in failed for "${name}": invalid user name or password.`,
        };
    const draft = authFailed(
      tenant,
      who,
      server,
      time,
      random.hex(32),
      error,
      'credential-stuffing',
    );
    time += random.int(60, 900);
    return draft;
  });
}
