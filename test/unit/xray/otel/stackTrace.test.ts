import * as assert from 'assert';
import { MAX_EXCEPTIONS, MAX_FRAMES, parseExceptionChain, parseStackTrace } from '../../../../src/xray/otel/stackTrace';
import { isUserFrame } from '../../../../src/xray/stackFrame';

suite('parseStackTrace: Node / V8', () => {
  test('named, anonymous, node: internal and node_modules frames', () => {
    const text = [
      "TypeError: Cannot read properties of undefined (reading 'threshold')",
      '    at parseConfig (/srv/shop-demo/otel/app.js:6:49)',
      '    at /srv/shop-demo/otel/app.js:18:11',
      '    at AsyncLocalStorage.run (node:async_hooks:346:14)',
      '    at Layer.handleRequest (/srv/shop-demo/otel/node_modules/router/lib/layer.js:169:33)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n');
    const frames = parseStackTrace(text, 'nodejs');
    assert.deepStrictEqual(frames, [
      { path: '/srv/shop-demo/otel/app.js', line: 6, label: 'parseConfig' },
      { path: '/srv/shop-demo/otel/app.js', line: 18, label: 'anonymous' },
      { path: 'node:async_hooks', line: 346, label: 'AsyncLocalStorage.run' },
      { path: '/srv/shop-demo/otel/node_modules/router/lib/layer.js', line: 169, label: 'Layer.handleRequest' },
      { path: 'node:internal/process/task_queues', line: 95, label: 'process.processTicksAndRejections' },
    ]);
    assert.deepStrictEqual(frames.map(isUserFrame), [true, true, false, false, false]);
  });

  test('ES modules: file:// URLs become paths (percent-decoded), also with a Windows drive', () => {
    const text = [
      'Error: boom',
      '    at loadConfig (file:///srv/app/src/config.mjs:12:9)',
      '    at file:///srv/my%20app/main.mjs:3:1',
      '    at async Promise.all (index 0)',
      '    at async start (file:///C:/Users/dev/app/src/server.mjs:40:5)',
    ].join('\n');
    assert.deepStrictEqual(parseStackTrace(text), [
      { path: '/srv/app/src/config.mjs', line: 12, label: 'loadConfig' },
      { path: '/srv/my app/main.mjs', line: 3, label: 'anonymous' },
      { path: 'index 0', line: null, label: 'async Promise.all' },
      { path: 'C:/Users/dev/app/src/server.mjs', line: 40, label: 'async start' },
    ]);
  });

  test('Windows paths keep their drive letter; the line is the first of the two trailing numbers', () => {
    const text = [
      'RangeError: out of range',
      '    at check (C:\\app\\src\\x.js:10:5)',
      '    at C:\\app\\src\\main.js:22:13',
      '    at Module._compile (node:internal/modules/cjs/loader:1254:14)',
    ].join('\r\n');
    const frames = parseStackTrace(text, 'nodejs');
    assert.deepStrictEqual(frames.slice(0, 2), [
      { path: 'C:\\app\\src\\x.js', line: 10, label: 'check' },
      { path: 'C:\\app\\src\\main.js', line: 22, label: 'anonymous' },
    ]);
    assert.strictEqual(isUserFrame(frames[2]), false);
  });

  test('constructors, native and <anonymous> frames, and eval frames (the caller location)', () => {
    const text = [
      'Error: x',
      '    at new Repository (/srv/app/repo.js:4:11)',
      '    at Array.map (<anonymous>)',
      '    at JSON.parse (native)',
      '    at eval (eval at compile (/srv/app/tpl.js:30:12), <anonymous>:1:7)',
    ].join('\n');
    assert.deepStrictEqual(parseStackTrace(text, 'javascript'), [
      { path: '/srv/app/repo.js', line: 4, label: 'new Repository' },
      { path: '<anonymous>', line: null, label: 'Array.map' },
      { path: 'native', line: null, label: 'JSON.parse' },
      { path: '/srv/app/tpl.js', line: 30, label: 'eval' },
    ]);
  });

  test('a message spanning lines is not read as frames', () => {
    const text = 'Error: line one\nline two at the end\n    at f (/a.js:1:2)';
    assert.deepStrictEqual(parseStackTrace(text), [{ path: '/a.js', line: 1, label: 'f' }]);
  });
});

