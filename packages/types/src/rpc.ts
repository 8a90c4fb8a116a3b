/**
 * The JSON-RPC contract between a Filverse node and its clients: method names, parameter and
 * result shapes (JSON form), transaction statuses and the fixed error-code table. The server
 * (@filverse/rpc, @filverse/node) and the SDK (@filverse/client) both build on this file;
 * docs/rpc.md documents it.
 */
import type { Hex } from "@filverse/utils";

/**
 * How deeply one JSON-RPC param may nest arrays and objects (`[]` and `{}` are 1 level, a scalar 0).
 * The server checks every request's params against it, without recursion, before any handler or
 * codec recurses into them: deeper params get INVALID_PARAMS (MALFORMED_TRANSACTION for a
 * transaction). A signed transaction's JSON nests 3 levels (envelope, message, order).
 */
export const MAX_JSON_DEPTH = 32;

/** JSON-RPC error codes: the standard ones, then Filverse's in the server range. */
export enum RpcErrorCode {
  PARSE_ERROR = -32700,
  INVALID_REQUEST = -32600,
  METHOD_NOT_FOUND = -32601,
  INVALID_PARAMS = -32602,
  INTERNAL_ERROR = -32603,
  /** The nonce was already used by another transaction. (Resending an included transaction returns its hash.) */
  NONCE_TOO_LOW = -32001,
  /** The nonce is further ahead of the account nonce than the mempool holds. */
  NONCE_GAP = -32002,
  /** The balance does not cover the fee (plus the fees of the sender's queued transactions). */
  INSUFFICIENT_FUNDS = -32003,
  BAD_SIGNATURE = -32004,
  WRONG_CHAIN = -32005,
  /** The fee is below the chain minimum, or too low to enter a full mempool. */
  FEE_TOO_LOW = -32006,
  /** A replacement (same sender and nonce) must raise the fee by at least 10%. */
  REPLACEMENT_UNDERPRICED = -32007,
  MEMPOOL_FULL = -32008,
  /** Too many requests from this client; retry after `data.retryAfterMs`. */
  RATE_LIMITED = -32009,
  /** The body, a batch, or a transaction exceeds its size limit. */
  TOO_LARGE = -32010,
  /** A transaction field is outside its protocol bounds. */
  INVALID_FIELD = -32011,
  /** The transaction does not decode. */
  MALFORMED_TRANSACTION = -32012,
  BAD_ORDER_SIGNATURE = -32013,
  /** The sender already has the maximum number of pending transactions. */
  SENDER_LIMIT = -32014,
  /** The block asked for does not exist (yet). */
  UNKNOWN_BLOCK = -32015,
  /** Too many subscriptions on this connection. */
  SUBSCRIPTION_LIMIT = -32016,
  /** The node is starting or shutting down. */
  UNAVAILABLE = -32017,
  /** The method exists only over WebSocket (subscriptions). */
  WEBSOCKET_REQUIRED = -32018,
  /**
   * sendTransactionSync got no preconfirmation: not within `timeoutMs` (the transaction stays
   * admitted), or the transaction was dropped or is already in a sealed block. `data.status` says which.
   */
  NOT_PRECONFIRMED = -32019,
  /** A SessionGrant's appSignature does not recover (validation code 106). */
  BAD_APP_SIGNATURE = -32020,
  /**
   * A session transaction (a Via naming an account) its grant does not allow: `data.details.validationCode`
   * is 205–210 (not found, revoked, expired, kind, target, cap).
   */
  SESSION_REFUSED = -32021,
  /**
   * A sponsored transaction (a Via naming a sponsor) no allowance covers: `data.details.validationCode`
   * is 211–214 (not found, expired, kind not covered, budget exceeded).
   */
  FEE_ALLOWANCE_REFUSED = -32022,
}

