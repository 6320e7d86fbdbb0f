import { context, isSpanContextValid, trace, type Context } from '@opentelemetry/api';

/** Longest tracestate the event schema accepts. */
const MAX_TRACESTATE_LENGTH = 512;

export interface TraceAttributes {
  traceparent: string;
  tracestate?: string;
}

/**
 * The W3C Trace Context attributes of the span in `otelContext` (default: the active context), or
 * undefined when there is no valid span. Without a registered OpenTelemetry context manager the active
 * context is always empty, so events then carry no traceparent.
 *
 * A tracestate longer than the schema allows is left out rather than failing the event: the
 * traceparent alone still links the event to its trace.
 */
export function traceAttributesOf(
  otelContext: Context = context.active(),
): TraceAttributes | undefined {
  const span = trace.getSpanContext(otelContext);
  if (span === undefined || !isSpanContextValid(span)) return undefined;
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, '0');
  const traceparent = `00-${span.traceId}-${span.spanId}-${flags}`;
  const tracestate = span.traceState?.serialize();
  if (tracestate === undefined || tracestate === '' || tracestate.length > MAX_TRACESTATE_LENGTH) {
    return { traceparent };
  }
  return { traceparent, tracestate };
}
