// "Set Up Tracing" for .NET (ASP.NET Core minimal hosting: Program.cs with WebApplication.CreateBuilder).
// OpenTelemetry: AddOpenTelemetry().WithTracing(AddXRayTraceId, the ASP.NET Core and HttpClient instrumentation, the
// project's own ActivitySources, OTLP/HTTP to the collector) and the X-Ray propagator. X-Ray SDK:
// AWSXRayRecorder.InitializeInstance with the configuration, app.UseXRay(name) as the first middleware.
import { baseName, manifestDependencies, type ProjectFile } from './flavourDetection';
import type { TextEdit } from './instrumentTypes';
import { dirName } from './setUpTracingNode';
import type { CollectorEndpoints, SetUpTracingInput, SetUpTracingPlan } from './setUpTracingTypes';

const OTEL_PACKAGES = ['OpenTelemetry.Extensions.Hosting', 'OpenTelemetry.Exporter.OpenTelemetryProtocol', 'OpenTelemetry.Instrumentation.AspNetCore', 'OpenTelemetry.Instrumentation.Http', 'OpenTelemetry.Extensions.AWS'];
const XRAY_PACKAGES = ['AWSXRayRecorder.Core', 'AWSXRayRecorder.Handlers.AspNetCore'];
const OTEL_USINGS = ['OpenTelemetry', 'OpenTelemetry.Exporter', 'OpenTelemetry.Extensions.AWS.Trace', 'OpenTelemetry.Resources', 'OpenTelemetry.Trace'];
const XRAY_USINGS = ['Amazon.XRay.Recorder.Core', 'Amazon.XRay.Recorder.Handlers.AspNetCore'];

