// The ADOT capture (test/fixtures/adot-otel/otel-decoded-spans.ndjson) as OtelSpanBatch values: each line is
// one span with its resource and scope; spans that share both form one batch, as one ScopeSpans would.
import type { OtelSpan, OtelSpanBatch } from '../../../../src/xray/otel/otelSpan';
import { fixtureLines } from '../fixtureData';

interface FixtureLine extends OtelSpan {
  resource: OtelSpanBatch['resource'];
  scope?: OtelSpanBatch['scope'];
  datagram_prefix?: string;
}

export function adotSpanBatches(): OtelSpanBatch[] {
  const batches = new Map<string, OtelSpanBatch>();
  for (const line of fixtureLines('adot-otel/otel-decoded-spans.ndjson')) {
    const { resource, scope, datagram_prefix: _prefix, ...span } = JSON.parse(line) as FixtureLine;
    const key = JSON.stringify([resource, scope]);
    let batch = batches.get(key);
    if (!batch) batches.set(key, (batch = { resource, scope, spans: [] }));
    batch.spans.push(span);
  }
  return [...batches.values()];
}

/** A minimal valid span to vary in tests. */
export function span(fields: Partial<OtelSpan> = {}): OtelSpan {
  return {
    traceId: '6b01eed3d3dcc0cf352b2f2ffa14ae39',
    spanId: '1111111111111111',
    parentSpanId: '2222222222222222',
    name: 'work',
    kind: 'INTERNAL',
    startTimeUnixNano: '1795288787849000000',
    endTimeUnixNano: '1795288787859178810',
    attributes: {},
    events: [],
    status: { code: 0 },
    ...fields,
  };
}
