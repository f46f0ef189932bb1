// The daemon datagram format on real bytes: the SDK's captured datagrams, the Python SDK's spaced header,
// ADOT's OTLP datagrams, and the malformed ones.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MAX_DATAGRAM_BYTES, parseDaemonDatagram } from '../../../src/collector/udpReceiver';
import { FIXTURES } from './collectorHarness';

interface RawSample {
  label: string;
  raw: string;
}

function readNdjson<T>(file: string): T[] {
  return readFileSync(path.join(FIXTURES, file), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as T);
}

suite('collector: daemon datagram format', () => {
  test('every datagram the Node SDK sent splits into exactly the document after the header', () => {
    const samples = readNdjson<RawSample>('xray-sdk-node/udp-datagrams-raw-samples.ndjson');
    assert.ok(samples.length >= 17);
    for (const sample of samples) {
      const result = parseDaemonDatagram(Buffer.from(sample.raw));
      assert.ok(result.ok && !result.otlp, sample.label);
      assert.equal(result.body.toString('utf8'), sample.raw.slice(sample.raw.indexOf('\n') + 1));
    }
  });

  test('the spaced header of the Python and older Node SDKs is accepted', () => {
    const result = parseDaemonDatagram(Buffer.from('{"format": "json", "version": 1}\n{"id":"x"}'));
    assert.ok(result.ok && !result.otlp);
    assert.equal(result.body.toString('utf8'), '{"id":"x"}');
  });

  test('a document sent without header is missing-header, with or without newlines inside', () => {
    assert.deepEqual(parseDaemonDatagram(Buffer.from('{"trace_id":"1-5759e988-bd862e3fe1be46a994272793","id":"a"}')),
      { ok: false, reason: 'missing-header' });
    assert.deepEqual(parseDaemonDatagram(Buffer.from('{"id":"a","name":"x"}\n{"id":"b"}')), { ok: false, reason: 'missing-header' });
  });

  test('a wrong format, a wrong version or a broken header line is bad-header', () => {
    for (const header of ['{"format":"xml","version":1}', '{"format":"json","version":2}', '{"format":"json"', '[1]', 'hello']) {
      assert.deepEqual(parseDaemonDatagram(Buffer.from(`${header}\n{}`)), { ok: false, reason: 'bad-header' }, header);
    }
  });

  test('ADOT OTLP datagrams (T1S / T1U + base64) come out as their base64 payload, marked sampled or not', () => {
    const adot = readNdjson<{ raw: string }>('adot-otel/otlp-udp-datagrams-raw.ndjson');
    assert.ok(adot.length > 0);
    for (const { raw } of adot) {
      const body = raw.slice(raw.indexOf('\n') + 1);
      assert.deepEqual(parseDaemonDatagram(Buffer.from(raw)), { ok: true, document: body.slice(3), bytes: body.length, otlp: 'sampled' });
    }
    assert.deepEqual(parseDaemonDatagram(Buffer.from('{"format":"json","version":1}\nT1UAAAA')), { ok: true, document: 'AAAA', bytes: 7, otlp: 'unsampled' });
  });

  test('more than 64 KiB is too-large; exactly 64 KiB still parses', () => {
    const header = '{"format":"json","version":1}\n';
    const fits = Buffer.alloc(MAX_DATAGRAM_BYTES, 'a');
    fits.write(header);
    assert.equal(parseDaemonDatagram(fits).ok, true);
    const over = Buffer.alloc(MAX_DATAGRAM_BYTES + 1, 'a');
    over.write(header);
    assert.deepEqual(parseDaemonDatagram(over), { ok: false, reason: 'too-large' });
  });

  test('empty and binary datagrams are refused without throwing', () => {
    assert.deepEqual(parseDaemonDatagram(Buffer.alloc(0)), { ok: false, reason: 'missing-header' });
    assert.deepEqual(parseDaemonDatagram(Buffer.from([0xff, 0xfe, 0x0a, 0x00])), { ok: false, reason: 'bad-header' });
  });
});
