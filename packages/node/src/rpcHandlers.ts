/**
 * The JSON-RPC methods of a node (docs/rpc.md), over the sequencer's state, DB and mempool.
 * Reads accept a block tag where the contract says so; states of recent blocks are kept in memory.
 */
import type { EventEmitter } from "node:events";
import type { ChainDb } from "@filverse/db";
import type { ChainConfig } from "@filverse/params";
import {
  expectParamCount,
  paramBlockTag,
  paramBool,
  paramHex,
  paramObject,
  paramString,
  paramUint,
  RpcError,
  type RpcHandler,
} from "@filverse/rpc";
import {
  accessGrantObjectId,
  assetObjectId,
  handleObjectId,
  proveObject,
  proveWithdrawal,
  type State,
  tokenBalanceObjectId,
} from "@filverse/state";
import {
  Asset,
  Attribute,
  BlockHeader,
  blockHash,
  Collection,
  DataAsset,
  Delegate,
  Deposit,
  decodeSignedTx,
  Identity,
  Namespace,
  Receipt,
  RpcErrorCode,
  type SignedBlock,
  type SignedTransaction,
  signedTxToJson,
  stateObjectStructs,
  Token,
  type TxDropReason,
  TxKind,
  type TxStatusJson,
  Withdrawal,
} from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { SubmitError } from "./errors.js";
import { EVIDENCE_KINDS, type Evidence, type EvidenceKind } from "./evidence.js";
import type { IdentityIndex } from "./identityIndex.js";
import type { HeadInfo, NodeEvents } from "./sequencer.js";

/**
 * What the RPC methods need of a node. The Sequencer implements it over its mempool; the Verifier
 * over its re-executed chain, with no mempool and submissions forwarded to the sequencer.
 */
export interface RpcNode {
  readonly chainId: number;
  readonly chain: ChainConfig;
  readonly db: ChainDb;
  /** The head state. */
  readonly state: State;
  readonly head: HeadInfo;
  readonly identities: IdentityIndex;
  readonly events: EventEmitter<NodeEvents>;
  /** The state after block `n`, if still kept in memory. */
  stateAt(n: number): State | undefined;
  /** A transaction accepted here and not yet in a committed block. */
  pendingTx(hash: string): { vtx: { tx: SignedTransaction }; sender: string } | undefined;
  /** The nonce a sender's next transaction should carry. */
  pendingNonce(address: Uint8Array): number;
  isDropped(hash: string): boolean;
  /** Why a dropped transaction was dropped (a sequencer remembers; a verifier does not know). */
  dropInfo?(hash: string): { reason: TxDropReason; code?: number } | undefined;
  /** Admit (or forward) a JSON transaction; resolves with its hash. Throws SubmitError with the RPC code. */
  submitJson(json: unknown): Promise<string>;
  /** Transactions waiting here for a block (0 on a verifier). */
  pendingCount(): number;
  feeEstimate(): { minFee: bigint; suggestedFee: bigint };
  /** True while the node is behind the chain it follows. */
  syncing(): boolean;
  /** Recorded evidence, oldest first (a sequencer has none). */
  evidence(kind?: EvidenceKind): Evidence[];
}

const ID_RE = /^0x[0-9a-fA-F]{64}$/;

function blockJson(block: SignedBlock, full: boolean, hashes: string[]): Record<string, unknown> {
  return {
    hash: toHex(blockHash(block.header)),
    header: BlockHeader.toJson(block.header),
    signature: toHex(block.signature),
    deposits: block.deposits.map((d) => Deposit.toJson(d)),
    transactions: full ? block.transactions.map((t) => signedTxToJson(t)) : hashes,
  };
}

/** What the node knows of settlement on L1: the last L2 blocks covered by accepted and by final checkpoints. */
export type SettlementView = {
  checkpointedBlock(): number;
  finalizedBlock(): number;
  /** The last L2 block whose checkpoint batch (and every earlier one) has an active storage deal. */
  storedBlock?(): number;
};

/** The p2p host as the RPC sees it: its identity and its peers with their local scores. */
export type NetworkView = {
  readonly peerId: string;
  readonly multiaddrs: string[];
  peers(): { peerId: string; addresses: string[]; score: number }[];
};

