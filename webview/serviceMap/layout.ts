// Positions for the service map's nodes and the bends of its edges, computed by ELK's layered algorithm
// (elkjs; why ELK and not dagre: bench/README.md) in a Web Worker, so that the page stays responsive while a
// large map is laid out. Left to right, the way X-Ray draws requests flowing from the client to downstream
// resources. The worker gets only indices and sizes, never a name. If it cannot start (a CSP without
// `worker-src blob:`, a host without workers), ELK runs on the page's main thread instead, loaded then.
import ELK from 'elkjs/lib/elk-api.js';
import type { ELK as ElkApi, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { ServiceMap } from '../../src/protocol/serviceMapMessages';
import { ELK_WORKER_SOURCE } from './elkWorkerSource';
import { elkOptions } from './elkOptions';
import { LABEL_HEIGHT, NODE_WIDTH, type MapLayout, type NodeBox } from './mapGeometry';

/** Where ELK runs: its worker, or (fallback) the page's main thread. */
export type LayoutEngine = 'worker' | 'main-thread';

/** The page's own script element, read while it runs: the fallback is loaded beside it, with its nonce. */
const ownScript = document.currentScript as HTMLScriptElement | null;
/** Set by dist/webview/serviceMapElk.js (elkMainThread.ts). */
const MAIN_THREAD_ELK_GLOBAL = 'xrayLensMainThreadElk';

/**
 * ELK behind one promise, started when the page loads (its start-up, parsing and initialising 1.6 MB of
 * compiled Java, is then off the first layout, and off the main thread), and run one layout at a time: a new
 * request replaces one still waiting (its promise resolves to `undefined`), so that a burst of topology
 * changes does not queue layouts nobody will see.
 */
class ElkRunner {
  private readonly started: Promise<{ elk: ElkApi; engine: LayoutEngine }>;
  /** Fails the running layout when the worker reports an uncaught error (elk-api's promise would never settle). */
  private crashed: ((error: Error) => void) | undefined;
  private running = false;
  private waiting: { graph: ElkNode; resolve(result: ElkNode | undefined): void; reject(error: unknown): void } | undefined;

  constructor() {
    this.started = this.startWorker().catch(() => this.startMainThread());
  }

  /** Which engine ran (or will run) the layouts; resolves once ELK is up. */
  get engine(): Promise<LayoutEngine> {
    return this.started.then((s) => s.engine);
  }

  layout(graph: ElkNode): Promise<ElkNode | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting?.resolve(undefined);
      this.waiting = { graph, resolve, reject };
      void this.next();
    });
  }

  private async next(): Promise<void> {
    if (this.running || !this.waiting) return;
    const job = this.waiting;
    this.waiting = undefined;
    this.running = true;
    try {
      const { elk } = await this.started;
      const crash = new Promise<never>((_, reject) => (this.crashed = reject));
      job.resolve(await Promise.race([elk.layout(job.graph), crash]));
    } catch (error) {
      job.reject(error);
    } finally {
      this.running = false;
      this.crashed = undefined;
      void this.next();
    }
  }

  /** Resolves once the worker has answered a first (empty) layout; rejects if it cannot start. */
  private async startWorker(): Promise<{ elk: ElkApi; engine: LayoutEngine }> {
    const url = URL.createObjectURL(new Blob([ELK_WORKER_SOURCE], { type: 'text/javascript' }));
    // Throws (SecurityError) where the CSP refuses blob: workers synchronously; otherwise an `error` event.
    const worker = new Worker(url, { name: 'service map layout' });
    const failed = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (e) => {
        e.preventDefault(); // reported here, not as the page's own uncaught error
        const error = new Error(`the layout worker failed: ${e.message || 'it could not start'}`);
        reject(error); // while starting
        this.crashed?.(error); // during a layout
      });
    });
    const elk = new ELK({ workerFactory: () => worker, algorithms: ['layered'] });
    try {
      await Promise.race([elk.layout({ id: 'warm-up', children: [] }), failed]);
    } catch (error) {
      worker.terminate();
      throw error;
    } finally {
      URL.revokeObjectURL(url); // the worker has loaded (or failed to): the URL has done its job
    }
    return { elk, engine: 'worker' };
  }

  private async startMainThread(): Promise<{ elk: ElkApi; engine: LayoutEngine }> {
    if (!ownScript?.src) throw new Error('no script element to load the main-thread layout beside');
    const script = document.createElement('script');
    script.nonce = ownScript.nonce ?? '';
    script.src = new URL('serviceMapElk.js', ownScript.src).toString();
    await new Promise<void>((resolve, reject) => {
      script.addEventListener('load', () => resolve());
      script.addEventListener('error', () => reject(new Error('the main-thread layout did not load')));
      document.head.append(script);
    });
    const Constructor = (globalThis as Record<string, unknown>)[MAIN_THREAD_ELK_GLOBAL] as typeof ELK | undefined;
    if (!Constructor) throw new Error('the main-thread layout did not register');
    const elk = new Constructor({ algorithms: ['layered'] });
    await elk.layout({ id: 'warm-up', children: [] });
    return { elk, engine: 'main-thread' };
  }
}

const runner = new ElkRunner();

/** Where ELK runs, once it has started. */
export function layoutEngine(): Promise<LayoutEngine> {
  return runner.engine;
}

/**
 * ELK's layout of `map` with routed edges, or `undefined` when a newer request took its turn before it
 * started. `radius`: each node's circle (mapGeometry.ts nodeRadii).
 */
export async function layoutWithElk(map: ServiceMap, radius: Map<string, number>): Promise<MapLayout | undefined> {
  // Indices, not ids, cross to the worker: nothing from the trace data leaves the page's thread.
  const index = new Map(map.nodes.map((n, i) => [n.id, i]));
  const edges: ElkExtendedEdge[] = [];
  map.edges.forEach((e, j) => {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s !== undefined && t !== undefined) edges.push({ id: `e${j}`, sources: [`n${s}`], targets: [`n${t}`] });
  });
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: elkOptions(map.nodes.length, map.edges.length),
    children: map.nodes.map((n, i) => ({ id: `n${i}`, width: NODE_WIDTH, height: 2 * (radius.get(n.id) as number) + LABEL_HEIGHT })),
    edges,
  };
  const result = await runner.layout(graph);
  if (!result) return undefined;
  const nodes = new Map<string, NodeBox>();
  for (const child of result.children ?? []) {
    const node = map.nodes[Number(child.id.slice(1))];
    const r = radius.get(node.id) as number;
    nodes.set(node.id, { cx: (child.x ?? 0) + NODE_WIDTH / 2, cy: (child.y ?? 0) + r, r });
  }
  const bends = new Map<string, { x: number; y: number }[]>();
  for (const edge of (result.edges ?? []) as ElkExtendedEdge[]) {
    bends.set(map.edges[Number(edge.id.slice(1))].id, (edge.sections ?? []).flatMap((s) => s.bendPoints ?? []));
  }
  return { nodes, bends, width: result.width ?? 0, height: result.height ?? 0 };
}
