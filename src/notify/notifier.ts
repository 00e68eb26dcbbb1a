import type { Kysely } from 'kysely';
import { describeError } from '../core/errors.ts';
import { escalationLevelAt } from '../core/escalation.ts';
import { newId } from '../core/ids.ts';
import { onCallAt } from '../core/rotation.ts';
import { type Alert, toAlert } from '../monitoring/alerts/records.ts';
import type { Database } from '../store/index.ts';
import { listWebhookChannels } from './channels.ts';
import type { NotifyDeps } from './deps.ts';
import { currentPolicy, type EscalationPolicy } from './escalation-policy.ts';
import { type Notification, renderNotification } from './messages.ts';
import { loadSchedule, rotationOf } from './schedules.ts';
import { postWebhook } from './webhook.ts';

export interface NotifierOptions {
  /** Alertmanager's group_wait: wait this long after a group's first alert, so a burst goes in one message. */
  groupWaitMs?: number;
  /** group_interval: at most one message per group this often while alerts keep changing. */
  groupIntervalMs?: number;
  /** repeat_interval: remind of alerts still firing this often. */
  repeatIntervalMs?: number;
  maxAttempts?: number;
}

const system = { id: 'notify', label: 'notify' };

interface GroupState {
  firstChangeAt: number | null;
  lastSentAt: number | null;
}

/**
 * Sends alert notifications: groups per instance (wait, interval, repeat), routes by business hours
 * (support by day, on-call levels by night and on weekends), escalates unacknowledged alerts level by
 * level, and delivers through email and webhooks with retries and a delivery log.
 */
export class Notifier {
  readonly #deps: NotifyDeps;
  readonly #options: Required<NotifierOptions>;
  readonly #groups = new Map<string, GroupState>();
  #running: Promise<void> = Promise.resolve();

