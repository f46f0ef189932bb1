// "Set Up Tracing" for Node.js (JavaScript and TypeScript). OpenTelemetry: a tracing file like
// samples/quotes/tracing.js (NodeSDK, X-Ray id generator and propagator, OTLP/HTTP to the collector, HTTP
// instrumentation) loaded first thing by the entry file. X-Ray SDK: aws-xray-sdk-core in the entry file with the
// daemon address, captureHTTPsGlobal, and a segment per request: aws-xray-sdk-express's openSegment/closeSegment
// around the routes when Express is used, else the SDK's traceRequestResponseCycle around the createServer handler.
import type { CodeLanguage, SyntaxNode } from '../functionRanges';
import { detectCodeStyle } from './codeStyle';
import { baseName, manifestDependencies, type ProjectFile } from './flavourDetection';
import type { CodeStyle, TextEdit, TracingFlavour } from './instrumentTypes';
import type { CollectorEndpoints, SetUpTracingInput, SetUpTracingPlan } from './setUpTracingTypes';

type ModuleKind = 'commonjs' | 'esm' | 'typescript';

const OTEL_PACKAGES = [
  '@opentelemetry/api', '@opentelemetry/sdk-node', '@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/instrumentation-http', '@opentelemetry/id-generator-aws-xray', '@opentelemetry/propagator-aws-xray',
];

/** What marks a file as an OpenTelemetry SDK set-up (ours or the user's own). */
const OTEL_SETUP = /\bnew\s+(NodeSDK|NodeTracerProvider)\b|@opentelemetry\/auto-instrumentations-node\/register|@aws\/aws-distro-opentelemetry-node-autoinstrumentation\/register/;
const TRACING_BASENAMES = ['tracing', 'otel-tracing'];

/** Paths a Node plan may create or reuse beside `entryPath`: the glue passes those that exist in `files`. */
export function nodeSetUpFileCandidates(entryPath: string): string[] {
  const dir = dirName(entryPath);
  return TRACING_BASENAMES.flatMap((b) => ['.js', '.cjs', '.mjs', '.ts'].map((ext) => joinPath(dir, b + ext)));
}

export function planNode(input: SetUpTracingInput, endpoints: CollectorEndpoints): SetUpTracingPlan {
  const plan: SetUpTracingPlan = { language: 'javascript', flavour: input.flavour, alreadySetUp: false, edits: [], newFiles: [], dependencies: [], notes: [] };
  const manifest = nearestManifest(input.files, input.entry?.path ?? '', 'package.json');
  const declared = new Set(manifest ? manifestDependencies(manifest)?.names ?? [] : []);
  const entry = input.entry;
  if (!entry) {
    plan.notes.push('No entry file was found (package.json "main" or "scripts.start"): open the file your program starts from and run the command again.');
    return plan;
  }
  const kind = moduleKind(entry, manifest);
  const grammar: CodeLanguage = kind === 'typescript' ? (entry.path.endsWith('.tsx') ? 'tsx' : 'typescript') : 'javascript';
  const style = detectCodeStyle(entry.text);
  let delegated: string | undefined;
  const outcome = input.parser.withTree(entry.text, grammar, (root) => {
    delegated = ownTracingModule(root, input.flavour);
    if (delegated) return;
    if (input.flavour === 'opentelemetry') otelPlan(input, root, entry, kind, style, endpoints, plan, declared);
    else xraySdkPlan(input, root, entry, kind, style, endpoints, plan, declared);
  });
  if (!outcome.ok) {
    plan.notes.push(`${entry.path} could not be parsed (${outcome.incomplete === 'too-large' ? 'too large' : 'timed out'}); nothing was changed.`);
    return plan;
  }
  plan.alreadySetUp = plan.edits.length === 0 && plan.newFiles.length === 0;
  if (delegated) {
    plan.notes.unshift(`${entry.path} loads ${delegated}, which looks like a tracing set-up of its own: nothing was changed, so that nothing is traced twice.`);
  } else if (plan.alreadySetUp) {
    plan.notes.unshift(`${entry.path} already sets up ${input.flavour === 'opentelemetry' ? 'OpenTelemetry' : 'the X-Ray SDK'}: nothing to change.`);
  }
  if (plan.dependencies.length > 0) plan.install = { command: installCommand(input.files, manifest, plan.dependencies), cwd: manifest ? dirName(manifest.path) : '' };
  return plan;
}

