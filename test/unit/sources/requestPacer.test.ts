// The token bucket that paces our fan-out, driven by a fake clock: spacing, bursts, order, cancellation.
import * as assert from 'assert';
import { abortError, type Clock, RequestPacer } from '../../../src/sources/requestPacer';

/** Time moves only when the test says so; sleepers wake in time order. */
class FakeClock implements Clock {
  private t = 0;
  private timers: { at: number; wake: () => void }[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = { at: this.t + ms, wake: resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(abortError(signal));
      });
    });
  }

  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.wake();
      await settle();
    }
    this.t = end;
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Starts `n` takes at once and records the fake time each one got its token. */
function takeAll(pacer: RequestPacer, clock: FakeClock, n: number, signal?: AbortSignal): { times: number[]; done: Promise<void> } {
  const times: number[] = [];
  const done = Promise.all(
    Array.from({ length: n }, () => pacer.take(signal).then(() => void times.push(clock.now()))),
  ).then(() => undefined);
  return { times, done };
}

suite('RequestPacer', () => {
  test('spaces requests evenly at the configured rate', async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ ratePerSecond: 10 }, clock);
    const { times, done } = takeAll(pacer, clock, 5);
    await clock.advance(1000);
    await done;
    assert.deepStrictEqual(times, [0, 100, 200, 300, 400]);
  });

  test('a burst lets that many start at once, then the rate holds', async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ ratePerSecond: 4, burst: 3 }, clock);
    const { times, done } = takeAll(pacer, clock, 6);
    await clock.advance(2000);
    await done;
    assert.deepStrictEqual(times, [0, 0, 0, 250, 500, 750]);
  });

  test('tokens refill while idle, up to the burst only', async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ ratePerSecond: 2, burst: 2 }, clock);
    await clock.advance(10_000);
    const { times, done } = takeAll(pacer, clock, 3);
    await clock.advance(1000);
    await done;
    assert.deepStrictEqual(times, [10_000, 10_000, 10_500]);
  });

  test('no rate: every take resolves at once', async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({}, clock);
    const { times, done } = takeAll(pacer, clock, 100);
    await done;
    assert.strictEqual(times.length, 100);
    assert.ok(times.every((t) => t === 0));
  });

  test('a cancelled waiter rejects at once with an AbortError and does not spend a token', async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ ratePerSecond: 1 }, clock);
    await pacer.take();
    const controller = new AbortController();
    const cancelled = pacer.take(controller.signal);
    const after = pacer.take();
    let afterAt: number | undefined;
    void after.then(() => (afterAt = clock.now()));
    await clock.advance(300);
    controller.abort();
    await assert.rejects(cancelled, (err: Error) => err.name === 'AbortError');
    assert.strictEqual(clock.now(), 300, 'rejected without waiting for the token');
    await clock.advance(2000);
    await after;
    // The next waiter gets the token the cancelled one would have had, at 1 s, not 2 s.
    assert.strictEqual(afterAt, 1000);
  });

  test('a waiter queued behind another is released on abort at once', async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ ratePerSecond: 1 }, clock);
    await pacer.take();
    const first = pacer.take();
    const controller = new AbortController();
    const queued = pacer.take(controller.signal);
    controller.abort();
    await assert.rejects(queued, (err: Error) => err.name === 'AbortError');
    assert.strictEqual(clock.now(), 0);
    await clock.advance(1000);
    await first;
  });

  test('an already aborted signal rejects without queueing', async () => {
    const pacer = new RequestPacer({ ratePerSecond: 1 }, new FakeClock());
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(pacer.take(controller.signal), (err: Error) => err.name === 'AbortError');
  });

  test('refuses a rate that is not positive', () => {
    assert.throws(() => new RequestPacer({ ratePerSecond: 0 }), RangeError);
    assert.throws(() => new RequestPacer({ ratePerSecond: Number.NaN }), RangeError);
  });

  test('AIMD: a throttle cuts the rate by a fifth, once per round; answers add a fifth of the ceiling back', async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ ratePerSecond: 10, burst: 5 }, clock);
    // Five requests in flight at once, all sent at the same rate: their five throttles cut once, not five times.
    const tickets = await Promise.all(Array.from({ length: 5 }, () => pacer.take()));
    for (const ticket of tickets) pacer.throttled(ticket);
    assert.strictEqual(pacer.ratePerSecond, 8);
    // A request sent after the cut and throttled again cuts again.
    const taken = takeAll(pacer, clock, 1);
    await clock.advance(1000);
    await taken.done;
    pacer.throttled((await Promise.all([pacer.take()]))[0]);
    assert.ok(Math.abs(pacer.ratePerSecond - 6.4) < 1e-9, String(pacer.ratePerSecond));
    // The slower rate spaces requests further apart: 6.4/s is 157 ms.
    const slow = takeAll(pacer, clock, 3);
    await clock.advance(1000);
    await slow.done;
    assert.ok(slow.times[2] - slow.times[1] >= 156, slow.times.join(', '));
    // Answers recover it, 2/s each, never above the configured 10/s.
    for (let i = 0; i < 3; i++) pacer.succeeded();
    assert.strictEqual(pacer.ratePerSecond, 10);
  });

  test('AIMD: throttling never brings the rate below the floor; an unpaced pacer stays unpaced', async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ ratePerSecond: 5, minRatePerSecond: 1 }, clock);
    for (let i = 0; i < 20; i++) {
      const ticket = pacer.take();
      await clock.advance(2000);
      pacer.throttled(await ticket);
    }
    assert.strictEqual(pacer.ratePerSecond, 1);
    const unpaced = new RequestPacer({}, clock);
    unpaced.throttled(await unpaced.take());
    assert.strictEqual(unpaced.ratePerSecond, Number.POSITIVE_INFINITY);
  });
});
