// Trace data shown as text that cannot rearrange or hide itself: control characters and Unicode direction
// overrides/isolates (which would reverse the rest of a label, "svc\u202Egnp.exe") are shown as visible
// markers, and long names are clipped for labels (the full text goes into a tooltip or the side panel).

// C0/C1 controls (tab and newline included: labels are one line), bidi embeddings/overrides/isolates/marks,
// zero-width and BOM characters.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** `text` with every invisible or direction-changing character replaced by a visible ⟨U+XXXX⟩ marker. */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** visibleText, clipped to `max` characters (by code point, so no half surrogate pair) with an ellipsis. */
export function labelText(text: string, max: number): string {
  const visible = [...visibleText(text)];
  return visible.length <= max ? visible.join('') : `${visible.slice(0, Math.max(1, max - 1)).join('')}…`;
}
