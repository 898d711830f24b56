import { createPool, type Pool } from '@qr/db';
import { RabbitManagement, StompTransport } from '@qr/lemur';
import type { CommonConfig } from '@qr/runtime';

/** Connections a command needs, made on first use and all closed at the end. */
export class CliContext {
  private pool_: Pool | undefined;
  private transport_: StompTransport | undefined;
  readonly management: RabbitManagement;

  constructor(readonly config: CommonConfig) {
    this.management = new RabbitManagement({ url: config.rabbitmqManagementUrl, login: config.stompLogin, passcode: config.stompPasscode, vhost: config.stompVhost });
  }

  get pool(): Pool {
    this.pool_ ??= createPool(this.config.databaseUrl, { max: 4, onError: () => {} });
    return this.pool_;
  }

  async transport(): Promise<StompTransport> {
    if (!this.transport_) {
      this.transport_ = new StompTransport({
        url: this.config.stompUrl, login: this.config.stompLogin, passcode: this.config.stompPasscode,
        vhost: this.config.stompVhost, managementUrl: this.config.rabbitmqManagementUrl,
      });
      const connected = this.transport_.connect();
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`cannot reach the broker at ${this.config.stompUrl}`)), 10_000).unref());
      await Promise.race([connected, timeout]);
    }
    return this.transport_;
  }

  async close(): Promise<void> {
    await this.transport_?.close();
    await this.pool_?.end();
  }
}
