import { describe, expect, it } from 'vitest';
import { runFerry } from './cli-harness.fixture.js';

const COMMANDS = [
  'signup',
  'login',
  'logout',
  'account',
  'history',
  'restore',
  'share',
  'shares',
  'unshare',
  'activity',
];

describe('ferry', () => {
  it.each(COMMANDS)('%s has --help, with --home and --json', async (command) => {
    const run = await runFerry([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: ferry ${command}`);
    expect(run.stdout).toContain('--home <dir>');
    expect(run.stdout).toContain('--json');
  });

  it('lists every command in its own help', async () => {
    const run = await runFerry(['--help']);
    for (const command of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('prints parse errors as ferry: …, exit 2', async () => {
    const run = await runFerry(['shares', '--bogus']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ferry: unknown option '--bogus'/);
  });
});
