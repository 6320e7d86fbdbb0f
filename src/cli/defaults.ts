/** Port of the local Event Hubs (AMQP) endpoint `mcp-audit start` opens unless told otherwise: the AMQP default. */
export const DEFAULT_AMQP_PORT = 5672;
