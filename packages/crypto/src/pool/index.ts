/** Batched signature recovery and Merkle level hashing, on the calling thread or on a worker pool. */

export { type LevelHasher, PoolError, PoolErrorCode, type SignatureRecoverer } from "./interface.js";
export { SingleThreadCrypto } from "./singleThread.js";
export { CryptoPool, type CryptoPoolOpts, createCryptoPool, defaultCryptoPoolOpts } from "./workerPool.js";
