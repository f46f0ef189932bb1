// "X-Ray: Set Up Tracing in This Project": reads the project's manifests and entry file, has the pure planner
// (src/code/instrument/setUpTracing.ts) compute the changes, lists them for confirmation, applies them as one
// workspace edit, and offers the package manager's command in a terminal (trusted workspaces only).
import * as vscode from 'vscode';
import type { FlavourDetection, ProjectFile, ProjectLanguage } from '../../code/instrument/flavourDetection';
import type { CollectorEndpoints, SetUpTracingPlan } from '../../code/instrument/setUpTracingTypes';
import { readSettings } from '../../platform/config';
import type { InstrumentEngine } from './instrumentEngine';
import { loadInstrumentEngineModule } from './loadInstrumentEngine';
import { flavourSetting, relativePath } from './projectFlavour';

const LANGUAGE_LABELS: Record<ProjectLanguage, string> = { javascript: 'JavaScript / TypeScript', python: 'Python', java: 'Java', go: 'Go', csharp: 'C#' };
const MAX_PROJECT_FILES = 200;
const MAX_FILE_BYTES = 2 * 1024 * 1024;

export interface SetUpTracingResult {
  /** The changes were applied (false: refused, cancelled in the preview, nothing to do). */
  applied: boolean;
  plan?: SetUpTracingPlan;
  detection?: FlavourDetection;
  reason?: string;
}

/** A file of the project, read through the open document when there is one (unsaved edits included). */
interface ReadFile extends ProjectFile {
  uri: vscode.Uri;
  document?: vscode.TextDocument;
}

/** The project folder: the folder the explorer's menu passes, else the workspace folder (picked when several). */
async function projectFolder(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0]?.uri;
  const active = vscode.window.activeTextEditor && vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri);
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: `Set up tracing in which folder?${active ? ` (the active editor is in ${active.name})` : ''}` });
  return picked?.uri;
}

/**
 * A file of the project by its URI: 'name' only checks it exists (lock files), 'text' reads it, 'document' opens it
 * (not shown) so that edits apply to the very text the plan's offsets were computed on, unsaved changes included.
 */
async function readFile(project: vscode.Uri, uri: vscode.Uri, read: 'name' | 'text' | 'document'): Promise<ReadFile | undefined> {
  const path = relativePath(project, uri);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return { path, uri, document: open, text: read === 'name' ? '' : open.getText() };
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type !== vscode.FileType.File || stat.size > MAX_FILE_BYTES) return undefined;
    if (read === 'name') return { path, uri, text: '' };
    if (read === 'text') return { path, uri, text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) };
    const document = await vscode.workspace.openTextDocument(uri);
    return { path, uri, document, text: document.getText() };
  } catch {
    return undefined;
  }
}

/** The local collector's addresses as this VS Code is configured, as the generated code's defaults. */
export function collectorEndpoints(): Partial<CollectorEndpoints> {
  const settings = readSettings();
  const hostPort = (address: string) => (address.startsWith(':') ? `127.0.0.1${address}` : /^\d+$/.test(address) ? `127.0.0.1:${address}` : address);
  const endpoints: Partial<CollectorEndpoints> = { daemonAddress: hostPort(settings.collectorAddress) };
  // An empty OTLP address turns the receiver off: the default stays, and the plan's notes say where spans go.
  if (settings.collectorOtlpAddress.trim()) endpoints.otlpHttpEndpoint = `http://${hostPort(settings.collectorOtlpAddress.trim())}/v1/traces`;
  return endpoints;
}

