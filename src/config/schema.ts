import { IANAZone } from 'luxon';
import { z } from 'zod';

const listenPattern = /^(?:(?<host>\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):)?(?<port>\d{1,5})$/;

export interface ListenAddress {
  host: string;
  port: number;
}

/** `host:port`, `:port` (all interfaces) or `[::1]:port`. */
export const listenAddress = z.string().transform((value, context): ListenAddress => {
  const match = listenPattern.exec(value);
  const port = Number(match?.groups?.port);
  if (!match || port > 65535) {
    context.addIssue({
      code: 'custom',
      message: 'expected host:port (for example 127.0.0.1:7070)',
      input: value,
    });
    return z.NEVER;
  }
  const host = match.groups?.host ?? '';
  return { host: host === '' ? '0.0.0.0' : host.replace(/^\[|\]$/g, ''), port };
});

const databaseUrl = z
  .string()
  .refine((value) => /^(postgres|postgresql):\/\/[^\s]+$|^sqlite:.+$/.test(value), {
    message: 'expected postgres://user@host:port/database or sqlite:<path>',
  });

const timeZone = z.string().refine((value) => IANAZone.isValidZone(value), {
  message: 'expected an IANA time zone such as Europe/Paris',
});

const base64Key = z.string().refine((value) => Buffer.from(value, 'base64').length === 32, {
  message: 'expected 32 bytes encoded in base64 (openssl rand -base64 32)',
});

