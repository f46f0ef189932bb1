// "X-Ray: Select AWS Profile…" and "X-Ray: Select AWS Region…": the profiles the AWS SDK's own loader
// finds in the shared config and credentials files, and the regions X-Ray runs in. The choice goes to
// machine-scoped settings (remembered per machine, never from a workspace). Both commands also take the
// name as an argument, for tests and for other commands.
import * as vscode from 'vscode';
import { readSettings, SETTINGS_SECTION } from '../../platform/config';
import { loadXrayApiSource } from '../../sources/loadXrayApiSource';

const PROFILE_KIND_LABELS: Record<string, string> = {
  sso: 'SSO',
  process: 'credential_process',
  'assume-role': 'assume role',
  static: 'access keys',
  'web-identity': 'web identity',
};

export async function selectProfile(arg?: unknown): Promise<string | undefined> {
  const sources = loadXrayApiSource();
  let name: string | undefined = typeof arg === 'string' ? arg : undefined;
  if (name === undefined) {
    const profiles = await sources.listAwsProfiles();
    const current = readSettings().awsProfile;
    type Item = vscode.QuickPickItem & { profile: string };
    const items: Item[] = [
      { profile: '', label: '$(key) Default credential chain', description: 'AWS_PROFILE, environment variables, the default profile, …', picked: current === '' },
      ...profiles.map(
        (p): Item => ({
          profile: p.name,
          label: p.name,
          description: [PROFILE_KIND_LABELS[p.kind] ?? p.kind, p.region].filter(Boolean).join(' · '),
          detail: p.endpointUrl ? `endpoint ${p.endpointUrl}` : undefined,
          picked: p.name === current,
        }),
      ),
    ];
    const choice = await vscode.window.showQuickPick(items, {
      title: 'X-Ray: Select AWS Profile',
      placeHolder: profiles.length ? `Current: ${current || 'default credential chain'}` : 'No profiles in the AWS config files: run `aws configure` or `aws configure sso`',
      matchOnDescription: true,
    });
    if (!choice) return undefined;
    name = choice.profile;
  }
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const regionSet = config.inspect('aws.region')?.globalValue !== undefined;
  // Each write makes a new source that lists at once: the profile goes first, so no call is signed by the
  // previous profile after this choice (its failure, an expired SSO session, would pop up).
  await config.update('aws.profile', name || undefined, vscode.ConfigurationTarget.Global);
  // The profile's own region applies from now on: a region picked for the previous profile would surprise.
  if (regionSet) await config.update('aws.region', undefined, vscode.ConfigurationTarget.Global);
  if (readSettings().source !== 'aws') await config.update('source', 'aws', vscode.ConfigurationTarget.Global);
  return name;
}

export async function selectRegion(arg?: unknown): Promise<string | undefined> {
  let region: string | undefined = typeof arg === 'string' ? arg.trim() : undefined;
  if (region === undefined) {
    const sources = loadXrayApiSource();
    const settings = readSettings();
    const profileDefault = await sources.defaultRegion(settings.awsProfile || undefined);
    const current = settings.awsRegion || profileDefault;
    type Item = vscode.QuickPickItem & { region: string };
    const items: Item[] = sources.awsRegions().map((r) => ({
      region: r,
      label: r,
      description: r === profileDefault ? (settings.awsProfile ? `${settings.awsProfile}'s region` : 'default') : undefined,
      picked: r === current,
    }));
    const pick = vscode.window.createQuickPick<Item>();
    pick.title = 'X-Ray: Select AWS Region';
    pick.placeholder = `Current: ${current}. Type a region name that is not listed to use it.`;
    pick.items = items;
    pick.activeItems = items.filter((i) => i.picked);
    region = await new Promise<string | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0]?.region ?? (pick.value.trim() || undefined)));
      pick.onDidHide(() => resolve(undefined));
      pick.show();
    });
    pick.dispose();
    if (!region) return undefined;
    if (region === profileDefault) region = ''; // follow the profile
  }
  if (region && !/^[a-z]{2,}(-[a-z0-9]+)+-\d+$/.test(region)) {
    void vscode.window.showErrorMessage(`"${region}" is not a region name (like us-east-1 or eu-central-2).`);
    return undefined;
  }
  await vscode.workspace.getConfiguration(SETTINGS_SECTION).update('aws.region', region || undefined, vscode.ConfigurationTarget.Global);
  return region;
}
