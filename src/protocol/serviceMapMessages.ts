// The service map panel's messages (the common part is in webviewMessages.ts). Types only.
import type { ServiceMap } from '../xray/serviceMapModel';
import type { CommonHostToWebview, CommonWebviewToHost, StateMessage } from './webviewMessages';

// The map's shapes travel as they are: the webview reads them from here, never from src/xray.
export type { HistogramBucket, MapEdge, MapHealth, MapNode, MapNodeKind, MapStats, ServiceMap } from '../xray/serviceMapModel';

/** The webview type of the panel (createWebviewPanel, registerWebviewPanelSerializer, `onWebviewPanel:`). */
export const SERVICE_MAP_VIEW_TYPE = 'xrayLens.serviceMap';

export interface ServiceMapState {
  /** Absent when there is nothing to show yet (no source, first fetch running). */
  map?: ServiceMap;
  /** Where the graph came from: "local :2000", "AWS us-east-1". */
  sourceLabel?: string;
  /** Why there is no map (no source, a failed fetch with nothing earlier to show). */
  message?: string;
}

/** What a "Filter traces" click is about: ids of the map the host sent last. */
export type MapSelection = { kind: 'node'; id: string } | { kind: 'edge'; id: string };

/** webview → host: filter the Traces view to traces through the selected node or edge. */
export interface FilterTracesMessage {
  type: 'filterTraces';
  selection: MapSelection;
}

/** webview → host: fetch the graph again now. */
export interface RefreshMessage {
  type: 'refresh';
}

export type ServiceMapWebviewToHost = CommonWebviewToHost | FilterTracesMessage | RefreshMessage;
export type ServiceMapHostToWebview = StateMessage<ServiceMapState> | CommonHostToWebview;

/** Kept by the webview across reloads (vscode.setState) and handed to the panel serializer. */
export interface ServiceMapPersisted {
  selection?: MapSelection;
  /** Pan and zoom: the map-to-screen transform. */
  view?: { x: number; y: number; scale: number };
}