/** What a person reads first for each code; `data` carries the details. */
export const RPC_ERROR_MESSAGES: Record<RpcErrorCode, string> = {
  [RpcErrorCode.PARSE_ERROR]: "Parse error: the body is not valid JSON",
  [RpcErrorCode.INVALID_REQUEST]: "Invalid request: not a JSON-RPC 2.0 request object",
  [RpcErrorCode.METHOD_NOT_FOUND]: "Method not found",
  [RpcErrorCode.INVALID_PARAMS]: "Invalid params",
  [RpcErrorCode.INTERNAL_ERROR]: "Internal error",
  [RpcErrorCode.NONCE_TOO_LOW]: "Nonce too low: this nonce was already used",
  [RpcErrorCode.NONCE_GAP]: "Nonce gap: the nonce is too far ahead of the account's next nonce",
  [RpcErrorCode.INSUFFICIENT_FUNDS]: "Insufficient funds for the fee",
  [RpcErrorCode.BAD_SIGNATURE]: "Bad signature",
  [RpcErrorCode.WRONG_CHAIN]: "Wrong chain id",
  [RpcErrorCode.FEE_TOO_LOW]: "Fee too low",
  [RpcErrorCode.REPLACEMENT_UNDERPRICED]: "Replacement underpriced: raise the fee by at least 10%",
  [RpcErrorCode.MEMPOOL_FULL]: "Mempool full",
  [RpcErrorCode.RATE_LIMITED]: "Rate limited: too many requests",
  [RpcErrorCode.TOO_LARGE]: "Too large",
  [RpcErrorCode.INVALID_FIELD]: "Invalid transaction field",
  [RpcErrorCode.MALFORMED_TRANSACTION]: "Malformed transaction",
  [RpcErrorCode.BAD_ORDER_SIGNATURE]: "Bad order signature",
  [RpcErrorCode.SENDER_LIMIT]: "Too many pending transactions for this sender",
  [RpcErrorCode.UNKNOWN_BLOCK]: "Unknown block",
  [RpcErrorCode.SUBSCRIPTION_LIMIT]: "Too many subscriptions on this connection",
  [RpcErrorCode.UNAVAILABLE]: "Node unavailable",
  [RpcErrorCode.WEBSOCKET_REQUIRED]: "Subscriptions need a WebSocket connection",
  [RpcErrorCode.NOT_PRECONFIRMED]: "No preconfirmation for the transaction",
  [RpcErrorCode.BAD_APP_SIGNATURE]: "Bad app signature on the session grant",
  [RpcErrorCode.SESSION_REFUSED]: "The session grant does not allow the transaction",
  [RpcErrorCode.FEE_ALLOWANCE_REFUSED]: "No fee allowance of the sponsor covers the transaction",
};

/**
 * Why a transaction was dropped (never included): `replaced` by a higher fee for its nonce;
 * `evicted` from a full mempool; `nonce_passed` (its nonce was used by another transaction);
 * `not_includable` (at execution its nonce, fee or funds no longer held: `code` says which);
 * `invalid` (re-validated at a restart and refused); `execution_fault` (executing it threw or would
 * write a state object out of its bounds: `code` 204, the node logged it as an error).
 */
export type TxDropReason = "replaced" | "evicted" | "nonce_passed" | "not_includable" | "invalid" | "execution_fault";
export const TX_DROP_REASONS: readonly TxDropReason[] = [
  "replaced",
  "evicted",
  "nonce_passed",
  "not_includable",
  "invalid",
  "execution_fault",
];

/**
 * A transaction's life, in order. `preconfirmed`: executed into the sequencer's open block and
 * promised there by a signed preconfirmation. `dropped` means it left the mempool without being included.
 */
export type TxStatusName =
  | "pending"
  | "preconfirmed"
  | "sequenced"
  | "checkpointed"
  | "stored"
  | "finalized"
  | "dropped"
  | "unknown";
export const TX_STATUS_ORDER: readonly TxStatusName[] = [
  "pending",
  "preconfirmed",
  "sequenced",
  "checkpointed",
  "stored",
  "finalized",
];

/** A decimal string (uint64 and uint256 values). */
export type Dec = string;

/** Block selector: a number (decimal string or JSON number), or "latest". */
export type BlockTag = Dec | number | "latest";

