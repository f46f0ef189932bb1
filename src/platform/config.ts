// Typed access to the extension's settings (declared in package.json under contributes.configuration).
import * as vscode from 'vscode';

export interface XrayLensSettings {
  collectorEnabled: boolean;
  collectorAddress: string;
  collectorOtlpAddress: string;
  otelIndexedAttributes: string[];
  collectorSampleAll: boolean;
  collectorMaxTraces: number;
  collectorMaxMegabytes: number;
  source: 'local' | 'aws';
  awsProfile: string;
  awsRegion: string;
  awsEndpointUrl: string;
  awsMaxRequestsPerSecond: number;
  /** Seconds a fetch may go without a request getting through while throttled, before it stops. */
  awsGiveUpAfterSeconds: number;
  awsAutoRefresh: boolean;
  tracesTimeRangeMinutes: number;
  tracesMaxShown: number;
  tracesAutoRefresh: boolean;
  lensEnabled: boolean;
  lensThresholdMs: number;
  lensTopN: number;
  /** What the lens leads with and its threshold and top N compare. */
  lensStatistic: 'p50' | 'p95' | 'p99' | 'avg';
  /** Where code that ran elsewhere lives in the workspace folder: `/var/task` → `.`. */
  lensPathMappings: Array<{ from: string; to: string }>;
}

export const SETTINGS_SECTION = 'xrayLens';

/**
 * Reads every setting with its type checked: settings.json is hand-edited, and `"collector.address": 2000`
 * must not reach code that expects a string. A value of the wrong type falls back to the default.
 */
export function readSettings(): XrayLensSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const str = (key: string, fallback: string): string => {
    const v = c.get<unknown>(key);
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback;
  };
  const num = (key: string, fallback: number): number => {
    const v = c.get<unknown>(key);
    return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
  };
  const strings = (key: string): string[] => {
    const v = c.get<unknown>(key);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = c.get<unknown>(key);
    return typeof v === 'boolean' ? v : fallback;
  };
  return {
    collectorEnabled: bool('collector.enabled', true),
    collectorAddress: str('collector.address', '127.0.0.1:2000'),
    collectorOtlpAddress: str('collector.otlpAddress', '127.0.0.1:4318'),
    otelIndexedAttributes: strings('collector.otelIndexedAttributes'),
    collectorSampleAll: bool('collector.sampleAll', true),
    collectorMaxTraces: num('collector.maxTraces', 5000),
    collectorMaxMegabytes: num('collector.maxMegabytes', 64),
    source: str('source', 'local') === 'aws' ? 'aws' : 'local',
    awsProfile: str('aws.profile', ''),
    awsRegion: str('aws.region', ''),
    awsEndpointUrl: str('aws.endpointUrl', '').trim(),
    // settings.json can hold what the schema's minimum/maximum only warn about; the pacer refuses a rate <= 0.
    awsMaxRequestsPerSecond: Math.min(100, Math.max(0.5, num('aws.maxRequestsPerSecond', 5))),
    awsGiveUpAfterSeconds: Math.min(3600, Math.max(1, num('aws.giveUpAfterSeconds', 60))),
    awsAutoRefresh: bool('aws.autoRefresh', false),
    tracesTimeRangeMinutes: num('traces.timeRangeMinutes', 15),
    tracesMaxShown: num('traces.maxShown', 1000),
    tracesAutoRefresh: bool('traces.autoRefresh', true),
    lensEnabled: bool('lens.enabled', true),
    lensThresholdMs: Math.max(0, num('lens.thresholdMs', 10)),
    lensTopN: Math.max(0, Math.floor(num('lens.topN', 5))),
    lensStatistic: (['p50', 'p99', 'avg'] as const).find((s) => s === c.get<unknown>('lens.statistic')) ?? 'p95',
    lensPathMappings: pathMappings(c.get<unknown>('lens.pathMappings')),
  };
}

/** `{ "/var/task": "." }` or `[{ "from": "/var/task", "to": "." }]`; entries that are not strings are dropped. */
function pathMappings(value: unknown): Array<{ from: string; to: string }> {
  const valid = (from: unknown, to: unknown) => typeof from === 'string' && from !== '' && typeof to === 'string' && to !== '';
  if (Array.isArray(value)) {
    return value
      .filter((m): m is { from: string; to: string } => typeof m === 'object' && m !== null && valid(m.from, m.to))
      .map(({ from, to }) => ({ from, to }));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).filter(([from, to]) => valid(from, to)).map(([from, to]) => ({ from, to: to as string }));
  }
  return [];
}

export function affectsSettings(e: vscode.ConfigurationChangeEvent, ...keys: string[]): boolean {
  return keys.some((k) => e.affectsConfiguration(`${SETTINGS_SECTION}.${k}`));
}
