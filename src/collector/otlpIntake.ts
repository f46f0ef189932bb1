// Where OpenTelemetry spans enter the store, whichever way they came (OTLP/HTTP, ADOT's UDP format): decoded
// spans → X-Ray segment documents (src/xray/otel/spanConverter.ts) → the same TraceStore the X-Ray daemon
// protocol fills, so every reader sees OpenTelemetry traces exactly like X-Ray SDK ones. Counts as it goes.
import type { SegmentDocument } from '../xray/model';
import { convertSpanBatches } from '../xray/otel/spanConverter';
import { decodeOtlpBase64, OtlpDecodeError, type DecodedSpans, type RejectedSpan } from './otlpDecoder';
import type { TraceStore } from './traceStore';

export interface OtlpIntakeOptions {
  /** Span attribute keys recorded as annotations (searchable), the rest as metadata. */
  indexedAttributes?: string[];
  /** Every string, number and boolean attribute becomes an annotation. */
  indexAllAttributes?: boolean;
}

export interface OtlpCounters {
  /** Export requests: HTTP requests to the OTLP port and ADOT datagrams. */
  requests: number;
  /** Requests refused whole (nothing in them stored), by reason, e.g. `undecodable`, `too-large`. */
  refusedRequests: number;
  refusedByReason: Record<string, number>;
  /** Spans in the requests that were decoded. */
  spansReceived: number;
  /** Spans stored as segment documents. */
  spansAccepted: number;
  spansRejected: number;
  /** The decoder's reasons (`invalid-trace-id`, ...), or `conversion` for the converter's (its reasons are long). */
  spansRejectedByReason: Record<string, number>;
  /** Spans in ADOT `T1U` datagrams: unsampled, sent only for metrics, never stored (see ingestAdotPayload). */
  unsampledSpansDropped: number;
}

/** What became of one export request's spans: those not stored, with why; the OTLP response reports them. */
export interface ExportOutcome {
  accepted: number;
  /** Spans not stored. */
  rejectedCount: number;
  /** The first MAX_LISTED_REJECTIONS of them, with why: enough for the response's message, bounded however many. */
  rejected: RejectedSpan[];
}

export const MAX_LISTED_REJECTIONS = 20;

export class OtlpIntake {
  private readonly counts: OtlpCounters = {
    requests: 0,
    refusedRequests: 0,
    refusedByReason: {},
    spansReceived: 0,
    spansAccepted: 0,
    spansRejected: 0,
    spansRejectedByReason: {},
    unsampledSpansDropped: 0,
  };

  constructor(private readonly store: TraceStore, private readonly options: OtlpIntakeOptions = {}) {}

  /** Counts one export request (call once per request, before ingest or refuse). */
  countRequest(): void {
    this.counts.requests++;
  }

  /** Counts a request refused whole. */
  refuse(reason: string): void {
    this.counts.refusedRequests++;
    bump(this.counts.refusedByReason, reason);
  }

  /** Converts and stores decoded spans. Never throws. */
  ingest(decoded: DecodedSpans): ExportOutcome {
    this.counts.spansReceived += decoded.spanCount;
    const rejected: RejectedSpan[] = [];
    let rejectedCount = 0;
    const reject = (span: RejectedSpan, counterReason: string) => {
      if (rejectedCount++ < MAX_LISTED_REJECTIONS) rejected.push(span);
      this.countRejected(counterReason);
    };
    for (const span of decoded.rejected) reject(span, span.reason);
    let documents: SegmentDocument[] = [];
    try {
      const converted = convertSpanBatches(decoded.batches, this.options);
      documents = converted.documents;
      for (const span of converted.rejected) reject(span, 'conversion');
    } catch (error) {
      // The converter promises not to throw; if it ever does, lose this request's spans, not the collector.
      for (const batch of decoded.batches) {
        for (const span of batch.spans) {
          reject({ spanId: span.spanId, reason: `conversion failed: ${String(error)}` }, 'conversion');
        }
      }
    }
    // convertSpanBatches builds only valid documents (its fuzz test checks), so the store does not validate them again.
    for (const doc of documents) this.store.ingestValidated(doc);
    this.counts.spansAccepted += documents.length;
    return { accepted: documents.length, rejectedCount, rejected };
  }

  /**
   * One ADOT datagram body after its header line: `T1S` or `T1U`, then base64 of an ExportTraceServiceRequest.
   * ADOT sends `T1U` only from Lambda with Application Signals on (AwsBatchUnsampledSpanProcessor): spans
   * that were not sampled, for the service to derive metrics from. X-Ray shows no trace for them, so neither
   * do we: they are decoded (to count them) and dropped.
   */
  ingestAdotPayload(sampled: boolean, base64: string): ExportOutcome | undefined {
    this.countRequest();
    let decoded: DecodedSpans;
    try {
      decoded = decodeOtlpBase64(base64);
    } catch (error) {
      if (!(error instanceof OtlpDecodeError)) throw error;
      this.refuse('undecodable');
      return undefined;
    }
    if (!sampled) {
      this.counts.unsampledSpansDropped += decoded.spanCount;
      return { accepted: 0, rejectedCount: 0, rejected: [] };
    }
    return this.ingest(decoded);
  }

  counters(): OtlpCounters {
    return {
      ...this.counts,
      refusedByReason: { ...this.counts.refusedByReason },
      spansRejectedByReason: { ...this.counts.spansRejectedByReason },
    };
  }

  private countRejected(reason: string): void {
    this.counts.spansRejected++;
    bump(this.counts.spansRejectedByReason, reason);
  }
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
