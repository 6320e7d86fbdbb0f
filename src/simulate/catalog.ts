/**
 * The databases simulated tenants run: tables, columns and the literals their queries use. Column specs
 * are compact strings, `name:type` or `name:type=a|b|c` (enum values, text samples, or the referenced
 * table for `ref`), so the catalog reads like a schema.
 */

export type ColumnType =
  | 'id'
  | 'ref'
  | 'int'
  | 'money'
  | 'date'
  | 'timestamp'
  | 'enum'
  | 'text'
  | 'email'
  | 'person'
  | 'flag';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  /** enum: the values; text: sample words; ref: the referenced table's name. */
  readonly values: readonly string[];
}

/** `restricted` tables need a role that may read them; `pii` tables hold personal data. */
export type Sensitivity = 'public' | 'pii' | 'restricted';

export interface Table {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly Column[];
  /** Approximate row count: caps result sizes. */
  readonly rows: number;
  readonly sensitivity: Sensitivity;
}

/** Which server of a tenant hosts a database. */
export type ServerRole = 'oltp' | 'secure' | 'warehouse';

export interface Database {
  readonly name: string;
  readonly server: ServerRole;
  readonly tables: readonly Table[];
  readonly procedures: readonly string[];
}

function table(
  qualified: string,
  rows: number,
  spec: string,
  sensitivity: Sensitivity = 'public',
): Table {
  const [schema, name] = qualified.split('.') as [string, string];
  const columns = spec.split(/\s+/).map((part): Column => {
    const [head, values] = part.split('=') as [string, string | undefined];
    const [columnName, type] = head.split(':') as [string, ColumnType];
    return { name: columnName, type, values: values === undefined ? [] : values.split('|') };
  });
  return { schema, name, columns, rows, sensitivity };
}

export const DATABASES: readonly Database[] = [
  {
    name: 'sales',
    server: 'oltp',
    procedures: ['dbo.usp_refresh_sales_summary', 'dbo.usp_recalculate_discounts'],
    tables: [
      table(
        'dbo.customers',
        48_200,
        'customer_id:id name:text=Acme|Globex|Initech|Umbrella|Stark|Wayne|Hooli|Vandelay email:email region:enum=EMEA|NA|APAC|LATAM segment:enum=enterprise|smb|consumer created_at:date',
        'pii',
      ),
      table(
        'dbo.orders',
        2_140_000,
        'order_id:id customer_id:ref=customers order_date:date status:enum=pending|shipped|delivered|cancelled|returned total_amount:money currency:enum=EUR|USD|GBP|JPY',
      ),
      table(
        'dbo.order_lines',
        6_300_000,
        'order_line_id:id order_id:ref=orders product_id:ref=products quantity:int unit_price:money',
      ),
      table(
        'dbo.products',
        3_100,
        'product_id:id sku:text=SKU-10|SKU-22|SKU-31|SKU-47 name:text=cable|adapter|monitor|dock|keyboard category:enum=accessories|displays|audio|storage|networking list_price:money',
      ),
    ],
  },
  {
    name: 'hr',
    server: 'secure',
    procedures: ['dbo.usp_close_review_cycle'],
    tables: [
      table(
        'dbo.employees',
        4_200,
        'employee_id:id full_name:person email:email department:enum=Engineering|Sales|Finance|Support|Marketing|Operations title:text=Engineer|Manager|Analyst|Director hire_date:date manager_id:ref=employees',
        'pii',
      ),
      table(
        'dbo.salaries',
        4_200,
        'salary_id:id employee_id:ref=employees base_salary:money bonus:money effective_date:date currency:enum=EUR|USD|GBP',
        'restricted',
      ),
      table(
        'dbo.performance_reviews',
        16_800,
        'review_id:id employee_id:ref=employees period:enum=2024H1|2024H2|2025H1 rating:enum=1|2|3|4|5 reviewer_id:ref=employees',
        'restricted',
      ),
      table(
        'dbo.departments',
        24,
        'department_id:id name:enum=Engineering|Sales|Finance|Support|Marketing|Operations cost_center:text=CC-100|CC-200|CC-300',
      ),
    ],
  },
  {
    name: 'finance',
    server: 'secure',
    procedures: ['dbo.usp_close_period', 'dbo.usp_age_receivables'],
    tables: [
      table(
        'dbo.invoices',
        910_000,
        'invoice_id:id customer_id:int issued_on:date due_on:date amount:money status:enum=open|paid|overdue|void',
      ),
      table(
        'dbo.payments',
        870_000,
        'payment_id:id invoice_id:ref=invoices paid_on:date amount:money method:enum=wire|card|ach|sepa',
      ),
      table(
        'dbo.gl_entries',
        12_400_000,
        'entry_id:id account:enum=4000-Revenue|5000-COGS|6100-Salaries|6200-Rent|6300-Cloud posted_on:date debit:money credit:money',
      ),
      table(
        'dbo.payroll_runs',
        1_450,
        'run_id:id period:enum=2025-03|2025-04|2025-05 gross_total:money net_total:money approved:flag',
        'restricted',
      ),
    ],
  },
  {
    name: 'inventory',
    server: 'oltp',
    procedures: ['dbo.usp_rebalance_stock'],
    tables: [
      table(
        'dbo.warehouses',
        12,
        'warehouse_id:id code:enum=AMS1|FRA2|DAL1|SYD1|BOM1 city:text=Amsterdam|Frankfurt|Dallas|Sydney|Mumbai',
      ),
      table(
        'dbo.stock_levels',
        36_000,
        'stock_id:id product_id:int warehouse_id:ref=warehouses on_hand:int reorder_point:int updated_at:timestamp',
      ),
      table(
        'dbo.shipments',
        1_980_000,
        'shipment_id:id order_id:int carrier:enum=DHL|UPS|FedEx|DPD status:enum=label_created|in_transit|delivered|exception shipped_at:timestamp',
      ),
    ],
  },
  {
    name: 'support',
    server: 'oltp',
    procedures: ['dbo.usp_escalate_overdue_tickets'],
    tables: [
      table(
        'dbo.tickets',
        312_000,
        'ticket_id:id customer_id:int priority:enum=P1|P2|P3|P4 status:enum=open|pending|resolved|closed subject:text=refund|login|invoice|shipping|password opened_at:timestamp',
      ),
      table(
        'dbo.ticket_comments',
        1_240_000,
        'comment_id:id ticket_id:ref=tickets author:person created_at:timestamp body:text=thanks|escalated|refund|workaround',
      ),
      table('dbo.sla_policies', 8, 'policy_id:id priority:enum=P1|P2|P3|P4 response_minutes:int'),
    ],
  },
  {
    name: 'analytics',
    server: 'warehouse',
    procedures: ['mart.usp_rebuild_daily_sales', 'mart.usp_refresh_ltv'],
    tables: [
      table(
        'mart.daily_sales',
        420_000,
        'row_id:id day:date region:enum=EMEA|NA|APAC|LATAM category:enum=accessories|displays|audio|storage revenue:money orders:int',
      ),
      table(
        'mart.web_sessions',
        8_800_000,
        'row_id:id session_date:date channel:enum=organic|paid|email|direct|social sessions:int conversions:int',
      ),
      table(
        'mart.customer_ltv',
        48_200,
        'customer_id:id ltv:money churn_risk:enum=low|medium|high cohort:enum=2022|2023|2024|2025',
        'pii',
      ),
    ],
  },
  {
    name: 'marketing',
    server: 'warehouse',
    procedures: ['dbo.usp_score_leads'],
    tables: [
      table(
        'dbo.campaigns',
        640,
        'campaign_id:id name:text=spring|launch|webinar|retarget channel:enum=email|paid|social|events start_date:date budget:money',
      ),
      table(
        'dbo.leads',
        228_000,
        'lead_id:id email:email source:enum=webinar|ebook|trial|referral score:int created_at:date',
        'pii',
      ),
      table(
        'dbo.email_events',
        5_600_000,
        'event_id:id lead_id:ref=leads kind:enum=sent|open|click|bounce|unsubscribe occurred_at:timestamp',
      ),
    ],
  },
];

