// host:port addresses as users write them in settings and on the command line ("127.0.0.1:2000", ":2000",
// "2000", "[::1]:2000").
export interface HostPort {
  host: string;
  port: number;
}

export type AddressParseResult = { ok: true; address: HostPort } | { ok: false; message: string };

export function parseHostPort(text: string, defaultHost = '127.0.0.1'): AddressParseResult {
  const value = text.trim();
  const m = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]/]*)):)?(\d{1,5})$/.exec(value);
  if (!m) return { ok: false, message: `"${value.slice(0, 80)}" is not a host:port address (e.g. 127.0.0.1:2000)` };
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return { ok: false, message: `port ${port} is out of range (1-65535)` };
  const host = m[1] ?? (m[2] || defaultHost);
  return { ok: true, address: { host, port } };
}

export function formatHostPort(a: HostPort): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
