// The bundled command line (dist/cli.js, built by `npm run build`) as a user runs it, plus main() in-process.
import { GetTraceSummariesCommand } from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { main, parseCollectArgs } from '../../../src/cli/main';
import { STATUS_PATH, type CollectorCounters, type CollectorIdentity } from '../../../src/collector/localCollector';
import { ROOT, datagram, freePort, newTraceId, runPeer, segmentDoc, sendDatagrams, startTestCollector, waitFor, xrayClient } from './collectorHarness';

const CLI = path.join(ROOT, 'dist/cli.js');

interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startCli(args: string[]): Running {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls GET /xray-lens/status until its counters satisfy `done`; returns them. */
async function waitUntilStatus(port: number, done: (counters: CollectorCounters) => boolean): Promise<CollectorCounters> {
  let counters: CollectorCounters | undefined;
  const deadline = Date.now() + 5000;
  for (;;) {
    const response = await fetch(`http://127.0.0.1:${port}${STATUS_PATH}`);
    counters = ((await response.json()) as CollectorIdentity).counters;
    if (done(counters)) return counters;
    if (Date.now() > deadline) throw new Error(`status counters never got there: ${JSON.stringify(counters)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

suite('collector: command line', () => {
  test('collect: receives datagrams, logs progress, prints counters on SIGINT and exits 0', async () => {
    const port = await freePort();
    const cli = startCli(['collect', '--address', `127.0.0.1:${port}`, '--max-traces', '50']);
    try {
      await waitFor(() => cli.stdout().includes(`collecting on 127.0.0.1:${port}`), 'the CLI to listen', 10_000);
      await sendDatagrams(port, [
        datagram(segmentDoc(newTraceId())),
        datagram(segmentDoc(newTraceId())),
        datagram(segmentDoc(newTraceId())),
        'no header',
      ]);
      await waitFor(() => /received 4, accepted 3, rejected 1 \(missing-header 1\)/.test(cli.stdout()), 'a progress line', 5000);
      cli.child.kill('SIGINT');
      assert.equal(await cli.exited, 0);
      const lines = cli.stdout().trim().split('\n');
      assert.match(lines[lines.length - 2], /^stopped \(SIGINT\)\. received 4, accepted 3, rejected 1/);
      const counters = JSON.parse(lines[lines.length - 1]) as { accepted: number; traces: number };
      assert.equal(counters.accepted, 3);
      assert.equal(counters.traces, 3);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  test('collect on an address held by an xray-lens collector: exit 2 and says so', async () => {
    const collector = await startTestCollector();
    try {
      const result = await runPeer(process.execPath, [CLI, 'collect', '--address', `127.0.0.1:${collector.port}`]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`127\\.0\\.0\\.1:${collector.port} is in use by another X-Ray Lens collector`));
    } finally {
      await collector.close();
    }
  });

  test('collect on an address held by another program: exit 2 and says so', async () => {
    const port = await freePort();
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const result = await runPeer(process.execPath, [CLI, 'collect', '--address', `127.0.0.1:${port}`]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /is in use by another program/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('--help exits 0 with the usage; bad usage exits 2', async () => {
    const help = await runPeer(process.execPath, [CLI, '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: xray-lens collect \[--address 127\.0\.0\.1:2000\]/);
    for (const args of [[], ['serve'], ['collect', '--address', 'nowhere'], ['collect', '--max-traces', '0'], ['collect', '--max-bytes', '0']]) {
      const bad = await runPeer(process.execPath, [CLI, ...args]);
      assert.equal(bad.code, 2, args.join(' '));
      assert.match(bad.stderr, /usage:/);
    }
  });

  test('collect --max-bytes 1: the store keeps only the newest trace (status counters and the read API agree)', async () => {
    const cli = startCli(['collect', '--address', '127.0.0.1:0', '--max-bytes', '1']);
    try {
      await waitFor(() => /collecting on 127\.0\.0\.1:\d+/.test(cli.stdout()), 'the CLI to listen', 10_000);
      const port = Number(/collecting on 127\.0\.0\.1:(\d+)/.exec(cli.stdout())?.[1]);
      const [older, newer] = [newTraceId(), newTraceId()];
      await sendDatagrams(port, [datagram(segmentDoc(older))]);
      await waitUntilStatus(port, (c) => c.accepted === 1);
      await sendDatagrams(port, [datagram(segmentDoc(newer))]);
      const counters = await waitUntilStatus(port, (c) => c.accepted === 2);
      assert.equal(counters.traces, 1);
      assert.equal(counters.evicted, 1);
      const client = xrayClient({ host: '127.0.0.1', port });
      try {
        const page = await client.send(new GetTraceSummariesCommand({ StartTime: new Date(0), EndTime: new Date(4e12) }));
        assert.deepEqual(page.TraceSummaries?.map((summary) => summary.Id), [newer]);
      } finally {
        client.destroy();
      }
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  test('--max-bytes takes bytes or MiB (m), nothing else', () => {
    const maxBytes = (text: string) => {
      const args = parseCollectArgs(['--max-bytes', text]);
      return typeof args === 'string' ? args : args.maxBytes;
    };
    assert.equal(maxBytes('1'), 1);
    assert.equal(maxBytes('65536'), 65536);
    assert.equal(maxBytes('64m'), 64 * 1024 * 1024);
    assert.equal(maxBytes('2M'), 2 * 1024 * 1024);
    for (const bad of ['0', '0m', '-1', '1.5m', '12k', '1g', 'm', '']) {
      assert.match(String(maxBytes(bad)), /^--max-bytes needs a positive whole number/, bad);
    }
    assert.equal((parseCollectArgs([]) as { maxBytes?: number }).maxBytes, undefined, 'the collector default (64 MiB) applies');
  });

  test('main() in-process on port 0: takes a free port, says which, runs until its stop signal, then returns 0', async () => {
    let out = '';
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const running = main(['collect', '--address', '127.0.0.1:0', '--sample-all'], {
      out: (text) => (out += text),
      err: () => undefined,
      stopSignal: () => stopped,
    });
    await waitFor(() => out.includes('collecting on'), 'main to listen');
    assert.match(out, /^collecting on 127\.0\.0\.1:[1-9]\d*; AWS_XRAY_DAEMON_ADDRESS=127\.0\.0\.1:[1-9]\d*\n/);
    stop('SIGTERM');
    assert.equal(await running, 0);
    assert.match(out, /stopped \(SIGTERM\)/);
  });

  test('--address: host:port, [v6]:port, :port, port, and port 0 for any free port; bad ones refused', () => {
    const address = (text: string) => {
      const args = parseCollectArgs(['--address', text]);
      return typeof args === 'string' ? args : { host: args.host, port: args.port };
    };
    assert.deepEqual(address('127.0.0.1:2000'), { host: '127.0.0.1', port: 2000 });
    assert.deepEqual(address('[::1]:2001'), { host: '::1', port: 2001 });
    assert.deepEqual(address(':2002'), { host: '127.0.0.1', port: 2002 });
    assert.deepEqual(address('2003'), { host: '127.0.0.1', port: 2003 });
    assert.deepEqual(address('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
    assert.deepEqual(address(':0'), { host: '127.0.0.1', port: 0 });
    assert.deepEqual(address('[::1]:0'), { host: '::1', port: 0 });
    assert.equal(address('localhost'), '--address: "localhost" is not a host:port address (e.g. 127.0.0.1:2000)');
    assert.equal(address('127.0.0.1:70000'), '--address: port 70000 is out of range (1-65535)');
    assert.equal(address('a b:0'), '--address: "a b:0" is not a host:port address (e.g. 127.0.0.1:2000)');
    assert.equal(parseCollectArgs(['--address']), '--address: "" is not a host:port address (e.g. 127.0.0.1:2000)');
  });
});
