// X-Ray trace ids: `1-` + 8 hex digits (the trace's start, epoch seconds) + `-` + 24 random hex digits.
// https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-traceids

/** The epoch second a trace id says its trace started, or undefined if the id does not say. */
export function traceIdEpoch(traceId: string): number | undefined {
  const seconds = Number.parseInt(traceId.slice(2, 10), 16);
  return Number.isNaN(seconds) ? undefined : seconds;
}
