// The user's sampling rules as X-Ray's API has them (CreateSamplingRule, UpdateSamplingRule, DeleteSamplingRule),
// checked as X-Ray checks them, and the rule a request matches as the SDKs pick it. Pure: no sockets, no clock
// (callers pass the time); the collector keeps one SamplingRuleBook in memory, so rules last as long as it runs.
//
// Limits are the API reference's (https://docs.aws.amazon.com/xray/latest/api/API_SamplingRule.html) and the
// service quota of 25 sampling rules per account and region, Default not counted.

/** A rule as the API sends and takes it (SamplingRule); times are in the record around it. */
export interface SamplingRule {
  RuleName: string;
  RuleARN: string;
  ResourceARN: string;
  Priority: number;
  FixedRate: number;
  ReservoirSize: number;
  ServiceName: string;
  ServiceType: string;
  Host: string;
  HTTPMethod: string;
  URLPath: string;
  Version: number;
  Attributes: Record<string, string>;
}

/** SamplingRuleRecord: epoch seconds, as the REST-JSON protocol carries timestamps. */
export interface SamplingRuleRecord {
  SamplingRule: SamplingRule;
  CreatedAt: number;
  ModifiedAt: number;
}

/** What a request is matched on; a field the SDK does not know (e.g. ServiceType without a plugin) matches any rule. */
export interface SampleRequest {
  serviceName?: string;
  serviceType?: string;
  host?: string;
  httpMethod?: string;
  urlPath?: string;
}

export type SamplingRuleErrorType = 'InvalidRequestException' | 'RuleLimitExceededException';

/** A request X-Ray would refuse: `errorType` is the exception name @aws-sdk/client-xray surfaces. */
export class SamplingRuleError extends Error {
  constructor(readonly errorType: SamplingRuleErrorType, message: string) {
    super(message);
    this.name = errorType;
  }
}

export const DEFAULT_RULE_NAME = 'Default';
export const DEFAULT_RULE_PRIORITY = 10000;
/** Rules besides Default an account may have (X-Ray's quota). */
export const MAX_SAMPLING_RULES = 25;
const MAX_RULE_NAME = 32;
const MAX_PRIORITY = 9999;
/** Maximum lengths of the string fields (API_SamplingRule). */
const MAX_LENGTH = { ResourceARN: 500, ServiceName: 64, ServiceType: 64, Host: 64, HTTPMethod: 10, URLPath: 128 } as const;
const MAX_ATTRIBUTES = 5;
const MAX_ATTRIBUTE_KEY = 32;
const MAX_ATTRIBUTE_VALUE = 32;

const MATCH_FIELDS = ['ResourceARN', 'ServiceName', 'ServiceType', 'Host', 'HTTPMethod', 'URLPath'] as const;
/** What UpdateSamplingRule changes (SamplingRateBoost, newer than the SDKs here, is not kept). */
const UPDATABLE = ['Priority', 'FixedRate', 'ReservoirSize', 'Attributes', ...MATCH_FIELDS] as const;
/** The only fields of Default that X-Ray lets one change. */
const DEFAULT_EDITABLE = new Set(['FixedRate', 'ReservoirSize']);

export function samplingRuleArn(name: string): string {
  return `arn:aws:xray:local:000000000000:sampling-rule/${name}`;
}

export class SamplingRuleBook {
  private readonly rules = new Map<string, SamplingRuleRecord>();
  private readonly defaultRecord: SamplingRuleRecord;

  /** `defaults`: Default's reservoir and rate until someone updates them; `now`: when Default was "created". */
  constructor(defaults: { reservoir: number; fixedRate: number }, now: number) {
    this.defaultRecord = {
      SamplingRule: {
        ...wildcardRule(DEFAULT_RULE_NAME, '*'),
        Priority: DEFAULT_RULE_PRIORITY,
        FixedRate: defaults.fixedRate,
        ReservoirSize: defaults.reservoir,
      },
      CreatedAt: now,
      ModifiedAt: now,
    };
  }

