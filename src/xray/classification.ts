// ok / error / fault / throttle for one (sub)segment and for a trace.
// X-Ray's classes (https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-errors):
// Error = 4xx client error, Throttle = 429 (counted inside ErrorStatistics.ThrottleCount), Fault = 5xx.
//
// The SDK flags can contradict that. aws-xray-sdk-node sets `fault` whenever it records an exception
// (`addError` calls `addFaultFlag`, aws/aws-xray-sdk-node#61), so an Express app that answers 400 or 429
// through next(err) sends error+fault or throttle+error+fault, and a throttled DynamoDB call (HTTP 400,
// ProvisionedThroughputExceededException) sends throttle+error+fault too. The read API documents its
// summary flags by status class ("HasFault: the root segment document has a 500 series error", "HasThrottle:
// ... a 429 throttling error"), so a recorded 4xx/5xx status decides: 5xx is a fault, 429 or a throttle
// flag on a 4xx is a throttle, any other 4xx is an error. Without such a status the flags decide, with
// fault > throttle > error. Each document gets exactly one outcome, as the graph statistics need
// (TotalCount = OkCount + ErrorStatistics.TotalCount + FaultStatistics.TotalCount).
import type { Outcome, SegmentDocument } from './model';
import { walkDocuments } from './segmentTree';

export function classifyDocument(doc: SegmentDocument): Outcome {
  const status = responseStatus(doc);
  if (status !== undefined && status >= 400 && status < 600) {
    if (status >= 500) return 'fault';
    return status === 429 || doc.throttle === true ? 'throttle' : 'error';
  }
  if (doc.fault === true) return 'fault';
  if (doc.throttle === true) return 'throttle';
  if (doc.error === true) return 'error';
  return 'ok';
}

/** `http.response.status` when it is a number. */
export function responseStatus(doc: SegmentDocument): number | undefined {
  const response = doc.http?.response;
  const status = typeof response === 'object' && response !== null ? response.status : undefined;
  return typeof status === 'number' && Number.isFinite(status) ? status : undefined;
}

/**
 * Whether any (sub)segment of the trace is a fault, an error or a throttle, by classifyDocument.
 * A throttle also sets hasError, since X-Ray counts throttles among errors.
 */
export function traceFlags(segments: SegmentDocument[]): { hasFault: boolean; hasError: boolean; hasThrottle: boolean } {
  const flags = { hasFault: false, hasError: false, hasThrottle: false };
  walkDocuments(segments, ({ doc }) => {
    const outcome = classifyDocument(doc);
    if (outcome === 'fault') flags.hasFault = true;
    else if (outcome === 'throttle') flags.hasThrottle = flags.hasError = true;
    else if (outcome === 'error') flags.hasError = true;
  });
  return flags;
}
