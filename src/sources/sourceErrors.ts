// One actionable sentence per failure of a trace source, with a stable kind and what a button needs (the
// profile, the command to run, the denied action). Details (never secrets) go to the log.
// No SDK import: the extension's main bundle uses this without loading the AWS SDK.
import { isKnownRegion } from './awsRegions';

export type SourceErrorKind =
  | 'cancelled'
  | 'no-credentials'
  /** An SSO profile whose session (the token `aws sso login` cached) has expired: `profile` and `command` are set. */
  | 'sso-expired'
  | 'expired-credentials'
  /** Keys AWS does not accept: unknown or deactivated access key, or a secret that does not match it. */
  | 'invalid-credentials'
  /** `action` names the missing permission (xray:BatchGetTraces). */
  | 'access-denied'
  | 'unknown-region'
  | 'throttled'
  /** Usually a filter expression the service rejected: `detail` holds its message for inline display. */
  | 'invalid-request'
  /** Transaction Search: the trace retrieval ended FAILED, TIMEOUT or CANCELLED. */
  | 'retrieval-failed'
  | 'unreachable'
  | 'not-xray'
  | 'unknown';

export interface DescribedError {
  /** What the user reads: what happened and what to do. */
  message: string;
  /** A stable kind, for tests and for choosing buttons. */
  kind: SourceErrorKind;
  /** The profile the failing source used, when it had one. */
  profile?: string;
  /** A shell command that fixes it, for a button that runs it in a terminal (`aws sso login --profile X`). */
  command?: string;
  /** The IAM action that was denied (access-denied). */
  action?: string;
  /** The service's own message (invalid-request), redacted. */
  detail?: string;
}

/**
 * The error name XrayApiSource wraps every failed call in, with what was being done. Recognised by name,
 * not instanceof: the SDK bundle and the extension bundle each have their own copy of this module.
 */
export const SOURCE_CALL_ERROR = 'XrayLensSourceCallError';

export interface SourceCallError extends Error {
  /** The API operation that failed: GetTraceSummaries, BatchGetTraces, ... */
  operation: string;
  profile?: string;
  region: string;
  /** An endpoint was set (the local collector, a setting): DNS failures are then not about the region. */
  customEndpoint: boolean;
  /** Set when the fetch stopped because every request was throttled this long (ms) without one getting through. */
  throttledFor?: number;
  /** With throttledFor: the attempts of the fetch the service throttled. */
  throttledAttempts?: number;
  cause: unknown;
}

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  cause?: unknown;
}

/** The services' names for a signature they cannot verify (restJson: X-Ray; query: STS). */
const INVALID_CREDENTIALS = ['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch'];

const NETWORK_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN'];

