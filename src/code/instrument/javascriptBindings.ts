// The module-level names the inserted tracing code needs in a JavaScript/TypeScript file — `trace` and
// `SpanStatusCode` from @opentelemetry/api, a tracer, the aws-xray-sdk-core object — reusing the file's own
// imports/requires/bindings and adding only what is missing, once, after the file's imports.
import type { SyntaxNode } from '../functionRanges';
import type { CodeStyle, TextEdit } from './instrumentTypes';
import { calleeName, plainString } from './javascriptSyntax';

const OTEL_API = '@opentelemetry/api';
const XRAY_MODULES = new Set(['aws-xray-sdk-core', 'aws-xray-sdk']);

/** How one module is bound at the top of the file. */
interface ModuleBinding {
  /** A namespace-like local (`import * as api`, `import api`, `const api = require(…)`). */
  namespace?: string;
  /** exported name → local name (`import { trace as t }`, `const { trace } = require(…)`). */
  named: Map<string, string>;
  /** Where another name can be added to the named list (after its last element), when there is one. */
  namedListEnd?: number;
  /** The named list is an import's `{ … }` (`a as b`) or a require's destructuring (`a: b`). */
  namedListKind?: 'import' | 'require';
}

export interface FileBindings {
  /** The file writes ES module syntax (import/export), or is TypeScript or .mjs: new imports use `import`. */
  esm: boolean;
  typescript: boolean;
  otel: ModuleBinding;
  /** A module-level `const x = ….getTracer(…)`. */
  tracer?: string;
  /** The aws-xray-sdk-core object under whatever module it came from (samples get it from a shared module). */
  xray?: string;
  /** Identifiers declared at the top of the module. */
  topLevelNames: Set<string>;
  /** Where new imports go: after the last import/require, after a 'use strict' directive, or before the first statement. */
  insertAt: number;
  insertAfter?: 'import' | 'directive';
}

export function readBindings(root: SyntaxNode, filePath: string, typescript: boolean): FileBindings {
  const out: FileBindings = {
    esm: typescript || /\.m[jt]s$/i.test(filePath), typescript, otel: { named: new Map() }, topLevelNames: new Set(), insertAt: 0,
  };
  let lastImport: SyntaxNode | undefined;
  let directive: SyntaxNode | undefined;
  let firstCode: SyntaxNode | undefined;
  let leading = true;
  for (const statement of root.namedChildren) {
    if (!statement || statement.type === 'comment' || statement.type === 'hash_bang_line') continue;
    const importLike = statement.type === 'import_statement' || isRequireDeclaration(statement);
    if (statement.type === 'import_statement' || statement.type === 'export_statement') out.esm = out.esm || !/\.cjs$/i.test(filePath);
    if (statement.type === 'import_statement') readImport(statement, out);
    if (statement.type === 'lexical_declaration' || statement.type === 'variable_declaration') readDeclaration(statement, out);
    const declaration = statement.type === 'export_statement' ? statement.childForFieldName('declaration') : statement;
    if (declaration && declaration.type !== statement.type && (declaration.type === 'lexical_declaration' || declaration.type === 'variable_declaration')) readDeclaration(declaration, out);
    const declaredName = declaration?.type.endsWith('_declaration') ? declaration.childForFieldName('name') : null;
    if (declaredName) out.topLevelNames.add(declaredName.text);
    if (leading) {
      if (importLike) lastImport = statement;
      else if (statement.type === 'expression_statement' && statement.namedChildren[0]?.type === 'string' && !lastImport) directive = statement;
      else {
        leading = false;
        firstCode = statement;
      }
    }
  }
  const after = lastImport ?? directive;
  if (after) {
    out.insertAt = after.endIndex;
    out.insertAfter = lastImport ? 'import' : 'directive';
  } else {
    // Before the first statement: leading comments (a file's header, a licence) stay on top.
    out.insertAt = firstCode ? firstCode.startIndex : root.endIndex;
  }
  return out;
}

/** `const x = require('m')`, `const { a } = require('m').b`, `const debug = require('debug')('app')` at the top of the file. */
function isRequireDeclaration(statement: SyntaxNode): boolean {
  if (statement.type !== 'lexical_declaration' && statement.type !== 'variable_declaration') return false;
  const declarators = statement.namedChildren.filter((c): c is SyntaxNode => c?.type === 'variable_declarator');
  return declarators.length > 0 && declarators.every((d) => {
    let v = d.childForFieldName('value');
    while (v && requiredModule(v) === undefined && (v.type === 'call_expression' || v.type === 'member_expression')) v = v.childForFieldName(v.type === 'call_expression' ? 'function' : 'object');
    return requiredModule(v) !== undefined;
  });
}

