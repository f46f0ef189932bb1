// The local collector on a thread of its own (collectorWorker.ts), seen from the thread that owns it: the
// extension host. Receiving, parsing and storing a flood of segments then never delays a CodeLens, a hover or
// another extension; the owner only gets a few small messages a second (bench/hostDelay.bench.mjs). Readers use
// the collector's read API over HTTP, as they always did; counters() answers from the latest the thread sent.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CollectorAddressInUseError, type AddressOccupant, type CollectorCounters, type CollectorOptions } from './localCollector';

export type ToCollectorThread = { type: 'close' };

export type FromCollectorThread =
  | { type: 'started'; port: number; otlp?: { host: string; port: number }; otlpError?: string; counters: CollectorCounters }
  | { type: 'failed'; message: string; inUse?: { host: string; port: number; occupant: AddressOccupant } }
  | { type: 'counters'; counters: CollectorCounters }
  | { type: 'changed'; traceIds: string[] }
  | { type: 'reported' }
  | { type: 'log'; line: string }
  | { type: 'closed'; counters: CollectorCounters };

type Listener<T> = (event: T) => void;

export class CollectorThread {
  private latest: CollectorCounters;
  private readonly changeListeners = new Set<Listener<{ traceIds: string[] }>>();
  private readonly reportListeners = new Set<Listener<void>>();
  private readonly exitListeners = new Set<Listener<number>>();
  private closing: Promise<void> | undefined;
  private exited = false;

  private constructor(
    private readonly worker: Worker,
    readonly host: string,
    readonly port: number,
    readonly otlpAddress: { host: string; port: number } | undefined,
    readonly otlpError: string | undefined,
    counters: CollectorCounters,
    private readonly log: (line: string) => void,
  ) {
    this.latest = counters;
    worker.on('message', (message: FromCollectorThread) => this.receive(message));
    worker.on('error', (error) => log(`the collector's thread failed: ${error.message}`));
    worker.on('exit', (code) => {
      this.exited = true;
      if (this.closing) return;
      log(`the collector's thread ended (exit code ${code})`);
      for (const listener of [...this.exitListeners]) listener(code);
    });
  }

  /**
   * Starts the collector's thread and resolves once it listens; rejects as LocalCollector.start does
   * (CollectorAddressInUseError when the address is taken). `script`: the worker's file, by default
   * collectorWorker.js beside this module (dist/ in the bundle, out/src/collector/ in the tests).
   */
  static start(options: CollectorOptions = {}, script = path.join(__dirname, 'collectorWorker.js')): Promise<CollectorThread> {
    const { log = () => undefined, ...data } = options;
    const worker = new Worker(script, { workerData: data });
    return new Promise((resolve, reject) => {
      const early = (message: FromCollectorThread): void => {
        if (message.type === 'log') return log(message.line);
        if (message.type !== 'started' && message.type !== 'failed') return;
        worker.off('message', early);
        worker.off('error', failed);
        if (message.type === 'started') {
          resolve(new CollectorThread(worker, data.host ?? '127.0.0.1', message.port, message.otlp, message.otlpError, message.counters, log));
        } else if (message.type === 'failed') {
          reject(message.inUse ? new CollectorAddressInUseError(message.inUse.host, message.inUse.port, message.inUse.occupant) : new Error(message.message));
        }
      };
      const failed = (error: Error): void => reject(new Error(`the collector's thread failed: ${error.message}`));
      worker.on('message', early);
      worker.once('error', failed);
    });
  }

  /** The latest counters the thread sent (at most 250 ms old). */
  counters(): CollectorCounters {
    return this.latest;
  }

  /** Fires at most every 250 ms with the ids of the traces that changed since the last event. */
  onDidChange(listener: Listener<{ traceIds: string[] }>): { dispose(): void } {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  /** Fires after an SDK's SamplingTargets report was counted. */
  onDidReportSampling(listener: Listener<void>): { dispose(): void } {
    this.reportListeners.add(listener);
    return { dispose: () => this.reportListeners.delete(listener) };
  }

  /** Fires with the exit code if the thread ends without close() (a crash): the collector is gone. */
  onDidExit(listener: Listener<number>): { dispose(): void } {
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  /** Closes the sockets, then the thread; resolves when both are gone (the thread is ended if it does not answer in 2 s). */
  close(): Promise<void> {
    if (this.exited) return (this.closing ??= Promise.resolve());
    this.closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate(), 2000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.worker.postMessage({ type: 'close' } satisfies ToCollectorThread);
    });
    return this.closing;
  }

  private receive(message: FromCollectorThread): void {
    switch (message.type) {
      case 'counters':
      case 'closed':
        this.latest = message.counters;
        break;
      case 'log':
        this.log(message.line);
        break;
      case 'changed':
        for (const listener of [...this.changeListeners]) listener({ traceIds: message.traceIds });
        break;
      case 'reported':
        for (const listener of [...this.reportListeners]) listener();
        break;
    }
  }
}
