// Which tracing flavour an edit in a file uses: the `xrayLens.instrumentation.flavour` setting (resource-scoped,
// so each folder can say), else what the dependency manifests of the file's project declare — the folders from
// the file up to its workspace folder, so a service in a repository of several gets its own library.
import * as vscode from 'vscode';
import type { FlavourDetection, ProjectFile } from '../../code/instrument/flavourDetection';
import type { TracingFlavour } from '../../code/instrument/instrumentTypes';
import { loadInstrumentEngineModule } from './loadInstrumentEngine';

export const FLAVOUR_SETTING = 'instrumentation.flavour';

/** Manifests bigger than this are skipped (a generated package.json of megabytes says nothing more). */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/** The setting as the folder of `scope` sees it: a flavour, or 'auto'. */
export function flavourSetting(scope: vscode.Uri | undefined): TracingFlavour | 'auto' {
  const value = vscode.workspace.getConfiguration('xrayLens', scope).get<unknown>(FLAVOUR_SETTING);
  return value === 'opentelemetry' || value === 'xray-sdk' ? value : 'auto';
}

/** The manifests directly inside `dir`, with paths relative to `folder`. */
export async function manifestsIn(folder: vscode.Uri, dir: vscode.Uri): Promise<ProjectFile[]> {
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(dir);
  } catch {
    return [];
  }
  const { isManifest } = loadInstrumentEngineModule();
  const files: ProjectFile[] = [];
  for (const [name, type] of entries) {
    if (type !== vscode.FileType.File || !isManifest(name)) continue;
    const uri = vscode.Uri.joinPath(dir, name);
    try {
      if ((await vscode.workspace.fs.stat(uri)).size > MAX_MANIFEST_BYTES) continue;
      files.push({ path: relativePath(folder, uri), text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) });
    } catch {
      // Gone or unreadable since the listing: it decides nothing.
    }
  }
  return files;
}

/** `uri`'s path relative to `folder`, with `/` separators ('' for the folder itself). */
export function relativePath(folder: vscode.Uri, uri: vscode.Uri): string {
  const base = folder.path.replace(/\/+$/, '');
  return uri.path === base ? '' : uri.path.startsWith(`${base}/`) ? uri.path.slice(base.length + 1) : uri.path;
}

/**
 * The flavour for an edit in `document`: the setting, else the manifests of the folders from the file's own up
 * to its workspace folder. A file outside every workspace folder (an untitled one) has only the setting, else
 * OpenTelemetry, the default.
 */
export async function flavourForDocument(document: vscode.TextDocument): Promise<FlavourDetection> {
  const { detectFlavour } = loadInstrumentEngineModule();
  const override = flavourSetting(document.uri);
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (!folder || override !== 'auto') return detectFlavour([], override);
  const files: ProjectFile[] = [];
  const dirs = relativePath(folder.uri, document.uri).split('/').slice(0, -1);
  for (let depth = dirs.length; depth >= 0; depth--) files.push(...(await manifestsIn(folder.uri, vscode.Uri.joinPath(folder.uri, ...dirs.slice(0, depth)))));
  return detectFlavour(files, override);
}