/** The module a `require('m')` (or `require('m').x`) names. */
function requiredModule(value: SyntaxNode | null | undefined): string | undefined {
  let v = value;
  while (v?.type === 'member_expression') v = v.childForFieldName('object');
  if (v?.type !== 'call_expression' || v.childForFieldName('function')?.text !== 'require') return undefined;
  return plainString(v.childForFieldName('arguments')?.namedChildren[0]);
}

function readImport(statement: SyntaxNode, out: FileBindings): void {
  // `import type { … }` binds no value.
  if (statement.children.some((c) => c?.type === 'type')) return;
  const source = plainString(statement.childForFieldName('source'));
  const clause = statement.namedChildren.find((c) => c?.type === 'import_clause');
  if (!clause || source === undefined) return;
  const binding = source === OTEL_API ? out.otel : undefined;
  for (const part of clause.namedChildren) {
    if (!part) continue;
    if (part.type === 'identifier' || part.type === 'namespace_import') {
      const local = part.type === 'identifier' ? part.text : part.namedChildren.find((c) => c?.type === 'identifier')?.text;
      if (!local) continue;
      out.topLevelNames.add(local);
      if (binding) binding.namespace ??= local;
      if (XRAY_MODULES.has(source) || local === 'AWSXRay') out.xray ??= local;
    } else if (part.type === 'named_imports') {
      const specifiers = part.namedChildren.filter((c): c is SyntaxNode => c?.type === 'import_specifier');
      for (const spec of specifiers) {
        if (spec.children.some((c) => c?.type === 'type')) continue;
        const name = spec.childForFieldName('name')?.text;
        const local = spec.childForFieldName('alias')?.text ?? name;
        if (!name || !local) continue;
        out.topLevelNames.add(local);
        binding?.named.set(name, local);
        if (local === 'AWSXRay') out.xray ??= local;
      }
      const last = specifiers[specifiers.length - 1];
      if (binding && last && binding.namedListEnd === undefined) [binding.namedListEnd, binding.namedListKind] = [last.endIndex, 'import'];
    }
  }
}

function readDeclaration(statement: SyntaxNode, out: FileBindings): void {
  for (const declarator of statement.namedChildren) {
    if (declarator?.type !== 'variable_declarator') continue;
    const name = declarator.childForFieldName('name');
    const value = declarator.childForFieldName('value');
    const source = requiredModule(value);
    const wholeModule = value?.type === 'call_expression' && source !== undefined;
    if (name?.type === 'identifier') {
      out.topLevelNames.add(name.text);
      if (wholeModule && source === OTEL_API) out.otel.namespace ??= name.text;
      if ((wholeModule && XRAY_MODULES.has(source)) || name.text === 'AWSXRay') out.xray ??= name.text;
      if (value?.type === 'call_expression' && calleeName(value) === 'getTracer') out.tracer ??= name.text;
    } else if (name?.type === 'object_pattern') {
      const binding = wholeModule && source === OTEL_API ? out.otel : undefined;
      let last: SyntaxNode | undefined;
      for (const prop of name.namedChildren) {
        if (!prop) continue;
        let exported: string | undefined;
        let local: string | undefined;
        if (prop.type === 'shorthand_property_identifier_pattern') exported = local = prop.text;
        else if (prop.type === 'pair_pattern' && prop.childForFieldName('value')?.type === 'identifier') {
          exported = prop.childForFieldName('key')?.text;
          local = prop.childForFieldName('value')?.text;
        }
        if (!exported || !local) continue;
        last = prop;
        out.topLevelNames.add(local);
        binding?.named.set(exported, local);
        if (local === 'AWSXRay') out.xray ??= local;
      }
      if (binding && last && binding.namedListEnd === undefined) [binding.namedListEnd, binding.namedListKind] = [last.endIndex, 'require'];
    }
  }
}

/** Collects what the inserted code needs; `edits()` gives the import/require changes and the new top lines. */
export class BindingPlan {
  /** [exported, local] names to import from @opentelemetry/api. */
  private readonly addNamed: Array<[string, string]> = [];
  /** Module-level names the inserted code refers to: a function declaring one of them would hide it. */
  readonly used = new Set<string>();
  private readonly newLines: string[] = [];
  private readonly topStatements: string[] = [];
  readonly warnings: string[] = [];