export async function setUpTracing(engine: InstrumentEngine, log: vscode.LogOutputChannel, folderArg?: unknown): Promise<SetUpTracingResult> {
  const project = await projectFolder(folderArg);
  if (!project) {
    void vscode.window.showInformationMessage('Open a folder first: Set Up Tracing changes a project\'s files.');
    return { applied: false, reason: 'no-folder' };
  }
  const module = loadInstrumentEngineModule();
  const name = project.path.slice(project.path.lastIndexOf('/') + 1);

  // Manifests and lock files (a lock file only says which package manager: its text is not read).
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(project, module.PROJECT_FILES_GLOB), module.PROJECT_FILES_EXCLUDE, MAX_PROJECT_FILES);
  const files: ReadFile[] = [];
  for (const uri of found.sort((a, b) => a.path.localeCompare(b.path))) {
    const file = await readFile(project, uri, module.isManifest(uri.path) ? 'text' : 'name');
    if (file) files.push(file);
  }
  const detection = module.detectFlavour(files, flavourSetting(project));
  let language: ProjectLanguage | undefined = detection.languages[0];
  if (detection.languages.length > 1) {
    const picked = await vscode.window.showQuickPick(detection.languages.map((l) => ({ label: LANGUAGE_LABELS[l], language: l })), {
      title: `X-Ray: Set Up Tracing in ${name}`, placeHolder: 'The project has manifests of several languages: set up which?',
    });
    if (!picked) return { applied: false, detection, reason: 'cancelled' };
    language = picked.language;
  }
  if (!language) {
    const message = `No project manifest in ${name} (package.json, requirements.txt, pyproject.toml, pom.xml, build.gradle, go.mod, *.csproj): Set Up Tracing needs one to know the language and the dependencies.`;
    void vscode.window.showInformationMessage(message);
    return { applied: false, detection, reason: message };
  }

  // The entry file: the first candidate that exists, else the active editor's file when it is in the project.
  let entry: ReadFile | undefined;
  for (const candidate of module.entryFileCandidates(language, files)) {
    entry = await readFile(project, vscode.Uri.joinPath(project, candidate), 'document');
    if (entry) break;
  }
  const active = vscode.window.activeTextEditor?.document;
  if (!entry && active?.uri.scheme === 'file' && active.uri.path.startsWith(`${project.path.replace(/\/+$/, '')}/`)) {
    entry = { path: relativePath(project, active.uri), uri: active.uri, document: active, text: active.getText() };
  }
  if (entry) {
    for (const candidate of module.setUpFileCandidates(language, entry.path)) {
      if (files.some((f) => f.path === candidate)) continue;
      const file = await readFile(project, vscode.Uri.joinPath(project, candidate), 'document');
      if (file) files.push(file);
    }
  }

  const plan = await engine.setUpTracing({ language, flavour: detection.flavour, files, entry, serviceName: serviceName(files, name), endpoints: collectorEndpoints() });
  log.info(`Set Up Tracing in ${project.fsPath}: ${LANGUAGE_LABELS[language]}, ${detection.description}; ${plan.edits.length} file(s) edited, ${plan.newFiles.length} created, dependencies: ${plan.dependencies.join(' ') || 'none'}`);
  for (const note of plan.notes) log.info(`  ${note}`);
  if (plan.alreadySetUp || (plan.edits.length === 0 && plan.newFiles.length === 0)) {
    void vscode.window.showInformationMessage(`Set Up Tracing: ${plan.notes.join(' ') || `nothing to change in ${name}.`}`);
    void offerDependencies(project, plan);
    return { applied: false, plan, detection, reason: 'nothing-to-change' };
  }

  if (!(await confirmPlan(`X-Ray: Set Up Tracing in ${name}`, detection.description, plan))) return { applied: false, plan, detection, reason: 'cancelled' };
  const edit = new vscode.WorkspaceEdit();
  for (const file of plan.newFiles) {
    edit.createFile(vscode.Uri.joinPath(project, file.path), { contents: new TextEncoder().encode(file.text), ignoreIfExists: false });
  }
  for (const fileEdits of plan.edits) {
    const file = fileEdits.path === entry?.path ? entry : files.find((f) => f.path === fileEdits.path);
    const document = file?.document ?? (await vscode.workspace.openTextDocument(vscode.Uri.joinPath(project, fileEdits.path)));
    // The plan's offsets are into the text it was given: a file changed since (or never given) is not edited.
    if (!file || document.getText() !== file.text) {
      void vscode.window.showWarningMessage(`Set Up Tracing: ${fileEdits.path} changed while the changes were being prepared; nothing was changed. Run the command again.`);
      return { applied: false, plan, detection, reason: 'changed' };
    }
    for (const e of fileEdits.edits) edit.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.newText);
  }
  const applied = await vscode.workspace.applyEdit(edit);
  if (!applied) return { applied: false, plan, detection, reason: 'not-applied' };
  const shown = plan.newFiles[0] ?? (entry && plan.edits.some((e) => e.path === entry.path) ? entry : undefined);
  if (shown) await vscode.window.showTextDocument(vscode.Uri.joinPath(project, shown.path), { preview: false });
  if (plan.notes.length > 0) void vscode.window.showInformationMessage(`Set Up Tracing: ${plan.notes.join(' ')}`);
  // Not awaited: the command is done once the files are changed; the offer stays until the user answers.
  void offerDependencies(project, plan);
  return { applied: true, plan, detection };
}

