// The X-Ray daemon's UDP protocol: each datagram is a header line, "\n", then one segment document, or (ADOT)
// a `T1S`/`T1U` prefix and an OTLP request in base64.
// https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-daemon
import * as dgram from 'node:dgram';

/** The daemon reads each datagram into a 64 KiB buffer (aws-xray-daemon `Socket.BufferSizeKB: 64`). */
export const MAX_DATAGRAM_BYTES = 64 * 1024;

/** Why a datagram was refused before its document reached the segment parser. */
export type DatagramRejectReason = 'too-large' | 'missing-header' | 'bad-header';

export type DatagramResult =
  /**
   * A segment document: `body` is the datagram's bytes after the header, not yet decoded or parsed (the store
   * queues it as it is and parses it off the receive path, see TraceStore.enqueue).
   */
  | { ok: true; body: Buffer; otlp?: undefined }
  /** ADOT: `document` is the base64 ExportTraceServiceRequest (after the prefix), not JSON. */
  | { ok: true; document: string; bytes: number; otlp: 'sampled' | 'unsampled' }
  | { ok: false; reason: DatagramRejectReason };

const NEWLINE = 0x0a;
// What the Node, Java and Go SDKs send. Older Node and the Python SDKs put spaces after ':' and ',', so a
// byte-exact match is only the fast path; anything else is parsed as JSON.
const CANONICAL_HEADER = Buffer.from('{"format":"json","version":1}');
const T = 0x54;
const ONE = 0x31;
const S = 0x53;
const U = 0x55;

/**
 * Splits a daemon datagram into its document, or says why it cannot be accepted. Never throws. The receive
 * path's only per-datagram work: a size check, a byte compare of the header, a view of the rest.
 */
export function parseDaemonDatagram(datagram: Buffer): DatagramResult {
  if (datagram.length > MAX_DATAGRAM_BYTES) return { ok: false, reason: 'too-large' };
  const newline = datagram.indexOf(NEWLINE);
  if (newline < 0) return { ok: false, reason: 'missing-header' };
  if (!isCanonicalHeader(datagram, newline)) {
    const header = parseHeader(datagram.toString('utf8', 0, newline));
    if (header !== 'ok') return { ok: false, reason: header };
  }
  const body = newline + 1;
  // ADOT's OTLP-over-UDP exporter (OTLPUdpSpanExporter) sends "T1S" (sampled) or "T1U" (unsampled) + base64
  // protobuf after the same header.
  if (datagram.length >= body + 3 && datagram[body] === T && datagram[body + 1] === ONE
    && (datagram[body + 2] === S || datagram[body + 2] === U)) {
    const document = datagram.toString('latin1', body + 3);
    return { ok: true, document, bytes: datagram.length - body, otlp: datagram[body + 2] === S ? 'sampled' : 'unsampled' };
  }
  return { ok: true, body: datagram.subarray(body) };
}

function isCanonicalHeader(datagram: Buffer, newline: number): boolean {
  return newline === CANONICAL_HEADER.length && datagram.compare(CANONICAL_HEADER, 0, newline, 0, newline) === 0;
}

function parseHeader(line: string): 'ok' | 'missing-header' | 'bad-header' {
  let header: unknown;
  try {
    header = JSON.parse(line);
  } catch {
    return 'bad-header';
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return 'bad-header';
  const { format, version } = header as { format?: unknown; version?: unknown };
  // A first line without `format` is most likely a document sent with no header at all.
  if (format === undefined) return 'missing-header';
  return format === 'json' && version === 1 ? 'ok' : 'bad-header';
}

/** Receives datagrams on one UDP address and hands each one, already split, to `onDatagram`. */
export interface UdpReceiver {
  readonly socket: dgram.Socket;
  close(): Promise<void>;
}

// Bursts from a busy app arrive faster than one event-loop turn drains them; the kernel caps the request
// at net.core.rmem_max, so asking for more is harmless.
const RECEIVE_BUFFER_BYTES = 16 * 1024 * 1024;

/** Binds a UDP socket to host:port (exclusively) and starts delivering datagrams. Rejects with the bind error. */
export function bindUdpReceiver(
  host: string,
  port: number,
  onDatagram: (result: DatagramResult) => void,
  onError: (error: Error) => void,
): Promise<UdpReceiver> {
  const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
  return new Promise((resolve, reject) => {
    const failBind = (error: Error) => {
      socket.close();
      reject(error);
    };
    socket.once('error', failBind);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', failBind);
      try {
        socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
      } catch {
        // Some platforms refuse large buffers outright; the default buffer still works, just drops sooner.
      }
      socket.on('error', onError);
      socket.on('message', (datagram) => onDatagram(parseDaemonDatagram(datagram)));
      resolve({
        socket,
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}
