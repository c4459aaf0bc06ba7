import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { postgresForSuite } from './postgres-for-suite.js';

const postgres = postgresForSuite();

describe('the PostgreSQL test service', () => {
  it('answers on loopback and keeps a committed row across a crash and restart', async () => {
    const client = new pg.Client({ connectionString: postgres().url });
    await client.connect();
    await client.query('CREATE TABLE kept (id int PRIMARY KEY)');
    await client.query('INSERT INTO kept VALUES (1)');
    await client.end();
    await postgres().restart();
    const again = new pg.Client({ connectionString: postgres().url });
    await again.connect();
    expect((await again.query('SELECT id FROM kept')).rows).toEqual([{ id: 1 }]);
    await again.end();
  }, 60_000);
});
