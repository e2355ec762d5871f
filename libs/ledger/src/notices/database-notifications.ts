import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import { LEDGER_OPTIONS, type LedgerOptions } from '../ledger-options';

export interface NotificationSubscriber {
  notice(payload: string): void;
  /** The connection dropped and came back: notices sent meanwhile are lost, so re-read what they would have said. */
  reconnected(): void;
}

const RECONNECT_DELAY_MS = 500;

/**
 * One LISTEN connection for every Postgres channel the ledger follows (projection progress, experiment
 * publications). It reconnects by itself; subscribers learn when notices may have been missed.
 */
@Injectable()
export class DatabaseNotifications implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseNotifications.name);
  private readonly subscribers = new Map<string, NotificationSubscriber[]>();
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(@Inject(LEDGER_OPTIONS) private readonly config: LedgerOptions) {}

  /** False while the connection is down: notices are not arriving, so nothing should trust a cache they keep fresh. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Resolves once notices on `channel` reach the subscriber. */
  async subscribe(channel: string, subscriber: NotificationSubscriber): Promise<void> {
    const known = this.subscribers.get(channel);
    this.subscribers.set(channel, [...(known ?? []), subscriber]);
    const client = this.client ?? (await (this.connecting ??= this.connect().finally(() => (this.connecting = undefined))));
    if (!known) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<Client> {
    const client = new Client({ connectionString: this.config.database.url, connectionTimeoutMillis: this.config.dependencyTimeoutMs, keepAlive: true });
    client.on('notification', (message: Notification) => {
      for (const subscriber of this.subscribers.get(message.channel) ?? []) subscriber.notice(message.payload ?? '');
    });
    client.on('error', (error) => this.logger.warn(`database notifications: ${error.message}`));
    try {
      await client.connect();
      for (const channel of this.subscribers.keys()) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    // Only a connection that was up schedules a reconnect when it drops; a failed first attempt fails start-up.
    client.once('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.scheduleReconnect();
    });
    this.client = client;
    return client;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed) return;
      this.connect().then(
        () => {
          for (const subscriber of [...this.subscribers.values()].flat()) subscriber.reconnected();
        },
        () => this.scheduleReconnect(),
      );
    }, RECONNECT_DELAY_MS);
  }
}

const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;
