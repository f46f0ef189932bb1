import * as assert from 'assert';
import { classifyDocument, traceFlags } from '../../../src/xray/classification';
import type { SegmentDocument } from '../../../src/xray/model';
import { findByName, scenarioSegments } from './fixtureData';

suite('classification on the SDK capture', () => {
  test('bad-400: the SDK sends error AND fault; the 400 makes it an error', () => {
    const [root] = scenarioSegments('bad-400');
    assert.strictEqual(root.fault, true);
    assert.strictEqual(root.error, true);
    assert.strictEqual(root.http?.response?.status, 400);
    assert.strictEqual(classifyDocument(root), 'error');
    assert.deepStrictEqual(traceFlags([root]), { hasFault: false, hasError: true, hasThrottle: false });
  });

  test('crash-500: segment and the subsegment that threw are faults', () => {
    const segments = scenarioSegments('crash-500');
    assert.strictEqual(classifyDocument(segments[0]), 'fault');
    assert.strictEqual(classifyDocument(findByName(segments, 'applyConfig')), 'fault');
    assert.deepStrictEqual(traceFlags(segments), { hasFault: true, hasError: false, hasThrottle: false });
  });

  test('limited-429: throttle+error+fault from the SDK is a throttle (an error, not a fault)', () => {
    const [root] = scenarioSegments('limited-429');
    assert.deepStrictEqual([root.throttle, root.error, root.fault], [true, true, true]);
    assert.strictEqual(classifyDocument(root), 'throttle');
    assert.deepStrictEqual(traceFlags([root]), { hasFault: false, hasError: true, hasThrottle: true });
  });

  test('dynamodb-throttle: the DynamoDB call (400, throttle+error+fault) is a throttle; the 500 segment a fault', () => {
    const segments = scenarioSegments('dynamodb-throttle');
    const call = findByName(segments, 'DynamoDB');
    assert.deepStrictEqual([call.throttle, call.error, call.fault, call.http?.response?.status], [true, true, true, 400]);
    assert.strictEqual(classifyDocument(call), 'throttle');
    assert.strictEqual(classifyDocument(segments[0]), 'fault');
    assert.deepStrictEqual(traceFlags(segments), { hasFault: true, hasError: true, hasThrottle: true });
  });

  test('checkout-502: downstream 409 is an error on the caller subsegment and on inventory-svc; the 502 a fault', () => {
    const segments = scenarioSegments('checkout-502-frontend');
    const [frontend, inventory] = segments;
    assert.strictEqual(classifyDocument(frontend), 'fault');
    assert.strictEqual(classifyDocument(inventory), 'error', 'status 409 with fault+error flags');
    const call = (findByName([frontend], 'checkout').subsegments ?? []).find((s) => s.namespace === 'remote') as SegmentDocument;
    assert.strictEqual(classifyDocument(call), 'error');
  });

  test('orders-200: everything ok', () => {
    const segments = scenarioSegments('orders-200-frontend');
    assert.deepStrictEqual(traceFlags(segments), { hasFault: false, hasError: false, hasThrottle: false });
  });

  test('without an HTTP status the flags decide: fault > throttle > error', () => {
    const base: SegmentDocument = { id: '0000000000000001', name: 'work', start_time: 1, end_time: 2 };
    assert.strictEqual(classifyDocument(base), 'ok');
    assert.strictEqual(classifyDocument({ ...base, error: true }), 'error');
    assert.strictEqual(classifyDocument({ ...base, error: true, throttle: true }), 'throttle');
    assert.strictEqual(classifyDocument({ ...base, error: true, throttle: true, fault: true }), 'fault');
    assert.strictEqual(classifyDocument({ ...base, http: { response: { status: 503 } }, throttle: true }), 'fault');
  });
});
