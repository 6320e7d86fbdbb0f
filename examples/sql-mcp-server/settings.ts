import path from 'node:path';
import {
  ConnectionSettingError,
  connectionFromSettings,
  type AuditMode,
  type EventHubsConnection,
} from '../../client';

/** What the example server reads from its environment (see README.md beside this file). */
export interface ExampleSettings {
  connection: EventHubsConnection;
  source: string;
  tenantId: string;
  actorId: string;
  mode: AuditMode;
  timeoutMs: number;
  spoolPath: string;
  databaseFile?: string;
}

/** Reads the settings, naming the setting that is wrong. */
export function readSettings(env: NodeJS.ProcessEnv, cwd: string): ExampleSettings {
  const mode = env.AUDIT_MODE?.trim() || 'fail-closed';
  if (mode !== 'fail-closed' && mode !== 'fail-open') {
    throw new ConnectionSettingError(
      'AUDIT_MODE',
      `must be fail-closed or fail-open, got "${mode}"`,
    );
  }
  const timeoutText = env.AUDIT_TIMEOUT_MS?.trim() || '5000';
  const timeoutMs = Number(timeoutText);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new ConnectionSettingError(
      'AUDIT_TIMEOUT_MS',
      `must be a positive integer, got "${timeoutText}"`,
    );
  }
  const databaseFile = env.SQL_DATABASE?.trim();
  return {
    connection: connectionFromSettings(env),
    source: env.AUDIT_SOURCE?.trim() || '/sqlmcp/servers/example-sqlite',
    tenantId: env.AUDIT_TENANT?.trim() || 'demo',
    actorId: env.AUDIT_ACTOR_ID?.trim() || 'local-user',
    mode,
    timeoutMs,
    spoolPath: path.resolve(cwd, env.AUDIT_SPOOL?.trim() || '.data/sql-mcp-server.spool'),
    ...(databaseFile ? { databaseFile: path.resolve(cwd, databaseFile) } : {}),
  };
}
