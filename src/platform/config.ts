// Typed access to the extension's settings (declared in package.json under contributes.configuration).
import * as vscode from 'vscode';

export interface XrayLensSettings {
  collectorEnabled: boolean;
  collectorAddress: string;
  collectorSampleAll: boolean;
  collectorMaxTraces: number;
  source: 'local' | 'aws';
  awsProfile: string;
  awsRegion: string;
  tracesTimeRangeMinutes: number;
  tracesMaxShown: number;
  tracesAutoRefresh: boolean;
}

export const SETTINGS_SECTION = 'xrayLens';

export function readSettings(): XrayLensSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  return {
    collectorEnabled: c.get<boolean>('collector.enabled', true),
    collectorAddress: c.get<string>('collector.address', '127.0.0.1:2000'),
    collectorSampleAll: c.get<boolean>('collector.sampleAll', true),
    collectorMaxTraces: c.get<number>('collector.maxTraces', 5000),
    source: c.get<string>('source', 'local') === 'aws' ? 'aws' : 'local',
    awsProfile: c.get<string>('aws.profile', ''),
    awsRegion: c.get<string>('aws.region', ''),
    tracesTimeRangeMinutes: c.get<number>('traces.timeRangeMinutes', 15),
    tracesMaxShown: c.get<number>('traces.maxShown', 200),
    tracesAutoRefresh: c.get<boolean>('traces.autoRefresh', true),
  };
}

export function affectsSettings(e: vscode.ConfigurationChangeEvent, ...keys: string[]): boolean {
  return keys.some((k) => e.affectsConfiguration(`${SETTINGS_SECTION}.${k}`));
}