  get defaultRule(): SamplingRule {
    return this.defaultRecord.SamplingRule;
  }

  has(name: string): boolean {
    return this.rules.has(name);
  }

  get(name: string): SamplingRule | undefined {
    return name === DEFAULT_RULE_NAME ? this.defaultRule : this.rules.get(name)?.SamplingRule;
  }

  /** The user's rules in the order SDKs evaluate them (priority, then name), without Default. */
  userRecords(): SamplingRuleRecord[] {
    return [...this.rules.values()].sort((a, b) => compareRules(a.SamplingRule, b.SamplingRule)).map(copyRecord);
  }

  defaultRecordCopy(): SamplingRuleRecord {
    return copyRecord(this.defaultRecord);
  }

  /** CreateSamplingRule's `SamplingRule`. */
  create(input: unknown, now: number): SamplingRuleRecord {
    const fields = objectField(input, 'SamplingRule');
    const name = requiredString(fields, 'RuleName');
    checkRuleName(name);
    if (name === DEFAULT_RULE_NAME || this.rules.has(name)) {
      throw invalid(`SamplingRule.RuleName: a rule named ${name} already exists`);
    }
    if (this.rules.size >= MAX_SAMPLING_RULES) {
      throw new SamplingRuleError('RuleLimitExceededException', `an account has at most ${MAX_SAMPLING_RULES} sampling rules besides Default`);
    }
    if (fields.Version !== 1) throw invalid(`SamplingRule.Version: must be 1 (got ${JSON.stringify(fields.Version)})`);
    const rule: SamplingRule = {
      RuleName: name,
      RuleARN: samplingRuleArn(name),
      ResourceARN: '',
      Priority: checkPriority(fields.Priority, true),
      FixedRate: checkFixedRate(fields.FixedRate, true),
      ReservoirSize: checkReservoir(fields.ReservoirSize, true),
      ServiceName: '',
      ServiceType: '',
      Host: '',
      HTTPMethod: '',
      URLPath: '',
      Version: 1,
      Attributes: checkAttributes(fields.Attributes) ?? {},
    };
    for (const key of MATCH_FIELDS) rule[key] = checkMatchField(fields, key, true) as string;
    const record = { SamplingRule: rule, CreatedAt: now, ModifiedAt: now };
    this.rules.set(name, record);
    return copyRecord(record);
  }

  /** UpdateSamplingRule's `SamplingRuleUpdate`: the fields it names change, the others stay. */
  update(input: unknown, now: number): SamplingRuleRecord {
    const fields = objectField(input, 'SamplingRuleUpdate');
    const record = this.find(fields, 'SamplingRuleUpdate');
    const isDefault = record === this.defaultRecord;
    if (isDefault) {
      const refused = UPDATABLE.filter((k) => !DEFAULT_EDITABLE.has(k) && fields[k] !== undefined && fields[k] !== null);
      if (refused.length > 0) {
        throw invalid(`SamplingRuleUpdate.${refused[0]}: only FixedRate and ReservoirSize of the Default rule can be changed`);
      }
    }
    const next: SamplingRule = { ...record.SamplingRule, Attributes: { ...record.SamplingRule.Attributes } };
    const priority = checkPriority(fields.Priority, false, 'SamplingRuleUpdate');
    if (priority !== undefined) next.Priority = priority;
    const rate = checkFixedRate(fields.FixedRate, false, 'SamplingRuleUpdate');
    if (rate !== undefined) next.FixedRate = rate;
    const reservoir = checkReservoir(fields.ReservoirSize, false, 'SamplingRuleUpdate');
    if (reservoir !== undefined) next.ReservoirSize = reservoir;
    for (const key of MATCH_FIELDS) {
      const value = checkMatchField(fields, key, false, 'SamplingRuleUpdate');
      if (value !== undefined) next[key] = value;
    }
    const attributes = checkAttributes(fields.Attributes, 'SamplingRuleUpdate');
    if (attributes !== undefined) next.Attributes = attributes;
    record.SamplingRule = next;
    record.ModifiedAt = now;
    return copyRecord(record);
  }

