import * as assert from 'assert';
import type { CauseObject, StackFrame } from '../../../src/xray/model';
import { walkDocuments } from '../../../src/xray/segmentTree';
import { isUserFrame } from '../../../src/xray/stackFrame';
import { sdkDocuments } from './fixtureData';

suite('isUserFrame on the SDK capture', () => {
  const frames: StackFrame[] = [];
  walkDocuments(sdkDocuments(), ({ doc }) => {
    for (const ex of (doc.cause as CauseObject | undefined)?.exceptions ?? []) frames.push(...(ex.stack ?? []));
  });

  test('Node internals ("node", line null), the ESM "file" remnant and node_modules are not user frames', () => {
    assert.ok(frames.some((f) => f.path === 'node' && f.line === null));
    assert.ok(frames.some((f) => f.path === 'file'));
    for (const f of frames) {
      const expected = f.path !== 'node' && f.path !== 'file' && !(f.path ?? '').includes('/node_modules/');
      assert.strictEqual(isUserFrame(f), expected, JSON.stringify(f));
    }
    const user = new Set(frames.filter(isUserFrame).map((f) => f.path));
    assert.ok(user.has('/srv/shop-demo/frontend/routes/misc.js'));
    assert.ok(user.has('/srv/shop-demo/inventory/src/stock.ts'));
  });

  test('other shapes', () => {
    assert.strictEqual(isUserFrame({ path: 'node:internal/process/task_queues', line: 95 }), false);
    assert.strictEqual(isUserFrame({ path: '' }), false);
    assert.strictEqual(isUserFrame({}), false);
    assert.strictEqual(isUserFrame({ path: 'C:\\app\\node_modules\\x\\index.js', line: 1 }), false);
    assert.strictEqual(isUserFrame({ path: 'C:\\app\\src\\handler.js', line: 1 }), true);
  });
});
