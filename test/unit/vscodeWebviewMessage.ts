// What Webview.postMessage does to a message on its way to the page, as VS Code (engines ≥ 1.57) does it
// (vscode src/vs/workbench/api/common/extHostWebviewMessaging.ts): every ArrayBuffer and typed array is taken
// out and sent as a binary buffer beside the JSON, then put back as the same type in the webview. The
// timeline's tests check that its model survives this; bench/timeline.bench.mjs measures it.

const TYPED_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array] as const;
type TypedArrayConstructor = (typeof TYPED_ARRAYS)[number];
const REFERENCE = '$$vscode_array_buffer_reference$$';

interface BufferReference {
  [REFERENCE]: true;
  index: number;
  view?: { type: number; byteLength: number; byteOffset: number };
}

/** The JSON text and the buffers the extension host sends for `message`. */
export function serializeWebviewMessage(message: unknown): { json: string; buffers: ArrayBuffer[] } {
  const buffers: ArrayBuffer[] = [];
  const add = (buffer: ArrayBufferLike) => {
    let index = buffers.indexOf(buffer as ArrayBuffer);
    if (index < 0) index = buffers.push(buffer as ArrayBuffer) - 1;
    return index;
  };
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof ArrayBuffer) return { [REFERENCE]: true, index: add(value) };
    if (ArrayBuffer.isView(value)) {
      // VS Code matches the constructor's name; a view it does not know (DataView) goes as plain JSON.
      const type = TYPED_ARRAYS.findIndex((c) => c.name === value.constructor.name);
      if (type >= 0) return { [REFERENCE]: true, index: add(value.buffer), view: { type, byteLength: value.byteLength, byteOffset: value.byteOffset } };
    }
    return value;
  });
  return { json, buffers };
}

/** The message as the webview receives it (buffers copied, as they are once they crossed the process boundary). */
export function deserializeWebviewMessage(json: string, buffers: readonly ArrayBuffer[]): unknown {
  const copies = buffers.map((b) => b.slice(0));
  return JSON.parse(json, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || !(value as Partial<BufferReference>)[REFERENCE]) return value;
    const ref = value as BufferReference;
    const buffer = copies[ref.index];
    if (!ref.view) return buffer;
    const Type: TypedArrayConstructor = TYPED_ARRAYS[ref.view.type];
    return new Type(buffer, ref.view.byteOffset, ref.view.byteLength / Type.BYTES_PER_ELEMENT);
  });
}
