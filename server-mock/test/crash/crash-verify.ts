/**
 * Checks after a restart, each returning a list of precise problems (empty = fine):
 * acknowledged commits are intact, nothing half-committed is visible, and every open resumable
 * session resumes from at least the acknowledged offset and finishes with the right bytes.
 */
import type { EntryMetadata, FileMetadata, ListRevisionsResponse } from 'sync-engine/protocol';
import type { CrashClient } from './crash-client.js';
import { sameBytes, type CrashLedger, type SessionRecord } from './crash-ledger.js';

const q = encodeURIComponent;

async function download(client: CrashClient, path: string, rev?: string) {
  const revPart = rev === undefined ? '' : `&rev=${q(rev)}`;
  return client.json('GET', `/files/download?path=${q(path)}${revPart}`);
}

/** Every commit answered 200 before the kill is listed and downloads byte for byte. */
export async function checkAckedCommits(
  client: CrashClient,
  ledger: CrashLedger,
): Promise<string[]> {
  const problems: string[] = [];
  for (const path of new Set(ledger.acked.map((a) => a.path))) {
    const res = await client.json('GET', `/files/list_revisions?path=${q(path)}&limit=1000`);
    if (res.status !== 200) {
      problems.push(`list_revisions ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      continue;
    }
    const listed = new Set((res.body as ListRevisionsResponse).revisions.map((r) => r.rev));
    for (const acked of ledger.acked.filter((a) => a.path === path)) {
      if (!listed.has(acked.rev)) problems.push(`acknowledged ${path}@${acked.rev} is not listed`);
      const got = await download(client, path, acked.rev);
      if (got.status !== 200 || !sameBytes(got.bytes, acked.content)) {
        problems.push(
          `acknowledged ${path}@${acked.rev}: ${got.status}, ${got.bytes.length} bytes, want ${acked.content.length} equal bytes`,
        );
      }
    }
  }
  return problems;
}

/** A listed revision must be one whole content that was sent, with all of its blocks. */
async function checkRevision(
  client: CrashClient,
  ledger: CrashLedger,
  path: string,
  revision: { rev: string; size: number },
): Promise<string | undefined> {
  const got = await download(client, path, revision.rev);
  if (got.status !== 200)
    return `${path}@${revision.rev} is listed but download gives ${got.status}`;
  if (got.bytes.length !== revision.size) {
    return `${path}@${revision.rev}: listed size ${revision.size}, downloaded ${got.bytes.length}`;
  }
  const match = ledger.sentAt(path).find((s) => sameBytes(s.content, got.bytes));
  if (!match) return `${path}@${revision.rev}: ${got.bytes.length} bytes that were never sent`;
  if (match.blockIds) {
    const check = await client.json('POST', '/blocks/check', {
      namespace: client.rootNamespace,
      hashes: match.blockIds,
    });
    const missing = (check.body as { missing?: string[] }).missing;
    if (check.status !== 200 || missing?.length !== 0) {
      return `${path}@${revision.rev}: blocks/check ${check.status} missing ${JSON.stringify(missing)}`;
    }
  }
  return undefined;
}

/** Every listed file, and every listed revision of it, is complete (no half-commit). */
export async function checkNoHalfCommits(
  client: CrashClient,
  ledger: CrashLedger,
): Promise<string[]> {
  const problems: string[] = [];
  const list = await client.json('GET', '/files/list?path=/&recursive=true');
  if (list.status !== 200) return [`list /: ${list.status} ${JSON.stringify(list.body)}`];
  const files = (list.body as { entries: EntryMetadata[] }).entries.filter(
    (e): e is FileMetadata => e.type === 'file',
  );
  for (const file of files) {
    const head = await download(client, file.path);
    if (head.status !== 200 || head.bytes.length !== file.size) {
      problems.push(
        `${file.path}: listed ${file.size} bytes, download ${head.status} ${head.bytes.length}`,
      );
    }
    const res = await client.json('GET', `/files/list_revisions?path=${q(file.path)}&limit=1000`);
    if (res.status !== 200) {
      problems.push(`list_revisions ${file.path}: ${res.status}`);
      continue;
    }
    for (const revision of (res.body as ListRevisionsResponse).revisions) {
      const key = `${file.path}@${revision.rev}`;
      if (ledger.verifiedRevs.has(key)) continue;
      const problem = await checkRevision(client, ledger, file.path, revision);
      if (problem) problems.push(problem);
      else ledger.verifiedRevs.add(key);
    }
  }
  return problems;
}

/** Resumes one open session: `bytes *\/total` → 308 + Range, then the rest, then 200. */
async function resumeSession(client: CrashClient, ledger: CrashLedger, session: SessionRecord) {
  const total = session.content.length;
  // Checked once: a failure is reported here and not again after later restarts.
  session.finished = true;
  const status = await client.send('PUT', session.location, undefined, {
    'content-range': `bytes */${total}`,
  });
  if (status.status === 404) {
    // Only fine when the upload had finished (committed) and the answer was lost to the kill.
    const head = await download(client, session.path);
    return head.status === 200 && sameBytes(head.bytes, session.content)
      ? undefined
      : `${session.path}: session gone (404) but the file is not there (${head.status})`;
  }
  let res = status;
  if (status.status === 308) {
    const match = /^bytes=0-(\d+)$/.exec(status.headers.get('range') ?? '');
    const received = match ? Number(match[1]) + 1 : 0;
    if (received < session.ackedBytes) {
      return `${session.path}: server has ${received} bytes, but ${session.ackedBytes} were acknowledged`;
    }
    ledger.resumedSessions++;
    res = await client.send('PUT', session.location, session.content.subarray(received), {
      'content-range': `bytes ${received}-${total - 1}/${total}`,
    });
  }
  if (res.status !== 200)
    return `${session.path}: resume answered ${res.status} ${JSON.stringify(res.body)}`;
  ledger.ack(session.path, (res.body as FileMetadata).rev, session.content);
  const head = await download(client, session.path);
  return sameBytes(head.bytes, session.content)
    ? undefined
    : `${session.path}: resumed upload downloads ${head.bytes.length} bytes, not the ${total} sent`;
}

/** Resumes and finishes every session the workload left open. */
export async function resumeOpenSessions(
  client: CrashClient,
  ledger: CrashLedger,
): Promise<string[]> {
  const problems: string[] = [];
  for (const session of ledger.sessions.filter((s) => !s.finished)) {
    const problem = await resumeSession(client, ledger, session);
    if (problem) problems.push(problem);
  }
  return problems;
}
