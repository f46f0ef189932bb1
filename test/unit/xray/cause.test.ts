import * as assert from 'assert';
import { indexExceptions, resolveCause } from '../../../src/xray/cause';
import type { CauseObject, SegmentDocument } from '../../../src/xray/model';
import { findByName, scenarioSegments } from './fixtureData';

suite('cause resolution on the SDK capture', () => {
  test('crash-500: the segment cause { id } points at the subsegment that recorded the TypeError', () => {
    const segments = scenarioSegments('crash-500');
    const [root] = segments;
    const sub = findByName(segments, 'applyConfig');
    assert.deepStrictEqual(root.cause, { id: sub.id });
    const resolved = resolveCause(root, indexExceptions(segments));
    const own = sub.cause as CauseObject;
    assert.deepStrictEqual(resolved, {
      workingDirectory: '/srv/shop-demo/frontend',
      exceptions: own.exceptions,
      referenced: true,
      sourceId: sub.id,
    });
    assert.deepStrictEqual(resolveCause(sub, indexExceptions(segments)), {
      workingDirectory: '/srv/shop-demo/frontend',
      exceptions: own.exceptions,
      referenced: false,
    });
  });

  test('esm-error-500: a reference chain segment → checkout { id, exceptions: [] } → computeDiscount resolves', () => {
    const segments = scenarioSegments('esm-error-500');
    const index = indexExceptions(segments);
    const checkout = findByName(segments, 'checkout');
    const thrower = findByName(segments, 'computeDiscount');
    assert.deepStrictEqual((checkout.cause as CauseObject).exceptions, []);
    for (const doc of [segments[0], checkout]) {
      const resolved = resolveCause(doc, index);
      assert.strictEqual(resolved?.referenced, true);
      assert.strictEqual(resolved?.sourceId, thrower.id);
      assert.deepStrictEqual(resolved?.exceptions.map((e) => e.type), ['TypeError']);
      assert.strictEqual(resolved?.unresolvedId, undefined);
    }
  });

  test('checkout-502: frontend and inventory-svc each resolve to their own service exception', () => {
    const segments = scenarioSegments('checkout-502-frontend');
    const index = indexExceptions(segments);
    const [frontend, inventory] = segments;
    assert.deepStrictEqual(resolveCause(frontend, index)?.exceptions.map((e) => e.type), ['DownstreamError']);
    assert.strictEqual(resolveCause(frontend, index)?.workingDirectory, '/srv/shop-demo/frontend');
    assert.deepStrictEqual(resolveCause(inventory, index)?.exceptions.map((e) => e.type), ['OutOfStockError']);
    assert.strictEqual(resolveCause(inventory, index)?.workingDirectory, '/srv/shop-demo/inventory');
  });

  test('a bare exception-id string resolves to that exception', () => {
    const segments = scenarioSegments('crash-500');
    const ex = ((findByName(segments, 'applyConfig').cause as CauseObject).exceptions ?? [])[0];
    const doc: SegmentDocument = { ...segments[0], cause: ex.id as string };
    const resolved = resolveCause(doc, indexExceptions(segments));
    assert.deepStrictEqual(resolved?.exceptions, [ex]);
    assert.strictEqual(resolved?.referenced, true);
  });

  test('a reference that is not in the trace is reported, not dropped; self-references too', () => {
    const segments = scenarioSegments('crash-500');
    const index = indexExceptions([segments[0]].map((s) => ({ ...s, subsegments: [] })));
    const resolved = resolveCause(segments[0], index);
    assert.deepStrictEqual(resolved, { exceptions: [], referenced: true, unresolvedId: findByName(segments, 'applyConfig').id });
    const self: SegmentDocument = { ...segments[0], cause: { id: segments[0].id }, subsegments: [] };
    assert.deepStrictEqual(resolveCause(self, indexExceptions([self])), { exceptions: [], referenced: true, unresolvedId: self.id });
    assert.strictEqual(resolveCause({ ...self, cause: undefined }, index), undefined);
  });
});
