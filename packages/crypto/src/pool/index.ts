/** Batched signature recovery, Merkle level hashing and CommP, on the calling thread or on a worker pool. */

export {
  type LevelHasher,
  type PieceCommitter,
  PoolError,
  PoolErrorCode,
  type SignatureRecoverer,
} from "./interface.js";
export { SingleThreadCrypto } from "./singleThread.js";
export { CryptoPool, type CryptoPoolOpts, createCryptoPool, defaultCryptoPoolOpts } from "./workerPool.js";
