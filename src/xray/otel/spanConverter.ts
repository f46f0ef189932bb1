// OpenTelemetry spans → X-Ray segment documents, one document per span, following the AWS X-Ray exporter of
// the OpenTelemetry Collector (opentelemetry-collector-contrib exporter/awsxrayexporter, package translator:
// segment.go MakeSegment, http.go, aws.go, sql.go, cause.go, service.go, span_links.go). Where this differs
// from the exporter it says so and why. Pure: values in, values out; a span that cannot become a valid
// document is rejected with a reason, and nothing here throws.
import type { AnnotationValue, CauseObject, ExceptionInfo, HttpBlock, SegmentDocument } from '../model';
import { isEpochSeconds } from '../segmentTime';
import type { OtelAttributes, OtelSpan, OtelSpanBatch, OtelValue } from './otelSpan';
import { parseExceptionChain } from './stackTrace';

export interface ConvertOptions {
  /** Span (or `otel.resource.<key>`) attribute keys recorded as annotations, as the exporter's `indexed_attributes`. */
  indexedAttributes?: string[];
  /** Every string, number and boolean attribute becomes an annotation (the exporter's `index_all_attributes`). */
  indexAllAttributes?: boolean;
}

export interface RejectedSpan {
  spanId: string;
  reason: string;
}

export interface ConvertResult {
  /** One per converted span. */
  documents: SegmentDocument[];
  rejected: RejectedSpan[];
}

/** Deepest nesting copied from an attribute value (kvlist / array); deeper parts become a marker string. */
const MAX_VALUE_DEPTH = 16;
/** X-Ray: "Names can have up to 200 characters." */
const MAX_NAME_LENGTH = 200;
/** X-Ray annotation keys: up to 500 characters. */
const MAX_ANNOTATION_KEY = 500;
/** Longest exception message or type copied from an event. */
const MAX_EXCEPTION_TEXT = 4096;

export function convertSpanBatches(batches: OtelSpanBatch[], options?: ConvertOptions): ConvertResult {
  const result: ConvertResult = { documents: [], rejected: [] };
  if (!Array.isArray(batches)) return result;
  const settings = readOptions(options);
  for (const batch of batches) {
    if (!isRecord(batch) || !Array.isArray(batch.spans)) continue;
    let resource: ResourceInfo;
    try {
      resource = readResource(isRecord(batch.resource) ? (batch.resource as OtelAttributes) : {});
    } catch (e) {
      // Unreachable for plain values; a hostile getter must not take the other batches down with it.
      for (const span of batch.spans) result.rejected.push({ spanId: spanIdOf(span), reason: `resource: ${errorText(e)}` });
      continue;
    }
    for (const span of batch.spans) {
      let converted: SegmentDocument | string;
      try {
        converted = convertSpan(span, resource, settings);
      } catch (e) {
        converted = `could not be converted: ${errorText(e)}`;
      }
      if (typeof converted === 'string') result.rejected.push({ spanId: spanIdOf(span), reason: converted });
      // Valid by construction: every field is built from a checked value (hex ids, times in range, finite
      // numbers, depth-bounded copies), so the output is not validated again (that was a quarter of the
      // conversion, bench/otlp.bench.mjs). spanConverterFuzz.test.ts validates every document it gets from
      // thousands of hostile spans, which is what keeps "every document validates" true.
      else result.documents.push(converted);
    }
  }
  return result;
}

interface Settings {
  indexed: Set<string>;
  indexAll: boolean;
}

function readOptions(options: ConvertOptions | undefined): Settings {
  const indexed = new Set<string>();
  const list = isRecord(options) ? options.indexedAttributes : undefined;
  if (Array.isArray(list)) for (const key of list) if (typeof key === 'string') indexed.add(key);
  return { indexed, indexAll: isRecord(options) && options.indexAllAttributes === true };
}

// ---------------------------------------------------------------------------------------------------------
// Resource: read once per batch. Its fields go on segments only (see readResource).

interface ResourceInfo {
  serviceName: string | undefined;
  origin: string | undefined;
  service: Record<string, unknown> | undefined;
  /** aws.xray, ec2, ecs, eks, elastic_beanstalk, cloudwatch_logs, account_id: built once, shared by the batch's segments. */
  aws: Record<string, unknown>;
  /** False when cloud.provider names another cloud: the exporter then writes no aws block at all. */
  isAws: boolean;
  language: string | undefined;
  workingDirectory: string | undefined;
  /** `otel.resource.<key>` entries for segment metadata or annotations. */
  attributes: [key: string, value: OtelValue][];
}

/**
 * The exporter writes origin, service and the aws resource fields on every document; here they go on
 * segments only, as X-Ray SDKs do: an `origin` on a call subsegment would make it that AWS resource in the
 * service graph (serviceIdentity.downstreamService types a subsegment by its origin).
 */
