// DOM helpers for the webviews that can only ever put text into the page: no innerHTML, no event-handler
// attributes, no URLs. Every string from trace data goes through `textContent` or a plain attribute value.

export interface ElementOptions {
  class?: string;
  title?: string;
  role?: string;
  ariaLabel?: string;
  /** Other attributes; names that could run or load something (on*, href, src, style, ...) are refused. */
  attrs?: Record<string, string | number>;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

// Attributes whose value can execute script, load a resource or inject style; never set from here.
const FORBIDDEN_ATTRIBUTE = /^(on|href$|xlink:href$|src$|srcset$|srcdoc$|action$|formaction$|style$|data$|poster$|background$)/i;

/** An HTML element with `text` as its only content (a text node). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  applyOptions(element, options);
  if (text !== undefined) element.textContent = text;
  return element;
}

/** An SVG element (created in the SVG namespace) with numeric or string attributes and optional text. */
export function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) setAttribute(element, name, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Sets an attribute unless its name is one that could run or load something. */
export function setAttribute(element: Element, name: string, value: string | number): void {
  if (FORBIDDEN_ATTRIBUTE.test(name)) throw new Error(`refusing to set the attribute ${name}`);
  element.setAttribute(name, String(value));
}

/** Replaces an element's children (cheaper and clearer than assigning markup). */
export function replaceChildren(parent: Element, ...children: (Node | string)[]): void {
  parent.replaceChildren(...children);
}

function applyOptions(element: Element, options: ElementOptions): void {
  if (options.class) element.className = options.class;
  if (options.title !== undefined) element.setAttribute('title', options.title);
  if (options.role) element.setAttribute('role', options.role);
  if (options.ariaLabel !== undefined) element.setAttribute('aria-label', options.ariaLabel);
  for (const [name, value] of Object.entries(options.attrs ?? {})) setAttribute(element, name, value);
}
