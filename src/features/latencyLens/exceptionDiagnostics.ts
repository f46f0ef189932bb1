// Exceptions the traces recorded, in Problems at the line of the workspace code that threw them (source "X-Ray":
// fault → warning, error → information). Set again from the index each time it is rebuilt, so an exception
// whose traces left the list leaves Problems too.
import * as vscode from 'vscode';
import { Disposable } from '../../platform/disposable';
import type { ExceptionSite } from './latencyEngine';
import type { LatencyIndexService } from './latencyIndexService';

export const DIAGNOSTIC_SOURCE = 'X-Ray';

export class ExceptionDiagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('xray-lens'));

  constructor(private readonly service: LatencyIndexService) {
    super();
    this._register(service.onDidChange(() => this.update()));
  }

  private update(): void {
    this.collection.clear();
    const snapshot = this.service.snapshot;
    if (!snapshot) return;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const index = snapshot.folders.get(folder.uri.toString());
      if (!index) continue;
      const byFile = new Map<string, vscode.Diagnostic[]>();
      for (const site of index.exceptions) {
        const list = byFile.get(site.file) ?? [];
        list.push(toDiagnostic(site));
        byFile.set(site.file, list);
      }
      for (const [file, diagnostics] of byFile) this.collection.set(vscode.Uri.joinPath(folder.uri, file), diagnostics);
    }
  }
}

function toDiagnostic(site: ExceptionSite): vscode.Diagnostic {
  // The whole line: the frame has no column.
  const range = new vscode.Range(site.line, 0, site.line, Number.MAX_SAFE_INTEGER);
  const times = site.count === 1 ? 'once' : `${site.count} times`;
  const message = `${site.type}: ${oneLine(site.message)} — ${times} in the listed traces, last seen ${formatTime(site.lastSeen)}`;
  const diagnostic = new vscode.Diagnostic(range, message, site.fault ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  return diagnostic;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** Local time, with the date when it is not today. */
function formatTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return d.toDateString() === new Date().toDateString() ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}
