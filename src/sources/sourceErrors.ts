// One actionable sentence per failure of a trace source. Details (never secrets) go to the log.

export type SourceErrorKind =
  | 'cancelled'
  | 'no-credentials'
  /** An SSO profile whose session (the token `aws sso login` cached) has expired: `profile` and `command` are set. */
  | 'sso-expired'
  | 'expired-credentials'
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

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

export function describeSourceError(error: unknown, sourceLabel: string): DescribedError {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorLike;
  const name = e.name ?? '';
  const code = e.code ?? (e.cause as ErrorLike | undefined)?.code ?? '';
  const text = redact(e.message ?? '');
  const status = e.$metadata?.httpStatusCode;
  if (name === 'AbortError' || code === 'ABORT_ERR') return { kind: 'cancelled', message: 'Cancelled.' };
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(text)) {
    return { kind: 'no-credentials', message: `No AWS credentials found for ${sourceLabel}. Configure a profile (aws configure / aws sso login) or choose the local collector.` };
  }
  if (name === 'ExpiredTokenException' || /token (has )?expired|sso session .*expired/i.test(text)) {
    return { kind: 'expired-credentials', message: `The AWS credentials for ${sourceLabel} have expired. Sign in again (e.g. aws sso login) and refresh.` };
  }
  if (name === 'AccessDeniedException' || status === 403) {
    const action = /xray:[A-Za-z]+/.exec(text)?.[0];
    return { kind: 'access-denied', message: `Access denied by ${sourceLabel}${action ? `: the credentials lack ${action}` : ''}. ${text}`.trim() };
  }
  if (name === 'ThrottledException' || name === 'ThrottlingException' || status === 429) {
    return { kind: 'throttled', message: `${sourceLabel} is throttling requests; retrying later.` };
  }
  if (name === 'InvalidRequestException') return { kind: 'invalid-request', message: `${sourceLabel} rejected the request: ${text}` };
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN'].includes(code) || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/.test(text)) {
    return { kind: 'unreachable', message: `Cannot reach ${sourceLabel} (${code || 'network error'}). Is it running and is the address right?` };
  }
  if (status === 404 || /Unexpected token|Deserialization error/i.test(text)) {
    return { kind: 'not-xray', message: `${sourceLabel} did not answer like an X-Ray API endpoint (${status ? `HTTP ${status}` : text}).` };
  }
  return { kind: 'unknown', message: `${sourceLabel}: ${name && name !== 'Error' ? `${name}: ` : ''}${text || 'unknown error'}` };
}

/** Access keys, secrets and session tokens never reach a message or a log line. */
export function redact(text: string): string {
  return text
    .replace(/\b(AKIA|ASIA)[A-Z0-9]{12,}\b/g, '$1…')
    .replace(/(secret[_-]?access[_-]?key|session[_-]?token|aws_secret_access_key|x-amz-security-token)(["'\s:=]+)[^\s"',]+/gi, '$1$2…')
    .replace(/(Signature=)[0-9a-f]+/gi, '$1…');
}
