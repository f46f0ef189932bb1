// Opens a stack frame from trace data in the editor — only when it resolves to a file inside one of the
// workspace folders (paths in trace data come from another machine, and may be hostile).
import * as fs from 'fs';
import * as vscode from 'vscode';
import { resolveFramePath } from '../../xray/sourceLocation';
import type { OutlineFrame } from '../../xray/traceOutline';

export async function openStackFrame(frame: OutlineFrame | undefined): Promise<vscode.TextEditor | undefined> {
  if (!frame || typeof frame.path !== 'string') return undefined;
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  if (folders.length === 0) {
    void vscode.window.showWarningMessage('Open a folder to jump from stack frames to source: X-Ray Lens only opens files inside the workspace.');
    return undefined;
  }
  const resolved = resolveFramePath(frame.path, frame.workingDirectory, folders, (p) => {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  });
  if (!resolved) {
    void vscode.window.showWarningMessage(`${frame.path.slice(0, 200)} is not a file in this workspace, so X-Ray Lens did not open it.`);
    return undefined;
  }
  const line = Math.max(0, (frame.line || 1) - 1);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(resolved));
  const position = new vscode.Position(Math.min(line, doc.lineCount - 1), 0);
  return vscode.window.showTextDocument(doc, { selection: new vscode.Range(position, position), preserveFocus: false });
}
