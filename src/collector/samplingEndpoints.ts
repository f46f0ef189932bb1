// The daemon's sampling proxy: SDKs with centralized sampling (their default) POST /GetSamplingRules every
// 5 minutes and /SamplingTargets every ~10 s to the daemon's TCP address. Shapes are what the X-Ray API returns
// through the real daemon (epoch seconds for times, ReservoirQuota/ReservoirQuotaTTL/Interval per rule,
// LastRuleModification), so the real SDKs take both.
//
// Locally there is the Default rule and, for each service that has begun a trace, a rule of its own with the same
// numbers: SDKs report SamplingTargets statistics per rule (requests seen, sampled, borrowed), so a rule per
// service is what lets the collector count each service's requests and how many of them were traced. A new
// service moves LastRuleModification, and each SDK fetches the rules again at its next SamplingTargets call.
// Each service thereby has its own reservoir (1 request/s, then 5 %), where AWS's Default shares one across the
// account: locally, one entry service is the common case, and its numbers are the same either way.
//
// The user's own rules (CreateSamplingRule, UpdateSamplingRule, DeleteSamplingRule, and GetSamplingRules, the same
// route the SDKs poll) live in the collector's memory, for as long as it runs; SDKs get them before the
// generated rules, each with its own reservoir and rate in SamplingTargets, and a change moves LastRuleModification
// as a new service does.
import { ApiError, type JsonHandler } from './daemonHttpServer';
import {
  compareRules, SamplingRuleBook, SamplingRuleError, wildcardRule, type SamplingRule, type SamplingRuleRecord,
} from './samplingRules';

/** Reservoir per second and fixed rate after it, as the X-Ray console's Default rule. */
const NORMAL = { reservoir: 1, fixedRate: 0.05 };
/** With sampleAll every request is traced: a reservoir no local app reaches, and 100 % after it. */
const SAMPLE_ALL = { reservoir: 10_000, fixedRate: 1 };
const TARGET_INTERVAL_SECONDS = 10;
const QUOTA_TTL_SECONDS = 60;
/** More services than this share the Default rule (X-Ray itself allows 25 rules per account). */
const MAX_SERVICE_RULES = 50;
/** A rule's ServiceName holds at most 64 characters (X-Ray's limit). */
const MAX_RULE_SERVICE_NAME = 64;
/**
 * After every rule the user may create (priorities 1-9999), before Default: a service's own rule only takes what the
 * user's rules leave. (A user rule at 9999 ties with them, and the SDKs break ties by name.)
 */
const SERVICE_RULE_PRIORITY = 9999;

/** What SDKs reported for one service's rule (or, under service undefined, for the Default rule). */
export interface ServiceSampling {
  /** The service the rule is for; undefined for Default: requests decided before the service had its rule. */
  service?: string;
  rule: string;
  requests: number;
  sampled: number;
  borrowed: number;
  /** Requests traced: see SamplingCounters.reportedTraced. */
  traced: number;
}

export interface SamplingCounters {
  ruleRequests: number;
  targetRequests: number;
  /** Sums of what SDKs reported in SamplingStatisticsDocuments. */
  reportedRequests: number;
  reportedSampled: number;
  reportedBorrowed: number;
  /**
   * Requests traced, per statistics document min(RequestCount, SampledCount + BorrowCount): the API defines
   * SampledCount as every request recorded, borrowed ones included (OpenTelemetry's sampler reports it so), while
   * aws-xray-sdk-core 3.12 counts the borrowed ones apart. Exact for both with sample-all; on the Default rule an
   * OpenTelemetry sampler's count is high by at most its borrowed requests (1/s before its first quota).
   */
  reportedTraced: number;
  /** The same per rule: one per service, and Default; rules with no report are left out. */
  byService: ServiceSampling[];
  /** Whether the rules trace every request (sampleAll) or 1/s + 5 %. */
  sampleAll: boolean;
}

interface Rule {
  name: string;
  service: string;
  createdAt: number;
}