export function createRpcHandlers(
  node: RpcNode,
  settlement: SettlementView | null = null,
  network: (() => NetworkView | null) | null = null,
): Record<string, RpcHandler> {
  const db = () => node.db;

  /** The state after the tagged block; recent blocks only. */
  const stateAt = (tag: number | "latest"): { state: State; number: number } => {
    const number = tag === "latest" ? node.head.number : tag;
    const state = node.stateAt(number);
    if (!state) {
      throw new RpcError(RpcErrorCode.UNKNOWN_BLOCK, {
        message:
          number > node.head.number
            ? `Block ${number} does not exist yet`
            : `State of block ${number} is no longer kept (recent blocks only)`,
        data: { head: node.head.number },
      });
    }
    return { state, number };
  };

  const hashesOf = async (n: number): Promise<string[]> =>
    ((await db().getReceipts(n)) ?? []).map((r) => toHex(r.txHash));

  const getBlock = async (n: number, full: boolean) => {
    const block = await db().getBlockByNumber(n);
    return block ? blockJson(block, full, await hashesOf(n)) : null;
  };

  const statusOf = async (hash: string): Promise<TxStatusJson> => {
    const h = hash as `0x${string}`;
    if (node.pendingTx(hash)) return { hash: h, status: "pending" };
    const loc = await db().getTxLocation(fromHex(hash));
    if (loc) {
      const receipt = (await db().getReceipts(loc.blockNumber))?.[loc.index];
      const block = await db().getBlockByNumber(loc.blockNumber);
      const status = !settlement
        ? "sequenced"
        : loc.blockNumber <= settlement.finalizedBlock()
          ? "finalized"
          : loc.blockNumber <= (settlement.storedBlock?.() ?? 0)
            ? "stored"
            : loc.blockNumber <= settlement.checkpointedBlock()
              ? "checkpointed"
              : "sequenced";
      return {
        hash: h,
        status,
        blockNumber: String(loc.blockNumber),
        blockHash: block ? toHex(blockHash(block.header)) : undefined,
        index: loc.index,
        result: receipt?.status === 1 ? "success" : "failed",
        code: receipt?.code ?? 0,
      } as TxStatusJson;
    }
    if (!node.isDropped(hash)) return { hash: h, status: "unknown" };
    return { hash: h, status: "dropped", ...node.dropInfo?.(hash) };
  };

  const identityJson = (state: State, id: Uint8Array) => {
    const identity = state.get(Namespace.Identity, id);
    if (!identity) return null;
    const idHex = toHex(id);
    const now = Math.floor(Date.now() / 1000);
    const delegates = node.identities.delegatesOf(idHex).flatMap((addr) => {
      const d = state.get(Namespace.Delegate, fromHex(idHex + addr.slice(2)));
      if (!d) return [];
      const active = d.ownerEpoch === identity.ownerEpoch && now < d.expiresAt;
      return [{ address: addr, ...Delegate.toJson(d), active }];
    });
    const attributes = node.identities.attributeIdsOf(idHex).flatMap((attrId) => {
      const a = state.get(Namespace.Attribute, fromHex(attrId));
      return a ? [{ ...Attribute.toJson(a), active: a.expiresAt === 0 || now < a.expiresAt }] : [];
    });
    return { id: idHex, ...Identity.toJson(identity), delegates, attributes };
  };

  const resolveIdentityRef = (state: State, ref: string): Uint8Array | null => {
    if (ID_RE.test(ref)) return fromHex(ref);
    const record = state.get(Namespace.Handle, handleObjectId(ref));
    return record ? record.identityId : null;
  };

  const handlers: Record<string, RpcHandler> = {
    filverse_chainId: (p) => {
      expectParamCount(p, 0, 0);
      return String(node.chainId);
    },
    filverse_blockNumber: (p) => {
      expectParamCount(p, 0, 0);
      return String(node.head.number);
    },
    // A transaction nested too deeply is malformed (the dispatcher checks before the handler runs).
    filverse_sendTransaction: Object.assign(
      async (p: unknown[]) => {
        expectParamCount(p, 1, 1);
        const tx = paramObject(p, 0, "transaction");
        try {
          return await node.submitJson(tx);
        } catch (err) {
          if (err instanceof SubmitError)
            throw new RpcError(err.code, { message: err.shortMessage, data: err.details, cause: err });
          throw err;
        }
      },
      { tooDeepCode: RpcErrorCode.MALFORMED_TRANSACTION },
    ),
    filverse_getTransaction: async (p) => {
      expectParamCount(p, 1, 1);
      const hash = paramHex(p, 0, "hash", 32);
      const pooled = node.pendingTx(hash);
      if (pooled) return { ...signedTxToJson(pooled.vtx.tx), hash, sender: pooled.sender, status: "pending" };
      const loc = await db().getTxLocation(fromHex(hash));
      if (!loc) return null;
      const block = (await db().getBlockByNumber(loc.blockNumber))!;
      const receipt = (await db().getReceipts(loc.blockNumber))![loc.index]!;
      const where = {
        hash,
        sender: toHex(receipt.sender),
        blockNumber: String(loc.blockNumber),
        blockHash: toHex(blockHash(block.header)),
        index: loc.index,
      };
      if (loc.index < block.deposits.length) {
        const message = block.deposits[loc.index]!;
        // A forced transaction that was included is shown as the transaction it carries.
        if (message.forcedTx.length > 0 && receipt.kind !== TxKind.Deposit) {
          return {
            ...signedTxToJson(decodeSignedTx(message.forcedTx)),
            forcedL1Nonce: String(message.l1Nonce),
            ...where,
          };
        }
        return { primaryType: "Deposit", deposit: Deposit.toJson(message), ...where };
      }
      return { ...signedTxToJson(block.transactions[loc.index - block.deposits.length]!), ...where };
    },
    filverse_getTransactionReceipt: async (p) => {
      expectParamCount(p, 1, 1);
      const hash = paramHex(p, 0, "hash", 32);
      const loc = await db().getTxLocation(fromHex(hash));
      if (!loc) return null;
      const block = await db().getBlockByNumber(loc.blockNumber);
      const receipt = (await db().getReceipts(loc.blockNumber))![loc.index]!;
      return {
        ...Receipt.toJson(receipt),
        blockNumber: String(loc.blockNumber),
        blockHash: toHex(blockHash(block!.header)),
        index: loc.index,
      };
    },
    filverse_getTransactionStatus: (p) => {
      expectParamCount(p, 1, 1);
      return statusOf(paramHex(p, 0, "hash", 32));
    },
    filverse_getAccount: (p) => {
      expectParamCount(p, 1, 2);
      const address = paramHex(p, 0, "address", 20);
      const { state } = stateAt(p.length > 1 ? paramBlockTag(p, 1) : "latest");
      const a = state.get(Namespace.Account, fromHex(address)) ?? { balance: 0n, nonce: 0 };
      const pendingNonce = node.pendingNonce(fromHex(address));
      return { address, balance: a.balance.toString(), nonce: String(a.nonce), pendingNonce: String(pendingNonce) };
    },
    filverse_getCollection: (p) => {
      expectParamCount(p, 1, 1);
      const id = paramHex(p, 0, "collectionId", 32);
      const c = node.state.get(Namespace.Collection, fromHex(id));
      return c ? { id, ...Collection.toJson(c) } : null;
    },
    filverse_getAsset: (p) => {
      expectParamCount(p, 2, 2);
      const collectionId = paramHex(p, 0, "collectionId", 32);
      const tokenId = paramUint(p, 1, "tokenId");
      const a = node.state.get(Namespace.Asset, assetObjectId(fromHex(collectionId), tokenId));
      return a ? Asset.toJson(a) : null;
    },
    filverse_getAssetsByOwner: async (p) => {
      expectParamCount(p, 1, 2);
      const owner = paramHex(p, 0, "owner", 20);
      const { cursor, limit } = pageParam(p, 1);
      let page_: Awaited<ReturnType<ReturnType<typeof db>["getAssetsByOwner"]>>;
      try {
        page_ = await db().getAssetsByOwner(fromHex(owner), { cursor, limit });
      } catch (err) {
        if (err instanceof RangeError)
          throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
            message: "page.cursor is not a cursor returned by a previous page",
          });
        throw err;
      }
      const { assets, nextCursor } = page_;
      return { assets: assets.map((a) => Asset.toJson(a)), nextCursor };
    },
    filverse_getToken: (p) => {
      expectParamCount(p, 1, 1);
      const id = paramHex(p, 0, "tokenId", 32);
      const t = node.state.get(Namespace.Token, fromHex(id));
      return t ? { id, ...Token.toJson(t) } : null;
    },
    filverse_getTokenBalance: (p) => {
      expectParamCount(p, 2, 2);
      const tokenId = paramHex(p, 0, "tokenId", 32);
      const holder = paramHex(p, 1, "holder", 20);
      const b = node.state.get(Namespace.TokenBalance, tokenBalanceObjectId(fromHex(tokenId), fromHex(holder)));
      return { tokenId, holder, balance: (b?.balance ?? 0n).toString() };
    },
    filverse_getIdentity: (p) => {
      expectParamCount(p, 1, 1);
      const ref = paramString(p, 0, "handle or identity id");
      const id = resolveIdentityRef(node.state, ref);
      return id ? identityJson(node.state, id) : null;
    },
    filverse_resolveDid: (p) => {
      expectParamCount(p, 1, 1);
      const did = paramString(p, 0, "did");
      const m = /^did:filverse:(\d+):([a-z0-9_]{3,32}|0x[0-9a-fA-F]{64})$/.exec(did);
      if (!m)
        throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
          message: "Expected did:filverse:<chainId>:<handle or 0x identity id>",
        });
      if (Number(m[1]) !== node.chainId) return null;
      const id = resolveIdentityRef(node.state, m[2]!);
      const identity = id ? identityJson(node.state, id) : null;
      return identity ? didDocument(node.chainId, identity) : null;
    },
    filverse_getDataAsset: (p) => {
      expectParamCount(p, 1, 2);
      const id = paramHex(p, 0, "dataAssetId", 32);
      const d = node.state.get(Namespace.DataAsset, fromHex(id));
      if (!d) return null;
      const out: Record<string, unknown> = { id, ...DataAsset.toJson(d) };
      if (p.length > 1) {
        const grantee = paramHex(p, 1, "grantee", 20);
        const g = node.state.get(Namespace.AccessGrant, accessGrantObjectId(fromHex(id), fromHex(grantee)));
        out.grant = g
          ? { grantee, expiresAt: String(g.expiresAt), active: Math.floor(Date.now() / 1000) < g.expiresAt }
          : null;
      }
      return out;
    },
    filverse_getProof: (p) => {
      expectParamCount(p, 2, 3);
      const nsName = paramString(p, 0, "namespace");
      const { state, number } = stateAt(p.length > 2 ? paramBlockTag(p, 2) : "latest");
      const stateRoot = toHex(state.roots().stateRoot);
      if (nsName === "Withdrawal") {
        // The index as a decimal or a 0x hex quantity (the client sends every id as hex).
        const raw = p[1];
        const index =
          typeof raw === "string" && /^0x[0-9a-fA-F]{1,13}$/.test(raw)
            ? Number.parseInt(raw.slice(2), 16)
            : paramUint(p, 1, "index");
        const proof = proveWithdrawal(state, index);
        if (!proof) throw new RpcError(RpcErrorCode.INVALID_PARAMS, { message: `No withdrawal ${index}` });
        return {
          blockNumber: String(number),
          stateRoot,
          withdrawal: Withdrawal.toJson(proof.withdrawal),
          siblings: proof.siblings.map(toHex),
          objectsRoot: toHex(proof.objectsRoot),
          withdrawalsRoot: toHex(state.withdrawals.root()),
        };
      }
      const ns = (Namespace as unknown as Record<string, number>)[nsName];
      if (ns === undefined || typeof ns !== "number") {
        throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
          message: `Unknown namespace "${nsName}"`,
          data: {
            known: Object.keys(Namespace)
              .filter((k) => Number.isNaN(Number(k)))
              .concat("Withdrawal"),
          },
        });
      }
      const id = paramHex(p, 1, "id");
      const proof = proveObject(state, ns as Namespace, fromHex(id));
      const struct = stateObjectStructs[ns as Namespace] as { toJson(v: unknown): unknown };
      return {
        blockNumber: String(number),
        stateRoot,
        namespace: nsName,
        id,
        value: proof.value === null ? null : struct.toJson(proof.value),
        proof: {
          key: toHex(proof.proof.key),
          siblings: proof.proof.siblings.map(toHex),
          leaf: proof.proof.leaf && { key: toHex(proof.proof.leaf.key), valueHash: toHex(proof.proof.leaf.valueHash) },
        },
        withdrawalsRoot: toHex(proof.withdrawalsRoot),
      };
    },
    filverse_getWithdrawalProof: async (p) => {
      expectParamCount(p, 1, 1);
      const hash = paramHex(p, 0, "hash", 32);
      const loc = await db().getTxLocation(fromHex(hash));
      if (!loc) return null;
      const receipts = (await db().getReceipts(loc.blockNumber))!;
      const receipt = receipts[loc.index]!;
      if (receipt.kind !== TxKind.Withdraw || receipt.status !== 1) {
        throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
          message: "Not a successful Withdraw transaction",
          data: { kind: receipt.kind, status: receipt.status },
        });
      }
      // Its index: the withdrawals before its block, plus the successful ones before it in the block.
      const before = node.stateAt(loc.blockNumber - 1);
      if (!before)
        throw new RpcError(RpcErrorCode.UNKNOWN_BLOCK, {
          message: `State before block ${loc.blockNumber} is no longer kept`,
        });
      const index =
        before.globals().withdrawalCount +
        receipts.slice(0, loc.index).filter((r) => r.kind === TxKind.Withdraw && r.status === 1).length;
      // The checkpoint covering the block, and the proof against its withdrawals root.
      const interval = node.chain.checkpointInterval;
      const checkpointIndex = Math.floor((loc.blockNumber - 1) / interval);
      const lastBlock = (checkpointIndex + 1) * interval;
      const at = node.stateAt(lastBlock);
      const proof = at ? proveWithdrawal(at, index) : null;
      return {
        txHash: hash,
        blockNumber: String(loc.blockNumber),
        checkpointIndex: String(checkpointIndex),
        checkpointLastBlock: String(lastBlock),
        checkpointed: settlement ? lastBlock <= settlement.checkpointedBlock() : false,
        finalized: settlement ? lastBlock <= settlement.finalizedBlock() : false,
        withdrawal: proof ? Withdrawal.toJson(proof.withdrawal) : null,
        // Null until the checkpoint's last block exists (or once its state is no longer kept).
        siblings: proof ? proof.siblings.map(toHex) : null,
        withdrawalsRoot: at ? toHex(at.withdrawals.root()) : null,
      };
    },
    filverse_getBlockByNumber: (p) => {
      expectParamCount(p, 1, 2);
      const tag = paramBlockTag(p, 0);
      return getBlock(tag === "latest" ? node.head.number : tag, p.length > 1 ? paramBool(p, 1, "full") : false);
    },
    filverse_getBlockByHash: async (p) => {
      expectParamCount(p, 1, 2);
      const n = await db().getBlockNumberByHash(fromHex(paramHex(p, 0, "hash", 32)));
      return n === null ? null : getBlock(n, p.length > 1 ? paramBool(p, 1, "full") : false);
    },
    filverse_estimateFee: (p) => {
      expectParamCount(p, 0, 1);
      const { minFee, suggestedFee } = node.feeEstimate();
      return { minFee: minFee.toString(), suggestedFee: suggestedFee.toString() };
    },
    filverse_syncStatus: (p) => {
      expectParamCount(p, 0, 0);
      return {
        head: String(node.head.number),
        headHash: toHex(node.head.hash),
        stateRoot: toHex(node.head.header.stateRoot),
        pending: node.pendingCount(),
        syncing: node.syncing(),
      };
    },
    filverse_getGenesis: async (p) => {
      expectParamCount(p, 0, 0);
      const header = await db().getGenesisHeader();
      if (!header) throw new RpcError(RpcErrorCode.UNAVAILABLE, { message: "The node has no genesis yet" });
      const c = node.chain;
      return {
        hash: toHex(blockHash(header)),
        header: BlockHeader.toJson(header),
        chain: {
          preset: c.preset,
          chainId: c.chainId,
          l1ChainId: c.l1ChainId,
          blockTimeMs: c.blockTimeMs,
          maxBlockTxs: c.maxBlockTxs,
          maxBlockDeposits: c.maxBlockDeposits,
          checkpointInterval: c.checkpointInterval,
          minTxFee: c.minTxFee.toString(),
        },
      };
    },
    filverse_getEvidence: (p) => {
      expectParamCount(p, 0, 1);
      const kind = p.length > 0 && p[0] !== null ? paramString(p, 0, "kind") : undefined;
      if (kind !== undefined && !EVIDENCE_KINDS.includes(kind as EvidenceKind)) {
        throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
          message: `Unknown evidence kind "${kind}"`,
          data: { known: EVIDENCE_KINDS },
        });
      }
      return node.evidence(kind as EvidenceKind | undefined);
    },
    filverse_nodeIdentity: (p) => {
      expectParamCount(p, 0, 0);
      const net = running(network);
      return { peerId: net.peerId, multiaddrs: net.multiaddrs };
    },
    filverse_peers: (p) => {
      expectParamCount(p, 0, 0);
      // No addresses: validators' IPs are not for the public RPC (operators read them in the logs).
      return running(network)
        .peers()
        .map((peer) => ({ peerId: peer.peerId, score: Math.round(peer.score * 100) / 100 }));
    },
    filverse_subscribe: async (p, ctx) => {
      if (!ctx.connection) throw new RpcError(RpcErrorCode.WEBSOCKET_REQUIRED);
      expectParamCount(p, 1, 2);
      const kind = paramString(p, 0, "kind");
      const conn = ctx.connection;
      // The listener is added only once the connection has accepted the subscription: a refused one
      // (SUBSCRIPTION_LIMIT) must leave nothing behind on the node's emitter.
      if (kind === "newHeads") {
        const listener = (block: SignedBlock, receipts: Receipt[]) => {
          conn.notify(
            id,
            blockJson(
              block,
              false,
              receipts.map((r) => toHex(r.txHash)),
            ),
          );
        };
        const id = conn.addSubscription(() => node.events.off("newHead", listener));
        node.events.on("newHead", listener);
        return id;
      }
      if (kind === "txStatus") {
        const hash = paramHex(p, 1, "hash", 32);
        const listener = (h: string) => {
          if (h === hash) void statusOf(hash).then((s) => conn.notify(id, s));
        };
        const id = conn.addSubscription(() => node.events.off("txStatus", listener));
        node.events.on("txStatus", listener);
        // The current status first, so a subscriber never misses a transition that already happened.
        setImmediate(() => void statusOf(hash).then((s) => conn.notify(id, s)));
        return id;
      }
      throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
        message: `Unknown subscription "${kind}" (newHeads, txStatus)`,
      });
    },
    filverse_unsubscribe: (p, ctx) => {
      if (!ctx.connection) throw new RpcError(RpcErrorCode.WEBSOCKET_REQUIRED);
      expectParamCount(p, 1, 1);
      return ctx.connection.removeSubscription(paramString(p, 0, "subscription"));
    },
    eth_chainId: (p) => {
      expectParamCount(p, 0, 0);
      return `0x${node.chainId.toString(16)}`;
    },
    eth_blockNumber: (p) => {
      expectParamCount(p, 0, 0);
      return `0x${node.head.number.toString(16)}`;
    },
    eth_getBalance: (p) => {
      expectParamCount(p, 1, 2);
      const address = paramHex(p, 0, "address", 20);
      const tagParam = p[1];
      const tag =
        tagParam === undefined || tagParam === "latest" || tagParam === "pending" ? "latest" : ethBlockTag(tagParam);
      const { state } = stateAt(tag);
      return `0x${(state.get(Namespace.Account, fromHex(address))?.balance ?? 0n).toString(16)}`;
    },
    net_version: (p) => {
      expectParamCount(p, 0, 0);
      return String(node.chainId);
    },
  };
  return handlers;
}

