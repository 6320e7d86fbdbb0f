import { CommanderError } from 'commander';
import { SettingsError } from '../config/settings';
import { CliError, EXIT } from './errors';
import { processIo, type CliIo } from './io';
import { buildProgram } from './program';
import { registerIntegrityCommands } from './integrity-commands';
import { registerLifecycleCommands } from './lifecycle-commands';

/**
 * Runs the `mcp-audit` command line and resolves with its exit code. Errors are printed as
 * `error: <what was wrong>` followed by what to do, never as a stack trace.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const result = { exitCode: EXIT.ok as number };
  const program = buildProgram(io, result);
  registerIntegrityCommands(program, io, result);
  registerLifecycleCommands(program, io, result);
  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return result.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its message for the rest.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`error: ${error.message}\n`);
      if (error.hint !== undefined) io.stderr.write(`${error.hint}\n`);
      return error.exitCode;
    }
    if (error instanceof SettingsError) {
      io.stderr.write(`error: setting ${error.message}\n`);
      io.stderr.write(
        'fix it in the environment or in local.settings.json (see local.settings.sample.json)\n',
      );
      return EXIT.failure;
    }
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
}

// Run directly (`node dist/src/cli/main.js ...`); bin/mcp-audit.js calls main() itself.
if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