suite('parseStackTrace: Python', () => {
  const traceback = [
    'Traceback (most recent call last):',
    '  File "/app/handler.py", line 41, in lambda_handler',
    '    order = load_order(event["id"])',
    '  File "/app/orders/store.py", line 17, in load_order',
    '    return table.get_item(Key={"id": order_id})["Item"]',
    '  File "/usr/lib/python3.12/site-packages/boto3/resources/factory.py", line 581, in do_action',
    '    response = action(self, *args, **kwargs)',
    "KeyError: 'Item'",
  ].join('\n');

  test('most recent call last in the text, innermost first in X-Ray', () => {
    assert.deepStrictEqual(parseStackTrace(traceback, 'python'), [
      { path: '/usr/lib/python3.12/site-packages/boto3/resources/factory.py', line: 581, label: 'do_action' },
      { path: '/app/orders/store.py', line: 17, label: 'load_order' },
      { path: '/app/handler.py', line: 41, label: 'lambda_handler' },
    ]);
  });

  test('recognised without a language', () => {
    assert.strictEqual(parseStackTrace(traceback).length, 3);
    assert.deepStrictEqual(parseExceptionChain(traceback)[0].type, 'KeyError');
  });

  test('chained tracebacks: the exception raised last is the top; the earlier one its cause', () => {
    const chained = [
      'Traceback (most recent call last):',
      '  File "/app/db.py", line 8, in connect',
      '    sock.connect(addr)',
      'ConnectionRefusedError: [Errno 111] Connection refused',
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/handler.py", line 12, in handle',
      '    db.connect()',
      '  File "/app/db.py", line 10, in connect',
      '    raise DatabaseUnavailable("db down") from e',
      'db.DatabaseUnavailable: db down',
    ].join('\n');
    const chain = parseExceptionChain(chained, 'python');
    assert.strictEqual(chain.length, 2);
    assert.deepStrictEqual([chain[0].type, chain[0].message], ['db.DatabaseUnavailable', 'db down']);
    assert.deepStrictEqual(chain[0].stack.map((f) => f.line), [10, 12]);
    assert.deepStrictEqual([chain[1].type, chain[1].message], ['ConnectionRefusedError', '[Errno 111] Connection refused']);
    assert.deepStrictEqual(chain[1].stack, [{ path: '/app/db.py', line: 8, label: 'connect' }]);
  });

  test('a multi-line message: the type from the first line after the frames, the message over the lines after it', () => {
    const text = [
      'Traceback (most recent call last):',
      '  File "/app/load.py", line 4, in <module>',
      '    check(rows)',
      '    ~~~~~^^^^^^',
      '  File "/app/load.py", line 2, in check',
      '    raise ValueError("bad rows:\\n  row 3: id missing\\nrow 9: Name: empty")',
      'ValueError: bad rows:',
      '  row 3: id missing',
      'row 9: Name: empty',
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/main.py", line 7, in run',
      '    load()',
      'RuntimeError: load failed',
      'see the log',
    ].join('\n');
    const chain = parseExceptionChain(text, 'python');
    assert.strictEqual(chain.length, 2);
    assert.deepStrictEqual([chain[0].type, chain[0].message], ['RuntimeError', 'load failed\nsee the log']);
    assert.deepStrictEqual(chain[0].stack, [{ path: '/app/main.py', line: 7, label: 'run' }]);
    assert.deepStrictEqual([chain[1].type, chain[1].message], ['ValueError', 'bad rows:\n  row 3: id missing\nrow 9: Name: empty']);
    assert.deepStrictEqual(chain[1].stack.map((f) => f.line), [2, 4]);
    // A first line without ": " is the type alone; the lines after it are the message.
    const bare = parseExceptionChain('Traceback (most recent call last):\n  File "/a.py", line 1, in f\n    g()\nmod.Oops\nsecond: line', 'python');
    assert.deepStrictEqual([bare[0].type, bare[0].message], ['mod.Oops', 'second: line']);
  });

  test('past MAX_LINES the last lines are kept: the innermost frames and the exception line', () => {
    const frames = Array.from({ length: 10_000 }, (_, i) => `  File "/app/r.py", line ${i + 1}, in recurse\n    recurse(n - 1)`).join('\n');
    const text = `Traceback (most recent call last):\n${frames}\nRecursionError: maximum recursion depth exceeded`;
    for (const language of ['python', undefined]) {
      const [top] = parseExceptionChain(text, language);
      assert.deepStrictEqual([top.type, top.message], ['RecursionError', 'maximum recursion depth exceeded'], String(language));
      assert.strictEqual(top.stack.length, MAX_FRAMES);
      assert.deepStrictEqual(top.stack.slice(0, 2).map((f) => f.line), [10_000, 9_999], 'innermost first');
      assert.ok((top.truncated ?? 0) > 1000 && (top.truncated ?? 0) < 10_000, `truncated ${top.truncated}`);
    }
  });

  test('Windows paths in Python frames', () => {
    const text = 'Traceback (most recent call last):\n  File "C:\\app\\main.py", line 3, in <module>\n    main()\nValueError: bad';
    assert.deepStrictEqual(parseStackTrace(text, 'python'), [{ path: 'C:\\app\\main.py', line: 3, label: '<module>' }]);
  });
});

