// Starts the sample app: inventory-svc and frontend-api as child processes, and with --traffic a request mix.
// usage: node samples/start.mjs [--traffic] [--count N] [--rate R] [--frontend-port 3001] [--inventory-port 3002]
//                               [--daemon 127.0.0.1:2000] [--watch] [--verbose]
// --daemon (else AWS_XRAY_DAEMON_ADDRESS, else 127.0.0.1:2000) is where the X-Ray SDK sends segments (UDP).
// With --count the traffic stops after N requests and so does this script; otherwise Ctrl-C stops everything.
// --watch (the demo's choice) restarts a service when one of its files changes (node --watch), so an edit such
// as "X-Ray: Trace This Function" shows in the traces once the file is saved.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlag, runTraffic } from './traffic.mjs';

const samplesDir = path.dirname(fileURLToPath(import.meta.url));

function waitForPort(port, child, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`service exited with ${child.exitCode} before listening on ${port}`));
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listening on ${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/**
 * Starts both services and, when `traffic` is given, the request mix. `stop()` ends the children.
 * @returns {Promise<{ frontendUrl: string, inventoryUrl: string, traffic?: Promise<object>, stop(): Promise<void> }>}
 */
export async function startSampleApp({
  frontendPort = 3001,
  inventoryPort = 3002,
  /** quote-svc (OpenTelemetry only) listens here; 0 = do not start it. */
  quotesPort = 0,
  daemonAddress = process.env.AWS_XRAY_DAEMON_ADDRESS || '127.0.0.1:2000',
  /** Where quote-svc sends OTLP/HTTP: host:port of the collector's OTLP receiver. */
  otlpAddress = '127.0.0.1:4318',
  traffic,
  stdio = 'inherit',
  /** Restart a service when a file it loaded changes (node --watch). */
  watch = false,
} = {}) {
  const inventoryUrl = `http://127.0.0.1:${inventoryPort}`;
  const frontendUrl = `http://127.0.0.1:${frontendPort}`;
  const quotesUrl = quotesPort ? `http://127.0.0.1:${quotesPort}` : undefined;
  const children = [];
  const startService = (dir, port, extraEnv) => {
    const child = spawn(process.execPath, [...(watch ? ['--watch'] : []), path.join(samplesDir, dir, 'server.js')], {
      cwd: path.join(samplesDir, dir),
      stdio: ['ignore', stdio, stdio],
      env: { ...process.env, ...extraEnv, PORT: String(port), AWS_XRAY_DAEMON_ADDRESS: daemonAddress, ELECTRON_RUN_AS_NODE: '1' },
    });
    children.push(child);
    return child;
  };
  const controller = new AbortController();
  const stop = async () => {
    controller.abort();
    await Promise.all(children.map((child) => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    })));
  };
  try {
    const inventory = startService('inventory', inventoryPort, {});
    const frontend = startService('frontend', frontendPort, { INVENTORY_URL: inventoryUrl });
    const waits = [waitForPort(inventoryPort, inventory), waitForPort(frontendPort, frontend)];
    if (quotesPort) {
      const quotes = startService('quotes', quotesPort, {
        INVENTORY_URL: inventoryUrl,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://${otlpAddress}/v1/traces`,
      });
      waits.push(waitForPort(quotesPort, quotes));
    }
    await Promise.all(waits);
  } catch (err) {
    await stop();
    throw err;
  }
  const app = { frontendUrl, inventoryUrl, quotesUrl, daemonAddress, otlpAddress, stop };
  if (traffic) app.traffic = runTraffic({ url: frontendUrl, quotesUrl, ...traffic, signal: controller.signal });
  return app;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const daemonAddress = parseFlag(argv, 'daemon', process.env.AWS_XRAY_DAEMON_ADDRESS || '127.0.0.1:2000');
  const withTraffic = argv.includes('--traffic') || argv.includes('--count');
  const app = await startSampleApp({
    frontendPort: Number(parseFlag(argv, 'frontend-port', 3001)),
    inventoryPort: Number(parseFlag(argv, 'inventory-port', 3002)),
    quotesPort: Number(parseFlag(argv, 'quotes-port', 0)),
    otlpAddress: parseFlag(argv, 'otlp', '127.0.0.1:4318'),
    daemonAddress,
    watch: argv.includes('--watch'),
    traffic: withTraffic && {
      rate: Number(parseFlag(argv, 'rate', 2)),
      count: Number(parseFlag(argv, 'count', Infinity)),
      verbose: argv.includes('--verbose'),
    },
  });
  console.log(`sample app: frontend-api ${app.frontendUrl}, inventory-svc ${app.inventoryUrl}${app.quotesUrl ? `, quote-svc ${app.quotesUrl} (OpenTelemetry → http://${app.otlpAddress})` : ''}`);
  console.log(`X-Ray segments go to udp ${daemonAddress}${withTraffic ? '; sending traffic' : ''} (Ctrl-C stops)`);
  let stopping = false;
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => shutdown(130));
  process.on('SIGTERM', () => shutdown(143));
  if (app.traffic) {
    const statuses = await app.traffic;
    console.log(`[traffic] done: ${JSON.stringify(statuses)}`);
    // Bounded run: give the last segments a moment to leave, then stop the services.
    if (!stopping) setTimeout(() => shutdown(0), 300);
  }
}
