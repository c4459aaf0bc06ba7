/**
 * One-time download addresses for the browser UI: a browser follows a link without sending an
 * Authorization header, so a zip download is asked for with the token (createZipDownload) and
 * served at `/api/downloads/<ticket>`: 32 random bytes, good for one request within a minute.
 * What a ticket names stays in the engine's memory only.
 */

/** Options of {@link DownloadTickets}. */
export interface DownloadTicketOptions {
  readonly nowMs: () => number;
  /** 32 random bytes, base64url (crypto in the engine, a seeded source in tests). */
  readonly newTicket: () => string;
  /** How long a ticket stays good; default one minute. */
  readonly ttlMs?: number;
  /** Most tickets outstanding; the oldest go first. */
  readonly maxOutstanding?: number;
}

export const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export class DownloadTickets {
  readonly #options: DownloadTicketOptions;
  readonly #tickets = new Map<string, { path: string; expiresMs: number }>();

  constructor(options: DownloadTicketOptions) {
    this.#options = options;
  }

  /** A new ticket for the zip of `path`. */
  create(path: string): string {
    const ticket = this.#options.newTicket();
    const limit = this.#options.maxOutstanding ?? 100;
    while (this.#tickets.size >= limit) {
      const oldest = this.#tickets.keys().next().value;
      if (oldest === undefined) break;
      this.#tickets.delete(oldest);
    }
    this.#tickets.set(ticket, {
      path,
      expiresMs: this.#options.nowMs() + (this.#options.ttlMs ?? 60_000),
    });
    return ticket;
  }

  /** The path `ticket` was made for, once; undefined when unknown, used or expired. */
  take(ticket: string): string | undefined {
    const found = this.#tickets.get(ticket);
    this.#tickets.delete(ticket);
    if (found === undefined || found.expiresMs < this.#options.nowMs()) return undefined;
    return found.path;
  }
}