export function databaseByName(name: string): Database {
  const found = DATABASES.find((database) => database.name === name);
  if (found === undefined) throw new RangeError(`no simulated database "${name}"`);
  return found;
}

export const FIRST_NAMES = [
  'maria',
  'james',
  'aiko',
  'lars',
  'priya',
  'chen',
  'fatima',
  'diego',
  'olga',
  'kwame',
  'sofia',
  'noah',
  'elena',
  'ravi',
  'hannah',
  'tomas',
  'yuki',
  'amara',
  'lucas',
  'ines',
  'mateo',
  'zara',
  'felix',
  'nadia',
  'omar',
  'lena',
  'arjun',
  'chloe',
  'jonas',
  'mei',
] as const;

export const LAST_NAMES = [
  'garcia',
  'smith',
  'tanaka',
  'nielsen',
  'sharma',
  'wang',
  'haddad',
  'lopez',
  'ivanova',
  'mensah',
  'rossi',
  'keller',
  'novak',
  'iyer',
  'fischer',
  'silva',
  'sato',
  'okafor',
  'martin',
  'costa',
  'dubois',
  'khan',
  'meyer',
  'berg',
  'moreau',
  'kowalski',
  'nguyen',
  'obrien',
  'larsen',
  'chen',
] as const;

/** A tenant's identity and the fixed UTC offset (standard time) its people work in. */
export interface TenantTemplate {
  readonly id: string;
  readonly utcOffsetMinutes: number;
  readonly databases: readonly string[];
}

/**
 * The first five tenants' offsets are spread so that at every UTC hour one of them is between midnight
 * and 6 a.m. local: a night-time anomaly never waits long for a tenant asleep.
 */
export const TENANT_TEMPLATES: readonly TenantTemplate[] = [
  { id: 'contoso', utcOffsetMinutes: 60, databases: ['sales', 'hr', 'finance', 'inventory'] },
  { id: 'fabrikam', utcOffsetMinutes: -300, databases: ['sales', 'support', 'analytics', 'hr'] },
  {
    id: 'northwind',
    utcOffsetMinutes: 600,
    databases: ['sales', 'inventory', 'finance', 'analytics'],
  },
  {
    id: 'tailspin',
    utcOffsetMinutes: -480,
    databases: ['analytics', 'support', 'marketing', 'hr'],
  },
  { id: 'woodgrove', utcOffsetMinutes: 330, databases: ['finance', 'hr', 'analytics', 'sales'] },
  {
    id: 'adventure-works',
    utcOffsetMinutes: 0,
    databases: ['sales', 'inventory', 'support', 'finance'],
  },
  { id: 'wingtip', utcOffsetMinutes: -360, databases: ['marketing', 'sales', 'analytics', 'hr'] },
  { id: 'litware', utcOffsetMinutes: 120, databases: ['support', 'analytics', 'hr'] },
  { id: 'proseware', utcOffsetMinutes: 540, databases: ['sales', 'finance', 'marketing'] },
  {
    id: 'fourth-coffee',
    utcOffsetMinutes: -180,
    databases: ['sales', 'inventory', 'hr', 'marketing'],
  },
];

/** Server names by role, as they appear in `source` and `target.server`. */
export const SERVER_NAMES: Record<ServerRole, string> = {
  oltp: 'sql-prod-01',
  secure: 'sql-secure-01',
  warehouse: 'sql-dw-01',
};
