import { describe, expect, it } from 'vitest';
import { controlAddressOf, engineChildCommand } from './engine-child.js';

describe('the engine child', () => {
  it('runs ferry sync on the Node inside Electron', () => {
    expect(
      engineChildCommand({
        execPath: '/opt/Ferry/ferry',
        ferryEntry: '/opt/Ferry/resources/app/bin/ferry.mjs',
        home: '/h',
        folder: '/f',
        packaged: true,
      }),
    ).toEqual({
      command: '/opt/Ferry/ferry',
      args: [
        '/opt/Ferry/resources/app/bin/ferry.mjs',
        'sync',
        '--json',
        '--ui-port',
        '0',
        '--home',
        '/h',
        '--folder',
        '/f',
      ],
      env: { ELECTRON_RUN_AS_NODE: '1', FERRY_PACKAGED: '1' },
    });
  });

  it('reads the control address from its control event, and nothing else', () => {
    const token = 'A'.repeat(43);
    expect(
      controlAddressOf(
        JSON.stringify({ type: 'control', url: `http://127.0.0.1:5123/#token=${token}` }),
      ),
    ).toEqual({
      origin: 'http://127.0.0.1:5123',
      token,
    });
    for (const line of [
      'Syncing /f',
      '{not json',
      JSON.stringify({ type: 'state', state: 'idle' }),
      JSON.stringify({ type: 'control', url: `http://evil.example:5123/#token=${token}` }),
      JSON.stringify({ type: 'control', url: 'http://127.0.0.1:5123/' }),
      JSON.stringify({ type: 'control', url: 5 }),
      JSON.stringify({ type: 'control', url: 'not a url' }),
    ]) {
      expect(controlAddressOf(line), line).toBeUndefined();
    }
  });
});