// ── OpenTelemetry ─────────────────────────────────────────────────────────────────────────────────────────────

function otelPlan(input: SetUpTracingInput, root: SyntaxNode, entry: ProjectFile, kind: ModuleKind, style: CodeStyle,
  endpoints: CollectorEndpoints, plan: SetUpTracingPlan, declared: Set<string>): void {
  plan.dependencies = OTEL_PACKAGES.filter((p) => !declared.has(p));
  if (OTEL_SETUP.test(entry.text)) return; // the entry starts the SDK itself
  const dir = dirName(entry.path);
  const existing = input.files.filter((f) => dirName(f.path) === dir && TRACING_BASENAMES.some((b) => baseName(f.path).startsWith(`${b}.`)));
  // Reuse a tracing file that already starts an SDK; never overwrite one that does something else.
  let tracing = existing.find((f) => OTEL_SETUP.test(f.text));
  if (!tracing) {
    const ext = kind === 'typescript' ? '.ts' : kind === 'esm' ? (entry.path.endsWith('.mjs') ? '.mjs' : '.js') : (entry.path.endsWith('.cjs') ? '.cjs' : '.js');
    const taken = new Set(existing.map((f) => f.path));
    const path = TRACING_BASENAMES.map((b) => joinPath(dir, b + ext)).find((p) => !taken.has(p));
    if (!path) {
      plan.notes.push(`${TRACING_BASENAMES.map((b) => b + ext).join(' and ')} already exist beside ${entry.path} and do not set up OpenTelemetry: nothing was changed.`);
      plan.dependencies = [];
      return;
    }
    tracing = { path, text: otelTracingFile(kind, style, input.serviceName, endpoints, baseName(entry.path)) };
    plan.newFiles.push(tracing);
  }
  // CommonJS and TypeScript resolve './tracing'; ES modules need the file name ('.js' for TypeScript compiled to ESM).
  const file = baseName(tracing.path);
  const specifier = kind === 'esm' || file.endsWith('.cjs') ? `./${file}` : `./${file.replace(/\.[jt]s$/, '')}${kind === 'typescript' && isEsmPackage(input, entry) ? '.js' : ''}`;
  if (!loadsModule(root, specifier)) {
    const line = kind === 'commonjs' ? `require(${literal(specifier, style.quote)})` : `import ${literal(specifier, style.quote)}`;
    const at = firstStatementOffset(root, entry.text);
    const why = `// OpenTelemetry first: it must patch http before anything loads it.`;
    plan.edits.push({ path: entry.path, edits: [{ start: at, end: at, newText: `${why}${style.eol}${line}${style.semicolons ? ';' : ''}${style.eol}` }] });
  }
  if (kind === 'esm') {
    plan.notes.push(`ES modules: HTTP server spans and your own spans work with the import; instrumentations added later for libraries your modules import directly need node --import ./${baseName(tracing.path)}, so they patch before those modules load.`);
  }
  plan.notes.push('Spans go to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT when it is set, else to the local collector; the service name comes from OTEL_SERVICE_NAME, else the one written in the tracing file.');
}

