// Instrumentation edits on a 2,000-line JavaScript file: Trace This Function (OpenTelemetry and X-Ray SDK), the
// light bulb's function lookup and Add Annotation, each timed against a bare tree-sitter parse of the same text
// (every edit parses the file once, so the ratio is what the edit adds on top of the parse).
// usage: npx tsc -p . --outDir out && node bench/instrument.bench.mjs
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { loadCodeParser } = require(path.join(root, 'out/src/code/functionRanges.js'));
const { traceFunctionEdits, traceableFunctionAt, annotationEdits } = require(path.join(root, 'out/src/code/instrument/instrumentation.js'));
const { detectCodeStyle, applyEdits } = require(path.join(root, 'out/src/code/instrument/codeStyle.js'));
const { javascriptInstrumenter } = require(path.join(root, 'out/src/code/instrument/javascriptInstrument.js'));
const { WASM_DIR } = require(path.join(root, 'out/test/unit/code/functionRangesHelpers.js'));

const RUNS = 41;

/** A CommonJS module of `lines` lines: plain functions, async functions, a class of methods, as a large route file. */
function generatedJavaScript(lines) {
  const out = ["'use strict';", '', "const db = require('./db');", ''];
  let n = 0;
  while (out.length + 22 <= lines) {
    out.push(`async function load${n}(id) {`, `  const row = await db.get('t${n}', id);`, '  if (!row) return null;', `  return { ...row, n: ${n} };`, '}', '');
    out.push(`function price${n}(items) {`, '  let total = 0;', '  for (const item of items) total += item.price * item.quantity;', `  return total * ${1 + (n % 5) / 10};`, '}', '');
    out.push(`class Store${n} {`, '  constructor(db) {', '    this.db = db;', '  }', '', '  count() {', '    return this.db.size;', '  }', '}', '');
    n++;
  }
  while (out.length < lines) out.push(`// padding ${out.length}`);
  return out.join('\n');
}

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], p99: sorted[Math.max(0, Math.ceil(0.99 * sorted.length) - 1)] };
}

function time(fn) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    if (i > 0) times.push(performance.now() - t0);
  }
  return stats(times);
}

async function main() {
  const parser = await loadCodeParser(WASM_DIR, ['javascript']);
  const text = generatedJavaScript(2000);
  const style = detectCodeStyle(text);
  const lineCount = text.split('\n').length;
  // A function halfway down the file: the edit walks to it and rewrites its body.
  const middle = text.indexOf(`function price${Math.floor(lineCount / 22 / 2)}(`);

  const parse = time(() => parser.withTree(text, 'javascript', (rootNode) => rootNode.childCount));
  const rows = [
    ['bare tree-sitter parse (baseline)', parse],
    ['traceableFunctionAt (light bulb)', time(() => traceableFunctionAt(parser, text, 'javascript', middle))],
    ['Trace This Function, OpenTelemetry', time(() => traceFunctionEdits(parser, text, 'javascript', middle, { flavour: 'opentelemetry', filePath: 'src/routes.js', style }))],
    ['Trace This Function, X-Ray SDK', time(() => traceFunctionEdits(parser, text, 'javascript', middle, { flavour: 'xray-sdk', filePath: 'src/routes.js', style }))],
    ['Add Annotation, OpenTelemetry', time(() => annotationEdits(parser, text, 'javascript', middle + 40, { kind: 'annotation', key: 'order_id', value: 'A-1', flavour: 'opentelemetry', style }))],
    // The module's own work on a tree already parsed (what the edit costs beyond the parse).
    ['Trace This Function, OpenTelemetry, on a parsed tree', parser.withTree(text, 'javascript', (rootNode) => time(() => javascriptInstrumenter.traceFunction(rootNode, text, middle, { flavour: 'opentelemetry', filePath: 'src/routes.js', style }))).value],
    ['detectCodeStyle (done once per edit by the caller)', time(() => detectCodeStyle(text))],
  ];
  const edit = traceFunctionEdits(parser, text, 'javascript', middle, { flavour: 'opentelemetry', filePath: 'src/routes.js', style });
  const applied = applyEdits(text, edit.edits);
  console.log(`file: ${lineCount} lines, ${(text.length / 1024).toFixed(0)} KiB; one edit adds ${applied.split('\n').length - lineCount} lines; ${RUNS - 1} timed runs each`);
  console.log('| operation | median | p99 | median ÷ parse |');
  console.log('| --- | --- | --- | --- |');
  for (const [label, s] of rows) {
    console.log(`| ${label} | ${s.median.toFixed(2)} ms | ${s.p99.toFixed(2)} ms | ${(s.median / parse.median).toFixed(2)}× |`);
  }
  parser.dispose();
}

await main();
