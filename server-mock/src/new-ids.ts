/**
 * Random identifiers for server-created records. 96+ bits of randomness: unguessable and
 * collision-free in practice; the prefix tells a human what kind of id they look at.
 */
import { randomBytes } from 'node:crypto';

/** Kinds of server ids and their prefixes. */
export const ID_PREFIXES = {
  user: 'u_',
  device: 'd_',
  namespace: 'ns_',
  file: 'f_',
  rev: 'r_',
  share: 'sh_',
  upload: 'up_',
  reservation: 'qr_',
  conversion: 'cv_',
} as const;

/** A fresh random id of `kind`, e.g. `createId('rev')` → `r_3kT…`. */
export function createId<T extends string = string>(kind: keyof typeof ID_PREFIXES): T {
  return `${ID_PREFIXES[kind]}${randomBytes(12).toString('base64url')}` as T;
}