export type TxStatusJson = {
  hash: Hex;
  status: TxStatusName;
  /** Set once preconfirmed (the block that will hold it) or sequenced. */
  blockNumber?: Dec;
  /** Set once sequenced. */
  blockHash?: Hex;
  /** Set once preconfirmed or sequenced: the receipt's position in the block (deposits first). */
  index?: number;
  /** Set once sequenced: "success" or "failed". */
  result?: "success" | "failed";
  /** Sequenced: the execution error code (0 on success). Dropped: the validation code, when there is one. */
  code?: number;
  /** Set when dropped (as long as the node remembers it). */
  reason?: TxDropReason;
};

/**
 * A signed preconfirmation with what it commits to: the sequencer's EIP-712
 * `Preconfirmation(number, position, receiptRoot, touchedRoot)` and its signature (by the
 * block-sealing key), the receipt whose hash_tree_root is `receiptRoot`, and the transaction's writes
 * (ascending by key; `valueHash` zero for a deleted object) whose list root is `touchedRoot`.
 */
export type PreconfirmationJson = {
  hash: Hex;
  preconfirmation: { number: Dec; position: number; receiptRoot: Hex; touchedRoot: Hex; signature: Hex };
  receipt: Record<string, unknown>;
  touched: { key: Hex; valueHash: Hex }[];
};

export type BlockJson = {
  hash: Hex;
  header: Record<string, unknown>;
  signature: Hex;
  /** Deposit hashes then transaction hashes, or full objects with `full: true`. */
  transactions: Hex[] | Record<string, unknown>[];
  deposits: Record<string, unknown>[];
};

/** The consensus parameters of a chain, as `filverse_getGenesis` returns them. */
export type GenesisChainJson = {
  preset: string;
  chainId: number;
  l1ChainId: number;
  blockTimeMs: number;
  maxBlockTxs: number;
  maxBlockDeposits: number;
  checkpointInterval: number;
  minTxFee: Dec;
};

export type EvidenceKindName = "blockEquivocation" | "checkpointMismatch" | "invalidBlock" | "preconfirmationBreach";

/** One evidence record (docs/rpc.md lists the fields of each kind). */
export type EvidenceJson = {
  id: Hex;
  kind: EvidenceKindName;
  /** Unix milliseconds. */
  detectedAt: number;
  source: string | null;
  /** Set once proven on L1. */
  l1: { tx: Hex; submittedAt: number } | null;
} & Record<string, unknown>;

