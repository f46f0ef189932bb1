// `xray-lens` command line: runs the local collector outside VS Code.
export function main(argv: string[]): number {
  process.stdout.write(`usage: xray-lens collect [--address 127.0.0.1:2000] [--sample-all]\n`);
  return argv.length === 0 ? 0 : 2;
}

process.exitCode = main(process.argv.slice(2));