function readResource(attrs: OtelAttributes): ResourceInfo {
  const provider = str(attrs['cloud.provider']);
  const isAws = provider === undefined || provider === 'aws';
  const platform = str(attrs['cloud.platform']);
  const aws: Record<string, unknown> = {};
  if (isAws) {
    const sdkName = str(attrs['telemetry.sdk.name']);
    const sdkLanguage = str(attrs['telemetry.sdk.language']);
    const sdkVersion = str(attrs['telemetry.sdk.version']);
    if (sdkName || sdkVersion) {
      // The exporter's convention: "opentelemetry for nodejs", like "X-Ray SDK for Node.js".
      setIf(aws, 'xray', compact({
        sdk: sdkName && sdkLanguage ? `${sdkName} for ${sdkLanguage}` : sdkName,
        sdk_version: sdkVersion,
        auto_instrumentation: attrs['telemetry.auto.version'] !== undefined || attrs['telemetry.distro.version'] !== undefined,
      }));
    }
    setIf(aws, 'account_id', str(attrs['cloud.account.id']));
    const zone = str(attrs['cloud.availability_zone']);
    const hostId = str(attrs['host.id']);
    if (platform === 'aws_ec2' || hostId) {
      setIf(aws, 'ec2', compact({ instance_id: hostId, availability_zone: zone, instance_size: str(attrs['host.type']), ami_id: str(attrs['host.image.id']) }));
    }
    if (platform === 'aws_ecs') {
      setIf(aws, 'ecs', compact({
        container: str(attrs['container.name']),
        container_id: str(attrs['container.id']),
        availability_zone: zone,
        container_arn: str(attrs['aws.ecs.container.arn']),
        cluster_arn: str(attrs['aws.ecs.cluster.arn']),
        task_arn: str(attrs['aws.ecs.task.arn']),
        task_family: str(attrs['aws.ecs.task.family']),
        launch_type: str(attrs['aws.ecs.launchtype']),
      }));
    }
    const deployment = str(attrs['service.instance.id']);
    if (platform === 'aws_elastic_beanstalk' && deployment) {
      const n = Number(deployment);
      setIf(aws, 'elastic_beanstalk', compact({
        environment: str(attrs['service.namespace']),
        deployment_id: Number.isSafeInteger(n) ? n : 0,
        version_label: str(attrs['service.version']),
      }));
    }
    const cluster = str(attrs['k8s.cluster.name']);
    if (platform === 'aws_eks' || cluster) {
      setIf(aws, 'eks', compact({ cluster_name: cluster, pod: str(attrs['k8s.pod.name']), container_id: str(attrs['container.id']) }));
    }
    const logGroups = logGroupList(attrs['aws.log.group.arns'], true) ?? logGroupList(attrs['aws.log.group.names'], false);
    if (logGroups) aws.cloudwatch_logs = logGroups;
  }

  const version = str(attrs['service.version']) ?? str(attrs['container.image.tag']);
  const attributes: [string, OtelValue][] = [];
  for (const key of Object.keys(attrs)) attributes.push([`otel.resource.${key}`, attrs[key]]);
  return {
    serviceName: str(attrs['service.name']),
    origin: isAws ? originOf(platform, str(attrs['aws.ecs.launchtype'])) : undefined,
    service: version ? { version } : undefined,
    aws,
    isAws,
    language: str(attrs['telemetry.sdk.language']),
    workingDirectory: str(attrs['process.working_directory']),
    attributes,
  };
}

/** cloud.platform → X-Ray origin (segment.go determineAwsOrigin), plus Lambda, which the exporter leaves out. */
function originOf(platform: string | undefined, launchType: string | undefined): string | undefined {
  switch (platform) {
    case 'aws_app_runner':
      return 'AWS::AppRunner::Service';
    case 'aws_eks':
      return 'AWS::EKS::Container';
    case 'aws_elastic_beanstalk':
      return 'AWS::ElasticBeanstalk::Environment';
    case 'aws_ecs':
      return launchType === 'ec2' ? 'AWS::ECS::EC2' : launchType === 'fargate' ? 'AWS::ECS::Fargate' : 'AWS::ECS::Container';
    case 'aws_ec2':
      return 'AWS::EC2::Instance';
    case 'aws_lambda':
      return 'AWS::Lambda::Function';
    default:
      return undefined;
  }
}

