// Types for the parts of the `tdigest` package (0.1.3, plain JavaScript) that latencyStats.ts uses.
declare module 'tdigest' {
  export class TDigest {
    constructor(delta?: number | false, K?: number, CX?: number);
    push(x: number | number[], n?: number): void;
    compress(): void;
    size(): number;
    percentile(p: number): number | undefined;
  }
}
