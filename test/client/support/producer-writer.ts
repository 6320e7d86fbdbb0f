/**
 * Child process for the crash test: an audit producer whose Event Hubs (argv[3], a connection
 * string to a port where nothing listens) cannot be reached, so every event goes to its spool
 * (argv[2]). It publishes groups of three events of about 240 KB forever. Before each group it
 * prints `writing <last number of the group>`; once the three publishes have resolved (the group is
 * durable) it prints the number alone. The test kills it with SIGKILL.
 *
 * With argv[4] = `torn`, the spool write of the sixth group is done in two pieces: the first ends
 * inside the group's second record, then the process prints `torn` and waits to be killed, so the
 * file ends in a record cut short.
 */
import { AuditEventBuilder, AuditProducer, type SpoolFile } from '../../../client';
import { openSpoolFile } from '../../../client/spool/file';

const TORN_GROUP_START = 15;
const FILLER = 'x'.repeat(60_000);

async function main(): Promise<void> {
  const [file, connectionString, mode] = process.argv.slice(2) as [string, string, string?];
  let tearNextDataWrite = false;
  const openFile = async (name: string): Promise<SpoolFile> => {
    const handle = await openSpoolFile(name);
    if (mode !== 'torn') return handle;
    return {
      read: (...args) => handle.read(...args),
      write: async (buffer, offset, length, position) => {
        if (!tearNextDataWrite || position < 256)
          return handle.write(buffer, offset, length, position);
        const firstPiece = Math.floor(length / 2) + 1000;
        await handle.write(buffer, offset, firstPiece, position);
        process.stdout.write('torn\n');
        await new Promise(() => undefined);
        return { bytesWritten: firstPiece };
      },
      datasync: () => handle.datasync(),
      truncate: (length) => handle.truncate(length),
      stat: () => handle.stat(),
      close: () => handle.close(),
    };
  };
  const producer = await AuditProducer.open({
    connection: { connectionString },
    retryOptions: { maxRetries: 0, retryDelayInMs: 10, timeoutInMs: 1000 },
    replayBackoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
    spool: { path: file, maxBytes: 1 << 30, openFile },
  });
  const events = new AuditEventBuilder({
    source: '/sqlmcp/servers/crash-test',
    tenantId: 'contoso',
  });
  for (let n = 0; ; n += 3) {
    const group = [n, n + 1, n + 2].map((i) =>
      events.toolInvoked({
        actor: { id: 'writer', type: 'service' },
        tool: {
          name: 'write_query',
          arguments: { n: i, a: FILLER, b: FILLER, c: FILLER, d: FILLER },
        },
        outcome: { status: 'success' },
      }),
    );
    tearNextDataWrite = n === TORN_GROUP_START;
    process.stdout.write(`writing ${n + 2}\n`);
    await Promise.all(group.map((event) => producer.publish(event)));
    process.stdout.write(`${n + 2}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