/** Method → [params, result]. Results use the JSON codecs of @filverse/types. */
export type RpcMethods = {
  filverse_chainId: [[], Dec];
  filverse_blockNumber: [[], Dec];
  /** params: [signed transaction JSON] → the transaction hash. */
  filverse_sendTransaction: [[Record<string, unknown>], Hex];
  /** params: [SSZ bytes of a signed transaction, 0x hex] → the transaction hash (the cheap path). */
  filverse_sendRawTransaction: [[Hex], Hex];
  /**
   * params: [signed transaction JSON or its SSZ hex, timeoutMs?] → its signed preconfirmation, once
   * the sequencer executed it into the open block. NOT_PRECONFIRMED when none came in time (the
   * transaction stays admitted).
   */
  filverse_sendTransactionSync: [[Record<string, unknown> | Hex, number?], PreconfirmationJson];
  /** params: [hash] → its preconfirmation while its block is open; null otherwise (then read the receipt). */
  filverse_getPreconfirmation: [[Hex], PreconfirmationJson | null];
  filverse_getTransaction: [[Hex], (Record<string, unknown> & { hash: Hex; sender: Hex }) | null];
  filverse_getTransactionReceipt: [
    [Hex],
    (Record<string, unknown> & { blockNumber: Dec; blockHash: Hex; index: number }) | null,
  ];
  filverse_getTransactionStatus: [[Hex], TxStatusJson];
  filverse_getAccount: [[Hex, BlockTag?], { address: Hex; balance: Dec; nonce: Dec; pendingNonce: Dec }];
  filverse_getCollection: [[Hex], Record<string, unknown> | null];
  filverse_getAsset: [[Hex, Dec | number], Record<string, unknown> | null];
  /** params: [owner, {cursor?, limit?}] → a page of assets in ascending (collectionId, tokenId) order. */
  filverse_getAssetsByOwner: [
    [Hex, { cursor?: string; limit?: number }?],
    { assets: Record<string, unknown>[]; nextCursor: string | null },
  ];
  /**
   * params: [collectionId, page?] → the collection's assets (burned ones too), ascending by token id,
   * or null for an unknown collection. `nextCursor` is hex of the last token id as u64be.
   */
  filverse_getAssetsByCollection: [
    [Hex, { cursor?: string | null; limit?: number }?],
    { collectionId: Hex; assets: Record<string, unknown>[]; nextCursor: string | null } | null,
  ];
  /**
   * params: [owner, page?] → the identities the address owns, ascending by id; each is
   * {id, owner, handle, profileCid, ownerEpoch}.
   */
  filverse_getIdentitiesByOwner: [
    [Hex, { cursor?: string | null; limit?: number }?],
    { identities: Record<string, unknown>[]; nextCursor: string | null },
  ];
  /** params: [creator, page?] → the collections it created, ascending by id (the getCollection shape). */
  filverse_getCollectionsByCreator: [
    [Hex, { cursor?: string | null; limit?: number }?],
    { collections: Record<string, unknown>[]; nextCursor: string | null },
  ];
  /**
   * params: [address, page?] → the user transactions and deposits that name the address (sender,
   * recipient, any address field), newest first. `nextCursor` is hex of u64be block ‖ u32be index.
   */
  filverse_getTransactionsByAddress: [
    [Hex, { cursor?: string | null; limit?: number }?],
    {
      transactions: { hash: Hex; blockNumber: Dec; index: number; kind: number; status: number; code: number }[];
      nextCursor: string | null;
    },
  ];
  /** params: [limit?, before?] → the rollup's accepted checkpoints below index `before`, newest first. */
  filverse_getCheckpoints: [
    [(Dec | number)?, (Dec | number)?],
    {
      /**
       * Each is filverse_getCheckpoint's answer, plus `final` (status "final") and `stored` (its batch
       * has an active deal; null when the node tracks no deals).
       */
      checkpoints: (CheckpointJson & { final: boolean; stored: boolean | null })[];
      count: Dec;
      /** The `before` of the next (older) page, or null at the first checkpoint. */
      next: Dec | null;
    },
  ];
  filverse_getToken: [[Hex], Record<string, unknown> | null];
  filverse_getTokenBalance: [[Hex, Hex], { tokenId: Hex; holder: Hex; balance: Dec }];
  /** params: [handle or 0x identity id]. */
  filverse_getIdentity: [[string], (Record<string, unknown> & { id: Hex }) | null];
  /**
   * params: [sponsor, grantee, target] → the FeeAllowance object (JSON) with `sponsor`, `grantee`,
   * `target`, `remaining` (totalBudget − spent), `periodRemaining` (rolled at the head's timestamp;
   * null without a period budget) and `expired`; null when there is none.
   */
  filverse_getFeeAllowance: [[Hex, Hex, Hex], Record<string, unknown> | null];
  /**
   * params: [account, sessionKey] → the SessionGrantRecord (JSON) with `account`, `sessionKey`,
   * `filRemaining`, `filPeriodRemaining` (null without a FIL period cap), per token
   * `tokenRemaining: [{tokenId, remaining, periodRemaining}]`, and `status` ("active" | "expired" |
   * "revoked"); null when there is none.
   */
  filverse_getSessionGrant: [[Hex, Hex], Record<string, unknown> | null];
  /** params: [did:filverse:<chainId>:<handle or id>] → a W3C DID document, or null. */
  filverse_resolveDid: [[string], Record<string, unknown> | null];
  /** params: [dataAssetId, grantee?]; with a grantee the result carries `grant` ({grantee, expiresAt, active} or null). */
  filverse_getDataAsset: [[Hex, Hex?], Record<string, unknown> | null];
  /**
   * params: [dataAssetId, page?] → the addresses holding a grant on the data asset, ascending, each
   * {grantee, expiresAt, active}; null when the data asset does not exist.
   */
  filverse_getDataAssetGrantees: [
    [Hex, { cursor?: string | null; limit?: number }?],
    {
      dataAssetId: Hex;
      grantees: { grantee: Hex; expiresAt: Dec; active: boolean }[];
      nextCursor: string | null;
    } | null,
  ];
  /**
   * params: [namespace name (e.g. "Account"), id hex, block?] → an object proof against that block's
   * stateRoot. For "Withdrawal" the id is the withdrawal index (decimal or 0x hex).
   */
  filverse_getProof: [[string, Hex, BlockTag?], Record<string, unknown>];
  /**
   * params: [txHash of a successful Withdraw] → what FilverseBridge.finalizeWithdrawal needs:
   * {checkpointIndex, withdrawal, siblings, withdrawalsRoot, checkpointed, finalized, …}; null if unknown.
   */
  filverse_getWithdrawalProof: [[Hex], Record<string, unknown> | null];
  filverse_getBlockByNumber: [[BlockTag, boolean?], BlockJson | null];
  filverse_getBlockByHash: [[Hex, boolean?], BlockJson | null];
  filverse_estimateFee: [[Record<string, unknown>?], { minFee: Dec; suggestedFee: Dec }];
  filverse_syncStatus: [[], { head: Dec; headHash: Hex; stateRoot: Hex; pending: number; syncing: boolean }];
  /**
   * The genesis header and the chain's consensus parameters: what a verifier needs to follow this
   * chain (`filverse init --verifier --genesis-from <url>`).
   */
  filverse_getGenesis: [[], { hash: Hex; header: Record<string, unknown>; chain: GenesisChainJson }];
  /**
   * params: [kind?] ("blockEquivocation", "checkpointMismatch", "invalidBlock" or
   * "preconfirmationBreach") → the evidence a verifier recorded, oldest first (a sequencer answers []).
   */
  filverse_getEvidence: [[EvidenceKindName?], EvidenceJson[]];
  /**
   * Verifier only. params: [a preconfirmation the sequencer signed: {number, position, receiptRoot,
   * touchedRoot, signature}] → whether the sealed block at its height keeps it ("kept"), breaks it
   * ("broken", with the id of the preconfirmationBreach evidence recorded), or is not imported yet
   * ("pending": it is checked when it is).
   */
  filverse_submitPreconfirmation: [
    [Record<string, unknown>],
    { status: "kept" } | { status: "pending"; number: Dec } | { status: "broken"; evidenceId: Hex },
  ];
  /**
   * A checkpoint on the L1 rollup with what the node knows around it (UNAVAILABLE without an L1
   * rollup). params: [index?] (default: the latest) → its stored fields, the L1 transaction that
   * submitted it, whether it is final, in its challenge window or disputed, and the storage deals of
   * its batch piece as this node tracks them; null when the rollup has no such checkpoint.
   */
  filverse_getCheckpoint: [[Dec?], CheckpointJson | null];
  /**
   * The fault-proof games on the dispute game this node plays (UNAVAILABLE without one). params:
   * [fromId?, limit?] → games fromId.. (default 0, at most 100, default 20), read from L1, and the id
   * to ask for next (null at the end).
   */
  filverse_getDisputes: [[Dec?, Dec?], { disputes: DisputeJson[]; next: Dec | null }];
  /** params: [id] → one game with its claim tree (at most 256 nodes, `nodesTruncated` past that); null if unknown. */
  filverse_getDispute: [[Dec], (DisputeJson & { nodes: DisputeNodeJson[]; nodesTruncated: boolean }) | null];
  /** This node's libp2p identity (UNAVAILABLE when it runs no p2p network). */
  filverse_nodeIdentity: [[], { peerId: string; multiaddrs: string[] }];
  /** The connected peers with this node's local score of each (no addresses). */
  filverse_peers: [[], { peerId: string; score: number }[]];
  /** WebSocket only: ["newHeads"], ["preconfirmations"] or ["txStatus", hash] → a subscription id. */
  filverse_subscribe: [["newHeads"] | ["preconfirmations"] | ["txStatus", Hex], Hex];
  filverse_unsubscribe: [[Hex], boolean];
  eth_chainId: [[], Hex];
  eth_blockNumber: [[], Hex];
  eth_getBalance: [[Hex, BlockTag?], Hex];
  net_version: [[], string];
};