  /** DeleteSamplingRule: by RuleName or RuleARN; Default stays. */
  delete(input: Record<string, unknown>): SamplingRuleRecord {
    const record = this.find(input, '');
    if (record === this.defaultRecord) throw invalid('RuleName: the Default rule cannot be deleted');
    this.rules.delete(record.SamplingRule.RuleName);
    return copyRecord(record);
  }

  /** The rule an SDK would apply: the first by priority (ties by name) whose fields all match; Default otherwise. */
  match(request: SampleRequest): SamplingRule {
    for (const { SamplingRule: rule } of this.userRecords()) {
      if (ruleMatches(rule, request)) return rule;
    }
    return this.defaultRule;
  }

  private find(fields: Record<string, unknown>, prefix: string): SamplingRuleRecord {
    const at = (key: string) => (prefix ? `${prefix}.${key}` : key);
    const name = optionalString(fields, 'RuleName', at('RuleName'));
    const arn = optionalString(fields, 'RuleARN', at('RuleARN'));
    if (name !== undefined && arn !== undefined) throw invalid(`${at('RuleName')}: specify a rule by either name or ARN, but not both`);
    if (name === undefined && arn === undefined) throw invalid(`${at('RuleName')}: a rule name or ARN is required`);
    const key = name ?? [...this.rules.values(), this.defaultRecord].find((r) => r.SamplingRule.RuleARN === arn)?.SamplingRule.RuleName;
    const record = key === DEFAULT_RULE_NAME ? this.defaultRecord : key !== undefined ? this.rules.get(key) : undefined;
    if (!record) throw invalid(`${name !== undefined ? at('RuleName') : at('RuleARN')}: no sampling rule ${name ?? arn}`);
    return record;
  }
}

/** A version-1 rule that matches everything, named `name`, for service `service`. */
export function wildcardRule(name: string, service: string): Omit<SamplingRule, 'Priority' | 'FixedRate' | 'ReservoirSize'> {
  return {
    RuleName: name, RuleARN: samplingRuleArn(name), ResourceARN: '*', ServiceName: service, ServiceType: '*',
    Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1, Attributes: {},
  };
}

/** The SDKs' order: ascending priority, ties broken by name. */
export function compareRules(a: Pick<SamplingRule, 'Priority' | 'RuleName'>, b: Pick<SamplingRule, 'Priority' | 'RuleName'>): number {
  return a.Priority - b.Priority || (a.RuleName < b.RuleName ? -1 : a.RuleName > b.RuleName ? 1 : 0);
}

export function ruleMatches(rule: SamplingRule, request: SampleRequest): boolean {
  if (rule.RuleName === DEFAULT_RULE_NAME) return true;
  const field = (pattern: string, value: string | undefined) => value === undefined || wildcardMatch(pattern, value);
  return field(rule.ServiceName, request.serviceName) && field(rule.ServiceType, request.serviceType)
    && field(rule.Host, request.host) && field(rule.HTTPMethod, request.httpMethod) && field(rule.URLPath, request.urlPath);
}

/** X-Ray's wildcards, case-insensitive as in the SDKs: `*` any run of characters (none too), `?` exactly one. */
export function wildcardMatch(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  // Iterative glob with one backtrack point: the last `*` seen and where its run began in the text.
  let i = 0;
  let j = 0;
  let star = -1;
  let from = 0;
  while (j < t.length) {
    if (i < p.length && (p[i] === '?' || p[i] === t[j])) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      from = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++from;
    } else {
      return false;
    }
  }
  while (p[i] === '*') i++;
  return i === p.length;
}