/** Log group ARNs or names: an array, or one string joined with `&` (OTEL_RESOURCE_ATTRIBUTES can't hold arrays). */
function logGroupList(value: OtelValue | undefined, arns: boolean): Record<string, string>[] | undefined {
  const items = typeof value === 'string' ? value.split('&') : Array.isArray(value) ? value : undefined;
  if (!items) return undefined;
  const out: Record<string, string>[] = [];
  for (const item of items) {
    if (typeof item !== 'string' || item === '') continue;
    // arn:aws:logs:region:account:log-group:NAME[:*] — the name is the 7th field.
    const parts = arns ? item.split(':') : undefined;
    out.push(parts ? { log_group: parts.length >= 7 ? parts[6] : item, arn: item } : { log_group: item });
  }
  return out.length > 0 ? out : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// One span.

function convertSpan(span: OtelSpan, resource: ResourceInfo, settings: Settings): SegmentDocument | string {
  if (!isRecord(span)) return 'a span must be an object';
  const traceId = xrayTraceId(span.traceId);
  if (!traceId) return `bad traceId ${describe(span.traceId)}: must be 32 hex digits, not all zero`;
  const id = hexId(span.spanId);
  if (!id) return `bad spanId ${describe(span.spanId)}: must be 16 hex digits, not all zero`;
  let parentId: string | undefined;
  const rawParent = span.parentSpanId;
  if (rawParent !== undefined && rawParent !== null && rawParent !== '' && !isZeroId(rawParent)) {
    parentId = hexId(rawParent);
    if (!parentId) return `bad parentSpanId ${describe(rawParent)}: must be 16 hex digits or empty`;
  }
  const start = nanosToSeconds(span.startTimeUnixNano);
  if (start === undefined) return `bad startTimeUnixNano ${describe(span.startTimeUnixNano)}: must be nanoseconds since the epoch, as decimal digits`;
  const end = nanosToSeconds(span.endTimeUnixNano);
  if (end === undefined) return `bad endTimeUnixNano ${describe(span.endTimeUnixNano)}: must be nanoseconds since the epoch, as decimal digits`;
  if (end < start) return `endTimeUnixNano is before startTimeUnixNano`;

  const attrs: OtelAttributes = isRecord(span.attributes) ? (span.attributes as OtelAttributes) : {};
  const events = Array.isArray(span.events) ? span.events : [];
  const kind = span.kind;
  const statusCode = isRecord(span.status) ? span.status.code : undefined;
  const statusMessage = isRecord(span.status) ? str(span.status.message) : undefined;
  const isError = statusCode === 2;
  const caller = kind === 'CLIENT' || kind === 'PRODUCER';
  // SERVER and CONSUMER spans start work in a service, as X-Ray segments do; so does any span without a
  // parent. The exporter makes only SERVER spans and roots segments; a CONSUMER span with a parent (message
  // processing linked to its producer) would become a subsegment of the producer's trace there.
  // A root (or aws.span.kind LOCAL_ROOT) CLIENT / PRODUCER span is both the service and its call: a script
  // or batch job calling DynamoDB with no server span around it. As the exporter does
  // (MakeServiceSegmentAndDependencySubsegment), it becomes a segment for the service plus a subsegment for
  // the call, so the service graph gets the callee's node. The exporter sends the two as two documents;
  // here the call is embedded in the segment, so a span is still one document (and all or nothing).
  const split = caller && (parentId === undefined || attrs['aws.span.kind'] === 'LOCAL_ROOT');
  const isSegment = !split && (kind === 'SERVER' || kind === 'CONSUMER' || parentId === undefined);
  const isAwsSdk = attrs['rpc.system'] === 'aws-api';
  const serviceId = split ? serviceSegmentId(id) : undefined;

  // An embedded subsegment takes its segment's trace id.
  const doc: SegmentDocument = serviceId ? { id, name: '', start_time: start, end_time: end } : { id, name: '', trace_id: traceId, start_time: start, end_time: end };
  if (parentId && !serviceId) doc.parent_id = parentId;
  let namespace: string | undefined;
  if (isSegment) {
    doc.name = segmentName(attrs, resource, span.name);
  } else {
    if (!serviceId) doc.type = 'subsegment';
    const named = subsegmentName(attrs, kind, span.name, isAwsSdk);
    doc.name = named.name;
    if (caller) namespace = named.aws || isAwsSdk ? 'aws' : 'remote';
  }
  if (namespace) doc.namespace = namespace;
  if (isSegment && resource.origin) doc.origin = resource.origin;

  // http, then the classification and cause, then aws and sql — the exporter's order.
  const http = makeHttp(attrs, kind, events);
  if (http) doc.http = http;
  const status = httpStatus(attrs);
  if (status !== undefined && status >= 400 && status <= 599) {
    if (status >= 500) doc.fault = true;
    else {
      doc.error = true;
      if (status === 429) doc.throttle = true;
    }
  } else if (isError) {
    doc.fault = true;
  }
  const cause = makeCause(events, caller, isError, statusMessage, attrs, resource, id);
  if (cause.cause) doc.cause = cause.cause;

  const aws = resource.isAws ? makeAws(attrs, isSegment ? resource.aws : undefined) : undefined;
  if (aws) doc.aws = aws;
  const sql = makeSql(attrs, span.name);
  if (sql) doc.sql = sql;
  if (isSegment && resource.service) doc.service = { ...resource.service };

  const consumed = (key: string) =>
    (http !== undefined && HTTP_KEYS.has(key)) ||
    (aws !== undefined && AWS_KEYS.has(key)) ||
    (sql !== undefined && SQL_KEYS.has(key)) ||
    (cause.usedStatusText && key === 'http.status_text');
  writeAttributes(doc, attrs, consumed, isSegment ? resource : undefined, settings);

  const links = makeLinks(span.links);
  if (links) doc.links = links;
  if (!serviceId) return doc;

  // The service segment: the span's service, times, parent and outcome; the call's details (http, aws, sql,
  // cause, the span's attributes) stay on the dependency subsegment, which keeps the span's id so that the
  // span's children (streamed subsegments naming it as parent) still attach to it.
  const service: SegmentDocument = { id: serviceId, name: segmentName(attrs, resource, span.name), trace_id: traceId, start_time: start, end_time: end };
  if (parentId) service.parent_id = parentId;
  if (resource.origin) service.origin = resource.origin;
  if (doc.fault) service.fault = true;
  if (doc.error) service.error = true;
  if (doc.throttle) service.throttle = true;
  if (doc.user !== undefined) {
    service.user = doc.user; // X-Ray records the user on segments
    delete doc.user;
  }
  const resourceAws = resource.isAws ? makeAws({}, resource.aws) : undefined;
  if (resourceAws) service.aws = resourceAws;
  if (resource.service) service.service = { ...resource.service };
  writeAttributes(service, {}, () => false, resource, settings);
  service.subsegments = [doc];
  return service;
}

/**
 * The id of the service segment made for a local-root call. The exporter draws a random one; derived from
 * the span id (as exception ids are), a re-sent span converts the same. Never the span's own id.
 */
export function serviceSegmentId(spanId: string): string {
  const text = `${spanId}/service`;
  const id = hash32(text, 0x811c9dc5) + hash32(text, 0x01000193 ^ 0x5bd1e995);
  return id === spanId || isZeroId(id) ? hash32(text, 0x9e3779b9) + hash32(text, 0x85ebca6b) : id;
}

/** A segment is the service: aws.local.service (ADOT), else resource service.name, else the span name. */
function segmentName(attrs: OtelAttributes, resource: ResourceInfo, spanName: unknown): string {
  return fixSegmentName(str(attrs['aws.local.service']) ?? resource.serviceName ?? str(spanName) ?? '');
}

/**
 * A call subsegment is named for what it calls, in the exporter's order (segment.go MakeSegment):
 * aws.remote.service, peer.service, aws.service, db name@host, rpc.service, http.host, net.peer.name; then
 * server.address (the newer conventions' name for the peer); then the span name. The exporter applies the
 * same chain to INTERNAL spans (a `tcp.connect` becomes "127.0.0.1"); here INTERNAL spans keep their span
 * name — it names the local work (and the function the lenses look for).
 */
function subsegmentName(attrs: OtelAttributes, kind: unknown, spanName: unknown, isAwsSdk: boolean): { name: string; aws: boolean } {
  const ownName = str(spanName) ?? '';
  if (kind === 'INTERNAL' || kind === 'UNSPECIFIED' || kind === undefined) return { name: fixSegmentName(ownName), aws: false };
  let name: string | undefined;
  let aws = false;
  const remote = str(attrs['aws.remote.service']);
  if (remote) name = isAwsSdk ? trimAwsPrefix(remote) : remote;
  name ??= str(attrs['peer.service']);
  if (!name) {
    name = str(attrs['aws.service']);
    if (name) aws = true;
  }
  name ??= dbName(attrs);
  name ??= str(attrs['rpc.service']) ?? str(attrs['http.host']) ?? str(attrs['net.peer.name']) ?? str(attrs['server.address']);
  return { name: fixSegmentName(name ?? ownName), aws };
}

function trimAwsPrefix(name: string): string {
  if (name.startsWith('AWS.SDK.')) return name.slice('AWS.SDK.'.length);
  if (name.startsWith('AWS::')) return name.slice('AWS::'.length);
  return name;
}

/** `<db name>@<host>`: the database convention for names, host from the connection string (jdbc: trimmed). */
function dbName(attrs: OtelAttributes): string | undefined {
  const db = str(attrs['db.name']) ?? str(attrs['db.namespace']);
  if (!db) return undefined;
  const connection = str(attrs['db.connection_string']);
  let host: string | undefined;
  if (connection) {
    try {
      host = new URL(connection.startsWith('jdbc:') ? connection.slice(5) : connection).hostname || undefined;
    } catch {
      host = undefined;
    }
  } else {
    host = str(attrs['server.address']);
  }
  return host ? `${db}@${host}` : db;
}

// Allowed in X-Ray names: Unicode letters and numbers, whitespace, and _ . : / % & # = + \ - @
// (https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html). The exporter allows
// only the space of the whitespace and not the backslash; both are allowed here, as documented.
const INVALID_NAME_CHAR = /[^\s\p{L}\p{N}_.:/%&#=+\\\-@]/u;
const INVALID_NAME_CHARS = /[^\s\p{L}\p{N}_.:/%&#=+\\\-@]/gu;

export function fixSegmentName(name: string): string {
  let fixed = INVALID_NAME_CHAR.test(name) ? name.replace(INVALID_NAME_CHARS, '') : name;
  if (fixed.length > MAX_NAME_LENGTH) {
    fixed = fixed.slice(0, MAX_NAME_LENGTH);
    const last = fixed.charCodeAt(MAX_NAME_LENGTH - 1);
    if (last >= 0xd800 && last <= 0xdbff) fixed = fixed.slice(0, -1); // never half a surrogate pair
  }
  return fixed.trim() === '' ? 'span' : fixed;
}

// ---------------------------------------------------------------------------------------------------------
// http (http.go), old and new semantic conventions.

const HTTP_KEYS = new Set([
  'http.method', 'http.request.method', 'http.client_ip', 'client.address', 'http.user_agent', 'user_agent.original',
  'http.status_code', 'http.response.status_code', 'http.url', 'url.full', 'http.scheme', 'url.scheme', 'http.host',
  'http.target', 'url.path', 'url.query', 'http.server_name', 'net.host.port', 'host.name', 'net.host.name',
  'net.peer.name', 'net.peer.port', 'net.peer.ip', 'network.peer.address', 'server.address', 'server.port',
  'http.response_content_length', 'http.response.body.size', 'http.response_content_length_uncompressed',
]);

function makeHttp(attrs: OtelAttributes, kind: unknown, events: OtelSpan['events']): HttpBlock | undefined {
  const method = str(attrs['http.method']) ?? str(attrs['http.request.method']);
  const forwardedIp = str(attrs['http.client_ip']) ?? ipOrUndefined(attrs['client.address']);
  const peerIp = str(attrs['net.peer.ip']) ?? ipOrUndefined(attrs['network.peer.address']);
  const userAgent = str(attrs['http.user_agent']) ?? str(attrs['user_agent.original']);
  const status = httpStatus(attrs);
  const fullUrl = str(attrs['http.url']) ?? str(attrs['url.full']);
  const scheme = str(attrs['http.scheme']) ?? str(attrs['url.scheme']);
  const httpHost = str(attrs['http.host']);
  const target = str(attrs['http.target']);
  const path = str(attrs['url.path']);
  const serverName = str(attrs['http.server_name']);
  // The exporter also counts net.host.port as HTTP, which gives every TCP span (tcp.connect) an http block.
  const hasHttp = method !== undefined || str(attrs['http.client_ip']) !== undefined || userAgent !== undefined || status !== undefined ||
    fullUrl !== undefined || scheme !== undefined || httpHost !== undefined || target !== undefined || path !== undefined ||
    serverName !== undefined;
  if (!hasHttp) return undefined;

  const request: NonNullable<HttpBlock['request']> = {};
  if (method) request.method = method;
  const caller = kind === 'CLIENT' || kind === 'PRODUCER';
  const serverHost = serverName ?? str(attrs['net.host.name']) ?? str(attrs['host.name']) ?? str(attrs['server.address']);
  // The exporter builds a client URL only when one of the server-side host attributes is present; a client
  // span names its peer (net.peer.name, server.address), so those count here too.
  const peerHost = kind === 'SERVER' ? serverHost : str(attrs['net.peer.name']) ?? str(attrs['server.address']);
  const hasUrlParts = fullUrl !== undefined || httpHost !== undefined || peerHost !== undefined || peerIp !== undefined;
  if (hasUrlParts) {
    let url = fullUrl;
    if (url === undefined) {
      const s = scheme ?? 'http';
      let host = httpHost;
      let port: string | undefined;
      if (host === undefined) {
        host = peerHost ?? (kind === 'SERVER' ? undefined : peerIp); // a server's peer is its client
        if (kind === 'SERVER') {
          port = portText(attrs['net.host.port']) ?? portText(attrs['server.port']);
        } else {
          port = portText(attrs['net.peer.port']) ?? portText(attrs['server.port']);
        }
      }
      url = `${s}://${host ?? ''}`;
      if (port && !(s === 'http' && port === '80') && !(s === 'https' && port === '443')) url += `:${port}`;
      const query = str(attrs['url.query']);
      url += target ?? (path !== undefined ? (query ? `${path}?${query}` : path) : '/');
    }
    request.url = url;
  }
  if (userAgent) request.user_agent = userAgent;
  // The exporter also records the peer address of a CLIENT span as client_ip; that is the server's address,
  // so here only the receiving side records one.
  if (!caller) {
    const clientIp = forwardedIp ?? peerIp;
    if (clientIp) {
      request.client_ip = clientIp;
      if (peerIp === undefined) request.x_forwarded_for = true;
    }
  }

  const block: HttpBlock = {};
  if (Object.keys(request).length > 0) block.request = request;
  const response: NonNullable<HttpBlock['response']> = {};
  if (status !== undefined) response.status = status;
  const length = responseLength(attrs, events);
  if (length !== undefined) response.content_length = length;
  if (Object.keys(response).length > 0) block.response = response;
  return block;
}

/** http.status_code, or http.response.status_code; an integer (or integer string) or undefined. */
function httpStatus(attrs: OtelAttributes): number | undefined {
  return integer(attrs['http.status_code']) ?? integer(attrs['http.response.status_code']);
}

/** Body size: the attribute when there is one, else a RECEIVED message event's size (http.go). */
function responseLength(attrs: OtelAttributes, events: OtelSpan['events']): number | undefined {
  const direct = integer(attrs['http.response_content_length']) ?? integer(attrs['http.response.body.size']) ??
    integer(attrs['http.response_content_length_uncompressed']);
  if (direct !== undefined) return direct;
  for (const event of events) {
    if (!isRecord(event) || !isRecord(event.attributes)) continue;
    if (event.attributes['message.type'] === 'RECEIVED') {
      const size = integer(event.attributes['messaging.message_payload_size_bytes']) ?? integer(event.attributes['message.uncompressed_size']);
      if (size !== undefined && size !== 0) return size;
    }
  }
  return undefined;
}

function portText(value: OtelValue | undefined): string | undefined {
  if (typeof value === 'string') return value || undefined;
  return typeof value === 'number' && Number.isInteger(value) ? String(value) : undefined;
}

/** A string that looks like an IPv4 or IPv6 address (client.address may be a host name, which is not an IP). */
function ipOrUndefined(value: OtelValue | undefined): string | undefined {
  if (typeof value !== 'string' || value === '' || value.length > 45) return undefined;
  let dots = 0;
  let colons = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 46) dots++;
    else if (c === 58) colons++;
    else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return undefined;
  }
  return (dots === 3 && colons === 0) || colons >= 2 ? value : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// cause (cause.go): exception events → exceptions with parsed stacks; else a span status ERROR with a
// message → one exception carrying that message.

function makeCause(
  events: OtelSpan['events'],
  remote: boolean,
  isError: boolean,
  statusMessage: string | undefined,
  attrs: OtelAttributes,
  resource: ResourceInfo,
  spanId: string,
): { cause?: CauseObject; usedStatusText: boolean } {
  const exceptions: ExceptionInfo[] = [];
  for (const event of events) {
    if (!isRecord(event) || event.name !== 'exception') continue;
    const a = isRecord(event.attributes) ? event.attributes : {};
    const stacktrace = str(a['exception.stacktrace']);
    const chain = stacktrace ? parseExceptionChain(stacktrace, resource.language) : [{ stack: [] }];
    for (let i = 0; i < chain.length; i++) {
      const parsed = chain[i];
      const ex: ExceptionInfo = { id: exceptionId(spanId, exceptions.length) };
      // The event names the top-level exception; the stack text names the causes it chains.
      const type = i === 0 ? str(a['exception.type']) ?? parsed.type : parsed.type;
      const message = i === 0 ? str(a['exception.message']) ?? parsed.message : parsed.message;
      if (type) ex.type = clip(type);
      if (message) ex.message = clip(message);
      if (remote) ex.remote = true;
      if (parsed.stack.length > 0) ex.stack = parsed.stack;
      if (parsed.truncated) ex.truncated = parsed.truncated;
      if (i > 0) exceptions[exceptions.length - 1].cause = ex.id;
      exceptions.push(ex);
    }
  }
  if (exceptions.length === 0) {
    if (!isError) return { usedStatusText: false };
    // OpenCensus behaviour, kept by the exporter: the status message, else http.status_text.
    const statusText = statusMessage ? undefined : str(attrs['http.status_text']);
    const message = statusMessage ?? statusText;
    if (!message) return { usedStatusText: false };
    exceptions.push({ id: exceptionId(spanId, 0), message: clip(message) });
    return { cause: withWorkingDirectory({ exceptions }, resource), usedStatusText: statusText !== undefined };
  }
  return { cause: withWorkingDirectory({ exceptions }, resource), usedStatusText: false };
}

/** process.working_directory when the resource has it, so relative frame paths resolve (sourceLocation). */
function withWorkingDirectory(cause: CauseObject, resource: ResourceInfo): CauseObject {
  return resource.workingDirectory ? { working_directory: resource.workingDirectory, ...cause } : cause;
}

/**
 * A 16-hex exception id derived from the span id and the exception's index. The exporter draws random ids;
 * derived ones make a re-sent span convert to the same document. Two FNV-1a hashes with different seeds,
 * so an exception id never equals the span's own id (which `cause: { id }` references look up too).
 */
function exceptionId(spanId: string, index: number): string {
  const text = `${spanId}/exception/${index}`;
  return hash32(text, 0x811c9dc5) + hash32(text, 0x01000193 ^ 0x5bd1e995);
}

function hash32(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------------------------------------
// aws (aws.go) and sql (sql.go).

const AWS_KEYS = new Set([
  'aws.operation', 'rpc.method', 'aws.account_id', 'aws.region', 'aws.request_id', 'aws.requestId', 'aws.request.id',
  'aws.queue_url', 'aws.queue.url', 'aws.sqs.queue.url', 'messaging.url', 'aws.table_name', 'aws.table.name', 'aws.dynamodb.table_names',
]);

function makeAws(attrs: OtelAttributes, resourceFields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const aws: Record<string, unknown> = resourceFields ? { ...resourceFields } : {};
  setIf(aws, 'operation', str(attrs['aws.operation']) ?? str(attrs['rpc.method']));
  setIf(aws, 'account_id', str(attrs['aws.account_id']));
  setIf(aws, 'region', str(attrs['aws.region']));
  setIf(aws, 'request_id', str(attrs['aws.request_id']) ?? str(attrs['aws.requestId']) ?? str(attrs['aws.request.id']));
  // The semantic-convention attributes win over the older aws.* ones, as in the exporter.
  setIf(aws, 'queue_url', str(attrs['messaging.url']) ?? str(attrs['aws.sqs.queue.url']) ?? str(attrs['aws.queue_url']) ?? str(attrs['aws.queue.url']));
  const tables = attrs['aws.dynamodb.table_names'];
  if (Array.isArray(tables)) {
    const names = tables.filter((t): t is string => typeof t === 'string');
    if (names.length === 1) aws.table_name = names[0];
    else if (names.length > 1) aws.table_names = names;
  } else {
    setIf(aws, 'table_name', str(tables) ?? str(attrs['aws.table_name']) ?? str(attrs['aws.table.name']));
  }
  return Object.keys(aws).length > 0 ? aws : undefined;
}

const SQL_KEYS = new Set([
  'db.connection_string', 'db.system', 'db.system.name', 'db.name', 'db.namespace', 'db.statement', 'db.query.text', 'db.user',
]);

/** SQL systems (sql.go isSQL), with the newer conventions' names for the same databases. */
const SQL_SYSTEMS = new Set([
  'db2', 'ibm.db2', 'derby', 'hive', 'mariadb', 'mssql', 'microsoft.sql_server', 'mysql', 'oracle', 'oracle.db',
  'postgresql', 'sqlite', 'teradata', 'other_sql', 'h2', 'hsqldb', 'cockroachdb', 'trino', 'clickhouse', 'spanner',
]);

function makeSql(attrs: OtelAttributes, spanName: unknown): Record<string, unknown> | undefined {
  const system = str(attrs['db.system']) ?? str(attrs['db.system.name']);
  if (!system || !SQL_SYSTEMS.has(system)) return undefined;
  const instance = str(attrs['db.name']) ?? str(attrs['db.namespace']) ?? '';
  const server = str(attrs['server.address']);
  const port = portText(attrs['server.port']);
  // sql.go: url is the span name ("the connection string as url is not useful"), and connection_string is
  // the connection string (or localhost) + "/" + the database; the newer conventions give server.address.
  const host = str(attrs['db.connection_string']) ?? (server ? (port ? `${server}:${port}` : server) : 'localhost');
  return compact({
    url: str(spanName),
    connection_string: `${host}/${instance}`,
    database_type: system,
    user: str(attrs['db.user']),
    sanitized_query: str(attrs['db.statement']) ?? str(attrs['db.query.text']),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Attributes → user, annotations, metadata (segment.go makeXRayAttributes).

const ANNOTATIONS_ATTRIBUTE = 'aws.xray.annotations';
const METADATA_PREFIX = 'aws.xray.metadata.';

function writeAttributes(
  doc: SegmentDocument,
  attrs: OtelAttributes,
  consumed: (key: string) => boolean,
  resource: ResourceInfo | undefined,
  settings: Settings,
): void {
  const annotations: Record<string, AnnotationValue> = {};
  const metadata: Record<string, Record<string, unknown>> = {};
  const defaults: Record<string, unknown> = {};
  let indexed = settings.indexed;
  // aws.xray.annotations: a span may name its own attributes to index.
  const own = attrs[ANNOTATIONS_ATTRIBUTE];
  if (Array.isArray(own)) {
    indexed = new Set(indexed);
    for (const key of own) if (typeof key === 'string') indexed.add(key);
  }
  const isIndexed = (key: string) => settings.indexAll || indexed.has(key);

  if (resource) {
    for (const [key, value] of resource.attributes) {
      if (isIndexed(key) && isAnnotationValue(value)) setOwn(annotations, fixAnnotationKey(key), value);
      else putValue(defaults, key, value);
    }
  }

  for (const key of Object.keys(attrs)) {
    if (key === ANNOTATIONS_ATTRIBUTE) continue;
    const value = attrs[key];
    if (key === 'enduser.id' && typeof value === 'string') {
      if (value) doc.user = value;
      continue;
    }
    const annotate = isIndexed(key) && isAnnotationValue(value);
    if (annotate) setOwn(annotations, fixAnnotationKey(key), value);
    if (consumed(key)) continue;
    // code.* stay in metadata even when indexed: the lenses read them there. Other indexed attributes are
    // annotations only, as in the exporter; values that cannot be annotations (arrays, maps) stay metadata,
    // where the exporter with index_all_attributes would drop them.
    if (annotate && !key.startsWith('code.')) continue;
    if (key.startsWith(METADATA_PREFIX) && typeof value === 'string') {
      const namespace = key.slice(METADATA_PREFIX.length);
      const parsed = parseJsonObject(value);
      if (!parsed || namespace === '') putValue(defaults, key, value);
      else if (namespace.toLowerCase() === 'default') for (const k of Object.keys(parsed)) putValue(defaults, k, parsed[k] as OtelValue);
      else setOwn(metadata, namespace, copyRecord(parsed, 1));
      continue;
    }
    putValue(defaults, key, value);
  }
  if (Object.keys(defaults).length > 0) setOwn(metadata, 'default', defaults);
  if (Object.keys(annotations).length > 0) doc.annotations = annotations;
  if (Object.keys(metadata).length > 0) doc.metadata = metadata;
}

function isAnnotationValue(value: unknown): value is AnnotationValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

const annotationKeys = new Map<string, string>();

/**
 * X-Ray annotation keys: letters, digits and underscores (anything else becomes `_`), up to 500 characters.
 * The exporter keeps dots behind its exporter.xray.allowDot gate; filter expressions need the plain form.
 * Memoised: the same few keys arrive on every span.
 */
export function fixAnnotationKey(key: string): string {
  const known = annotationKeys.get(key);
  if (known !== undefined) return known;
  let fixed = '';
  const length = Math.min(key.length, MAX_ANNOTATION_KEY);
  for (let i = 0; i < length; i++) {
    const c = key.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    fixed += ok ? key[i] : '_';
  }
  if (fixed === '') fixed = '_';
  if (annotationKeys.size >= 10_000) annotationKeys.clear();
  annotationKeys.set(key, fixed);
  return fixed;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Copies an attribute value into a document: bounded depth, only JSON-safe values (bigint → string). */
function putValue(target: Record<string, unknown>, key: string, value: unknown): void {
  const copied = copyValue(value, 1);
  if (copied !== undefined) setOwn(target, key, copied);
}

function copyValue(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'object':
      if (value === null) return null;
      if (depth >= MAX_VALUE_DEPTH) return '[nested too deep]';
      if (Array.isArray(value)) {
        const out: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) out[i] = copyValue(value[i], depth + 1) ?? null;
        return out;
      }
      return copyRecord(value as Record<string, unknown>, depth);
    default:
      return undefined; // undefined, functions, symbols: nothing JSON can hold
  }
}

function copyRecord(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copied = copyValue(value[key], depth + 1);
    if (copied !== undefined) setOwn(out, key, copied);
  }
  return out;
}

/** Assignment that stores `__proto__` as an own key instead of changing the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

// ---------------------------------------------------------------------------------------------------------
// Span links (span_links.go): `links: [{ trace_id, id, attributes }]`. The exporter fails the whole span
// on a link with a bad trace id; here that link alone is left out.

function makeLinks(links: OtelSpan['links']): Record<string, unknown>[] | undefined {
  if (!Array.isArray(links) || links.length === 0) return undefined;
  const out: Record<string, unknown>[] = [];
  for (const link of links) {
    if (!isRecord(link)) continue;
    const traceId = xrayTraceId(link.traceId);
    const id = hexId(link.spanId);
    if (!traceId || !id) continue;
    const entry: Record<string, unknown> = { trace_id: traceId, id };
    if (isRecord(link.attributes) && Object.keys(link.attributes).length > 0) entry.attributes = copyRecord(link.attributes, 2);
    out.push(entry);
  }
  return out.length > 0 ? out : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Ids and times.

/**
 * OTel's 32 hex digits → `1-<first 8>-<last 24>`. With the X-Ray id generator the first 8 are the epoch
 * seconds; W3C random ids still make a well-formed X-Ray id. The exporter also refuses ids whose first 8
 * digits are not within the last 28 days; a local collector shows old and replayed traces, so this does not.
 */
export function xrayTraceId(value: unknown): string | undefined {
  if (!isHexString(value, 32) || isZeroId(value)) return undefined;
  const hex = value.toLowerCase();
  return `1-${hex.slice(0, 8)}-${hex.slice(8)}`;
}

function hexId(value: unknown): string | undefined {
  return isHexString(value, 16) && !isZeroId(value) ? value.toLowerCase() : undefined;
}

function isHexString(value: unknown, length: number): value is string {
  if (typeof value !== 'string' || value.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

function isZeroId(value: unknown): boolean {
  if (typeof value !== 'string' || value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) !== 48) return false;
  return true;
}

/**
 * Nanoseconds since the epoch as a decimal string → epoch seconds, rounded to the microsecond X-Ray keeps.
 * Done on the digits: a 19-digit nanosecond count does not fit a double, but the microsecond count (16
 * digits) does, exactly. 0 (unset in OTLP), non-digits and times past X-Ray's range give undefined.
 */
export function nanosToSeconds(value: unknown): number | undefined {
  let digits: string;
  if (typeof value === 'string') digits = value;
  else if (typeof value === 'bigint') digits = value.toString();
  else if (typeof value === 'number' && Number.isSafeInteger(value)) digits = String(value);
  else return undefined;
  if (digits.length === 0 || digits.length > 24) return undefined;
  let first = 0;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    if (c === 48 && first === i) first++;
  }
  digits = digits.slice(first);
  if (digits.length === 0 || digits.length > 20) return undefined;
  const micros = digits.length > 3 ? Number(digits.slice(0, -3)) : 0;
  const roundUp = digits.length >= 3 && digits.charCodeAt(digits.length - 3) >= 53;
  const seconds = (micros + (roundUp ? 1 : 0)) / 1e6;
  return seconds > 0 && isEpochSeconds(seconds) ? seconds : undefined;
}

// ---------------------------------------------------------------------------------------------------------

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An integer, or a string of one (some SDKs send status codes as strings). */
function integer(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && value.length > 0 && value.length <= 15) {
    const n = Number(value);
    return Number.isSafeInteger(n) && /^\d+$/.test(value) ? n : undefined;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object without its undefined and empty-string fields, or undefined when nothing is left. */
function compact(fields: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    const v = fields[key];
    if (v !== undefined && v !== '') out[key] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function setIf(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined && value !== '') target[key] = value;
}

function clip(text: string): string {
  return text.length <= MAX_EXCEPTION_TEXT ? text : `${text.slice(0, MAX_EXCEPTION_TEXT)}…`;
}

function spanIdOf(span: unknown): string {
  const id = isRecord(span) ? span.spanId : undefined;
  return typeof id === 'string' ? id.slice(0, 64) : '';
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (value === undefined) return '(missing)';
  if (typeof value === 'bigint') return value.toString();
  return typeof value === 'object' ? (value === null ? 'null' : 'an object') : String(value);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : 'unknown error';
}