suite('parseStackTrace: Java', () => {
  const text = [
    'java.lang.IllegalStateException: could not load order 42',
    '\tat com.example.orders.OrderService.load(OrderService.java:57)',
    '\tat com.example.orders.OrderController.get(OrderController.java:31)',
    '\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)',
    '\tat app//org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)',
    'Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available',
    '\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)',
    '\tat com.example.orders.OrderRepository.find(OrderRepository.kt:22)',
    '\t... 12 more',
  ].join('\n');

  test('frames: label without module/loader prefix, path from the package and the file, line', () => {
    assert.deepStrictEqual(parseStackTrace(text, 'java'), [
      { path: 'com/example/orders/OrderService.java', line: 57, label: 'com.example.orders.OrderService.load' },
      { path: 'com/example/orders/OrderController.java', line: 31, label: 'com.example.orders.OrderController.get' },
      { path: 'Native Method', line: null, label: 'jdk.internal.reflect.NativeMethodAccessorImpl.invoke0' },
      { path: 'org/springframework/web/servlet/FrameworkServlet.java', line: 883, label: 'org.springframework.web.servlet.FrameworkServlet.service' },
    ]);
  });

  test('Caused by: a second exception with its own type, message and frames', () => {
    const chain = parseExceptionChain(text, 'java');
    assert.strictEqual(chain.length, 2);
    assert.strictEqual(chain[1].type, 'java.sql.SQLTransientConnectionException');
    assert.strictEqual(chain[1].message, 'HikariPool-1 - Connection is not available');
    assert.deepStrictEqual(chain[1].stack.map((f) => `${f.path}:${f.line}`), ['com/zaxxer/hikari/pool/HikariPool.java:696', 'com/example/orders/OrderRepository.kt:22']);
  });

  test('Suppressed: blocks, with their own frames and Caused by, stay out of the chain', () => {
    const trace = [
      'java.lang.IllegalStateException: batch failed',
      '\tat com.example.batch.Importer.run(Importer.java:41)',
      '\tat com.example.batch.Main.main(Main.java:12)',
      '\tSuppressed: java.io.IOException: close failed',
      '\t\tat com.example.batch.Store.close(Store.java:88)',
      '\t\tat com.example.batch.Importer.run(Importer.java:39)',
      '\t\t... 1 more',
      '\tCaused by: java.net.SocketException: Broken pipe',
      '\t\tat java.base/sun.nio.ch.NioSocketImpl.write(NioSocketImpl.java:420)',
      '\t\t... 3 more',
      'Caused by: java.sql.SQLException: connection lost',
      '\tat com.example.batch.Store.insert(Store.java:61)',
      '\tat com.example.batch.Importer.run(Importer.java:37)',
      '\t... 1 more',
      '\tSuppressed: java.lang.IllegalStateException: rollback failed',
      '\t\tat com.example.batch.Store.rollback(Store.java:70)',
      '\t\tCaused by: java.sql.SQLException: gone',
      '\t\t\tat com.example.batch.Store.rollback(Store.java:72)',
      'Caused by: java.io.EOFException: eof',
      '\tat com.example.batch.Wire.read(Wire.java:5)',
    ].join('\n');
    const chain = parseExceptionChain(trace, 'java');
    assert.deepStrictEqual(chain.map((e) => e.type), [undefined, 'java.sql.SQLException', 'java.io.EOFException']);
    assert.deepStrictEqual(chain[0].stack.map((f) => `${f.label}:${f.line}`), ['com.example.batch.Importer.run:41', 'com.example.batch.Main.main:12']);
    assert.deepStrictEqual([chain[1].message, chain[1].stack.map((f) => `${f.label}:${f.line}`)], ['connection lost', ['com.example.batch.Store.insert:61', 'com.example.batch.Importer.run:37']]);
    assert.deepStrictEqual(chain[2].stack.map((f) => f.line), [5]);
    // Spaces instead of tabs work the same.
    const spaced = parseExceptionChain(trace.replace(/\t/g, '    '), 'java');
    assert.deepStrictEqual(spaced.map((e) => [e.type, e.stack.length]), chain.map((e) => [e.type, e.stack.length]));
  });

  test('recognised without a language (no space before the parenthesis)', () => {
    assert.strictEqual(parseStackTrace(text)[0].path, 'com/example/orders/OrderService.java');
  });
});

