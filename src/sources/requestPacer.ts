// Paces every attempt we send to the X-Ray API (summary pages, BatchGetTraces batches, retrieval polls, and
// their retries) with a token bucket whose rate adapts: AIMD, as TCP does. A throttled answer cuts the rate by a
// fifth, once per round of requests (answers to requests sent before the cut do not cut again); each answer that
// was not throttled adds back a fifth of the configured rate, which stays the ceiling. So a quota shared with
// others finds its level instead of setting off a throttling storm, and an account that stops throttling gets the
// full pace back within a few requests. Pure: time comes from a Clock, so tests drive it with a fake one.

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface PacerOptions {
  /** Requests per second over time; Infinity (or unset) means no pacing, as for the local collector. */
  ratePerSecond?: number;
  /** Requests that may start back to back after a quiet spell. 1 (default) spaces every request evenly. */
  burst?: number;
  /** The slowest throttling can make it (default 0.5/s, or the rate if that is lower). */
  minRatePerSecond?: number;
}

/**
 * A throttled answer multiplies the rate by this (once per round of requests). Gentle on purpose: X-Ray's read
 * quotas are shared by everyone in the account, so throttles come whatever our own rate is (bench/throttle.bench.mjs:
 * halving, a third of calls throttled held the rate at a fifth of the pace and the fetch took 5× as long).
 */
export const THROTTLE_DECREASE = 0.8;
/** Each answer that was not throttled adds this share of the configured rate back. */
export const RECOVERY_STEP = 0.2;

export class RequestPacer {
  /** The configured rate: the ceiling the pacer recovers to. */
  private readonly ceiling: number;
  private readonly floor: number;
  private rate: number;
  /** Bumped by each cut: a throttle of a request sent before the latest cut does not cut again. */
  private generation = 0;
  private readonly burst: number;
  private tokens: number;
  private last: number;
  /** Waiters in arrival order: a later caller never overtakes an earlier one. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    options: PacerOptions,
    private readonly clock: Clock = systemClock,
  ) {
    const rate = options.ratePerSecond ?? Number.POSITIVE_INFINITY;
    if (!(rate > 0)) throw new RangeError(`ratePerSecond must be positive, got ${rate}`);
    this.ceiling = rate;
    this.rate = rate;
    this.floor = Math.min(rate, options.minRatePerSecond ?? 0.5);
    this.burst = Math.max(1, Math.floor(options.burst ?? 1));
    this.tokens = this.burst;
    this.last = clock.now();
  }

  /** The rate now: the configured one, or lower while the service throttles. */
  get ratePerSecond(): number {
    return this.rate;
  }

  /**
   * Waits for a token. Resolves with a ticket to hand to throttled() if the request is throttled. Rejects
   * with an AbortError when `signal` aborts first; the token is then not spent.
   */
  take(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.ceiling === Number.POSITIVE_INFINITY) return Promise.resolve(this.generation);
    const turn = this.queue.then(() => this.waitForToken(signal)).then(() => this.generation);
    // The next caller waits for this one's turn whether it got its token or was cancelled.
    this.queue = turn.then(() => undefined, () => undefined);
    // A caller queued behind others is released on abort at once, not when its turn comes.
    return raceAbort(turn, signal);
  }

  /** The request holding `ticket` was throttled: cut the rate, unless a cut since it was sent did already. */
  throttled(ticket: number): void {
    if (this.ceiling === Number.POSITIVE_INFINITY || ticket !== this.generation) return;
    this.generation++;
    this.rate = Math.max(this.floor, this.rate * THROTTLE_DECREASE);
    // The bucket holds no credit from the faster rate.
    this.tokens = Math.min(this.tokens, 0);
  }

  /** A request was answered without throttling: recover a step towards the configured rate. */
  succeeded(): void {
    if (this.ceiling === Number.POSITIVE_INFINITY) return;
    this.rate = Math.min(this.ceiling, this.rate + this.ceiling * RECOVERY_STEP);
  }

  private async waitForToken(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      // Timers may fire a little early: the loop re-checks instead of trusting the sleep.
      await this.clock.sleep(Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate)), signal);
    }
  }
}

/** The DOMException Node's fetch and the SDK throw on abort, so callers recognise one kind of cancel. */
export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

/** `promise`, or an AbortError as soon as `signal` aborts (the work behind `promise` is left to finish). */
export function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

/** setTimeout-based sleep that ends early (rejecting) on abort and never keeps the process alive past it. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: abortableSleep,
};