/** The largest `page.limit` of filverse_getAssetsByOwner. */
const MAX_PAGE_LIMIT = 500;

/**
 * The optional page `{cursor?: string | null, limit?: number}`: exactly what docs/rpc.md says, no
 * coercion (`true`, `"5"` and `[[5]]` are not limits) and no other key.
 */
function pageParam(p: unknown[], index: number): { cursor: string | null; limit: number | undefined } {
  const page = p.length > index ? paramObject(p, index, "page", { optional: true }) : undefined;
  if (page === undefined) return { cursor: null, limit: undefined };
  const bad = (param: string, expected: string, message: string) =>
    new RpcError(RpcErrorCode.INVALID_PARAMS, { message, data: { param, index, expected } });
  for (const key of Object.keys(page)) {
    if (key !== "cursor" && key !== "limit") {
      throw bad(`page.${key}`, "no such key (cursor, limit)", `page has no key "${key.slice(0, 40)}"`);
    }
  }
  const { cursor, limit } = page;
  if (
    limit !== undefined &&
    (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT)
  ) {
    throw bad("page.limit", `an integer from 1 to ${MAX_PAGE_LIMIT}`, "page.limit must be an integer from 1 to 500");
  }
  if (cursor !== undefined && cursor !== null && (typeof cursor !== "string" || !/^0x[0-9a-f]*$/.test(cursor))) {
    throw bad("page.cursor", "a nextCursor", "page.cursor must be a cursor returned by a previous page");
  }
  return { cursor: cursor ?? null, limit };
}

