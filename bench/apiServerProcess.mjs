// The X-Ray API test server in a child process of a benchmark, so its work does not slow the client being timed;
// and what the benchmarks ask of it. A bench file forks itself with --server and calls serve() there.
import { once } from 'node:events';

/** In the child: answers the parent's messages ({faults} sets faults and forgets the requests seen; 'reset';
 * 'requests'; 'close') and tells the parent the server's URL. */
export function serve(server) {
  process.on('message', async (m) => {
    if (m?.faults) {
      server.setFaults(m.faults);
      server.requests.length = 0;
      process.send({ ok: true });
    }
    if (m === 'reset') server.requests.length = 0;
    // Start times are performance.now() of the child, which is all a rate needs.
    if (m === 'requests') process.send({ requests: server.requests.map((r) => ({ operation: r.operation, startedAt: r.startedAt, endedAt: r.endedAt, status: r.status })) });
    if (m === 'close') {
      await server.close();
      process.disconnect();
    }
  });
  process.send({ url: server.url });
}

/** In the parent: sends `message` and waits for the child's answer. */
export async function ask(child, message) {
  child.send(message);
  const [reply] = await once(child, 'message');
  return reply;
}

/** Most requests that reached the server within any 1-second window (t - 1 s, t]. */
export function mostPerSecond(requests) {
  const starts = requests.map((r) => r.startedAt).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[j] <= starts[i] - 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}
