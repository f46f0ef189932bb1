import * as assert from 'assert';
import { resolveFramePath } from '../../../src/code/sourceLocation';

/** A fake file system holding exactly these files (the function never touches a real one). */
function files(...paths: string[]): (p: string) => boolean {
  const set = new Set(paths);
  return (p) => set.has(p);
}

suite('resolveFramePath', () => {
  const frame = '/srv/shop-demo/frontend/routes/misc.js';

  test('exact path inside a workspace folder', () => {
    assert.strictEqual(resolveFramePath(frame, undefined, ['/srv/shop-demo'], files(frame)), frame);
  });

  test('working_directory re-rooted at the workspace folder', () => {
    const exists = files('/home/me/frontend/routes/misc.js');
    assert.strictEqual(resolveFramePath(frame, '/srv/shop-demo/frontend', ['/home/me/frontend'], exists), '/home/me/frontend/routes/misc.js');
  });

  test('longest existing suffix: /srv/shop-demo/frontend/routes/misc.js + /home/me/shop', () => {
    const exists = files('/home/me/shop/frontend/routes/misc.js', '/home/me/shop/routes/misc.js', '/home/me/shop/misc.js');
    assert.strictEqual(resolveFramePath(frame, '/srv/shop-demo', ['/home/me/shop'], exists), '/home/me/shop/frontend/routes/misc.js');
    // Without that file the next longest suffix wins.
    const fewer = files('/home/me/shop/routes/misc.js', '/home/me/shop/misc.js');
    assert.strictEqual(resolveFramePath(frame, undefined, ['/home/me/shop'], fewer), '/home/me/shop/routes/misc.js');
  });

  test('the first workspace folder that holds the file, among several', () => {
    const exists = files('/ws/inventory/src/stock.ts');
    assert.strictEqual(
      resolveFramePath('/srv/shop-demo/inventory/src/stock.ts', '/srv/shop-demo/inventory', ['/ws/frontend', '/ws/inventory'], exists),
      '/ws/inventory/src/stock.ts',
    );
  });

  test('Windows workspace, Linux trace', () => {
    const exists = files('C:\\Users\\me\\shop\\frontend\\routes\\misc.js');
    assert.strictEqual(resolveFramePath(frame, '/srv/shop-demo', ['C:\\Users\\me\\shop'], exists), 'C:\\Users\\me\\shop\\frontend\\routes\\misc.js');
  });

  test('Windows trace: exact (case-insensitive folder), working_directory, and onto a Linux workspace', () => {
    const winFrame = 'C:\\build\\app\\src\\handler.js';
    assert.strictEqual(resolveFramePath(winFrame, undefined, ['c:\\build\\APP'], files(winFrame)), winFrame);
    const exists = files('D:\\code\\app\\src\\handler.js');
    assert.strictEqual(resolveFramePath(winFrame, 'C:\\build\\app', ['D:\\code\\app'], exists), 'D:\\code\\app\\src\\handler.js');
    assert.strictEqual(resolveFramePath('C:/build/app/src/handler.js', 'C:\\build\\app', ['/home/me/app'], files('/home/me/app/src/handler.js')), '/home/me/app/src/handler.js');
  });

  test('file:// URLs from ES module stacks', () => {
    assert.strictEqual(resolveFramePath('file:///srv/shop-demo/frontend/routes/orders.js', undefined, ['/srv/shop-demo'], files('/srv/shop-demo/frontend/routes/orders.js')), '/srv/shop-demo/frontend/routes/orders.js');
  });

  test('never outside the workspace: .. escapes, a sibling folder with the same prefix, the folder itself', () => {
    const everything = () => true;
    assert.strictEqual(resolveFramePath('/home/me/shop/../secrets/key.js', undefined, ['/home/me/shop'], files('/home/me/secrets/key.js')), undefined);
    assert.strictEqual(resolveFramePath('../../etc/passwd', '/srv/app', ['/home/me/shop'], files('/etc/passwd', '/home/etc/passwd')), undefined);
    assert.strictEqual(resolveFramePath('/home/me/shop-old/x.js', undefined, ['/home/me/shop'], files('/home/me/shop-old/x.js')), undefined);
    assert.strictEqual(resolveFramePath('C:\\work\\..\\..\\Windows\\system.ini', undefined, ['C:\\work'], files('C:\\Windows\\system.ini')), undefined);
    for (const p of ['/etc/passwd', '../../../../etc/passwd', 'C:\\Windows\\win.ini', '/home/me/shop']) {
      const found = resolveFramePath(p, '/srv', ['/home/me/shop'], everything);
      assert.ok(found === undefined || found.startsWith('/home/me/shop/'), `${p} → ${found}`);
    }
    assert.strictEqual(resolveFramePath('/home/me/shop', undefined, ['/home/me/shop'], files('/home/me/shop')), undefined);
  });

  test('not found, empty input, and a throwing fileExists give undefined', () => {
    assert.strictEqual(resolveFramePath(frame, undefined, ['/home/me/shop'], files()), undefined);
    assert.strictEqual(resolveFramePath('', undefined, ['/home/me/shop'], () => true), undefined);
    assert.strictEqual(resolveFramePath(frame, undefined, [], () => true), undefined);
    assert.strictEqual(resolveFramePath(frame, undefined, ['/home/me/shop'], () => { throw new Error('EACCES'); }), undefined);
  });
});
