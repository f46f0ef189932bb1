// The daemon's sampling proxy: SDKs with centralized sampling (their default) POST /GetSamplingRules every
// 5 minutes and /SamplingTargets every ~10 s to the daemon's TCP address. Locally there is one rule, Default.
// Shapes follow what the X-Ray API returns through the real daemon (epoch-second numbers for times).
import type { JsonHandler } from './daemonHttpServer';

/** Reservoir per second and fixed rate after it, as the X-Ray console's Default rule. */
const NORMAL = { reservoir: 1, fixedRate: 0.05 };
/** With sampleAll every request is traced: a reservoir no local app reaches, and 100 % after it. */
const SAMPLE_ALL = { reservoir: 10_000, fixedRate: 1 };
const TARGET_INTERVAL_SECONDS = 10;
const QUOTA_TTL_SECONDS = 60;

export interface SamplingCounters {
  ruleRequests: number;
  targetRequests: number;
  /** Sums of what SDKs reported in SamplingStatisticsDocuments. */
  reportedRequests: number;
  reportedSampled: number;
  reportedBorrowed: number;
}

export class SamplingEndpoints {
  private readonly rate: { reservoir: number; fixedRate: number };
  /** Rules never change while the collector runs; SDKs refetch when this is newer than their copy. */
  private readonly modifiedAt: number;
  private readonly counts: SamplingCounters = {
    ruleRequests: 0, targetRequests: 0, reportedRequests: 0, reportedSampled: 0, reportedBorrowed: 0,
  };

  constructor(sampleAll: boolean, startedAt = Date.now()) {
    this.rate = sampleAll ? SAMPLE_ALL : NORMAL;
    this.modifiedAt = Math.floor(startedAt / 1000);
  }

  counters(): SamplingCounters {
    return { ...this.counts };
  }

  readonly getSamplingRules: JsonHandler = () => {
    this.counts.ruleRequests++;
    return {
      SamplingRuleRecords: [{
        SamplingRule: {
          RuleName: 'Default',
          RuleARN: 'arn:aws:xray:local:000000000000:sampling-rule/Default',
          ResourceARN: '*',
          Priority: 10000,
          FixedRate: this.rate.fixedRate,
          ReservoirSize: this.rate.reservoir,
          ServiceName: '*',
          ServiceType: '*',
          Host: '*',
          HTTPMethod: '*',
          URLPath: '*',
          Version: 1,
          Attributes: {},
        },
        CreatedAt: this.modifiedAt,
        ModifiedAt: this.modifiedAt,
      }],
    };
  };

  readonly samplingTargets: JsonHandler = (body) => {
    this.counts.targetRequests++;
    const documents = Array.isArray(body.SamplingStatisticsDocuments) ? body.SamplingStatisticsDocuments : [];
    const ruleNames = new Set<string>();
    for (const doc of documents as Record<string, unknown>[]) {
      if (typeof doc !== 'object' || doc === null || typeof doc.RuleName !== 'string') continue;
      ruleNames.add(doc.RuleName);
      this.counts.reportedRequests += count(doc.RequestCount);
      this.counts.reportedSampled += count(doc.SampledCount);
      this.counts.reportedBorrowed += count(doc.BorrowCount);
    }
    const ttl = Math.round((Date.now() / 1000 + QUOTA_TTL_SECONDS) * 100) / 100;
    return {
      // Every rule an SDK reports gets the Default numbers: rules it cached from another daemon keep working
      // until its next rule poll replaces them.
      SamplingTargetDocuments: [...ruleNames].map((RuleName) => ({
        RuleName,
        FixedRate: this.rate.fixedRate,
        ReservoirQuota: this.rate.reservoir,
        ReservoirQuotaTTL: ttl,
        Interval: TARGET_INTERVAL_SECONDS,
      })),
      LastRuleModification: this.modifiedAt,
      UnprocessedStatistics: [],
    };
  };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