export function planDotnet(input: SetUpTracingInput, endpoints: CollectorEndpoints): SetUpTracingPlan {
  const plan: SetUpTracingPlan = { language: 'csharp', flavour: input.flavour, alreadySetUp: false, edits: [], newFiles: [], dependencies: [], notes: [] };
  const entry = input.entry;
  const csproj = input.files.filter((f) => f.path.endsWith('.csproj')).find((f) => !entry || entry.path.startsWith(dirName(f.path))) ?? input.files.find((f) => f.path.endsWith('.csproj'));
  const builder = entry ? /^([ \t]*)var\s+(\w+)\s*=\s*WebApplication\.CreateBuilder\([^)]*\)\s*;[ \t]*$/m.exec(entry.text) : null;
  if (!entry || !builder) {
    plan.notes.push(entry
      ? `${entry.path} does not create a WebApplication builder: add the set-up where your host is built (services.AddOpenTelemetry() / AWSXRayRecorder.InitializeInstance).`
      : 'No Program.cs was found: open the file that builds your host and run the command again.');
    return plan;
  }
  const eol = /\r\n/.test(entry.text) ? '\r\n' : '\n';
  const [, indent, builderName] = builder;
  const afterBuilder = builder.index + builder[0].length;
  const edits: TextEdit[] = [];
  const rootNamespace = csproj ? /<RootNamespace>\s*([\w.]+)\s*<\/RootNamespace>/.exec(csproj.text)?.[1] ?? baseName(csproj.path).replace(/\.csproj$/, '') : undefined;
  if (input.flavour === 'opentelemetry') {
    if (!/\bAddOpenTelemetry\s*\(/.test(entry.text)) {
      const lines = [
        '',
        '// OpenTelemetry: X-Ray trace ids and propagation, spans over OTLP/HTTP to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,',
        '// by default the local X-Ray Lens collector.',
        'Sdk.SetDefaultTextMapPropagator(new AWSXRayPropagator());',
        `${builderName}.Services.AddOpenTelemetry()`,
        `    .ConfigureResource(resource => resource.AddService(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? ${csString(input.serviceName)}))`,
        '    .WithTracing(tracing => tracing',
        '        .AddXRayTraceId()',
        ...(rootNamespace ? [`        .AddSource(${csString(rootNamespace)}, ${csString(`${rootNamespace}.*`)})`] : []),
        '        .AddAspNetCoreInstrumentation()',
        '        .AddHttpClientInstrumentation()',
        '        .AddOtlpExporter(options =>',
        '        {',
        '            options.Protocol = OtlpExportProtocol.HttpProtobuf;',
        `            options.Endpoint = new Uri(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ?? ${csString(endpoints.otlpHttpEndpoint)});`,
        '        }));',
      ];
      edits.push({ start: afterBuilder, end: afterBuilder, newText: lines.map((l) => (l === '' ? eol : `${eol}${indent}${l}`)).join('') });
      edits.push(...usings(entry, OTEL_USINGS, eol));
      if (rootNamespace) plan.notes.push(`Spans from ActivitySources named ${rootNamespace} or ${rootNamespace}.* are exported (Trace This Function names them Namespace.Class); add .AddSource(...) for others.`);
    }
  } else {
    if (!/\bAWSXRayRecorder\.InitializeInstance\s*\(/.test(entry.text)) {
      edits.push({ start: afterBuilder, end: afterBuilder, newText: [
        '',
        '',
        '// AWS X-Ray: settings from the "XRay" configuration section; segments go to AWS_XRAY_DAEMON_ADDRESS when set,',
        `// else to ${endpoints.daemonAddress === '127.0.0.1:2000' ? 'the default 127.0.0.1:2000, the local X-Ray Lens collector' : endpoints.daemonAddress}.`,
        `AWSXRayRecorder.InitializeInstance(${builderName}.Configuration);`,
        ...(endpoints.daemonAddress === '127.0.0.1:2000' ? [] : [`if (Environment.GetEnvironmentVariable("AWS_XRAY_DAEMON_ADDRESS") is null) AWSXRayRecorder.Instance.SetDaemonAddress(${csString(endpoints.daemonAddress)});`]),
      ].map((l, i) => (i === 0 ? '' : (l === '' ? eol : `${eol}${indent}${l}`))).join('') });
      edits.push(...usings(entry, XRAY_USINGS, eol));
    }
    const app = /^([ \t]*)var\s+(\w+)\s*=\s*\w+\.Build\(\)\s*;[ \t]*$/m.exec(entry.text);
    if (app && !/\bUseXRay\s*\(/.test(entry.text)) {
      const at = app.index + app[0].length;
      edits.push({ start: at, end: at, newText: `${eol}${app[1]}// First middleware: a segment per request.${eol}${app[1]}${app[2]}.UseXRay(${csString(input.serviceName)});` });
    } else if (!app) {
      plan.notes.push('Add app.UseXRay("name") as the first middleware after the app is built, so each request gets a segment.');
    }
    plan.notes.push('AWS SDK calls become subsegments after AWSSDKHandler.RegisterXRayForAllServices() (package AWSXRayRecorder.Handlers.AwsSdk).');
    plan.notes.push('The X-Ray SDKs are in maintenance since 2026-02-25 (support ends 2027-02-25); OpenTelemetry is the path AWS recommends for new work.');
  }
  if (edits.length > 0) plan.edits.push({ path: entry.path, edits: mergeAt(edits) });
  const declared = new Set(csproj ? manifestDependencies(csproj)?.names ?? [] : []);
  plan.dependencies = (input.flavour === 'opentelemetry' ? OTEL_PACKAGES : XRAY_PACKAGES).filter((p) => !declared.has(p));
  if (plan.dependencies.length > 0) plan.install = { command: plan.dependencies.map((p) => `dotnet add package ${p}`).join(' && '), cwd: csproj ? dirName(csproj.path) : dirName(entry.path) };
  plan.alreadySetUp = plan.edits.length === 0 && plan.newFiles.length === 0;
  if (plan.alreadySetUp) plan.notes.unshift(`${entry.path} already sets up tracing: nothing to change.`);
  return plan;
}

/** `using X;` lines the file lacks, after its last top-level using (or at the top). */
function usings(entry: ProjectFile, namespaces: string[], eol: string): TextEdit[] {
  const present = new Set([...entry.text.matchAll(/^\s*(?:global\s+)?using\s+([\w.]+)\s*;/gm)].map((m) => m[1]));
  const missing = namespaces.filter((n) => !present.has(n));
  if (missing.length === 0) return [];
  const all = [...entry.text.matchAll(/^[ \t]*(?:global\s+)?using\s+[\w.]+\s*;[ \t]*$/gm)];
  const last = all[all.length - 1];
  if (last) {
    const at = (last.index ?? 0) + last[0].length;
    return [{ start: at, end: at, newText: missing.map((n) => `${eol}using ${n};`).join('') }];
  }
  return [{ start: 0, end: 0, newText: `${missing.map((n) => `using ${n};`).join(eol)}${eol}${eol}` }];
}

/** Insertions at the same offset joined in order (applyEdits takes non-overlapping edits). */
function mergeAt(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    const same = out.find((o) => o.start === e.start && o.end === e.end);
    if (same) same.newText += e.newText;
    else out.push({ ...e });
  }
  return out;
}

function csString(value: string): string {
  return JSON.stringify(value);
}