/**
 * Lists what the plan changes — files created and edited, then the dependencies and notes — with "Apply" first.
 * (VS Code's refactor preview would show diffs, but in code-server it cannot open the previews of new files.)
 */
async function confirmPlan(title: string, flavour: string, plan: SetUpTracingPlan): Promise<boolean> {
  type Item = vscode.QuickPickItem & { apply?: boolean };
  const created = plan.newFiles.map((f) => f.path);
  const edited = plan.edits.map((e) => e.path).filter((p) => !created.includes(p));
  const summary = [...created.map((p) => `create ${p}`), ...edited.map((p) => `edit ${p}`)].join(' · ');
  const items: Item[] = [
    { label: '$(check) Apply', description: summary, apply: true },
    { label: '$(close) Cancel', apply: false },
    { label: 'Changes', kind: vscode.QuickPickItemKind.Separator },
    ...plan.newFiles.map((f) => ({ label: `$(new-file) ${f.path}`, description: `new file, ${f.text.split('\n').length} lines` })),
    ...plan.edits.filter((e) => !created.includes(e.path)).map((e) => ({ label: `$(edit) ${e.path}`, description: `${e.edits.length} change${e.edits.length === 1 ? '' : 's'}`, detail: e.edits.map((x) => x.newText.trim().split('\n')[0]).filter(Boolean).join(' · ').slice(0, 200) })),
  ];
  if (plan.dependencies.length > 0 || plan.notes.length > 0) {
    items.push({ label: 'Then', kind: vscode.QuickPickItemKind.Separator });
    if (plan.dependencies.length > 0) items.push({ label: `$(package) ${plan.install?.command ?? plan.dependencies.join(', ')}`, description: 'dependencies to add (offered after applying)' });
    for (const note of plan.notes) items.push({ label: `$(info) ${note}` });
  }
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = title;
  pick.placeholder = `${flavour} — Enter applies the changes listed below`;
  pick.items = items;
  pick.matchOnDescription = true;
  pick.ignoreFocusOut = true;
  try {
    return await new Promise<boolean>((resolve) => {
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0];
        // The change and note rows only inform: accepting one keeps the list open.
        if (chosen?.apply !== undefined) resolve(chosen.apply);
      });
      pick.onDidHide(() => resolve(false));
      pick.show();
    });
  } finally {
    pick.dispose();
  }
}

/** package.json's name when it has one, else the folder's: the service name the traces show. */
function serviceName(files: readonly ProjectFile[], folderName: string): string {
  const manifest = files.find((f) => f.path === 'package.json');
  if (manifest) {
    try {
      const name = (JSON.parse(manifest.text) as { name?: unknown }).name;
      if (typeof name === 'string' && name) return name.replace(/^@[^/]+\//, '');
    } catch {
      // Unreadable: the folder's name.
    }
  }
  return folderName;
}

/**
 * The dependencies the plan needs: a button runs the package manager in a terminal (a trusted workspace only:
 * installing runs the project's install scripts), another copies the command or the build-file snippet.
 */
async function offerDependencies(project: vscode.Uri, plan: SetUpTracingPlan): Promise<void> {
  if (plan.dependencies.length === 0) return;
  const list = plan.dependencies.join(', ');
  const install = plan.install;
  if (install) {
    const run = 'Run in Terminal';
    const copy = 'Copy Command';
    const trusted = vscode.workspace.isTrusted;
    const message = `Tracing needs ${list}. Add ${plan.dependencies.length === 1 ? 'it' : 'them'} with \`${install.command}\`${trusted ? '' : ' (trust this workspace to run it from here)'}.`;
    const choice = await vscode.window.showInformationMessage(message, ...(trusted ? [run, copy] : [copy]));
    if (choice === copy) await vscode.env.clipboard.writeText(install.command);
    if (choice === run && vscode.workspace.isTrusted) {
      const terminal = vscode.window.createTerminal({ name: 'X-Ray: tracing dependencies', cwd: install.cwd ? vscode.Uri.joinPath(project, install.cwd) : project });
      terminal.show();
      terminal.sendText(install.command);
    }
  } else if (plan.manifestSnippet) {
    const snippet = plan.manifestSnippet;
    const choice = await vscode.window.showInformationMessage(`Tracing needs ${list}: add them to ${snippet.file}.`, 'Copy Snippet');
    if (choice) await vscode.env.clipboard.writeText(snippet.text);
  }
}
