// Opens a stack frame from trace data in the editor — only when it resolves to a file inside one of the
// workspace folders (paths in trace data come from another machine, and may be hostile).
import * as fs from 'fs';
import * as vscode from 'vscode';
import { isInsideFolder, resolveFramePath } from '../../code/sourceLocation';
import type { OutlineFrame } from '../../xray/traceOutline';

export async function openStackFrame(frame: OutlineFrame | undefined): Promise<vscode.TextEditor | undefined> {
  if (!frame || typeof frame.path !== 'string') return undefined;
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  if (folders.length === 0) {
    void vscode.window.showWarningMessage('Open a folder to jump from stack frames to source: X-Ray Lens only opens files inside the workspace.');
    return undefined;
  }
  const resolved = resolveFramePath(frame.path, frame.workingDirectory, folders, fileInsideFolders(folders));
  if (!resolved) {
    void vscode.window.showWarningMessage(`${frame.path.slice(0, 200)} is not a file in this workspace, so X-Ray Lens did not open it.`);
    return undefined;
  }
  const line = Math.max(0, (frame.line || 1) - 1);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(resolved));
  const position = new vscode.Position(Math.min(line, doc.lineCount - 1), 0);
  return vscode.window.showTextDocument(doc, { selection: new vscode.Range(position, position), preserveFocus: false });
}

/**
 * A file counts only if it is a regular file whose real path (symbolic links followed) is still inside a
 * workspace folder's real path: resolveFramePath checks the path text, and a link in the workspace
 * (`conf -> /etc`) must not turn a frame into a way to open files elsewhere.
 */
export function fileInsideFolders(folders: string[]): (candidate: string) => boolean {
  const realFolders = folders.flatMap((f) => {
    try {
      return [fs.realpathSync.native(f)];
    } catch {
      return [];
    }
  });
  return (candidate) => {
    try {
      const real = fs.realpathSync.native(candidate);
      if (!fs.statSync(real).isFile()) return false;
      return realFolders.some((root) => isInsideFolder(root, real));
    } catch {
      return false;
    }
  };
}
