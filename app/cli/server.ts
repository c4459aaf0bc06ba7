/**
 * `ferry server`: starts the reference server in the foreground. Flags override FERRY_*
 * environment variables (docs/server.md). Prints where it listens; SIGINT/SIGTERM shut it down
 * gracefully (in-flight requests finish, long-polls are released, the database is closed).
 */
import { Option, type Command } from 'commander';
import type { ServerOptions } from 'server-mock';
import { UsageError } from './cli-errors.js';
import { parsePort } from './flag-parsers.js';

interface ServerFlags {
  data?: string;
  port?: number;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  logLevel?: ServerOptions['logLevel'];
  publicUrl?: string;
  metadata?: string;
  blocks?: string;
  blocksReplica?: string;
  bus?: string;
}

/**
 * A password on the command line is visible to every user of the machine (`ps`): a Redis URL
 * that carries one comes from FERRY_BUS instead.
 */
function refusePasswordFlag(url: string | undefined): void {
  if (url === undefined) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return; // the server names what is wrong with it
  }
  if (parsed.password !== '') {
    throw new UsageError(
      '--bus: put a Redis URL with a password in FERRY_BUS, not on the command line (ps shows it)',
    );
  }
}

/** Resolves when the process receives SIGINT or SIGTERM. */
function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description(
      'start the Ferry reference server (metadata in SQLite or PostgreSQL, blocks on disk or S3, several instances over Redis)',
    )
    .option('--data <dir>', 'data folder (database, blocks, master key); env FERRY_DATA_DIR')
    .option('--port <n>', 'TCP port, 0 for any free one (default 8787); env FERRY_PORT', parsePort)
    .option('--host <host>', 'address to listen on (default 127.0.0.1); env FERRY_HOST')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS; env FERRY_TLS_CERT')
    .option('--tls-key <file>', 'PEM private key for --tls-cert; env FERRY_TLS_KEY')
    .option(
      '--public-url <url>',
      'base URL clients reach this server at (default: the listening address); env FERRY_PUBLIC_URL',
    )
    .option(
      '--metadata <where>',
      'metadata: sqlite (default) or postgres://USER@HOST:PORT/DB (password: PGPASSWORD); env FERRY_METADATA',
    )
    .option(
      '--blocks <where>',
      "block storage: local (default) or 's3://BUCKET?endpoint=URL&region=R'; env FERRY_BLOCKS",
    )
    .option(
      '--blocks-replica <where>',
      'a second block store, written too and read when the first fails; env FERRY_BLOCKS_REPLICA',
    )
    .option(
      '--bus <where>',
      'wake-ups between instances: local (default) or redis://HOST:PORT; env FERRY_BUS',
    )
    .addOption(
      new Option(
        '--log-level <level>',
        'log level: silent, error, warn, info (default) or debug; env FERRY_LOG_LEVEL',
      ),
    )
    .action(async (flags: ServerFlags) => {
      // Loaded here, not at the top: every other command starts half a second faster without it.
      const { LOG_LEVELS, startServer } = await import('server-mock');
      if (flags.logLevel !== undefined && !LOG_LEVELS.includes(flags.logLevel)) {
        throw new UsageError(
          `--log-level must be one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(flags.logLevel)}`,
        );
      }
      refusePasswordFlag(flags.bus);
      const server = await startServer({
        dataDir: flags.data,
        port: flags.port,
        host: flags.host,
        tlsCertFile: flags.tlsCert,
        tlsKeyFile: flags.tlsKey,
        logLevel: flags.logLevel,
        publicUrl: flags.publicUrl,
        metadata: flags.metadata,
        blocks: flags.blocks,
        blocksReplica: flags.blocksReplica,
        bus: flags.bus,
      });
      process.stdout.write(
        `Ferry server listening on ${server.url} (data: ${server.config.dataDir})\n`,
      );
      const signal = await waitForSignal();
      process.stdout.write(`${signal}: shutting down\n`);
      await server.close();
      process.stdout.write('stopped\n');
    });
}
