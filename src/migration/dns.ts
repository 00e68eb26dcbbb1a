import { spawn } from 'node:child_process';
import { isIPv4 } from 'node:net';
import type { Config } from '../config/index.ts';
import { RoostError } from '../core/errors.ts';
import type { Vault } from '../vault/index.ts';

/** The vault owner and name of the TSIG secret (`roost dns key set`). */
export const dnsKeyOwner = 'installation:dns';
export const dnsKeyName = 'tsig-secret';

export type DnsSettings = Config['dns'];

/** Where an instance's name points: an IPv4 address and the port its API listens on. */
export interface Placement {
  address: string;
  port: number;
}

export const instanceName = (slug: string, zone: string): string => `${slug}.${zone}`;
/** The SRV record carrying the port: both placements may share one address (loopback) with different ports. */
export const serviceName = (slug: string, zone: string): string => `_http._tcp.${slug}.${zone}`;

/** `http://127.0.0.1:41234` → `{ address, port }`; refuses what an A record cannot carry. */
export function placementOf(endpoint: string): Placement {
  const url = new URL(endpoint);
  const address = url.hostname;
  if (!isIPv4(address))
    throw new RoostError(
      'internal',
      `endpoint ${endpoint} is not an IPv4 address: an A record cannot name it`,
    );
  return { address, port: Number(url.port || 80) };
}

/**
 * Points `<slug>.<zone>` at the placement: the A record replaced, and an SRV record with the port, in one
 * RFC 2136 update signed with TSIG (hmac-sha256). `nsupdate` reads the key and the commands on standard
 * input: the secret is never in argv, the environment or a file.
 */
export async function switchName(
  settings: DnsSettings,
  vault: Vault,
  slug: string,
  placement: Placement,
): Promise<{ records: string[] }> {
  if (!settings.server) throw new RoostError('internal', 'dns.server is not configured');
  let secret: string;
  try {
    secret = await vault.reveal(dnsKeyOwner, dnsKeyName);
  } catch (error) {
    throw new RoostError(
      'conflict',
      'dns: no TSIG secret in the vault; set it with `roost dns key set` (reads standard input)',
      undefined,
      { cause: error },
    );
  }
  const name = `${instanceName(slug, settings.zone)}.`;
  const service = `${serviceName(slug, settings.zone)}.`;
  const records = [
    `${name} ${settings.ttl} A ${placement.address}`,
    `${service} ${settings.ttl} SRV 0 0 ${placement.port} ${name}`,
  ];
  const script = [
    `server ${settings.server} ${settings.port}`,
    `key hmac-sha256:${settings.keyName} ${secret}`,
    `zone ${settings.zone}.`,
    `update delete ${name} A`,
    `update add ${records[0]}`,
    `update delete ${service} SRV`,
    `update add ${records[1]}`,
    'send',
    '',
  ].join('\n');
  const { code, output } = await runNsupdate(script);
  if (code !== 0) {
    throw new RoostError(
      'unavailable',
      `dns: the update of ${name} on ${settings.server}:${settings.port} was refused or failed: ${summarise(output)}`,
      { server: settings.server, zone: settings.zone },
    );
  }
  return { records };
}

/** nsupdate's own words, without anything that looks like the key line (it never echoes it; belt and braces). */
function summarise(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('key '));
  return lines.slice(-3).join('; ') || 'no answer';
}

function runNsupdate(script: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    // -v: TCP (the update and its answer in one connection); -t: give up after 10 s.
    const child = spawn('nsupdate', ['-v', '-t', '10'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', (error) =>
      reject(new RoostError('unavailable', `dns: cannot run nsupdate (bind9-dnsutils): ${error.message}`)),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
    child.stdin.end(script);
  });
}