  constructor(private readonly bindings: FileBindings, private readonly style: CodeStyle) {}

  private get semi(): string {
    return this.style.semicolons ? ';' : '';
  }

  private q(text: string): string {
    return `${this.style.quote}${text}${this.style.quote}`;
  }

  /** An expression for `trace` or `SpanStatusCode` of @opentelemetry/api. */
  otel(name: 'trace' | 'SpanStatusCode'): string {
    const b = this.bindings.otel;
    const bound = b.named.get(name);
    if (bound) return this.use(bound);
    if (b.namespace) return `${this.use(b.namespace)}.${name}`;
    // A file whose own `trace` is something else gets the API's under another name.
    const local = this.bindings.topLevelNames.has(name) ? `otel${name[0].toUpperCase()}${name.slice(1)}` : name;
    b.named.set(name, local);
    this.bindings.topLevelNames.add(local);
    this.addNamed.push([name, local]);
    return this.use(local);
  }

  private use(name: string): string {
    this.used.add(name);
    return name;
  }

  /** The module's tracer, declared after the imports when the file has none. */
  tracer(tracerName: string): string {
    if (this.bindings.tracer) return this.use(this.bindings.tracer);
    const local = this.bindings.topLevelNames.has('tracer') ? 'otelTracer' : 'tracer';
    this.bindings.tracer = local;
    this.bindings.topLevelNames.add(local);
    this.use(local);
    this.topStatements.push(`const ${local} = ${this.otel('trace')}.getTracer(${this.q(tracerName)})${this.semi}`);
    return local;
  }

  /** The aws-xray-sdk-core object, required/imported when the file has none. */
  xray(): string {
    if (this.bindings.xray) return this.use(this.bindings.xray);
    const local = 'AWSXRay';
    this.bindings.xray = local;
    this.use(local);
    const from = this.q('aws-xray-sdk-core');
    // The SDK is CommonJS: an ES module gets it as the default export, TypeScript through `import * as`.
    this.newLines.push(!this.bindings.esm ? `const ${local} = require(${from})${this.semi}`
      : this.bindings.typescript ? `import * as ${local} from ${from}${this.semi}` : `import ${local} from ${from}${this.semi}`);
    this.warnings.push('Added aws-xray-sdk-core to the file: the project needs it as a dependency, and subsegments are recorded only inside a segment (the SDK\'s middleware or a Lambda function).');
    return local;
  }

  edits(): TextEdit[] {
    const b = this.bindings;
    const eol = this.style.eol;
    const edits: TextEdit[] = [];
    const imports = [...this.newLines];
    if (this.addNamed.length > 0) {
      const listed = (kind: 'import' | 'require') => this.addNamed.map(([name, local]) => (name === local ? name : kind === 'import' ? `${name} as ${local}` : `${name}: ${local}`));
      if (b.otel.namedListEnd !== undefined) {
        edits.push({ start: b.otel.namedListEnd, end: b.otel.namedListEnd, newText: listed(b.otel.namedListKind ?? 'import').map((n) => `, ${n}`).join('') });
      } else {
        const kind = b.esm ? 'import' : 'require';
        const names = `{ ${listed(kind).join(', ')} }`;
        imports.unshift(kind === 'import' ? `import ${names} from ${this.q(OTEL_API)}${this.semi}` : `const ${names} = require(${this.q(OTEL_API)})${this.semi}`);
        this.warnings.push('Added @opentelemetry/api to the file: the project needs it as a dependency, and spans are recorded only once an OpenTelemetry SDK is started (X-Ray: Set Up Tracing in This Project).');
      }
    }
    if (imports.length === 0 && this.topStatements.length === 0) return edits;
    const blocks: string[] = [];
    if (imports.length > 0) blocks.push(imports.join(eol));
    if (this.topStatements.length > 0) blocks.push(this.topStatements.join(eol));
    let newText: string;
    if (b.insertAfter) {
      // New imports right below the last import (a blank line after 'use strict'); the tracer after a blank line.
      newText = imports.length > 0 ? `${b.insertAfter === 'directive' ? eol : ''}${eol}${blocks[0]}` : '';
      if (this.topStatements.length > 0) newText += `${eol}${eol}${blocks[blocks.length - 1]}`;
    } else {
      newText = `${blocks.join(`${eol}${eol}`)}${eol}${eol}`;
    }
    edits.push({ start: b.insertAt, end: b.insertAt, newText });
    return edits;
  }
}
