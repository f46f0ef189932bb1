// "Set Up Tracing" for Go: a tracing.go in the entry's package with setUpTracing() (OpenTelemetry: a tracer
// provider with the X-Ray id generator, OTLP/HTTP exporter and X-Ray propagator; X-Ray SDK: xray.Configure with the
// daemon address) returning the function that flushes, and traced(handler) (otelhttp / xray.Handler: a span or
// segment per request). The entry's main() defers setUpTracing()() first thing, and a handler passed to
// http.ListenAndServe is wrapped in traced(...). No imports change in the entry.
import { baseName, manifestDependencies } from './flavourDetection';
import type { TextEdit } from './instrumentTypes';
import { dirName, joinPath } from './setUpTracingNode';
import type { CollectorEndpoints, SetUpTracingInput, SetUpTracingPlan } from './setUpTracingTypes';

const OTEL_MODULES = ['go.opentelemetry.io/otel', 'go.opentelemetry.io/otel/sdk', 'go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp', 'go.opentelemetry.io/contrib/propagators/aws', 'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp'];
const XRAY_MODULES = ['github.com/aws/aws-xray-sdk-go'];

export function goSetUpFileCandidates(entryPath: string): string[] {
  return [joinPath(dirName(entryPath), 'tracing.go')];
}

export function planGo(input: SetUpTracingInput, endpoints: CollectorEndpoints): SetUpTracingPlan {
  const plan: SetUpTracingPlan = { language: 'go', flavour: input.flavour, alreadySetUp: false, edits: [], newFiles: [], dependencies: [], notes: [] };
  const entry = input.entry;
  if (!entry) {
    plan.notes.push('No entry file was found (main.go): open the file with func main() and run the command again.');
    return plan;
  }
  const eol = /\r\n/.test(entry.text) ? '\r\n' : '\n';
  const pkg = /^package\s+(\w+)/m.exec(entry.text)?.[1] ?? 'main';
  const tracingPath = joinPath(dirName(entry.path), 'tracing.go');
  const existing = input.files.find((f) => f.path === tracingPath);
  if (existing && !/func setUpTracing\(/.test(existing.text)) {
    plan.notes.push(`${tracingPath} already exists and does not define setUpTracing: nothing was changed.`);
    return plan;
  }
  if (!existing && !/func setUpTracing\(/.test(entry.text)) {
    plan.newFiles.push({ path: tracingPath, text: (input.flavour === 'opentelemetry' ? otelFile(pkg, input.serviceName, endpoints) : xrayFile(pkg, input.serviceName, endpoints)).replace(/\n/g, eol) });
  }
  const edits: TextEdit[] = [];
  const main = /^func main\(\)\s*\{[ \t]*\r?\n/m.exec(entry.text);
  if (main && !/setUpTracing\(\)/.test(entry.text)) {
    const at = main.index + main[0].length;
    edits.push({ start: at, end: at, newText: `\t// Tracing first; the deferred call flushes the last spans when main returns.${eol}\tdefer setUpTracing()()${eol}` });
  } else if (!main) {
    plan.notes.push('No func main() in this file: call defer setUpTracing()() first thing in your main.');
  }
  const serve = /\bhttp\.ListenAndServe(TLS)?\(/.exec(entry.text);
  if (serve && !/\btraced\(/.test(entry.text)) {
    const handler = lastArgument(entry.text, serve.index + serve[0].length);
    if (!handler) plan.notes.push('Wrap the handler you pass to http.ListenAndServe in traced(...) (defined in tracing.go).');
    else if (handler.text === 'nil') edits.push({ start: handler.start, end: handler.end, newText: 'traced(http.DefaultServeMux)' });
    else edits.push({ start: handler.start, end: handler.start, newText: 'traced(' }, { start: handler.end, end: handler.end, newText: ')' });
  } else if (!serve) {
    plan.notes.push('Wrap your HTTP handler in traced(...) (defined in tracing.go) so each request gets its own ' + (input.flavour === 'opentelemetry' ? 'server span.' : 'segment.'));
  }
  if (edits.length > 0) plan.edits.push({ path: entry.path, edits });
  const goMod = input.files.find((f) => baseName(f.path) === 'go.mod');
  const declared = new Set(goMod ? manifestDependencies(goMod)?.names ?? [] : []);
  plan.dependencies = (input.flavour === 'opentelemetry' ? OTEL_MODULES : XRAY_MODULES).filter((m) => !declared.has(m));
  if (plan.dependencies.length > 0) plan.install = { command: `go get ${plan.dependencies.join(' ')}`, cwd: goMod ? dirName(goMod.path) : dirName(entry.path) };
  plan.alreadySetUp = plan.edits.length === 0 && plan.newFiles.length === 0;
  if (plan.alreadySetUp) plan.notes.unshift(`${entry.path} already sets up tracing: nothing to change.`);
  if (input.flavour === 'xray-sdk') plan.notes.push('The X-Ray SDKs are in maintenance since 2026-02-25 (support ends 2027-02-25); OpenTelemetry is the path AWS recommends for new work.');
  return plan;
}

function otelFile(pkg: string, serviceName: string, endpoints: CollectorEndpoints): string {
  return `// OpenTelemetry set-up: spans with X-Ray trace ids and the X-Ray propagator (so calls into services traced with an
// X-Ray SDK stay one trace), exported over OTLP/HTTP to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, by default the local
// X-Ray Lens collector.
package ${pkg}

import (
\t"context"
\t"log"
\t"net/http"
\t"os"

\t"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
\t"go.opentelemetry.io/contrib/propagators/aws/xray"
\t"go.opentelemetry.io/otel"
\t"go.opentelemetry.io/otel/attribute"
\t"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
\t"go.opentelemetry.io/otel/sdk/resource"
\tsdktrace "go.opentelemetry.io/otel/sdk/trace"
)

const tracingServiceName = ${goString(serviceName)}

// setUpTracing installs the tracer provider and returns the function that flushes and stops it: defer setUpTracing()().
func setUpTracing() func() {
\tendpoint := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
\tif endpoint == "" {
\t\tendpoint = ${goString(endpoints.otlpHttpEndpoint)}
\t}
\tserviceName := os.Getenv("OTEL_SERVICE_NAME")
\tif serviceName == "" {
\t\tserviceName = tracingServiceName
\t}
\texporter, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(endpoint))
\tif err != nil {
\t\tlog.Fatalf("tracing: %v", err)
\t}
\tprovider := sdktrace.NewTracerProvider(
\t\tsdktrace.WithBatcher(exporter),
\t\tsdktrace.WithIDGenerator(xray.NewIDGenerator()),
\t\tsdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", serviceName))),
\t)
\totel.SetTracerProvider(provider)
\totel.SetTextMapPropagator(xray.Propagator{})
\treturn func() {
\t\tif err := provider.Shutdown(context.Background()); err != nil {
\t\t\tlog.Printf("tracing: %v", err)
\t\t}
\t}
}

// traced gives each request a server span (the parent of the spans the handler's functions start).
func traced(handler http.Handler) http.Handler {
\treturn otelhttp.NewHandler(handler, tracingServiceName)
}
`;
}

function xrayFile(pkg: string, serviceName: string, endpoints: CollectorEndpoints): string {
  return `// AWS X-Ray SDK set-up: segments go to AWS_XRAY_DAEMON_ADDRESS when it is set, else to the local X-Ray Lens collector.
package ${pkg}

import (
\t"log"
\t"net/http"
\t"os"

\t"github.com/aws/aws-xray-sdk-go/xray"
)

// setUpTracing configures the recorder; the function it returns has nothing to flush (segments leave over UDP as
// they close) and is there so that main reads the same for either tracing library: defer setUpTracing()().
func setUpTracing() func() {
\taddress := os.Getenv("AWS_XRAY_DAEMON_ADDRESS")
\tif address == "" {
\t\taddress = ${goString(endpoints.daemonAddress)}
\t}
\tif err := xray.Configure(xray.Config{DaemonAddr: address}); err != nil {
\t\tlog.Fatalf("tracing: %v", err)
\t}
\treturn func() {}
}

// traced opens a segment per request; the handler's functions open subsegments in it from the request's context.
func traced(handler http.Handler) http.Handler {
\treturn xray.Handler(xray.NewFixedSegmentNamer(${goString(serviceName)}), handler)
}
`;
}

/** The last argument of the call whose argument list starts at `open` (just after its `(`), skipping nested brackets and strings. */
function lastArgument(text: string, open: number): { start: number; end: number; text: string } | undefined {
  let depth = 0;
  let argStart = open;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === '`' || c === "'") {
      const close = c === '"' ? /(?:[^"\\\n]|\\.)*"/y : c === '`' ? /[^`]*`/y : /(?:[^'\\\n]|\\.)*'/y;
      close.lastIndex = i + 1;
      if (!close.exec(text)) return undefined;
      i = close.lastIndex - 1;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) {
        const raw = text.slice(argStart, i);
        const start = argStart + (raw.length - raw.trimStart().length);
        const trimmed = raw.trim().replace(/,$/, '').trim();
        return trimmed ? { start, end: start + trimmed.length, text: trimmed } : undefined;
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      argStart = i + 1;
    }
  }
  return undefined;
}

function goString(value: string): string {
  return JSON.stringify(value);
}
