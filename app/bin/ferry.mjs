#!/usr/bin/env node
// The `ferry` command. Ferry is written in TypeScript and runs from source through tsx's loader,
// so `npx ferry …` works straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../cli/index.ts');
process.exitCode = await runCli(process.argv);
