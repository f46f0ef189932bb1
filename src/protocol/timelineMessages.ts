// The trace timeline panel's messages (the common part is in webviewMessages.ts). Types only.
// After `ready` the host sends the `state` with the whole model (columns: typed arrays and one string table,
// src/xray/timelineModel.ts); the details of a row and the rows a search matches are asked for when needed,
// so the first message stays small on a 50,000-span trace.
import type { TimelineDetailSection, TimelineModel } from '../xray/timelineModel';
import type { CommonHostToWebview, CommonWebviewToHost, StateMessage } from './webviewMessages';

/** The webview type of the panel (createWebviewPanel, registerWebviewPanelSerializer, `onWebviewPanel:`). */
export const TIMELINE_VIEW_TYPE = 'xrayLens.timeline';

export interface TimelineState {
  traceId: string;
  /** Absent while the first fetch runs, or when the trace could not be shown (then `message` says why). */
  model?: TimelineModel;
  /** Where the trace came from: "local :2000", "AWS us-east-1". */
  sourceLabel?: string;
  message?: string;
  /** Segment documents the source returned that did not parse, one line each. */
  warnings: string[];
}

/** webview → host: send the details of this row (an index into the model's rows). */
export interface DetailsRequestMessage {
  type: 'details';
  row: number;
}

/** webview → host: open the code this row maps to (the host uses the row's source from its own model). */
export interface GoToSourceMessage {
  type: 'goToSource';
  row: number;
}

/** webview → host: which rows match this search (name, annotations, metadata, SQL, URL)? */
export interface SearchRequestMessage {
  type: 'search';
  query: string;
}

/** webview → host: fetch the trace again (it may have grown). */
export interface RefreshTimelineMessage {
  type: 'refresh';
}

/** host → webview: the details of one row, as text sections. */
export interface DetailsMessage {
  type: 'details';
  row: number;
  sections: TimelineDetailSection[];
}

/** host → webview: the rows that match `query` (as the webview sent it), in row order. */
export interface SearchResultMessage {
  type: 'searchResult';
  query: string;
  rows: Int32Array;
}

export type TimelineWebviewToHost = CommonWebviewToHost | DetailsRequestMessage | GoToSourceMessage | SearchRequestMessage | RefreshTimelineMessage;
export type TimelineHostToWebview = StateMessage<TimelineState> | DetailsMessage | SearchResultMessage | CommonHostToWebview;

/** Kept by the webview across reloads (vscode.setState) and handed to the panel serializer. */
export interface TimelinePersisted {
  traceId: string;
  /** Ids of collapsed rows. */
  collapsed?: string[];
  /** Id of the selected row. */
  selected?: string;
  search?: string;
}
