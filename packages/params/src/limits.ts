/**
 * Protocol bounds. Every variable-length field on the wire has its limit here, so that the SSZ
 * types, the JSON codecs and the validation rules agree. Changing one is a protocol change.
 */

/** Handles are `[a-z0-9_]{3,32}`. */
export const HANDLE_MIN_LENGTH = 3;
export const HANDLE_MAX_LENGTH = 32;
export const HANDLE_PATTERN = /^[a-z0-9_]{3,32}$/;

/** A CID in its string form (CIDv0 base58 or CIDv1 multibase); a sha256 CIDv1 in base32 is 59 chars. */
export const MAX_CID_BYTES = 128;
/** Collection and token names, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 64;
export const MAX_SYMBOL_BYTES = 16;
/** Data-asset license: an SPDX id or a URL. */
export const MAX_LICENSE_BYTES = 256;
/** Identity attributes: a key such as `twitter` or `game.level`, and a free-form value. */
export const MAX_ATTRIBUTE_KEY_BYTES = 64;
export const MAX_ATTRIBUTE_VALUE_BYTES = 1024;
export const ATTRIBUTE_KEY_PATTERN = /^[a-z0-9_.:-]{1,64}$/;

/** Tokens minted by one AssetBatchMint. */
export const MAX_BATCH_MINT = 256;
/** SessionGrant lists (tokens, their caps, collections, counterparties): at most this many items each. */
export const MAX_SESSION_LIST = 4;
/** Royalty in basis points: 10,000 is 100%. */
export const MAX_ROYALTY_BPS = 10_000;
export const BPS_DENOMINATOR = 10_000n;
/** Social tokens: decimals as in ERC-20. */
export const MAX_TOKEN_DECIMALS = 18;
/** Collections: a supply cap is required; this is its largest value. */
export const MAX_COLLECTION_SUPPLY = 2 ** 40;

/**
 * uint64 fields (nonces, token ids, expiries) travel as JS numbers, so the protocol bounds them to
 * 2^53-1. A larger value is malformed. uint256 fields (amounts, fees, salts) are bigints.
 */
export const MAX_UINT64_SAFE = Number.MAX_SAFE_INTEGER;
export const MAX_UINT256 = (1n << 256n) - 1n;
/**
 * The largest nonce a transaction may carry: the account's nonce after it must still be a uint64
 * (as EIP-2681 bounds Ethereum's). A larger one is an invalid field.
 */
export const MAX_TX_NONCE = MAX_UINT64_SAFE - 1;

/** A signed transaction's SSZ encoding, envelope included. The largest valid message (a full batch mint) fits. */
export const MAX_TX_BYTES = 40 * 1024;
/** The body of a signed transaction (the SSZ message), inside the envelope. */
export const MAX_TX_BODY_BYTES = MAX_TX_BYTES - 128;
/**
 * The most state objects one transaction writes (the SSZ list limit of a preconfirmation's touched
 * list). A full batch mint writes MAX_BATCH_MINT assets plus a handful of accounts and its
 * collection, far below it.
 */
export const MAX_TOUCHED_PER_TX = 1 << 12;
/** The SSZ list limits of a block. */
export const MAX_BLOCK_TXS = 1 << 16;
export const MAX_BLOCK_DEPOSITS = 1 << 12;

/** Depth of the withdrawals tree (an append-only sha256 tree verified by the L1 bridge). */
export const WITHDRAWALS_TREE_DEPTH = 32;
/** Withdrawals the tree can hold; one more fails at execution (WITHDRAWALS_FULL). */
export const MAX_WITHDRAWALS = 2 ** WITHDRAWALS_TREE_DEPTH;

/** Signatures are 65 bytes r ‖ s ‖ v with v ∈ {27, 28}. */
export const SIGNATURE_BYTES = 65;
export const ADDRESS_BYTES = 20;

/**
 * Batch data (docs/storage.md). A checkpoint's blocks are packed into one CAR; every preset's
 * checkpointInterval must fit MAX_BATCH_BLOCKS (mainnet's is 7,200).
 */
export const MAX_BATCH_BLOCKS = 8192;
/**
 * The SSZ limit of a checkpoint's blockHashesRoot list (the hashes of blocks firstBlock − 1 ..
 * lastBlock): twice MAX_BATCH_BLOCKS, so a full batch and its parent fit (docs/fault-proofs.md).
 */
export const BLOCK_HASHES_LIMIT = 2 * MAX_BATCH_BLOCKS;
/**
 * The largest batch CAR: 127 · 2^23 bytes, the unpadded size of a 1 GiB piece (fr32 padding turns
 * every 127 bytes into 128), so a batch is at most one 1 GiB piece. Packing holds it in memory.
 */
export const MAX_BATCH_CAR_BYTES = 127 * 2 ** 23;