/** eth_* block tags are hex quantities. */
function ethBlockTag(tag: unknown): number {
  if (typeof tag === "string" && /^0x[0-9a-fA-F]{1,13}$/.test(tag)) return Number.parseInt(tag.slice(2), 16);
  throw new RpcError(RpcErrorCode.INVALID_PARAMS, { message: 'Block tag must be "latest" or a hex block number' });
}

/** A W3C DID document (https://www.w3.org/TR/did-core/) for a Filverse identity. */
export function didDocument(
  chainId: number,
  identity: Record<string, unknown> & { id: string },
): Record<string, unknown> {
  const did = `did:filverse:${chainId}:${identity.handle as string}`;
  const owner = identity.owner as string;
  const method = (name: string, address: string) => ({
    id: `${did}#${name}`,
    type: "EcdsaSecp256k1RecoveryMethod2020",
    controller: did,
    blockchainAccountId: `eip155:${chainId}:${address}`,
  });
  const delegates = (
    identity.delegates as { address: string; scope: number; expiresAt: string; active: boolean }[]
  ).filter((d) => d.active);
  return {
    "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/secp256k1recovery-2020/v2"],
    id: did,
    alsoKnownAs: [`did:filverse:${chainId}:${identity.id}`],
    controller: did,
    verificationMethod: [
      method("owner", owner),
      ...delegates.map((d, i) => ({ ...method(`delegate-${i}`, d.address), expires: d.expiresAt })),
    ],
    // Identity-scoped session keys (scope 2 or 3) may authenticate as the identity.
    authentication: [`${did}#owner`, ...delegates.flatMap((d, i) => (d.scope & 2 ? [`${did}#delegate-${i}`] : []))],
    assertionMethod: [`${did}#owner`],
    capabilityInvocation: [`${did}#owner`, ...delegates.map((_, i) => `${did}#delegate-${i}`)],
    service: [
      { id: `${did}#profile`, type: "FilverseProfile", serviceEndpoint: `ipfs://${identity.profileCid as string}` },
      ...(identity.attributes as { key: string; value: string; active: boolean }[])
        .filter((a) => a.active)
        .map((a) => ({ id: `${did}#attr-${a.key}`, type: "FilverseAttribute", serviceEndpoint: a.value })),
    ],
  };
}

function running(network: (() => NetworkView | null) | null): NetworkView {
  const net = network?.();
  if (!net) {
    throw new RpcError(RpcErrorCode.UNAVAILABLE, {
      message: "This node runs no p2p network",
      data: { reason: "p2p disabled" },
    });
  }
  return net;
}
