// The AWS profiles on this machine, read with the SDK's own shared-ini loader (so the picker sees exactly the
// profiles the credential chain will), each profile's default region, and the X-Ray endpoint a profile
// configures (endpoint_url, [services] sections, AWS_ENDPOINT_URL_XRAY) with the SDK's precedence.
// Lives in the lazily loaded SDK bundle (re-exported by xrayApiSource.ts).
import { loadSharedConfigFiles, type ParsedIniData, type Profile } from '@smithy/shared-ini-file-loader';

export type AwsProfileKind = 'sso' | 'process' | 'assume-role' | 'web-identity' | 'static' | 'other';

export interface AwsProfileInfo {
  name: string;
  region?: string;
  kind: AwsProfileKind;
  /** The profile sends X-Ray requests somewhere of its own (endpoint_url, or xray.endpoint_url in its [services] section). */
  hasEndpointUrl: boolean;
  /** That endpoint, to show in the picker (environment overrides not applied). */
  endpointUrl?: string;
}

/** Where to read the shared files; unset: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws. */
export interface SharedFilesInit {
  configFilepath?: string;
  filepath?: string;
}

/** Profiles from both shared files, by name. Re-read every time (ignoreCache): the picker shows edits. */
export async function listAwsProfiles(init: SharedFilesInit = {}): Promise<AwsProfileInfo[]> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ...init, ignoreCache: true });
  const names = new Set([...profileNames(configFile), ...profileNames(credentialsFile)]);
  return [...names].sort(byName).map((name) => {
    const profile = mergedProfile(name, configFile, credentialsFile);
    let endpointUrl: string | undefined;
    try {
      endpointUrl = profileEndpoint(profile, configFile);
    } catch {
      // A [services] section that is missing: the source will say so when used; the list still shows the profile.
    }
    return {
      name,
      region: profile.region || undefined,
      kind: profileKind(profile),
      hasEndpointUrl: endpointUrl !== undefined,
      ...(endpointUrl ? { endpointUrl } : {}),
    };
  });
}

/** The region for a profile: its own, else AWS_REGION, else AWS_DEFAULT_REGION (as the CLI), else us-east-1. */
export async function defaultRegion(profile?: string, env: NodeJS.ProcessEnv = process.env, init: SharedFilesInit = {}): Promise<string> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ...init, ignoreCache: true });
  const own = mergedProfile(profileName(profile, env), configFile, credentialsFile).region;
  return own || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
}

/**
 * The X-Ray endpoint configured for `profile`, as @smithy/core's getEndpointFromConfig resolves it for
 * the service id "XRay" — but for this profile, not AWS_PROFILE's:
 * ignore_configured_endpoint_urls (env, then profile) → AWS_ENDPOINT_URL_XRAY → AWS_ENDPOINT_URL →
 * the profile's [services] section `xray = endpoint_url = …` → the profile's endpoint_url.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export async function configuredEndpoint(profile?: string, env: NodeJS.ProcessEnv = process.env, init: SharedFilesInit = {}): Promise<string | undefined> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ...init, ignoreCache: true });
  const merged = mergedProfile(profileName(profile, env), configFile, credentialsFile);
  const ignoreEnv = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS;
  const ignore = ignoreEnv !== undefined ? ignoreEnv.toLowerCase() === 'true' : merged.ignore_configured_endpoint_urls?.toLowerCase() === 'true';
  if (ignore) return undefined;
  return env.AWS_ENDPOINT_URL_XRAY || env.AWS_ENDPOINT_URL || profileEndpoint(merged, configFile);
}

function profileName(profile: string | undefined, env: NodeJS.ProcessEnv): string {
  return profile || env.AWS_PROFILE || 'default';
}

function profileEndpoint(profile: Profile, configFile: ParsedIniData): string | undefined {
  if (profile.services) {
    // The SDK refuses a profile naming a [services] section that does not exist; so do we, with its words.
    const section = configFile[`services.${profile.services}`];
    if (!section) throw new Error(`The services section "${profile.services}" specified in the profile is not present in the shared configuration file.`);
    const url = section['xray.endpoint_url'];
    if (url) return url;
  }
  return profile.endpoint_url || undefined;
}

/** Section keys of profiles: the loader names config-file profiles without their "profile " prefix. */
function profileNames(file: ParsedIniData): string[] {
  return Object.keys(file).filter((key) => !/^(sso-session|services)\./.test(key));
}

/** As the SDK merges a profile: the config file's keys win over the credentials file's. */
function mergedProfile(name: string, configFile: ParsedIniData, credentialsFile: ParsedIniData): Profile {
  return { ...(credentialsFile[name] ?? {}), ...(configFile[name] ?? {}) };
}

function profileKind(p: Profile): AwsProfileKind {
  if (p.sso_session || p.sso_start_url) return 'sso';
  if (p.credential_process) return 'process';
  if (p.role_arn) return p.web_identity_token_file ? 'web-identity' : 'assume-role';
  if (p.aws_access_key_id) return 'static';
  return 'other';
}

const byName = (a: string, b: string): number => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b));
