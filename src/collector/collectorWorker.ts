// The collector's own thread (worker_threads): a LocalCollector — UDP, OTLP, sampling and the read API — that
// receives, parses and stores off the extension host's event loop. It tells its owner (collectorThread.ts) when
// it is listening, when traces changed, when an SDK reported its sampling, and its counters when they change.
import { parentPort, workerData } from 'node:worker_threads';
import { CollectorAddressInUseError, LocalCollector, type CollectorOptions } from './localCollector';
import type { FromCollectorThread, ToCollectorThread } from './collectorThread';

/** How often changed counters are sent to the owner: what it shows is at most this old. */
const COUNTERS_INTERVAL_MS = 250;

const port = parentPort;
if (port) void run(port, workerData as Omit<CollectorOptions, 'log'>);

async function run(owner: NonNullable<typeof parentPort>, options: Omit<CollectorOptions, 'log'>): Promise<void> {
  const post = (message: FromCollectorThread): void => owner.postMessage(message);
  let collector: LocalCollector;
  try {
    collector = await LocalCollector.start({ ...options, log: (line) => post({ type: 'log', line }) });
  } catch (error) {
    post(
      error instanceof CollectorAddressInUseError
        ? { type: 'failed', inUse: { host: error.host, port: error.port, occupant: error.occupant }, message: error.message }
        : { type: 'failed', message: error instanceof Error ? error.message : String(error) },
    );
    owner.close();
    return;
  }
  let lastCounters = '';
  const sendCounters = (): void => {
    const counters = collector.counters();
    const text = JSON.stringify(counters);
    if (text === lastCounters) return;
    lastCounters = text;
    post({ type: 'counters', counters });
  };
  const timer = setInterval(sendCounters, COUNTERS_INTERVAL_MS);
  collector.onDidChange((e) => {
    sendCounters();
    post({ type: 'changed', traceIds: e.traceIds });
  });
  collector.onDidReportSampling(() => {
    sendCounters();
    post({ type: 'reported' });
  });
  owner.on('message', (message: ToCollectorThread) => {
    if (message.type !== 'close') return;
    clearInterval(timer);
    void collector.close().then(() => {
      post({ type: 'closed', counters: collector.counters() });
      owner.close();
    });
  });
  sendCounters();
  post({ type: 'started', port: collector.port, otlp: collector.otlpAddress, otlpError: collector.otlpError, counters: collector.counters() });
}