export const configSchema = z
  .object({
    dataDir: z.string().min(1).default('./.roost'),
    databaseUrl: databaseUrl.optional(),
    masterKey: base64Key.optional(),
    /** Keys a rotation moves away from; needed only while `roost vault rotate` runs. */
    previousMasterKeys: z.array(base64Key).default([]),
    masterPassphrase: z.string().min(16, 'expected at least 16 characters').optional(),
    timeZone: timeZone.default('Europe/Paris'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    admin: z
      .object({
        listen: listenAddress.prefault('127.0.0.1:7070'),
        allowPublicBind: z.boolean().default(false),
        /** PEM files; required to bind the admin server anywhere but loopback. */
        tlsCert: z.string().min(1).optional(),
        tlsKey: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    status: z
      .object({
        listen: listenAddress.prefault(':7080'),
        domain: z.string().default('localhost'),
        /** Processes serving the status listener (SO_REUSEPORT); 0 = one per CPU core. */
        processes: z.number().int().min(0).max(64).default(1),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        sessionIdleMinutes: z.number().int().min(1).max(1_440).default(15),
        sessionLifetimeHours: z.number().int().min(1).max(720).default(12),
        /** fail2ban-like: `maxFailures` within `findMinutes` → a ban of `banMinutes`, doubled per repeat offence. */
        maxFailures: z.number().int().min(1).max(1_000).default(5),
        findMinutes: z.number().int().min(1).max(1_440).default(10),
        banMinutes: z.number().int().min(1).max(10_080).default(10),
        maxBanMinutes: z.number().int().min(1).max(525_600).default(1_440),
      })
      .strict()
      .prefault({}),
    /** Where CLI commands go: this machine's state (default) or a remote server's API. */
    client: z
      .object({
        url: z.url({ protocol: /^https?$/ }).optional(),
        /** An API token, or `@<file>` holding one. */
        token: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    /** Where tenant stacks run: `local` processes (the demo) or Docker `swarm` services. */
    runtime: z
      .object({
        default: z.enum(['local', 'swarm']).default('local'),
        /** The Docker engine of a swarm manager node. */
        dockerSocket: z.string().min(1).default('/var/run/docker.sock'),
        /** Images a new swarm instance runs (scripts/build-images tags them; or your registry's). */
        images: z
          .object({
            api: z.string().min(1).default('roost/sample-api:latest'),
            db: z.string().min(1).default('roost/postgres:latest'),
            cache: z.string().min(1).default('roost/redis:latest'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    jobs: z
      .object({
        concurrency: z.number().int().min(1).max(256).default(4),
        leaseSeconds: z.number().int().min(5).max(86_400).default(60),
      })
      .strict()
      .prefault({}),
    /** Outgoing mail: alert notifications, status-page subscribers, account-manager notices, reports. */
    smtp: z
      .object({
        /** No host: mail deliveries fail (and say so in the delivery log); webhooks still work. */
        host: z.string().min(1).optional(),
        port: z.number().int().min(1).max(65_535).default(25),
        /** TLS from the first byte (port 465); otherwise STARTTLS when offered. */
        secure: z.boolean().default(false),
        /** Plain SMTP even when STARTTLS is offered: only for a relay on loopback. */
        ignoreTls: z.boolean().default(false),
        from: z.string().min(3).default('roost@localhost'),
      })
      .strict()
      .prefault({}),
    monitoring: z
      .object({
        /** Run the probe scheduler, alerting and notifications in `roost serve`. */
        enabled: z.boolean().default(true),
        /** The admin UI's address as people reach it, for links in notifications. */
        publicUrl: z.url({ protocol: /^https?$/ }).optional(),
        /** Addresses that get every instance's weekly report (Monday 08:00, `timeZone`), besides account managers. */
        reportRecipients: z.array(z.email()).default([]),
      })
      .strict()
      .prefault({}),
    backups: z
      .object({
        /** `local`: a directory of this machine; `sftp`: a backup node over SSH (set `sftp`). */
        target: z.enum(['local', 'sftp']).default('local'),
        /** The local target's directory; default `<dataDir>/backups`. */
        directory: z.string().min(1).optional(),
        sftp: z
          .object({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65_535).default(22),
            user: z.string().min(1),
            directory: z.string().startsWith('/'),
            /** The node's pinned host key fingerprint, as `ssh-keygen -l -E sha256` prints it. */
            hostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'expected SHA256:<43 base64 characters>'),
          })
          .strict()
          .optional(),
        keepDaily: z.number().int().min(1).max(3_650).default(20),
        keepWeekly: z.number().int().min(0).max(520).default(0),
        keepMonthly: z.number().int().min(0).max(120).default(0),
        /** Daily backups start in this local window (`timeZone`), spread by instance. */
        windowStart: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM')
          .default('01:00'),
        windowEnd: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM')
          .default('05:00'),
        /** Restore drills: each live instance's latest good backup restored into a throw-away instance. */
        drills: z
          .object({
            /** `weekly` (default), `daily`, `monthly` or `off`; runs inside the backup window. */
            every: z.enum(['daily', 'weekly', 'monthly', 'off']).default('weekly'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .refine((backups) => backups.target !== 'sftp' || backups.sftp !== undefined, {
        message: 'backups.target sftp needs backups.sftp (host, user, directory, hostKey)',
      })
      .prefault({}),
    /**
     * The name switch of a migration: RFC 2136 updates signed with TSIG (`nsupdate`). Without `server`,
     * an instance's name is the endpoint recorded on its row. The TSIG secret lives in the vault
     * (`roost dns key set`), never here.
     */
    dns: z
      .object({
        server: z.string().min(1).optional(),
        port: z.number().int().min(1).max(65_535).default(53),
        /** Instances are named `<slug>.<zone>`. */
        zone: z
          .string()
          .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'a DNS zone name')
          .default('instances.roost.test'),
        keyName: z.string().min(1).max(253).default('roost-update'),
        ttl: z.number().int().min(1).max(86_400).default(60),
      })
      .strict()
      .prefault({}),
    /** The disaster recovery plan: the monthly migration drill (off by default). */
    drp: z
      .object({
        drill: z
          .object({
            enabled: z.boolean().default(false),
            /** The staging instance the drill moves there and back; required when enabled. */
            instance: z.string().min(1).optional(),
            /** Cron expression in `timeZone`; default 04:00 on the first Sunday-ish: the 1st of the month. */
            cron: z.string().min(9).default('0 4 1 * *'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .refine((drp) => !drp.drill.enabled || drp.drill.instance !== undefined, {
        message: 'drp.drill.enabled needs drp.drill.instance (a staging instance)',
      })
      .prefault({}),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;

/** Configuration keys whose values are never printed. */
export const secretKeys = ['masterKey', 'previousMasterKeys', 'masterPassphrase', 'client.token'] as const;
