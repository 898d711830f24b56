import { parseCommonConfig, parsePort, type CommonConfig, type Env } from '@qr/runtime';

export interface HydraConfig extends CommonConfig {
  healthPort: number;
}

export function loadHydraConfig(env: Env = process.env): HydraConfig {
  return { ...parseCommonConfig(env), healthPort: parsePort('HEALTH_PORT', env.HEALTH_PORT, 0) };
}
