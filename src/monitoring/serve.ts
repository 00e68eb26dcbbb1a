import { randomBytes } from 'node:crypto';
import type { Roost } from '../main.ts';
import { type Mailer, Notifier } from '../notify/index.ts';
import { createMonitoringService, type MonitoringService } from './service.ts';

const linkKeyName = 'alert-link-key';

/** The key that signs acknowledge/resolve links: made once, kept in the vault. */
export async function alertLinkKey(roost: Pick<Roost, 'vault'>): Promise<Buffer> {
  try {
    return Buffer.from(await roost.vault.reveal('roost', linkKeyName), 'base64');
  } catch {
    const key = randomBytes(32).toString('base64');
    await roost.vault.put('roost', linkKeyName, 'key', key);
    return Buffer.from(key, 'base64');
  }
}

/** Roost's mailer; without `smtp.host` every mail delivery fails and says why in the delivery log. */
function mailerOf(roost: Roost): Mailer {
  if (!roost.mailer) {
    return {
      send: async () => {
        throw new Error('no SMTP server configured (smtp.host, ROOST_SMTP_HOST)');
      },
    };
  }
  return roost.mailer;
}

/** Starts the scheduler, alerting and notifications of `roost serve`. */
export async function startMonitoring(roost: Roost, adminUrl: string): Promise<MonitoringService> {
  const deps = { store: roost.store, clock: roost.clock, audit: roost.audit, logger: roost.logger };
  const mailer = mailerOf(roost);
  const notifier = new Notifier({
    ...deps,
    mailer,
    linkKey: await alertLinkKey(roost),
    publicUrl: roost.config.monitoring.publicUrl ?? adminUrl,
    listeners: roost.alerting.listeners,
  });
  const service = createMonitoringService(
    {
      ...deps,
      listeners: roost.alerting.listeners,
      ...(roost.alerting.maintenance ? { maintenance: roost.alerting.maintenance } : {}),
    },
    notifier,
  );
  await service.start();
  return {
    ...service,
    stop: async () => {
      await service.stop();
      mailer.close?.();
    },
  };
}
