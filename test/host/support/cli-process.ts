/**
 * Runs the mcp-audit CLI as a user would, in a child process: `node main.ts <args>` with the sources
 * compiled on the fly by register-ts.js (the same SWC settings jest uses), so no build step is needed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');
const REGISTER = path.join(__dirname, 'register-ts.js');
const MAIN = path.join(ROOT, 'src/cli/main.ts');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for children: no settings leak in from the machine running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT'])
    if (process.env[name] !== undefined) env[name] = process.env[name];
  return { ...env, ...extra };
}

export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', REGISTER, MAIN, ...args], {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `mcp-audit ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A `mcp-audit start` child process, ready once its banner is printed. */
export class HostProcess {
  output = '';
  private exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly key: string | undefined,
    readonly amqpConnection: string | undefined,
    output: string,
    exited: Promise<number | null>,
  ) {
    this.output = output;
    this.exited = exited;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
  }

  static start(
    args: readonly string[],
    options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
  ): Promise<HostProcess> {
    const child = spawn(process.execPath, ['-r', REGISTER, MAIN, 'start', ...args], {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    return new Promise((resolve, reject) => {
      let output = '';
      let errors = '';
      const timer = setTimeout(() => {
        child.kill('SIGTERM');
        reject(
          new Error(
            `the host did not start in ${options.timeoutMs ?? 90_000} ms\n${output}\n${errors}`,
          ),
        );
      }, options.timeoutMs ?? 90_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        if (!/^stop {9}/m.test(output)) return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        const url = /listening on (http:\/\/[^\s]+)\/api/.exec(output)?.[1] as string;
        const key = /^key {10}(\S+) {2}\(every tenant/m.exec(output)?.[1];
        const amqp = /EVENTHUB_CONNECTION=(\S+)/.exec(output)?.[1];
        resolve(new HostProcess(child, url, key, amqp, output, exited));
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the host exited with ${code} before it was ready\n${output}\n${errors}`));
      });
    });
  }

  /** Sends a signal and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
