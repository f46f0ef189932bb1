import * as assert from 'assert';
import { formatHostPort, parseHostPort } from '../../../src/sources/address';

suite('parseHostPort', () => {
  test('host:port, bare port, :port and IPv6', () => {
    assert.deepStrictEqual(parseHostPort('127.0.0.1:2000'), { ok: true, address: { host: '127.0.0.1', port: 2000 } });
    assert.deepStrictEqual(parseHostPort('2001'), { ok: true, address: { host: '127.0.0.1', port: 2001 } });
    assert.deepStrictEqual(parseHostPort(':2002'), { ok: true, address: { host: '127.0.0.1', port: 2002 } });
    assert.deepStrictEqual(parseHostPort('localhost:9'), { ok: true, address: { host: 'localhost', port: 9 } });
    assert.deepStrictEqual(parseHostPort('[::1]:2000'), { ok: true, address: { host: '::1', port: 2000 } });
    assert.strictEqual(formatHostPort({ host: '::1', port: 2000 }), '[::1]:2000');
    assert.strictEqual(formatHostPort({ host: '127.0.0.1', port: 2000 }), '127.0.0.1:2000');
  });

  test('rejects garbage and out-of-range ports with a message', () => {
    for (const bad of ['', 'abc', '127.0.0.1:', '127.0.0.1:70000', '1.2.3.4:0', 'a b:1', 'http://x:1']) {
      const r = parseHostPort(bad);
      assert.strictEqual(r.ok, false, bad);
      if (!r.ok) assert.match(r.message, /address|range/);
    }
  });
});
