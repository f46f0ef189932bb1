// `xray-lens` command line: runs the local collector in the foreground, outside VS Code.
import { CollectorAddressInUseError, LocalCollector, describeCounters } from '../collector/localCollector';
import { parseHostPort, type HostPort } from '../sources/address';
import { HOTSPOTS_USAGE, hotspots, parseHotspotsArgs } from './hotspotsCommand';
import { listTraces, parseTracesArgs, TRACES_USAGE } from './tracesCommand';

export const USAGE = `usage: xray-lens collect [--address 127.0.0.1:2000] [--otlp-address 127.0.0.1:4318 | --no-otlp]
                        [--sample-all] [--max-traces N] [--max-bytes N]

Runs the X-Ray Lens local collector in the foreground: receives segments on UDP (the X-Ray daemon protocol),
answers the SDKs' sampling calls and serves the X-Ray read API on TCP, both on --address; receives
OpenTelemetry traces over OTLP/HTTP on --otlp-address (and ADOT's OTLP datagrams on --address).
Point your app at it with AWS_XRAY_DAEMON_ADDRESS=<address> or OTEL_EXPORTER_OTLP_ENDPOINT=http://<otlp-address>;
Ctrl-C stops it and prints its counters.

  --address HOST:PORT  where to listen (default 127.0.0.1:2000, the daemon's address); a bare PORT or :PORT
                       means 127.0.0.1, port 0 any free port (the one taken is printed)
  --otlp-address HOST:PORT  where to receive OTLP/HTTP (POST /v1/traces); default 127.0.0.1:4318, the OTLP
                       port, skipped with a warning when taken; given explicitly, a taken port is an error
  --no-otlp            no OTLP/HTTP
  --sample-all         sampling rules that trace every request (default: 1 request/s + 5 %)
  --max-traces N       traces kept in memory before the oldest is dropped (default 5000)
  --max-bytes N        segment document bytes kept before the oldest trace is dropped; N bytes, or Nm for
                       N MiB (default 64m). The newest trace is kept even if it alone is bigger.
  --help               this text

${TRACES_USAGE}
${HOTSPOTS_USAGE}`;

/** Exit codes: 0 done, 1 unexpected failure, 2 bad usage or the address is taken, 3 a partial result (X-Ray kept throttling). */
export type ExitCode = 0 | 1 | 2 | 3;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Resolves with the signal's name when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: () => Promise<string>;
}