export class SamplingEndpoints {
  /** The user's rules and Default (whose rate and reservoir the generated rules share). */
  readonly userRules: SamplingRuleBook;
  private readonly startedAt: number;
  /** Epoch seconds (with fractions) of the last change to the rules; SDKs refetch when it is newer than their copy. */
  private modifiedAt: number;
  private readonly rules: Rule[] = [];
  private readonly ruleOfService = new Map<string, Rule>();
  private readonly reported = new Map<string, ServiceSampling>();
  private readonly counts = { ruleRequests: 0, targetRequests: 0, reportedRequests: 0, reportedSampled: 0, reportedBorrowed: 0, reportedTraced: 0 };

  /**
   * `services`: the services that have begun traces so far (TraceStore.entryServiceNames); `onReport` runs after each
   * SamplingTargets call is counted.
   */
  constructor(
    private readonly sampleAll: boolean,
    startedAt = Date.now(),
    private readonly services: () => readonly string[] = () => [],
    private readonly onReport: () => void = () => undefined,
  ) {
    this.startedAt = Math.floor(startedAt / 1000);
    this.modifiedAt = this.startedAt;
    this.userRules = new SamplingRuleBook(sampleAll ? SAMPLE_ALL : NORMAL, this.startedAt);
  }

  counters(): SamplingCounters {
    return { ...this.counts, byService: [...this.reported.values()].map((r) => ({ ...r })), sampleAll: this.sampleAll };
  }

  readonly getSamplingRules: JsonHandler = () => {
    this.counts.ruleRequests++;
    this.addServiceRules();
    const { FixedRate, ReservoirSize } = this.userRules.defaultRule;
    const generated = this.rules
      .filter((r) => !this.userRules.has(r.name))
      .map((r): SamplingRuleRecord => ({
        SamplingRule: { ...wildcardRule(r.name, r.service), Priority: SERVICE_RULE_PRIORITY, FixedRate, ReservoirSize },
        CreatedAt: r.createdAt,
        ModifiedAt: r.createdAt,
      }));
    // One answer for the SDKs and for the API (whose NextToken paging is never needed for at most 76 rules): both
    // read SamplingRuleRecords, and the SDKs sort them by priority themselves.
    const records = [...this.userRules.userRecords(), ...generated].sort((a, b) => compareRules(a.SamplingRule, b.SamplingRule));
    return { SamplingRuleRecords: [...records, this.userRules.defaultRecordCopy()] };
  };

  readonly createSamplingRule: JsonHandler = (body) => ({ SamplingRuleRecord: this.changeRules(() => this.userRules.create(body, Date.now() / 1000)) });

  readonly updateSamplingRule: JsonHandler = (body) => ({ SamplingRuleRecord: this.changeRules(() => this.userRules.update(body, Date.now() / 1000)) });

  readonly deleteSamplingRule: JsonHandler = (body) => ({ SamplingRuleRecord: this.changeRules(() => this.userRules.delete(body)) });

  private changeRules(change: () => SamplingRuleRecord): SamplingRuleRecord {
    let record: SamplingRuleRecord;
    try {
      record = change();
    } catch (error) {
      if (error instanceof SamplingRuleError) throw new ApiError(400, error.errorType, error.message);
      throw error;
    }
    this.rulesChanged();
    return record;
  }

  /** The numbers SDKs get for a rule: the user's own, or Default's for Default, the generated ones and names we never gave. */
  private target(ruleName: string): SamplingRule {
    return this.userRules.get(ruleName) ?? this.userRules.defaultRule;
  }

