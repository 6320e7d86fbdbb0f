/**
 * The ASIM vocabulary a Sentinel row uses beyond the classification (EventType, EventResult, EventSeverity
 * and ObjectType live with toAsimClassification in src/schema/asim.ts), as Microsoft's reference lists it
 * (learn.microsoft.com/azure/sentinel/normalization-schema-audit, normalization-common-fields,
 * normalization-about-schemas). Tests check every value the export emits against these lists.
 */

export const ASIM_SCHEMA = 'AuditEvent';
export const ASIM_SCHEMA_VERSION = '0.1';

/**
 * ASIM allows only listed vendors and products and asks new sources to have theirs allocated; until then
 * these name the source plainly. The parser's name, imAuditEventSqlMcpAudit, follows imAuditEvent<Vendor><Product>.
 */
export const ASIM_EVENT_VENDOR = 'SQL MCP';
export const ASIM_EVENT_PRODUCT = 'SQL MCP Audit';

/** ASIM UserType. */
export const ASIM_USER_TYPES = [
  'Regular',
  'Machine',
  'Admin',
  'System',
  'Application',
  'Service Principal',
  'Other',
] as const;
export type AsimUserType = (typeof ASIM_USER_TYPES)[number];

/** ASIM UsernameType. */
export const ASIM_USERNAME_TYPES = ['UPN', 'Windows', 'DN', 'Simple', 'Unknown'] as const;
export type AsimUsernameType = (typeof ASIM_USERNAME_TYPES)[number];

/** ASIM AppType. */
export const ASIM_APP_TYPES = [
  'Process',
  'Service',
  'Resource',
  'URL',
  'SaaS application',
  'CloudService',
  'Other',
] as const;
export type AsimAppType = (typeof ASIM_APP_TYPES)[number];

/** The only ValueType the Audit Event schema lists. */
export const ASIM_VALUE_TYPES = ['Other'] as const;