function otelTracingFile(kind: ModuleKind, style: CodeStyle, serviceName: string, endpoints: CollectorEndpoints, entryName: string): string {
  const header = [
    '// OpenTelemetry set-up: spans with X-Ray trace ids and the X-Ray propagator (so calls into services traced',
    '// with an X-Ray SDK stay one trace), exported over OTLP/HTTP to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, by default',
    `// the local X-Ray Lens collector. ${entryName} loads this file first, so the HTTP instrumentation patches \`http\` in time.`,
  ];
  const imports = kind === 'commonjs'
    ? [
      "'use strict';",
      '',
      "const { NodeSDK } = require('@opentelemetry/sdk-node');",
      "const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');",
      "const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');",
      "const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');",
      "const { AWSXRayIdGenerator } = require('@opentelemetry/id-generator-aws-xray');",
      "const { AWSXRayPropagator } = require('@opentelemetry/propagator-aws-xray');",
    ]
    : [
      "import { NodeSDK } from '@opentelemetry/sdk-node';",
      "import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';",
      "import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';",
      "import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';",
      "import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';",
      "import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';",
    ];
  const signals = kind === 'typescript' ? "for (const signal of ['SIGTERM', 'SIGINT'] as const) {" : "for (const signal of ['SIGTERM', 'SIGINT']) {";
  const body = [
    '',
    '// Traces only: the SDK would otherwise also try to export metrics and logs over OTLP.',
    "process.env.OTEL_METRICS_EXPORTER ??= 'none';",
    "process.env.OTEL_LOGS_EXPORTER ??= 'none';",
    '',
    'const sdk = new NodeSDK({',
    '  serviceName: process.env.OTEL_SERVICE_NAME || {{service}},',
    '  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || {{endpoint}} }))],',
    '  idGenerator: new AWSXRayIdGenerator(),',
    '  textMapPropagator: new AWSXRayPropagator(),',
    '  instrumentations: [new HttpInstrumentation()],',
    '});',
    'sdk.start();',
    '',
    '// On SIGTERM/SIGINT send the spans still queued, then stop as the signal would have unless the app handles it itself.',
    signals,
    '  process.once(signal, () => {',
    '    sdk.shutdown().catch(() => {}).finally(() => {',
    '      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);',
    '    });',
    '  });',
    '}',
    '',
  ];
  return restyle([...header, ...imports, ...body], style, { service: serviceName, endpoint: endpoints.otlpHttpEndpoint });
}

// ── X-Ray SDK ─────────────────────────────────────────────────────────────────────────────────────────────────

const XRAY_MODULES = ['aws-xray-sdk-core', 'aws-xray-sdk'];