/** One replica of a checkpoint's batch piece, as the node's deal tracker records it (docs/storage.md). */
export type CheckpointDealJson = {
  backend: string;
  /** The backend's handle (a DealClient proposal id, a PDP data set and piece id). */
  ref: string;
  provider: string | null;
  state: "proposed" | "published" | "active" | "failed" | "expired";
  /** The on-chain deal id, once published. */
  dealId: string | null;
  reason: string | null;
  /** Unix ms of the last state change. */
  updatedAt: Dec;
};

/** A checkpoint as filverse_getCheckpoint shows it (docs/rpc.md). */
export type CheckpointJson = {
  index: Dec;
  /** Checkpoints the rollup holds (its nextCheckpointIndex). */
  count: Dec;
  firstBlock: Dec;
  lastBlock: Dec;
  lastBlockHash: Hex;
  stateRoot: Hex;
  withdrawalsRoot: Hex;
  depositCursor: Dec;
  pieceCid: string;
  /** L1 seconds. */
  acceptedAt: Dec;
  /** The submitCheckpoint transaction and its L1 block; null when the node could not find it. */
  l1TxHash: Hex | null;
  l1BlockNumber: Dec | null;
  /**
   * "final"; "pending": in its challenge window; "disputed": an open fault-proof game on it, or, its
   * window over, one on an earlier checkpoint holds it back.
   */
  status: "pending" | "disputed" | "final";
  /** Unix seconds (L1 time) its challenge window ends, and what is left of it at the L1 head (0 once over). */
  challengeWindowEnds: Dec;
  secondsLeft: number;
  /** The L1 head the answer was read at, and its time. */
  l1Head: Dec;
  l1Time: Dec;
  /** Open games on this checkpoint, and the lowest checkpoint with an open game (null: none). */
  openDisputes: number;
  lowestDisputed: Dec | null;
  /**
   * Its batch piece and the piece's replicas as this node's deal tracker knows them; null when the
   * node tracks no deals (no storage backend, or a verifier). `batch` is null until the tracker has
   * built the batch; `stored` is true once a replica is active.
   */
  storage: {
    batch: { pieceCid: string; pieceCidV1: string; payloadCid: string; pieceSize: number; carSize: number } | null;
    deals: CheckpointDealJson[];
    stored: boolean;
  } | null;
};

