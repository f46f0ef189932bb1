// The peer runner the collector tests share must never hang the run: a peer that leaves a process behind
// (as samples/start.mjs's services could) holds the output pipes open after the peer itself is gone.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runPeer } from './collectorHarness';

/** True while the process exists and is not a zombie (a container's PID 1 may never reap it). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Waits up to 3 s for the process to be gone: SIGKILL to a process group is delivered at once, but on a loaded
 * machine the kernel may show the process for a moment after runPeer has returned.
 */
async function goneSoon(pid: number): Promise<boolean> {
  for (const until = Date.now() + 3000; alive(pid); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > until) return false;
  }
  return true;
}

suite('collector tests: peer processes', () => {
  test('a peer that exits leaving a child on its pipes: the result comes at once, the child is killed', async () => {
    const started = Date.now();
    const result = await runPeer('sh', ['-c', 'sleep 60 & echo "{\\"orphan\\": $!}"; exit 4']);
    assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    assert.equal(result.code, 4);
    const orphan = result.lines[0].orphan as number;
    assert.ok(Number.isInteger(orphan));
    assert.equal(await goneSoon(orphan), true, `sleep ${orphan} still running 3 s after the peer's result`);
  });

  test('a peer that outlives its timeout is killed with what it started', async () => {
    const started = Date.now();
    const result = await runPeer('sh', ['-c', 'sleep 60 & echo "{\\"child\\": $!}"; wait'], {}, 500);
    assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    assert.equal(result.code, null, 'killed by a signal');
    const child = result.lines[0].child as number;
    assert.equal(await goneSoon(child), true, `sleep ${child} still running 3 s after the peer's result`);
  });
});