suite('parseStackTrace: hostile input', () => {
  test('empty and non-frame text give no frames', () => {
    assert.deepStrictEqual(parseStackTrace(''), []);
    assert.deepStrictEqual(parseStackTrace('just a message'), []);
    assert.deepStrictEqual(parseStackTrace(undefined as unknown as string), []);
    // Frames with nothing in them are still frames, of strings and a number or null.
    const odd = parseStackTrace('Error\n    at \n    at f ()\n    at (:1:2)\n    at ((((\n    at ))) (');
    assert.deepStrictEqual(odd[0], { path: '', line: null, label: 'f' });
    for (const f of odd) assert.ok(typeof f.path === 'string' && typeof f.label === 'string' && (f.line === null || Number.isInteger(f.line)));
  });

  test('100,000 frames: MAX_FRAMES kept, the rest within the scanned lines counted as truncated', () => {
    const text = `Error: deep\n${'    at f (/a.js:1:1)\n'.repeat(100_000)}`;
    const [top] = parseExceptionChain(text, 'nodejs');
    assert.strictEqual(top.stack.length, MAX_FRAMES);
    assert.ok((top.truncated ?? 0) > 1000 && (top.truncated ?? 0) < 100_000, `truncated ${top.truncated}`);
  });

  test('a 5 MB single line, and 10,000 Caused by lines: bounded output', () => {
    const huge = `Error: x\n    at f (/${'a'.repeat(5_000_000)}.js:1:1)`;
    assert.deepStrictEqual(parseStackTrace(huge), []);
    assert.deepStrictEqual(parseExceptionChain(`Traceback (most recent call last):\n  File "/${'a'.repeat(5_000_000)}.py", line 1, in f\nE: x`, 'python'), [{ type: 'E', message: 'x', stack: [] }]);
    const causes = parseExceptionChain(`E: x\n${'Caused by: X: y\n\tat a.B.c(B.java:1)\n'.repeat(10_000)}`, 'java');
    assert.strictEqual(causes.length, MAX_EXCEPTIONS);
    for (const cause of causes.slice(1)) assert.deepStrictEqual([cause.type, cause.stack.length, cause.truncated], ['X', 1, undefined]);
    const python = parseExceptionChain(`Traceback (most recent call last):\n${'  File "/x.py", line 1, in f\nDuring handling of the above exception, another exception occurred:\n'.repeat(5000)}`, 'python');
    assert.ok(python.length <= MAX_EXCEPTIONS);
    for (const ex of python) assert.ok(ex.stack.length <= 1 && ex.truncated === undefined);
    // A message of 2,000 lines (46 kB) is clipped, not kept whole.
    const [long] = parseExceptionChain(`Traceback (most recent call last):\n  File "/x.py", line 1, in f\nValueError: x\n${'more text that goes on\n'.repeat(2000)}`, 'python');
    assert.ok(long.type === 'ValueError' && (long.message?.length ?? 0) <= 4096, `message of ${long.message?.length}`);
    // Frames: at most MAX_FRAMES kept whatever the size, the rest counted.
    const [deep] = parseExceptionChain(`E: x\n${'\tat a.B.c(B.java:1)\n'.repeat(200_000)}`, 'java');
    assert.strictEqual(deep.stack.length, MAX_FRAMES);
    assert.ok((deep.truncated ?? 0) > 0 && (deep.truncated ?? 0) + MAX_FRAMES < 200_000, `truncated ${deep.truncated}`);
  });

  test('line numbers too long to be lines are null; the path keeps what it said', () => {
    const frames = parseStackTrace('Error\n    at f (/a.js:99999999999999999999:1)\n    at g (/c.js:1e5:2)');
    assert.deepStrictEqual(frames, [
      { path: '/a.js', line: null, label: 'f' },
      { path: '/c.js:1e5', line: 2, label: 'g' },
    ]);
  });
});
