// The command line's OTLP/HTTP options: --otlp-address (a taken port is an error), the default 127.0.0.1:4318
// (a taken port is a warning), --no-otlp; main() in-process receiving a real OTLP request.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { main, parseCollectArgs, type CliIo } from '../../../src/cli/main';
import { waitFor } from './collectorHarness';
import { adotPayloads, post } from './otlpFixtures';

/** main() in-process, stopped by `stop()`; what it printed so far in out() and err(). */
function runMain(argv: string[]) {
  let out = '';
  let err = '';
  let stop: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const io: CliIo = { out: (text) => (out += text), err: (text) => (err += text), stopSignal: () => stopped };
  return { exit: main(argv, io), stop, out: () => out, err: () => err };
}

suite('collector: command line, OTLP/HTTP', () => {
  test('--otlp-address takes an address (0: any free port) and makes a taken port an error; --no-otlp turns it off', () => {
    const otlp = (argv: string[]) => {
      const args = parseCollectArgs(argv);
      return typeof args === 'string' ? args : { otlp: args.otlp, required: args.otlpRequired };
    };
    assert.deepEqual(otlp([]), { otlp: { host: '127.0.0.1', port: 4318 }, required: false });
    assert.deepEqual(otlp(['--otlp-address', '127.0.0.1:4319']), { otlp: { host: '127.0.0.1', port: 4319 }, required: true });
    assert.deepEqual(otlp(['--otlp-address=:0']), { otlp: { host: '127.0.0.1', port: 0 }, required: true });
    assert.deepEqual(otlp(['--no-otlp']), { otlp: undefined, required: false });
    assert.equal(otlp(['--otlp-address', 'nowhere']), '--otlp-address: "nowhere" is not a host:port address (e.g. 127.0.0.1:2000)');
  });

  test('main() with --otlp-address on port 0: says where, stores what an exporter posts, counts it on exit', async () => {
    const run = runMain(['collect', '--address', '127.0.0.1:0', '--otlp-address', '127.0.0.1:0']);
    try {
      await waitFor(() => run.out().includes('receiving OTLP/HTTP'), 'main to listen', 10_000);
      const match = /receiving OTLP\/HTTP on http:\/\/127\.0\.0\.1:(\d+)\/v1\/traces; OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:\1\n/.exec(run.out());
      assert.ok(match, run.out());
      const reply = await post(Number(match[1]), Buffer.from(adotPayloads()[0].base64, 'base64'), { 'content-type': 'application/x-protobuf' });
      assert.equal(reply.status, 200);
    } finally {
      run.stop('SIGTERM');
    }
    assert.equal(await run.exit, 0);
    const lines = run.out().trim().split('\n');
    assert.match(lines[lines.length - 2], /OTLP: 1 requests \(0 refused\), spans 10 accepted, 0 rejected; sampling: no SDK has asked for rules$/);
    const counters = JSON.parse(lines[lines.length - 1]) as { otlp: { spansAccepted: number } };
    assert.equal(counters.otlp.spansAccepted, 10);
  });

  test('a taken OTLP port: with --otlp-address, exit 2 saying so; by default, a warning and the collector runs', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    try {
      const explicit = runMain(['collect', '--address', '127.0.0.1:0', '--otlp-address', `127.0.0.1:${taken}`]);
      assert.equal(await explicit.exit, 2);
      assert.match(explicit.err(), new RegExp(`127\\.0\\.0\\.1:${taken} is in use by another program`));

      // The default address, 127.0.0.1:4318: held here unless something on this machine already holds it.
      const defaultHolder = net.createServer();
      await new Promise<void>((resolve) => {
        defaultHolder.once('error', () => resolve());
        defaultHolder.listen(4318, '127.0.0.1', resolve);
      });
      try {
        const byDefault = runMain(['collect', '--address', '127.0.0.1:0']);
        await waitFor(() => byDefault.out().includes('collecting on'), 'main to listen', 10_000);
        byDefault.stop('SIGTERM');
        assert.equal(await byDefault.exit, 0);
        assert.match(byDefault.err(), /127\.0\.0\.1:4318 is in use/);
        assert.doesNotMatch(byDefault.out(), /receiving OTLP/);
      } finally {
        defaultHolder.close();
      }
    } finally {
      holder.close();
    }
  });
});