export function describeSourceError(error: unknown, sourceLabel: string): DescribedError {
  const call = isSourceCallError(error) ? error : undefined;
  const inner = call ? call.cause : error;
  const e = (typeof inner === 'object' && inner !== null ? inner : { message: String(inner) }) as ErrorLike;
  const name = e.name ?? '';
  const code = e.code ?? (e.cause as ErrorLike | undefined)?.code ?? '';
  const text = redact(e.message ?? '');
  const status = e.$metadata?.httpStatusCode;
  const profile = call?.profile;
  const of = profile ? ` (profile ${profile})` : '';
  const withProfile = <T extends DescribedError>(d: T): T => (profile ? { ...d, profile } : d);

  if (name === 'AbortError' || code === 'ABORT_ERR') return { kind: 'cancelled', message: 'Cancelled.' };
  // The SSO providers' words: "The SSO session associated with this profile has expired or is otherwise
  // invalid" (sso_start_url), "The SSO session token associated with profile=X was not found or is invalid"
  // (sso-session), each ending "run aws sso login with the corresponding profile".
  if (/\bSSO\b/.test(text) && /expired|invalid|not found|aws sso login/i.test(text)) {
    const ssoProfile = profile ?? /profile=([^\s.,]+)/.exec(text)?.[1];
    const command = ssoProfile ? `aws sso login --profile ${ssoProfile}` : 'aws sso login';
    return {
      kind: 'sso-expired',
      message: `The AWS SSO session for ${sourceLabel}${ssoProfile ? ` (profile ${ssoProfile})` : ''} has expired. Run \`${command}\`, then refresh.`,
      command,
      ...(ssoProfile ? { profile: ssoProfile } : {}),
    };
  }
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError' || /could not load credentials/i.test(text)) {
    return withProfile({
      kind: 'no-credentials',
      message: `No AWS credentials found for ${sourceLabel}${of}. Configure them (aws configure, aws sso login), choose another profile, or use the local collector.`,
    });
  }
  if (name === 'ExpiredTokenException' || /security token included in the request is expired/i.test(text)) {
    return withProfile({ kind: 'expired-credentials', message: `The AWS credentials for ${sourceLabel}${of} have expired. Sign in again or renew them, then refresh.` });
  }
  // Also 403, but no IAM policy helps: the key is deleted or deactivated, or the secret does not belong to it.
  if (INVALID_CREDENTIALS.includes(name) || /security token included in the request is invalid|signature we calculated does not match/i.test(text)) {
    return withProfile({
      kind: 'invalid-credentials',
      message: `The AWS credentials for ${sourceLabel}${of} were not accepted (${text || name}). Renew the access keys or choose another profile, then refresh.`,
    });
  }
  // API Gateway's (and other AWS front doors') 403 for a path it does not route: the endpoint is not X-Ray.
  const notRouted = name === 'MissingAuthenticationTokenException';
  if (!notRouted && (name === 'AccessDeniedException' || name === 'AccessDenied' || status === 403)) {
    // The denied action as IAM words it ("not authorized to perform: sts:AssumeRole" for an assume-role
    // profile whose role refuses it), else the X-Ray call that failed.
    const action = /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(text)?.[1] ?? /xray:[A-Za-z]+/.exec(text)?.[0] ?? (call ? `xray:${call.operation}` : undefined);
    const hint = !action || action.startsWith('xray:') ? ' Add it to their IAM policy (AWSXrayReadOnlyAccess has every read action).' : ' Check the IAM policy that should allow it.';
    return withProfile({
      kind: 'access-denied',
      message: `Access denied by ${sourceLabel}${action ? `: the credentials${of} lack ${action}` : of}.${hint}`,
      ...(action ? { action } : {}),
      detail: text,
    });
  }
  if (name === 'ThrottledException' || name === 'ThrottlingException' || name === 'TooManyRequestsException' || status === 429) {
    const quietMs = call?.throttledFor;
    const attempts = call?.throttledAttempts ?? e.$metadata?.attempts;
    const how = quietMs !== undefined ? ` every request for ${Math.round(quietMs / 1000)} s` : '';
    return {
      kind: 'throttled',
      message: `${sourceLabel} throttled${how}${attempts ? ` (${attempts} throttled attempts)` : ''}, so the fetch stopped. Wait a minute and refresh, or narrow the time range or filter.`,
    };
  }
  if (name === 'InvalidRequestException') {
    return { kind: 'invalid-request', message: `${sourceLabel} rejected the request: ${text}`, detail: text };
  }
  if (name === 'TraceRetrievalFailed') {
    return { kind: 'retrieval-failed', message: `Transaction Search could not retrieve the traces: ${text}. Refresh to try again, or choose a shorter time range.` };
  }
  const region = call?.region;
  if (/invalid region|region not accepted/i.test(text) || (region && !call.customEndpoint && ['ENOTFOUND', 'EAI_AGAIN'].includes(code) && !isKnownRegion(region))) {
    const named = region ?? /region="([^"]*)"/.exec(text)?.[1] ?? '?';
    return { kind: 'unknown-region', message: `"${named}" is not an AWS region ${sourceLabel} can reach. Choose another region.` };
  }
  if (NETWORK_CODES.includes(code) || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/.test(text)) {
    return { kind: 'unreachable', message: `Cannot reach ${sourceLabel} (${code || 'network error'}). Check the network (proxy, VPN) and the address.` };
  }
  if (notRouted || status === 404 || status === 405 || name === 'SyntaxError' || /Unexpected token|Deserialization error|is not valid JSON|<html|<!doctype/i.test(text)) {
    return {
      kind: 'not-xray',
      message: `${sourceLabel} did not answer like an X-Ray API endpoint (${status ? `HTTP ${status}` : 'not X-Ray JSON'}). Check the endpoint URL (the profile's endpoint_url, AWS_ENDPOINT_URL_XRAY, or the X-Ray Lens setting).`,
    };
  }
  return withProfile({ kind: 'unknown', message: `${sourceLabel}: ${name && name !== 'Error' ? `${name}: ` : ''}${text || 'unknown error'}` });
}

function isSourceCallError(error: unknown): error is SourceCallError {
  return typeof error === 'object' && error !== null && (error as Error).name === SOURCE_CALL_ERROR;
}

/** Access keys, secrets and session tokens never reach a message or a log line. */
export function redact(text: string): string {
  return text
    .replace(/\b(AKIA|ASIA)[A-Z0-9]{12,}\b/g, '$1…')
    .replace(/(secret[_-]?access[_-]?key|session[_-]?token|aws_secret_access_key|x-amz-security-token|sso_bearer_token|accessToken)(["'\s:=]+)[^\s"',]+/gi, '$1$2…')
    .replace(/(Signature=)[0-9a-f]+/gi, '$1…')
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1…');
}
