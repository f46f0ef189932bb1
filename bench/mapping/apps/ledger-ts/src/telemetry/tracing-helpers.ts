import { Attributes, Span, SpanStatusCode, trace } from '@opentelemetry/api';

export const tracer = trace.getTracer('ledger-ts', '0.3.0');

export function recordError(span: Span, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/** Runs `fn` inside an active span and always ends it. */
export async function withSpan<T>(name: string, fn: (span: Span) => Promise<T> | T, attributes?: Attributes): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      recordError(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Method decorator (TC39 / TS 5 style): `@traced('accounts.lookup')`.
 * Works for sync and async methods.
 */
export function traced(spanName?: string, attributes?: Attributes) {
  return function <This, Args extends unknown[], R>(
    target: (this: This, ...args: Args) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
  ) {
    const name = spanName ?? String(context.name);
    return function (this: This, ...args: Args): R {
      return tracer.startActiveSpan(name, { attributes }, (span) => {
        try {
          const result = target.apply(this, args);
          if (result instanceof Promise) {
            return result.then(
              (value) => {
                span.end();
                return value;
              },
              (err) => {
                recordError(span, err);
                span.end();
                throw err;
              },
            ) as R;
          }
          span.end();
          return result;
        } catch (err) {
          recordError(span, err);
          span.end();
          throw err;
        }
      });
    };
  };
}
