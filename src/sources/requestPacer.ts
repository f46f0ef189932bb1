// Paces our own fan-out to the X-Ray API (summary pages, BatchGetTraces batches, retrieval polls) with a
// token bucket, so a 1,000-trace fetch does not set off a throttling storm the SDK then has to back off from.
// Pure: time comes from a Clock, so tests drive it with a fake one.

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
}

export class RequestPacer {
  private readonly rate: number;
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
    this.rate = rate;
    this.burst = Math.max(1, Math.floor(options.burst ?? 1));
    this.tokens = this.burst;
    this.last = clock.now();
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  /** Waits for a token. Rejects with an AbortError when `signal` aborts first; the token is then not spent. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.rate === Number.POSITIVE_INFINITY) return Promise.resolve();
    const turn = this.queue.then(() => this.waitForToken(signal));
    // The next caller waits for this one's turn whether it got its token or was cancelled.
    this.queue = turn.catch(() => undefined);
    // A caller queued behind others is released on abort at once, not when its turn comes.
    return raceAbort(turn, signal);
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
