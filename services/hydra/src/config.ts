import { parseCommonConfig, parsePort, parsePositiveInt, requireUrl, type CommonConfig, type Env } from '@qr/runtime';

export interface HydraConfig extends CommonConfig {
  healthPort: number;
  /** smtp://user:pass@host:port or smtps://…; unset: emails are written to mailDir */
  smtpUrl: string | undefined;
  mailDir: string;
  mailFrom: string;
  /** the base of links in emails */
  publicUrl: string;
  digestIntervalSeconds: number;
}

export function loadHydraConfig(env: Env = process.env): HydraConfig {
  const config: HydraConfig = {
    ...parseCommonConfig(env),
    healthPort: parsePort('HEALTH_PORT', env.HEALTH_PORT, 0),
    smtpUrl: env.SMTP_URL || undefined,
    mailDir: env.MAIL_DIR ?? '.data/mail',
    mailFrom: env.MAIL_FROM ?? 'Question Router <noreply@question-router.local>',
    publicUrl: env.PUBLIC_URL ?? 'http://127.0.0.1:3000',
    digestIntervalSeconds: parsePositiveInt('DIGEST_INTERVAL_SECONDS', env.DIGEST_INTERVAL_SECONDS, 60),
  };
  if (config.smtpUrl) requireUrl('SMTP_URL', config.smtpUrl, ['smtp:', 'smtps:']);
  requireUrl('PUBLIC_URL', config.publicUrl, ['http:', 'https:']);
  return config;
}