  readonly samplingTargets: JsonHandler = (body) => {
    this.counts.targetRequests++;
    this.addServiceRules();
    const documents = Array.isArray(body.SamplingStatisticsDocuments) ? body.SamplingStatisticsDocuments : [];
    const ruleNames = new Set<string>();
    for (const doc of documents as Record<string, unknown>[]) {
      if (typeof doc !== 'object' || doc === null || typeof doc.RuleName !== 'string') continue;
      ruleNames.add(doc.RuleName);
      const requests = count(doc.RequestCount);
      const sampled = count(doc.SampledCount);
      const borrowed = count(doc.BorrowCount);
      this.counts.reportedRequests += requests;
      this.counts.reportedSampled += sampled;
      this.counts.reportedBorrowed += borrowed;
      const traced = Math.min(requests, sampled + borrowed);
      this.counts.reportedTraced += traced;
      // A user's rule named as a generated one takes its place (getSamplingRules leaves the generated one out).
      const rule = this.userRules.has(doc.RuleName) ? undefined : this.rules.find((r) => r.name === doc.RuleName);
      // A user's rule, a rule it cached from another daemon and Default count under their names, without a service.
      const entry = this.reported.get(doc.RuleName) ?? { ...(rule ? { service: rule.service } : {}), rule: doc.RuleName, requests: 0, sampled: 0, borrowed: 0, traced: 0 };
      entry.requests += requests;
      entry.sampled += sampled;
      entry.borrowed += borrowed;
      entry.traced += traced;
      this.reported.set(doc.RuleName, entry);
    }
    this.onReport();
    const ttl = Math.round((Date.now() / 1000 + QUOTA_TTL_SECONDS) * 100) / 100;
    return {
      // A user's rule gets its own numbers, its whole reservoir (AWS shares it among the SDKs; locally, one is the
      // common case); every other rule Default's, so rules it cached from another daemon keep working until its
      // next rule poll replaces them.
      SamplingTargetDocuments: [...ruleNames].map((RuleName) => ({
        RuleName,
        FixedRate: this.target(RuleName).FixedRate,
        ReservoirQuota: this.target(RuleName).ReservoirSize,
        ReservoirQuotaTTL: ttl,
        Interval: TARGET_INTERVAL_SECONDS,
      })),
      LastRuleModification: this.modifiedAt,
      UnprocessedStatistics: [],
    };
  };

  /** A rule for each service seen since the last call; a name a rule cannot match exactly (wildcards, too long) shares Default. */
  private addServiceRules(): void {
    let added = false;
    for (const service of this.services()) {
      if (this.rules.length >= MAX_SERVICE_RULES) break;
      if (this.ruleOfService.has(service) || service.length === 0 || service.length > MAX_RULE_SERVICE_NAME || /[*?]/.test(service)) continue;
      const rule = { name: ruleName(service, this.rules.length + 1), service, createdAt: Date.now() / 1000 };
      this.rules.push(rule);
      this.ruleOfService.set(service, rule);
      added = true;
    }
    if (added) this.rulesChanged();
  }

  private rulesChanged(): void {
    // Rounded up to the next whole second: SDKs stamp their copy of the rules with the whole second they fetched it
    // in (aws-xray-sdk Python reads LastRuleModification as whole seconds too), so a change in that same second
    // would otherwise look no newer than their copy.
    this.modifiedAt = Math.floor(Date.now() / 1000) + 1;
  }
}

/** 1–32 characters of [A-Za-z0-9_-] (X-Ray's RuleName), readable in an SDK's debug log: "frontend-1". */
function ruleName(service: string, n: number): string {
  const suffix = `-${n}`;
  const base = service.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 32 - suffix.length) || 'service';
  return `${base}${suffix}`;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * "sampling: SDKs reported 1,000 requests, 1,000 traced (frontend 600 of 600, backend 400 of 400)", or with
 * the Default rule, "940 not traced": what reached SamplingTargets. Requests an SDK decided before it had
 * the rules (an app's first few milliseconds) follow its own fallback and are never reported.
 */
export function describeSampling(c: SamplingCounters): string {
  if (c.targetRequests === 0) {
    return c.ruleRequests > 0 ? 'sampling: rules sent, no statistics reported yet (SDKs report every 10 s)' : 'sampling: no SDK has asked for rules';
  }
  const traced = c.reportedTraced;
  const n = (x: number) => x.toLocaleString('en-US');
  const parts = c.byService
    .filter((s) => s.requests > 0)
    .map((s) => `${s.service ?? `rule ${s.rule}`} ${n(s.traced)} of ${n(s.requests)}`);
  const missed = c.reportedRequests - traced;
  return `sampling: SDKs reported ${n(c.reportedRequests)} requests, ${n(traced)} traced${missed > 0 ? `, ${n(missed)} not traced` : ''}`
    + `${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
