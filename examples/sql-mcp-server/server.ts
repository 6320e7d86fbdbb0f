import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Database } from 'sql.js';
import { auditMcpServer, type McpAudit, type McpAuditOptions } from '../../client';
import { registerSqlTools } from './tools';

export const SERVER_INFO = { name: 'sql-mcp-example', version: '0.1.0' };

/**
 * The example SQL MCP server with auditing: the wrapper is attached first, then the tools are
 * registered exactly as they would be without it.
 */
export function createAuditedSqlServer(
  db: Database,
  audit: McpAuditOptions,
): { server: McpServer; audit: McpAudit } {
  const server = new McpServer(SERVER_INFO);
  const attached = auditMcpServer(server, audit);
  registerSqlTools(server, db);
  return { server, audit: attached };
}
