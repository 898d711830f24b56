#!/usr/bin/env node
// The `lemur` command: `npx lemur --help` from the repository root. Runs the TypeScript source through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
