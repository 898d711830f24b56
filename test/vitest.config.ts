import { defineConfig } from 'vitest/config';

// These tests start real processes (apis, matchers, hydra, nginx, a network namespace) against the
// shared Postgres and RabbitMQ: on a 2-core machine, files run one at a time so timings stay honest.
export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 30_000, fileParallelism: false } });