/** A fault-proof game as filverse_getDisputes shows it (docs/rpc.md). */
export type DisputeJson = {
  id: Dec;
  checkpointIndex: Dec;
  blockNumber: Dec;
  /** S = items + 2 (0 while the game waits for a reveal or an opening). */
  stepCount: Dec;
  outcome: "open" | "defenderWins" | "challengerWins";
  /** Decided at once, with no bisection (a link, last-header or list-end fault, or an unanswered request). */
  immediateFault: boolean;
  /** Unix seconds by which the defenders must reveal header k / open its roots (0: not asked). */
  revealBy: Dec;
  openBy: Dec;
  challenger: Hex;
  digest: Hex;
  blockHash: Hex;
  /** This node's side, as its own chain shows it ("none": it cannot trace the block). */
  role: "defender" | "challenger" | "none" | null;
  /** Counter-moves this node still has to make in it (null: not planned yet). */
  movesDue: number | null;
};

export type DisputeNodeJson = {
  index: number;
  /** -1 for the root. */
  parent: number;
  kind: "dispute" | "proposal";
  lo: Dec;
  hi: Dec;
  /** Dispute: T[lo] and T[hi]. Proposal: post is T[mid]. */
  pre: Hex;
  post: Hex;
  claimant: Hex;
  bond: Dec;
  resolved: boolean;
  stepped: boolean;
  countered: boolean;
  /** Unix seconds after which the team that must answer it can no longer move (0 once resolved). */
  deadline: Dec;
};

export type RpcMethod = keyof RpcMethods;

/** A subscription notification: `{jsonrpc, method: "filverse_subscription", params: {subscription, result}}`. */
export type SubscriptionEvents = {
  newHeads: BlockJson;
  preconfirmations: PreconfirmationJson;
  txStatus: TxStatusJson;
};