function xraySdkPlan(input: SetUpTracingInput, root: SyntaxNode, entry: ProjectFile, kind: ModuleKind, style: CodeStyle,
  endpoints: CollectorEndpoints, plan: SetUpTracingPlan, declared: Set<string>): void {
  const text = entry.text;
  const semi = style.semicolons ? ';' : '';
  const eol = style.eol;
  // The bundle package `aws-xray-sdk` carries core and Express; reuse whichever the project has.
  const sdkModule = declared.has('aws-xray-sdk') && !declared.has('aws-xray-sdk-core') ? 'aws-xray-sdk' : 'aws-xray-sdk-core';
  const bound = XRAY_MODULES.map((m) => binding(root, m)).find((b) => b !== undefined);
  const xray = bound?.name ?? 'AWSXRay';
  const edits: TextEdit[] = [];
  // Imports (or requires) first, then the statements that configure the SDK.
  const imports: string[] = [];
  const top: string[] = [];
  if (!bound) {
    imports.push(kind === 'commonjs' ? `const ${xray} = require(${literal(sdkModule, style.quote)})${semi}` : `import ${kind === 'typescript' ? '* as ' : ''}${xray} from ${literal(sdkModule, style.quote)}${semi}`);
  }
  const needs = new Set<string>();
  if (!bound) needs.add(sdkModule);

  const express = expressApp(root);
  const httpServer = express ? undefined : createServerHandler(root);
  if (!/\bcaptureHTTPsGlobal\s*\(/.test(text)) {
    // captureHTTPsGlobal redefines the module's own properties: it needs the module object itself, which
    // require() gives (CommonJS, and TypeScript compiled to it) and an ES default import gives; a namespace import
    // (`import * as http`) is a frozen or copied view that the SDK cannot patch.
    const esm = kind === 'esm' || (kind === 'typescript' && isEsmPackage(input, entry));
    const modules = ['http', 'https'].map((mod) => {
      if (!esm) return `require(${literal(mod, style.quote)})`;
      const found = [mod, `node:${mod}`].map((m) => binding(root, m)).find((b) => b !== undefined && !b.namespace);
      if (found) return found.name;
      const taken = binding(root, mod) !== undefined || binding(root, `node:${mod}`) !== undefined || new RegExp(`\\b${mod}\\b`).test(text);
      const name = taken ? `${mod}Module` : mod;
      imports.push(`import ${name} from ${literal(`node:${mod}`, style.quote)}${semi}`);
      return name;
    });
    top.push(
      `// Segments go to AWS_XRAY_DAEMON_ADDRESS when it is set (the SDK reads it), else to the local collector.`,
      `if (!process.env.AWS_XRAY_DAEMON_ADDRESS) ${xray}.setDaemonAddress(${literal(endpoints.daemonAddress, style.quote)})${semi}`,
      `// Outgoing HTTP(S) calls become subsegments.`,
      ...modules.map((m) => `${xray}.captureHTTPsGlobal(${m})${semi}`),
    );
  }
  if (express && !/\bopenSegment\s*\(/.test(text)) {
    const mw = xrayExpressBinding(root, sdkModule, xray);
    if (!mw.bound) {
      imports.push(mw.declaration(kind, style));
      if (sdkModule === 'aws-xray-sdk-core') needs.add('aws-xray-sdk-express');
    }
    const indent = lineIndent(text, express.created.startIndex);
    edits.push({ start: lineEnd(text, express.created.endIndex), end: lineEnd(text, express.created.endIndex), newText: `${eol}${indent}${express.app}.use(${mw.name}.openSegment(${literal(input.serviceName, style.quote)}))${semi}` });
    if (express.closeAt) {
      const at = lineStart(text, express.closeAt.offset);
      const closeIndent = lineIndent(text, express.closeAt.offset);
      edits.push({ start: at, end: at, newText: `${closeIndent}// Records errors the routes pass on in their segment (after the routes, before other error handlers).${eol}${closeIndent}${express.app}.use(${mw.name}.closeSegment())${semi}${eol}` });
    } else if (express.lastRoute !== undefined) {
      const at = lineEnd(text, express.lastRoute);
      const closeIndent = lineIndent(text, express.lastRoute);
      edits.push({ start: at, end: at, newText: `${eol}${closeIndent}// Records errors the routes pass on in their segment (after the routes).${eol}${closeIndent}${express.app}.use(${mw.name}.closeSegment())${semi}` });
    } else {
      plan.notes.push(`Add ${express.app}.use(${mw.name}.closeSegment()) after your routes, so errors they pass on are recorded in the segment.`);
    }
  } else if (httpServer && !/\btraceRequestResponseCycle\s*\(/.test(text)) {
    top.push(...segmentPerRequestHelper(xray, input.serviceName, kind, style));
    edits.push({ start: httpServer.start, end: httpServer.start, newText: 'withXRaySegment(' }, { start: httpServer.end, end: httpServer.end, newText: ')' });
  } else if (!express && !httpServer) {
    plan.notes.push('No Express app or http.createServer handler was found: subsegments need a segment, so open one per unit of work (AWSXRay.getNamespace().run + AWSXRay.setSegment(new AWSXRay.Segment(name))) or add your framework\'s X-Ray middleware.');
  }
  // Imports go first; the statements after the file's last import, where every binding they use exists (TypeScript
  // compiled to CommonJS turns each import into a const at its place).
  const importsEnd = kind === 'commonjs' ? undefined : lastImportEnd(root, text);
  if (bound && top.length === 0 && imports.length > 0) {
    // Only a new import (the Express middleware): beside the SDK's own.
    const at = lineEnd(text, bound.end);
    edits.push({ start: at, end: at, newText: imports.map((line) => eol + line).join('') });
  } else if (importsEnd === undefined) {
    if (bound && imports.length + top.length > 0) {
      // CommonJS with the SDK already required: after that require, where its binding exists.
      const at = lineEnd(text, bound.end);
      edits.push({ start: at, end: at, newText: imports.map((line) => eol + line).join('') + (top.length > 0 ? eol + top.map((line) => eol + line).join('') + eol : '') });
    } else if (imports.length + top.length > 0) {
      const at = firstStatementOffset(root, text);
      edits.push({ start: at, end: at, newText: [...imports, ...top].map((line) => line + eol).join('') + eol });
    }
  } else {
    if (imports.length > 0) {
      const at = firstStatementOffset(root, text);
      edits.push({ start: at, end: at, newText: imports.map((line) => line + eol).join('') });
    }
    if (top.length > 0) edits.push({ start: importsEnd, end: importsEnd, newText: eol + top.map((line) => eol + line).join('') });
  }
  if (edits.length > 0) plan.edits.push({ path: entry.path, edits });
  plan.dependencies = [...needs].filter((p) => !declared.has(p));
  const awsClients = [...declared].filter((d) => d.startsWith('@aws-sdk/client-'));
  if (awsClients.length > 0) {
    plan.notes.push(`Wrap each AWS SDK v3 client so its calls become subsegments: const client = ${xray}.captureAWSv3Client(new SomeClient({})) (${awsClients.join(', ')}).`);
  } else {
    plan.notes.push(`AWS SDK v3 clients: wrap each one with ${xray}.captureAWSv3Client(new SomeClient({})) so its calls become subsegments.`);
  }
  plan.notes.push('The X-Ray SDKs are in maintenance since 2026-02-25 (support ends 2027-02-25); OpenTelemetry is the path AWS recommends for new work.');
}

/** `withXRaySegment(handler)`: what aws-xray-sdk-express's openSegment does, for a plain node:http server. */
function segmentPerRequestHelper(xray: string, serviceName: string, kind: ModuleKind, style: CodeStyle): string[] {
  const lines = [
    '',
    `${xray}.middleware.setDefaultName({{service}});`,
    '',
    '// One segment per request, closed with the response status when it ends; the handler runs in the SDK\'s',
    '// context so captureFunc/captureAsyncFunc and outgoing calls find their parent (as aws-xray-sdk-express does).',
    kind === 'typescript' ? "function withXRaySegment(handler: import('http').RequestListener): import('http').RequestListener {" : 'function withXRaySegment(handler) {',
    '  return (req, res) => {',
    `    const segment = ${xray}.middleware.traceRequestResponseCycle(req, res);`,
    `    const ns = ${xray}.getNamespace();`,
    '    ns.bindEmitter(req);',
    '    ns.bindEmitter(res);',
    '    ns.run(() => {',
    `      ${xray}.setSegment(segment);`,
    '      handler(req, res);',
    '    });',
    '  };',
    '}',
  ];
  return restyle(lines, style, { service: serviceName }).replace(/\r?\n$/, '').split(/\r?\n/);
}

interface ExpressApp {
  app: string;
  /** The statement that creates the app. */
  created: SyntaxNode;
  /** Where closeSegment goes: before the first error handler or listen() after the routes. */
  closeAt?: { offset: number };
  /** End of the last route/middleware statement, when there is no listen() or error handler to go before. */
  lastRoute?: number;
}

/** `const app = express()` (express bound by require or import) and the app's statements in the same block. */
function expressApp(root: SyntaxNode): ExpressApp | undefined {
  const express = bindingOf(root, 'express');
  if (!express) return undefined;
  for (const declarator of root.descendantsOfType('variable_declarator')) {
    const value = declarator?.childForFieldName('value');
    const name = declarator?.childForFieldName('name');
    if (!declarator || !value || !name || name.type !== 'identifier' || value.type !== 'call_expression' || value.childForFieldName('function')?.text !== express) continue;
    const created = declarator.parent;
    const block = created?.parent;
    if (!created || !block) continue;
    const app = name.text;
    const result: ExpressApp = { app, created };
    let seen = false;
    for (const statement of block.namedChildren) {
      if (!statement) continue;
      if (statement.id === created.id) {
        seen = true;
        continue;
      }
      if (!seen) continue;
      const call = appCall(statement, app);
      if (!call) continue;
      if (call.method === 'listen' || (call.method === 'use' && isErrorHandler(call.args))) {
        result.closeAt = { offset: statement.startIndex };
        break;
      }
      result.lastRoute = statement.endIndex;
    }
    return result;
  }
  return undefined;
}

function appCall(statement: SyntaxNode, app: string): { method: string; args: SyntaxNode } | undefined {
  if (statement.type !== 'expression_statement') return undefined;
  let call = statement.firstNamedChild;
  if (call?.type === 'await_expression') call = call.firstNamedChild;
  if (call?.type !== 'call_expression') return undefined;
  // app.get(...), app.route('/x').get(...): the chain must start at the app.
  let callee: SyntaxNode | null | undefined = call.childForFieldName('function');
  const method = callee?.type === 'member_expression' ? callee.childForFieldName('property')?.text : undefined;
  while (method && callee?.type === 'member_expression') {
    const object = callee.childForFieldName('object');
    if (object?.type === 'identifier') return object.text === app ? { method, args: call.childForFieldName('arguments') as SyntaxNode } : undefined;
    callee = object?.type === 'call_expression' ? object.childForFieldName('function') : undefined;
  }
  return undefined;
}

/** An Express error handler: a function of four parameters (err, req, res, next). */
function isErrorHandler(args: SyntaxNode): boolean {
  return args.namedChildren.some((a) => a && /function|arrow_function/.test(a.type) && (a.childForFieldName('parameters')?.namedChildren.length ?? 0) === 4);
}

/** The handler passed to http.createServer / https.createServer (its range), when there is one. */
function createServerHandler(root: SyntaxNode): { start: number; end: number } | undefined {
  const modules = ['http', 'https', 'node:http', 'node:https'].map((m) => bindingOf(root, m)).filter((b): b is string => b !== undefined);
  for (const call of root.descendantsOfType('call_expression')) {
    const callee = call?.childForFieldName('function');
    if (!call || callee?.type !== 'member_expression' || callee.childForFieldName('property')?.text !== 'createServer') continue;
    const object = callee.childForFieldName('object');
    const viaRequire = object?.type === 'call_expression' && /^require\(\s*['"](node:)?https?['"]\s*\)$/.test(object.text);
    if (!object || !(viaRequire || (object.type === 'identifier' && modules.includes(object.text)))) continue;
    const args = call.childForFieldName('arguments')?.namedChildren.filter((a): a is SyntaxNode => a !== null && a.type !== 'comment') ?? [];
    // createServer(handler) or createServer(options, handler).
    const handler = args.find((a) => a.type !== 'object');
    if (handler) return { start: handler.startIndex, end: handler.endIndex };
  }
  return undefined;
}

function xrayExpressBinding(root: SyntaxNode, sdkModule: string, xray: string): { bound: boolean; name: string; declaration: (kind: ModuleKind, style: CodeStyle) => string } {
  if (sdkModule === 'aws-xray-sdk') return { bound: true, name: `${xray}.express`, declaration: () => '' };
  const existing = bindingOf(root, 'aws-xray-sdk-express');
  const name = existing ?? 'xrayExpress';
  return {
    bound: existing !== undefined,
    name,
    declaration: (kind, style) => kind === 'commonjs'
      ? `const ${name} = require(${literal('aws-xray-sdk-express', style.quote)})${style.semicolons ? ';' : ''}`
      : `import ${kind === 'typescript' ? '* as ' : ''}${name} from ${literal('aws-xray-sdk-express', style.quote)}${style.semicolons ? ';' : ''}`,
  };
}

// ── shared ────────────────────────────────────────────────────────────────────────────────────────────────────

/** A module name that says it sets up tracing: ../shared/tracedServer, ./instrumentation, ./otel, ./xray … */
const TRACING_MODULE_NAME = /x-?ray|trac(e|ed|er|ing)|otel|opentelemetry|telemetry|instrument/i;

/**
 * A local module the entry loads whose name says it sets up tracing (the demo's ../shared/tracedServer), other
 * than the entry's own SDK require and, for OpenTelemetry, the tracing file this plan manages. A second set-up on
 * top of it would trace everything twice.
 */
function ownTracingModule(root: SyntaxNode, flavour: TracingFlavour): string | undefined {
  const specifiers: string[] = [];
  for (const statement of root.namedChildren) {
    if (!statement) continue;
    const source = statement.type === 'import_statement' ? stringValue(statement.childForFieldName('source')) : undefined;
    if (source) specifiers.push(source);
    for (const call of statement.descendantsOfType('call_expression')) {
      if (call?.childForFieldName('function')?.text !== 'require') continue;
      const arg = stringValue(call.childForFieldName('arguments')?.namedChildren[0] ?? null);
      if (arg) specifiers.push(arg);
    }
  }
  return specifiers.find((spec) => {
    if (!spec.startsWith('.')) return false;
    const name = spec.slice(spec.lastIndexOf('/') + 1).replace(/\.(c|m)?[jt]s$/, '');
    if (flavour === 'opentelemetry' && TRACING_BASENAMES.includes(name)) return false;
    return TRACING_MODULE_NAME.test(name);
  });
}

/**
 * The name `module` is bound to at the top of the file: `const X = require('m')`, `import X from 'm'`,
 * `import * as X from 'm'`. Undefined when the file does not load it that way.
 */
export function bindingOf(root: SyntaxNode, module: string): string | undefined {
  return binding(root, module)?.name;
}

/** The binding of `module` and the end of the statement that makes it. */
function binding(root: SyntaxNode, module: string): { name: string; end: number; namespace: boolean } | undefined {
  for (const statement of root.namedChildren) {
    if (!statement) continue;
    if (statement.type === 'import_statement') {
      // TypeScript: import X = require('m')
      const alias = /^import\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*['"]([^'"]+)['"]\s*\)/.exec(statement.text);
      if (alias) {
        if (alias[2] === module) return { name: alias[1], end: statement.endIndex, namespace: false };
        continue;
      }
      if (stringValue(statement.childForFieldName('source')) !== module) continue;
      const clause = statement.namedChildren.find((c) => c?.type === 'import_clause');
      const own = clause?.namedChildren.find((c) => c?.type === 'identifier');
      const namespace = clause?.namedChildren.find((c) => c?.type === 'namespace_import')?.namedChildren.find((c) => c?.type === 'identifier');
      const id = own ?? namespace;
      if (id) return { name: id.text, end: statement.endIndex, namespace: !own };
    } else if (statement.type === 'lexical_declaration' || statement.type === 'variable_declaration') {
      for (const declarator of statement.namedChildren) {
        const name = declarator?.childForFieldName('name');
        const value = declarator?.childForFieldName('value');
        if (name?.type === 'identifier' && value?.type === 'call_expression' && value.childForFieldName('function')?.text === 'require'
          && stringValue(value.childForFieldName('arguments')?.namedChildren[0] ?? null) === module) return { name: name.text, end: statement.endIndex, namespace: false };
      }
    }
  }
  return undefined;
}

/** Whether the file loads `specifier` (require('../../lib/tracing'), import '../../lib/tracing.js', with or without extension). */
function loadsModule(root: SyntaxNode, specifier: string): boolean {
  const bare = specifier.replace(/\.(c|m)?[jt]s$/, '');
  const matches = (s: string | undefined) => s !== undefined && s.replace(/\.(c|m)?[jt]s$/, '') === bare;
  for (const statement of root.namedChildren) {
    if (!statement) continue;
    if (statement.type === 'import_statement' && matches(stringValue(statement.childForFieldName('source')))) return true;
    for (const call of statement.descendantsOfType('call_expression')) {
      if (call?.childForFieldName('function')?.text === 'require' && matches(stringValue(call.childForFieldName('arguments')?.namedChildren[0] ?? null))) return true;
    }
  }
  return false;
}

function stringValue(node: SyntaxNode | null | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  return node.text.slice(1, -1);
}

/**
 * Where code that must run first goes: after a shebang, a header comment (ended by a blank line) and the
 * directive prologue ('use strict'), before the first statement — and before the file's first import.
 */
function firstStatementOffset(root: SyntaxNode, text: string): number {
  let after = 0;
  let sawHeader = false;
  for (const child of root.children) {
    if (!child) continue;
    if (child.type === 'hash_bang_line') {
      after = lineEnd(text, child.endIndex) + eolLength(text, lineEnd(text, child.endIndex));
      continue;
    }
    if (child.type === 'comment' && !sawHeader) {
      const end = lineEnd(text, child.endIndex);
      const next = end + eolLength(text, end);
      // A comment block followed by a blank line is the file's header: keep it above.
      if (/^[ \t]*\r?\n/.test(text.slice(next))) {
        after = next;
        sawHeader = true;
      }
      continue;
    }
    if (child.type === 'comment') continue;
    if (child.type === 'expression_statement' && child.firstNamedChild?.type === 'string') {
      after = lineEnd(text, child.endIndex) + eolLength(text, lineEnd(text, child.endIndex));
      sawHeader = true;
      continue;
    }
    break;
  }
  // Keep the blank line after the header or directive: insert after it.
  const blank = /^[ \t]*\r?\n/.exec(text.slice(after));
  return Math.min(text.length, after + (blank && after > 0 ? blank[0].length : 0));
}

/** The end of the line of the last top-level import, or undefined when the file imports nothing. */
function lastImportEnd(root: SyntaxNode, text: string): number | undefined {
  let end: number | undefined;
  for (const statement of root.namedChildren) {
    if (statement?.type === 'import_statement') end = lineEnd(text, statement.endIndex);
  }
  return end;
}

function moduleKind(entry: ProjectFile, manifest: ProjectFile | undefined): ModuleKind {
  if (/\.(c|m)?tsx?$/.test(entry.path)) return 'typescript';
  if (entry.path.endsWith('.mjs')) return 'esm';
  if (entry.path.endsWith('.cjs')) return 'commonjs';
  if (manifest && packageType(manifest) === 'module') return 'esm';
  return /^\s*(import\s[\s\S]*?from\s|import\s*['"]|export\s)/m.test(entry.text) && !/\brequire\s*\(/.test(entry.text) ? 'esm' : 'commonjs';
}

function isEsmPackage(input: SetUpTracingInput, entry: ProjectFile): boolean {
  const manifest = nearestManifest(input.files, entry.path, 'package.json');
  return manifest !== undefined && packageType(manifest) === 'module';
}

function packageType(manifest: ProjectFile): string | undefined {
  try {
    const json = JSON.parse(manifest.text) as { type?: unknown };
    return typeof json.type === 'string' ? json.type : undefined;
  } catch {
    return undefined;
  }
}

/** The package manager the lock file beside `manifest` names; npm when there is none. */
function installCommand(files: readonly ProjectFile[], manifest: ProjectFile | undefined, packages: string[]): string {
  const dir = manifest ? dirName(manifest.path) : '';
  const has = (name: string) => files.some((f) => f.path === joinPath(dir, name));
  const list = packages.join(' ');
  if (has('pnpm-lock.yaml')) return `pnpm add ${list}`;
  if (has('yarn.lock')) return `yarn add ${list}`;
  if (has('bun.lock') || has('bun.lockb')) return `bun add ${list}`;
  return `npm install ${list}`;
}

/** The manifest called `name` in the deepest folder that holds `filePath` (the folder's own when filePath is ''). */
export function nearestManifest(files: readonly ProjectFile[], filePath: string, name: string): ProjectFile | undefined {
  let best: ProjectFile | undefined;
  for (const f of files) {
    if (baseName(f.path) !== name) continue;
    const dir = dirName(f.path);
    if (dir !== '' && !filePath.startsWith(`${dir}/`)) continue;
    if (!best || dir.length > dirName(best.path).length) best = f;
  }
  return best ?? (filePath === '' ? undefined : files.find((f) => f.path === name));
}

export function dirName(filePath: string): string {
  const i = filePath.lastIndexOf('/');
  return i < 0 ? '' : filePath.slice(0, i);
}

export function joinPath(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

/** A JS string literal in the file's quote style. */
function literal(value: string, quote: "'" | '"'): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(quote === "'" ? /'/g : /"/g, `\\${quote}`);
  return `${quote}${escaped}${quote}`;
}

/**
 * Template lines (written with single quotes, semicolons and 2-space indent, no apostrophes inside strings)
 * in the file's style, with {{name}} replaced by string literals.
 */
function restyle(lines: string[], style: CodeStyle, values: Record<string, string>): string {
  return lines.map((line) => {
    let out = style.quote === '"' ? line.replace(/^(\s*[^/\s].*)$/, (l) => swapCodeQuotes(l)) : line;
    if (!style.semicolons) out = out.replace(/;$/, '');
    out = out.replace(/^((?: {2})+)/, (lead) => style.indent.repeat(lead.length / 2));
    return out.replace(/\{\{(\w+)\}\}/g, (_, key: string) => literal(values[key] ?? '', style.quote));
  }).join(style.eol);
}

/** Swaps '…' for "…" outside comments (templates hold no quote characters inside their strings). */
function swapCodeQuotes(line: string): string {
  const comment = line.indexOf('//');
  const code = comment >= 0 ? line.slice(0, comment) : line;
  return code.replace(/'/g, '"') + (comment >= 0 ? line.slice(comment) : '');
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  const end = i < 0 ? text.length : i;
  return end > 0 && text[end - 1] === '\r' ? end - 1 : end;
}

function eolLength(text: string, lineEndOffset: number): number {
  return text.startsWith('\r\n', lineEndOffset) ? 2 : text[lineEndOffset] === '\n' ? 1 : 0;
}

function lineIndent(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))?.[0] ?? '';
}
