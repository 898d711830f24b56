import { createPool, type Pool } from '@qr/db';
import { RabbitManagement, StompTransport } from '@qr/lemur';
import type { CliConfig } from './config.js';

/** Connections a command needs, made on first use and all closed at the end. */
export class CliContext {
  private pool_: Pool | undefined;
  private transport_: StompTransport | undefined;
  readonly management: RabbitManagement;

  constructor(readonly config: CliConfig) {
    this.management = new RabbitManagement({ url: config.rabbitmqManagementUrl, login: config.stompLogin, passcode: config.stompPasscode, vhost: config.stompVhost });
  }

  get pool(): Pool {
    this.pool_ ??= createPool(this.config.databaseUrl, { max: 4, onError: () => {} });
    return this.pool_;
  }

  /** The command's shared broker connection, closed at the end. */
  async transport(): Promise<StompTransport> {
    this.transport_ ??= await this.connect();
    return this.transport_;
  }

  /** A new broker connection, owned by the caller. */
  readonly connect = async (): Promise<StompTransport> => {
    const transport = new StompTransport({
      url: this.config.stompUrl, login: this.config.stompLogin, passcode: this.config.stompPasscode,
      vhost: this.config.stompVhost, managementUrl: this.config.rabbitmqManagementUrl,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`cannot reach the broker at ${this.config.stompUrl}`)), 10_000);
    });
    try {
      await Promise.race([transport.connect(), timeout]);
    } catch (error) {
      await transport.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return transport;
  };

  async close(): Promise<void> {
    await this.transport_?.close();
    await this.pool_?.end();
  }
}
