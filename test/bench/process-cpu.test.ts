import { spawnSync } from 'node:child_process';
import { ownCpuMs, processCpuMs } from '../../bench/process-cpu';

const onLinux = process.platform === 'linux';

describe('process CPU time for the storage benchmark', () => {
  (onLinux ? it : it.skip)(
    'reads a process CPU time from /proc that agrees with its own count',
    () => {
      const burnUntil = Date.now() + 150;
      while (Date.now() < burnUntil) Math.sqrt(Math.random());
      const fromProc = processCpuMs(process.pid);
      const own = ownCpuMs();
      expect(fromProc).toBeDefined();
      // /proc counts in clock ticks of 10 ms; allow a few of them either way.
      expect(Math.abs((fromProc as number) - own)).toBeLessThan(50);
    },
  );

  it('answers undefined for a process that is gone or was never given', () => {
    const child = spawnSync(process.execPath, ['-e', '0']);
    expect(child.status).toBe(0);
    expect(processCpuMs(child.pid)).toBeUndefined();
    expect(processCpuMs(undefined)).toBeUndefined();
  });
});