export interface CollectArgs {
  host: string;
  port: number;
  sampleAll: boolean;
  maxTraces?: number;
  maxBytes?: number;
  /** Where to receive OTLP/HTTP; undefined: not at all. */
  otlp?: HostPort;
  /** --otlp-address was given: failing to bind it is an error, not a warning. */
  otlpRequired: boolean;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<ExitCode> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  if (argv.length === 0) {
    io.err(USAGE);
    return 2;
  }
  const [command, ...rest] = argv;
  if (command === 'traces') {
    const args = parseTracesArgs(rest);
    if (typeof args === 'string') {
      io.err(`${args}\n${TRACES_USAGE}`);
      return 2;
    }
    const controller = new AbortController();
    void io.stopSignal().then(() => controller.abort());
    return listTraces(args, { out: io.out, err: io.err, signal: controller.signal });
  }
  if (command === 'hotspots') {
    const args = parseHotspotsArgs(rest);
    if (typeof args === 'string') {
      io.err(`${args}\n${HOTSPOTS_USAGE}`);
      return 2;
    }
    const controller = new AbortController();
    void io.stopSignal().then(() => controller.abort());
    return hotspots(args, { out: io.out, err: io.err, signal: controller.signal });
  }
  if (command !== 'collect') {
    io.err(`unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  const args = parseCollectArgs(rest);
  if (typeof args === 'string') {
    io.err(`${args}\n${USAGE}`);
    return 2;
  }
  return collect(args, io);
}

/** The options after `collect`, or the message saying what is wrong with them. */
export function parseCollectArgs(argv: string[]): CollectArgs | string {
  const args: CollectArgs = { host: '127.0.0.1', port: 2000, sampleAll: false, otlp: { host: '127.0.0.1', port: 4318 }, otlpRequired: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const [name, inline] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    const value = () => inline ?? argv[++i];
    if (name === '--sample-all') {
      args.sampleAll = true;
    } else if (name === '--address') {
      const address = parseAddress(value() ?? '');
      if (typeof address === 'string') return `--address: ${address}`;
      Object.assign(args, address);
    } else if (name === '--otlp-address') {
      const address = parseAddress(value() ?? '');
      if (typeof address === 'string') return `--otlp-address: ${address}`;
      args.otlp = address;
      args.otlpRequired = true;
    } else if (name === '--no-otlp') {
      args.otlp = undefined;
      args.otlpRequired = false;
    } else if (name === '--max-traces') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) return '--max-traces needs a positive whole number';
      args.maxTraces = n;
    } else if (name === '--max-bytes') {
      const bytes = parseByteCount(value() ?? '');
      if (bytes === undefined) return '--max-bytes needs a positive whole number of bytes, or of MiB with m (64m)';
      args.maxBytes = bytes;
    } else {
      return `unknown option "${flag}"`;
    }
  }
  return args;
}

/**
 * An address as the extension's setting takes it (parseHostPort), plus port 0: parseHostPort refuses it, but
 * here "any free port" makes sense because the CLI prints the port it took.
 */
function parseAddress(text: string): HostPort | string {
  const anyPort = /(^|:)0+$/.test(text.trim());
  if (!anyPort) {
    const parsed = parseHostPort(text);
    return parsed.ok ? parsed.address : parsed.message;
  }
  // Any valid port in its place checks the host part.
  const parsed = parseHostPort(text.trim().replace(/0+$/, '1'));
  return parsed.ok ? { ...parsed.address, port: 0 } : `"${text.trim()}" is not a host:port address (e.g. 127.0.0.1:2000)`;
}

/** `65536` bytes or `64m` MiB; undefined unless it is a positive whole number. */
function parseByteCount(text: string): number | undefined {
  const match = /^(\d+)(m?)$/i.exec(text.trim());
  const bytes = match ? Number(match[1]) * (match[2] ? 1024 * 1024 : 1) : Number.NaN;
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : undefined;
}

async function collect(args: CollectArgs, io: CliIo): Promise<ExitCode> {
  let collector: LocalCollector;
  try {
    collector = await LocalCollector.start({
      host: args.host,
      port: args.port,
      sampleAll: args.sampleAll,
      maxTraces: args.maxTraces,
      maxBytes: args.maxBytes,
      otlpHost: args.otlp?.host,
      otlpPort: args.otlp?.port,
      log: (line) => io.err(`${line}\n`),
    });
  } catch (error) {
    if (error instanceof CollectorAddressInUseError) {
      io.err(`xray-lens: ${error.message}\n`);
      return 2;
    }
    io.err(`xray-lens: cannot start the collector: ${(error as Error).message}\n`);
    return 1;
  }
  io.out(`collecting on ${collector.host}:${collector.port}; AWS_XRAY_DAEMON_ADDRESS=${collector.host}:${collector.port}\n`);
  if (collector.otlpError && args.otlpRequired) {
    // Already logged on stderr by the collector.
    await collector.close();
    return 2;
  }
  const otlp = collector.otlpAddress;
  if (otlp) io.out(`receiving OTLP/HTTP on http://${otlp.host}:${otlp.port}/v1/traces; OTEL_EXPORTER_OTLP_ENDPOINT=http://${otlp.host}:${otlp.port}\n`);

  // One progress line per second at most, and only in seconds when something arrived (segments, or an SDK's
  // sampling report: how many requests it saw and traced).
  const mark = (c: ReturnType<typeof collector.counters>) => `${c.received}/${c.sampling.targetRequests}`;
  let reported = mark(collector.counters());
  const progress = setInterval(() => {
    const counters = collector.counters();
    if (mark(counters) === reported) return;
    reported = mark(counters);
    io.out(`${describeCounters(counters)}\n`);
  }, 1000);

  const signal = await io.stopSignal();
  clearInterval(progress);
  const counters = collector.counters();
  await collector.close();
  io.out(`stopped (${signal}). ${describeCounters(counters)}\n${JSON.stringify(counters)}\n`);
  return 0;
}

function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stopSignal: () => new Promise((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    }),
  };
}

// Runs only as the bundled entry point (dist/cli.js), not when a test imports main().
if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => {
      process.stderr.write(`xray-lens: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
