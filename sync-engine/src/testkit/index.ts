/**
 * The engine's test harness: seeded random data and generators, temporary directories. Only
 * tests, benchmarks and other harness code import it; lint refuses it in product code.
 */
export { createSeededRandom, createSeededUint32 } from './seeded-random.js';
export {
  createSeededFiller,
  seededBytes,
  seededStream,
  writeSeededFile,
  type SeededDataKind,
} from './seeded-data.js';
export { createTestTempDir, useTempDir } from './temp-dir.js';
export { waitUntil } from './wait-until.js';
export { createTlsCertificate, type TlsCertificate } from './tls-certificate.js';
