import * as assert from 'assert';
import { describeSourceError, redact } from '../../../src/sources/sourceErrors';

function sdkError(name: string, message: string, status?: number): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

suite('describeSourceError', () => {
  test('one actionable kind per failure', () => {
    const cases: [unknown, string, RegExp][] = [
      [Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), 'cancelled', /Cancelled/],
      [sdkError('CredentialsProviderError', 'Could not load credentials from any providers'), 'no-credentials', /No AWS credentials .*aws sso login/],
      [sdkError('ExpiredTokenException', 'The security token included in the request is expired'), 'expired-credentials', /expired/],
      [sdkError('AccessDeniedException', 'User: arn:aws:iam::1:user/x is not authorized to perform: xray:GetTraceSummaries', 403), 'access-denied', /lack xray:GetTraceSummaries/],
      [sdkError('ThrottledException', 'Rate exceeded', 429), 'throttled', /throttled, so the fetch stopped/],
      [sdkError('InvalidRequestException', 'filter expressions are not evaluated', 400), 'invalid-request', /rejected the request: filter/],
      [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2000'), { code: 'ECONNREFUSED' }), 'unreachable', /Cannot reach local :2000 \(ECONNREFUSED\)/],
      [sdkError('UnknownError', 'not found', 404), 'not-xray', /did not answer like an X-Ray API/],
      ['a string', 'unknown', /a string/],
      // The legacy sso_start_url profile's words (credential-provider-sso), without a profile to name.
      [sdkError('CredentialsProviderError', 'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.'), 'sso-expired', /Run `aws sso login`/],
      [sdkError('TokenProviderError', 'The SSO session token associated with profile=corp-dev was not found or is invalid. To refresh this SSO session run \'aws sso login\' with the corresponding profile.'), 'sso-expired', /aws sso login --profile corp-dev/],
      [Object.assign(new Error('The trace retrieval ended TIMEOUT after 61 s'), { name: 'TraceRetrievalFailed' }), 'retrieval-failed', /Transaction Search could not retrieve the traces: The trace retrieval ended TIMEOUT/],
      // The SDK's own refusal of a region that cannot be a host name (@smithy/core endpoints).
      [new Error('Region not accepted: region="us east" is not a valid hostname component.'), 'unknown-region', /^"us east" is not an AWS region local :2000 can reach/],
    ];
    for (const [error, kind, message] of cases) {
      const d = describeSourceError(error, 'local :2000');
      assert.strictEqual(d.kind, kind, String(error));
      assert.match(d.message, message);
    }
  });

  test('403s that are not a missing permission are not described as one', () => {
    // A deleted or deactivated access key, or a secret that does not belong to it: AWS answers 403, but no
    // IAM policy change helps, so no xray: action may be named.
    for (const [name, message] of [
      ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
      ['InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.'],
    ]) {
      const call = Object.assign(new Error(message), { name: 'XrayLensSourceCallError', operation: 'GetTraceSummaries', region: 'eu-west-1', profile: 'dev', customEndpoint: false, cause: sdkError(name, message, 403) });
      const d = describeSourceError(call, 'AWS eu-west-1 (dev)');
      assert.strictEqual(d.kind, 'invalid-credentials', name);
      assert.strictEqual(d.profile, 'dev');
      assert.doesNotMatch(d.message, /xray:/);
      assert.match(d.message, /not accepted/);
    }
    // An endpoint_url that reaches an API Gateway (or another AWS API) rather than X-Ray: it answers any path it
    // does not route with 403 MissingAuthenticationTokenException.
    const gateway = describeSourceError(sdkError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403), 'AWS eu-west-1 (dev)');
    assert.strictEqual(gateway.kind, 'not-xray', gateway.message);
    // An assume-role profile whose role may not be assumed: STS's denial names sts:AssumeRole, not an X-Ray action.
    const sts = sdkError('AccessDenied', 'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/ReadTraces', 403);
    const call = Object.assign(new Error(sts.message), { name: 'XrayLensSourceCallError', operation: 'GetTraceSummaries', region: 'eu-west-1', profile: 'dev', customEndpoint: false, cause: sts });
    const d = describeSourceError(call, 'AWS eu-west-1 (dev)');
    assert.strictEqual(d.kind, 'access-denied');
    assert.strictEqual(d.action, 'sts:AssumeRole');
    assert.doesNotMatch(d.message, /xray:|AWSXrayReadOnlyAccess/);
  });

  test('secrets never reach a message', () => {
    const leaky = sdkError('InvalidRequestException', 'bad key AKIAABCDEFGHIJKLMNOP with aws_secret_access_key=wJalrXUtnFEMI/K7MDENG and Signature=abcdef0123', 400);
    const d = describeSourceError(leaky, 'AWS');
    assert.doesNotMatch(d.message, /ABCDEFGHIJKLMNOP|wJalrXUtnFEMI|abcdef0123/);
    assert.strictEqual(redact('x-amz-security-token: IQoJb3JpZ2luX2VjEJ'), 'x-amz-security-token: …');
    assert.strictEqual(redact('Authorization: Bearer eyJhbGciOi.abc'), 'Authorization: Bearer …');
    assert.strictEqual(redact('{"accessToken":"aoaAAAAAGZ"}'), '{"accessToken":"…"}');
  });
});