  constructor(deps: NotifyDeps, options: NotifierOptions = {}) {
    this.#deps = deps;
    this.#options = {
      groupWaitMs: options.groupWaitMs ?? 30_000,
      groupIntervalMs: options.groupIntervalMs ?? 5 * 60_000,
      repeatIntervalMs: options.repeatIntervalMs ?? 4 * 3_600_000,
      maxAttempts: options.maxAttempts ?? 5,
    };
  }

  /** One pass: group notifications, escalations, then due deliveries. Passes never overlap. */
  run(): Promise<void> {
    this.#running = this.#running.then(async () => {
      const now = this.#deps.clock.now().getTime();
      try {
        const policy = await currentPolicy(this.#deps.store);
        await this.#notifyGroups(now, policy);
        await this.#escalate(now, policy);
        await this.deliverDue(now);
      } catch (error) {
        this.#deps.logger?.error({ err: describeError(error) }, 'notification pass failed');
      }
    });
    return this.#running;
  }

  async #notifyGroups(now: number, policy: EscalationPolicy | null): Promise<void> {
    const changed = (
      await this.#deps.store.db
        .selectFrom('alerts')
        .selectAll()
        .where('fired_at', 'is not', null)
        .where('suppressed_by', 'is', null)
        .where((eb) =>
          eb.or([
            eb.and([
              eb('state', '=', 'firing'),
              eb.or([eb('notified_state', 'is', null), eb('notified_state', '!=', 'firing')]),
            ]),
            eb.and([eb('state', '=', 'resolved'), eb('notified_state', '=', 'firing')]),
          ]),
        )
        .execute()
    ).map(toAlert);
    const byGroup = new Map<string, Alert[]>();
    for (const alert of changed) byGroup.set(alert.groupKey, [...(byGroup.get(alert.groupKey) ?? []), alert]);
    for (const [groupKey, alerts] of byGroup) {
      const group = this.#groups.get(groupKey) ?? { firstChangeAt: null, lastSentAt: null };
      this.#groups.set(groupKey, group);
      group.firstChangeAt ??= now;
      const dueAt =
        group.lastSentAt === null
          ? group.firstChangeAt + this.#options.groupWaitMs
          : group.lastSentAt + this.#options.groupIntervalMs;
      if (now < dueAt) continue;
      // The message carries the group's whole picture: what changed and what is still firing.
      const stillFiring = (
        await this.#deps.store.db
          .selectFrom('alerts')
          .selectAll()
          .where('group_key', '=', groupKey)
          .where('state', '=', 'firing')
          .where('suppressed_by', 'is', null)
          .execute()
      ).map(toAlert);
      const all = [...new Map([...stillFiring, ...alerts].map((alert) => [alert.id, alert])).values()];
      await this.#send(
        all,
        alerts.some((alert) => alert.state === 'firing') ? 'firing' : 'resolved',
        now,
        policy,
      );
      group.lastSentAt = now;
      group.firstChangeAt = null;
    }
    // Reminders for groups that still fire without change.
    for (const [groupKey, group] of this.#groups) {
      if (
        byGroup.has(groupKey) ||
        group.lastSentAt === null ||
        now < group.lastSentAt + this.#options.repeatIntervalMs
      )
        continue;
      const firing = (
        await this.#deps.store.db
          .selectFrom('alerts')
          .selectAll()
          .where('group_key', '=', groupKey)
          .where('state', '=', 'firing')
          .where('suppressed_by', 'is', null)
          .execute()
      ).map(toAlert);
      if (firing.length === 0) {
        this.#groups.delete(groupKey);
        continue;
      }
      await this.#send(firing, 'repeat', now, policy);
      group.lastSentAt = now;
    }
  }

  /** Support by day; by night the on-call level 1 (and everyone paged since, for a resolution). */
  async #recipients(
    alerts: readonly Alert[],
    now: number,
    policy: EscalationPolicy | null,
  ): Promise<string[]> {
    if (!policy) return [];
    const route = alerts.find((alert) => alert.route !== null)?.route ?? 'support';
    if (route === 'support') return policy.support;
    const reached = Math.max(1, ...alerts.map((alert) => alert.level));
    const people = new Set<string>();
    for (const level of policy.levels.slice(0, reached)) {
      const person = await this.#onCall(level.scheduleId, now);
      if (person) people.add(person);
    }
    return [...people];
  }

  async #onCall(scheduleId: string, now: number): Promise<string | null> {
    const schedule = await loadSchedule(this.#deps.store, scheduleId);
    return schedule ? (onCallAt(rotationOf(schedule), now)?.user ?? null) : null;
  }

  async #send(alerts: Alert[], reason: string, now: number, policy: EscalationPolicy | null): Promise<void> {
    const notification = renderNotification(alerts, reason, {
      publicUrl: this.#deps.publicUrl,
      linkKey: this.#deps.linkKey,
    });
    const recipients = await this.#recipients(alerts, now, policy);
    const webhooks = await listWebhookChannels(this.#deps);
    await this.#deps.store.db.transaction().execute(async (trx) => {
      await this.#queue(trx, notification, reason, now, recipients, webhooks);
      for (const alert of alerts) {
        const paged =
          alert.state === 'firing' && alert.route === 'oncall' && alert.level === 0 ? { level: 1 } : {};
        await trx
          .updateTable('alerts')
          .set({
            notified_state: alert.state === 'resolved' ? 'resolved' : 'firing',
            ...paged,
            updated_at: now,
          })
          .where('id', '=', alert.id)
          .execute();
      }
      await this.#deps.audit.append(
        {
          actor: system,
          action: 'alert.notify',
          target: alerts[0]?.groupKey ?? null,
          result: 'ok',
          details: { reason, alerts: notification.alertIds, recipients, webhooks: webhooks.length },
        },
        { db: trx },
      );
    });
  }

  async #queue(
    db: Kysely<Database>,
    notification: Notification,
    reason: string,
    now: number,
    recipients: readonly string[],
    webhooks: ReadonlyArray<{ id: string }>,
  ): Promise<void> {
    const payload = JSON.stringify({
      subject: notification.subject,
      text: notification.text,
      alertIds: notification.alertIds,
      document: notification.document,
    });
    const rows = [
      ...recipients.map((recipient) => ({ channel_id: 'email', recipient })),
      ...webhooks.map((channel) => ({ channel_id: channel.id, recipient: channel.id })),
    ];
    for (const row of rows) {
      await db
        .insertInto('notification_deliveries')
        .values({
          id: newId('ntf', new Date(now)),
          alert_id: notification.alertIds[0] ?? '',
          channel_id: row.channel_id,
          reason,
          recipient: row.recipient,
          payload,
          state: 'pending',
          attempts: 0,
          last_error: null,
          next_attempt_at: now,
          created_at: now,
          sent_at: null,
        })
        .execute();
    }
  }

  /** Unacknowledged on-call alerts page the next level once the current level's timeout has passed. */
  async #escalate(now: number, policy: EscalationPolicy | null): Promise<void> {
    if (!policy || policy.levels.length < 2) return;
    const alerts = (
      await this.#deps.store.db
        .selectFrom('alerts')
        .selectAll()
        .where('state', '=', 'firing')
        .where('route', '=', 'oncall')
        .where('acknowledged_at', 'is', null)
        .where('suppressed_by', 'is', null)
        .where('level', '>=', 1)
        .execute()
    ).map(toAlert);
    for (const alert of alerts) {
      const level = escalationLevelAt(alert.firedAt?.getTime() ?? now, now, policy.levels);
      if (level <= alert.level) continue;
      const people: string[] = [];
      for (const entry of policy.levels.slice(alert.level, level)) {
        const person = await this.#onCall(entry.scheduleId, now);
        if (person) people.push(person);
      }
      const reason = `escalation:${level}`;
      const notification = renderNotification([alert], reason, {
        publicUrl: this.#deps.publicUrl,
        linkKey: this.#deps.linkKey,
      });
      await this.#deps.store.db.transaction().execute(async (trx) => {
        await this.#queue(trx, notification, reason, now, people, []);
        await trx.updateTable('alerts').set({ level, updated_at: now }).where('id', '=', alert.id).execute();
        await this.#deps.audit.append(
          {
            actor: system,
            action: 'alert.escalate',
            target: alert.id,
            result: 'ok',
            details: { from: alert.level, to: level, paged: people },
          },
          { db: trx },
        );
      });
      await this.#tellEscalated({ ...alert, level }, now);
    }
  }

  async #tellEscalated(alert: Alert, now: number): Promise<void> {
    for (const listener of this.#deps.listeners ?? []) {
      try {
        await listener.alertChanged({ kind: 'escalated', alert, at: new Date(now) });
      } catch (error) {
        this.#deps.logger?.warn(
          { err: describeError(error), listener: listener.name },
          'alert listener failed',
        );
      }
    }
  }

  /** Sends deliveries that are due; failures retry with backoff (10 s, 20 s, 40 s…) up to `maxAttempts`. */
  async deliverDue(now: number): Promise<void> {
    const due = await this.#deps.store.db
      .selectFrom('notification_deliveries')
      .selectAll()
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('created_at')
      .limit(100)
      .execute();
    if (due.length === 0) return;
    const webhooks = new Map((await listWebhookChannels(this.#deps)).map((channel) => [channel.id, channel]));
    for (const delivery of due) {
      const payload = JSON.parse(delivery.payload) as {
        subject: string;
        text: string;
        document: Record<string, unknown>;
      };
      let error: string | null = null;
      try {
        if (delivery.channel_id === 'email') {
          await this.#deps.mailer.send({
            to: [delivery.recipient],
            subject: payload.subject,
            text: payload.text,
          });
        } else {
          const channel = webhooks.get(delivery.channel_id);
          if (!channel) throw new Error('the channel was removed');
          await postWebhook(
            channel.url,
            channel.slack ? { text: `${payload.subject}\n${payload.text}` } : payload.document,
          );
        }
      } catch (caught) {
        error = describeError(caught).slice(0, 500);
      }
      const attempts = Number(delivery.attempts) + 1;
      const state = error === null ? 'sent' : attempts >= this.#options.maxAttempts ? 'failed' : 'pending';
      await this.#deps.store.db
        .updateTable('notification_deliveries')
        .set({
          state,
          attempts,
          last_error: error,
          sent_at: error === null ? this.#deps.clock.now().getTime() : null,
          next_attempt_at: now + 10_000 * 2 ** (attempts - 1),
        })
        .where('id', '=', delivery.id)
        .execute();
      if (state === 'failed') {
        this.#deps.logger?.warn(
          { delivery: delivery.id, channel: delivery.channel_id, error },
          'notification delivery failed for good',
        );
      }
    }
  }
}