function copyRecord(record: SamplingRuleRecord): SamplingRuleRecord {
  return { ...record, SamplingRule: { ...record.SamplingRule, Attributes: { ...record.SamplingRule.Attributes } } };
}

function invalid(message: string): SamplingRuleError {
  return new SamplingRuleError('InvalidRequestException', message);
}

function objectField(input: unknown, key: string): Record<string, unknown> {
  const value = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${key}: required, an object`);
  return value as Record<string, unknown>;
}

function requiredString(fields: Record<string, unknown>, key: string): string {
  const value = fields[key];
  if (typeof value !== 'string') throw invalid(`SamplingRule.${key}: required, a string`);
  return value;
}

function optionalString(fields: Record<string, unknown>, key: string, at: string): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${at}: must be a string`);
  return value;
}

function checkRuleName(name: string): void {
  if (name.length < 1 || name.length > MAX_RULE_NAME) {
    throw invalid(`SamplingRule.RuleName: 1 to ${MAX_RULE_NAME} characters (got ${name.length})`);
  }
}

function checkNumber(value: unknown, key: string, required: boolean, prefix: string, check: (n: number) => boolean, range: string): number | undefined {
  if (value === undefined || value === null) {
    if (required) throw invalid(`${prefix}.${key}: required, ${range}`);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
    throw invalid(`${prefix}.${key}: must be ${range} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function checkPriority(value: unknown, required: true, prefix?: string): number;
function checkPriority(value: unknown, required: boolean, prefix?: string): number | undefined;
function checkPriority(value: unknown, required: boolean, prefix = 'SamplingRule'): number | undefined {
  return checkNumber(value, 'Priority', required, prefix, (n) => Number.isInteger(n) && n >= 1 && n <= MAX_PRIORITY, `an integer from 1 to ${MAX_PRIORITY}`);
}

function checkFixedRate(value: unknown, required: true, prefix?: string): number;
function checkFixedRate(value: unknown, required: boolean, prefix?: string): number | undefined;
function checkFixedRate(value: unknown, required: boolean, prefix = 'SamplingRule'): number | undefined {
  return checkNumber(value, 'FixedRate', required, prefix, (n) => n >= 0 && n <= 1, 'a number from 0 to 1');
}

function checkReservoir(value: unknown, required: true, prefix?: string): number;
function checkReservoir(value: unknown, required: boolean, prefix?: string): number | undefined;
function checkReservoir(value: unknown, required: boolean, prefix = 'SamplingRule'): number | undefined {
  return checkNumber(value, 'ReservoirSize', required, prefix, (n) => Number.isInteger(n) && n >= 0, 'an integer of 0 or more');
}

function checkMatchField(fields: Record<string, unknown>, key: (typeof MATCH_FIELDS)[number], required: boolean, prefix = 'SamplingRule'): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) {
    if (required) throw invalid(`${prefix}.${key}: required (\`*\` matches anything)`);
    return undefined;
  }
  if (typeof value !== 'string') throw invalid(`${prefix}.${key}: must be a string`);
  if (value.length > MAX_LENGTH[key]) throw invalid(`${prefix}.${key}: at most ${MAX_LENGTH[key]} characters (got ${value.length})`);
  return value;
}

function checkAttributes(value: unknown, prefix = 'SamplingRule'): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${prefix}.Attributes: must be a map of strings`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_ATTRIBUTES) throw invalid(`${prefix}.Attributes: at most ${MAX_ATTRIBUTES} entries (got ${entries.length})`);
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > MAX_ATTRIBUTE_KEY) throw invalid(`${prefix}.Attributes: keys are 1 to ${MAX_ATTRIBUTE_KEY} characters`);
    if (typeof v !== 'string' || v.length < 1 || v.length > MAX_ATTRIBUTE_VALUE) {
      throw invalid(`${prefix}.Attributes.${k}: values are strings of 1 to ${MAX_ATTRIBUTE_VALUE} characters`);
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
