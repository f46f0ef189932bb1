// Trace files: what a user has on disk, read into segment documents with the decoders the collector uses for
// what arrives over the wire. Accepted: `aws xray batch-get-traces` output ({Traces: [{Id, Segments: [{Id,
// Document}]}]}, Document a JSON string), a list of those, a JSON array of segment documents (objects or JSON
// strings), OTLP/JSON (an ExportTraceServiceRequest: {resourceSpans: […]}), and any of these one per line (the
// OpenTelemetry Collector's file exporter writes OTLP/JSON lines; the X-Ray daemon's input is a document a line).
import type { SegmentDocument } from '../xray/model';
import { convertSpanBatches } from '../xray/otel/spanConverter';
import { decodeOtlpJson, OtlpDecodeError } from './otlpDecoder';

export type TraceFileFormat = 'batch-get-traces' | 'segment documents' | 'OTLP/JSON';

/** A file's spans are not one export request: the decoder's per-request caps do not apply, these do. */
const MAX_FILE_SPANS = 2_000_000;
const MAX_FILE_ITEMS = 50_000_000;

export interface TraceFileContents {
  /** What was recognised, in the order first seen (a file of lines may mix them). */
  formats: TraceFileFormat[];
  /** Segment and subsegment documents as JSON text, to be validated and stored like datagrams' bodies. */
  documents: string[];
  /** What was found but is not a document: never dropped silently. `where` is "line 3", "Traces[2].Segments[0]"… */
  rejected: Array<{ where: string; reason: string }>;
}

/** Thrown when nothing in the text is trace data; the message says what was found instead. */
export class TraceFileError extends Error {}

export function readTraceFile(text: string): TraceFileContents {
  const contents: TraceFileContents = { formats: [], documents: [], rejected: [] };
  const body = text.replace(/^\uFEFF/, '');
  let whole: unknown;
  let parsed = false;
  try {
    whole = JSON.parse(body);
    parsed = true;
  } catch (error) {
    if (!body.includes('\n')) throw new TraceFileError(`not JSON: ${(error as Error).message}`);
  }
  if (parsed) {
    collect(whole, body, '', contents);
  } else {
    // One JSON value a line.
    const lines = body.split(/\r?\n/);
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        contents.rejected.push({ where: `line ${i + 1}`, reason: `not JSON: ${(error as Error).message}` });
        return;
      }
      collect(value, line, `line ${i + 1}`, contents);
    });
  }
  if (contents.documents.length === 0) {
    const first = contents.rejected[0];
    throw new TraceFileError(
      first
        ? `no segment documents in it (${contents.rejected.length.toLocaleString('en-US')} entries refused; ${first.where ? `${first.where}: ` : ''}${first.reason})`
        : 'no segment documents in it: expected `aws xray batch-get-traces` output, a JSON array of segment documents, or OTLP/JSON',
    );
  }
  return contents;
}

function collect(value: unknown, text: string, where: string, into: TraceFileContents): void {
  const at = (suffix: string) => (where ? `${where} ${suffix}` : suffix);
  if (Array.isArray(value)) {
    value.forEach((item, i) => collect(item, '', at(`[${i}]`), into));
    return;
  }
  if (typeof value === 'string') {
    // A document kept as JSON text (as BatchGetTraces has them).
    markFormat(into, 'segment documents');
    into.documents.push(value);
    return;
  }
  if (typeof value !== 'object' || value === null) {
    into.rejected.push({ where, reason: `a ${value === null ? 'null' : typeof value}, not a segment document` });
    return;
  }
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.Traces)) {
    markFormat(into, 'batch-get-traces');
    record.Traces.forEach((trace, t) => {
      const segments = (trace as { Segments?: unknown } | null)?.Segments;
      if (!Array.isArray(segments)) {
        into.rejected.push({ where: at(`Traces[${t}]`), reason: 'no Segments list' });
        return;
      }
      segments.forEach((segment, s) => {
        const document = (segment as { Document?: unknown } | null)?.Document;
        if (typeof document === 'string') into.documents.push(document);
        else into.rejected.push({ where: at(`Traces[${t}].Segments[${s}]`), reason: 'no Document string' });
      });
    });
    return;
  }
  if (Array.isArray(record.resourceSpans)) {
    markFormat(into, 'OTLP/JSON');
    try {
      const decoded = decodeOtlpJson(text || JSON.stringify(value), MAX_FILE_SPANS, MAX_FILE_ITEMS);
      for (const span of decoded.rejected) into.rejected.push({ where: at(`span ${span.spanId}`), reason: span.reason });
      const converted = convertSpanBatches(decoded.batches);
      for (const span of converted.rejected) into.rejected.push({ where: at(`span ${span.spanId}`), reason: span.reason });
      for (const document of converted.documents) into.documents.push(JSON.stringify(document));
    } catch (error) {
      if (!(error instanceof OtlpDecodeError)) throw error;
      into.rejected.push({ where, reason: `OTLP/JSON: ${error.message}` });
    }
    return;
  }
  // Anything else with a trace id is taken as a document; the store's validation says what is wrong with it.
  if ('trace_id' in record || 'id' in record) {
    markFormat(into, 'segment documents');
    into.documents.push(text || JSON.stringify(value));
    return;
  }
  into.rejected.push({ where, reason: `an object with ${describeKeys(record)}: not a segment document, batch-get-traces output or OTLP/JSON` });
}

function markFormat(into: TraceFileContents, format: TraceFileFormat): void {
  if (!into.formats.includes(format)) into.formats.push(format);
}

function describeKeys(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'no keys';
  return `keys ${keys.slice(0, 4).map((k) => JSON.stringify(k)).join(', ')}${keys.length > 4 ? ', …' : ''}`;
}

/** A trace as an export writes it: its merged segments (subsegments inside their parents). */
export interface ExportedTrace {
  id: string;
  duration?: number;
  limitExceeded?: boolean;
  segments: SegmentDocument[];
}

/** The shape `aws xray batch-get-traces` prints: one Document string per segment. */
export function writeBatchGetTraces(traces: readonly ExportedTrace[]): string {
  const out = {
    Traces: traces.map((t) => ({
      Id: t.id,
      ...(t.duration === undefined ? {} : { Duration: t.duration }),
      LimitExceeded: t.limitExceeded ?? false,
      Segments: t.segments.map((s) => ({ Id: s.id, Document: JSON.stringify(s) })),
    })),
    UnprocessedTraceIds: [],
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** A JSON array of segment documents (objects), one a line. */
export function writeSegmentDocuments(traces: readonly ExportedTrace[]): string {
  const lines = traces.flatMap((t) => t.segments.map((s) => JSON.stringify(s)));
  return `[\n${lines.join(',\n')}\n]\n`;
}
