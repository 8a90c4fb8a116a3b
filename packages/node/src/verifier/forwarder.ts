/**
 * Forwarding: a verifier admits nothing itself. A wallet's transaction passes the stateless checks
 * here and goes to the sequencer's JSON-RPC (or, with none, out on the `txs` gossip topic); it reads
 * "pending" here until a block holds it, and its sender's next nonce counts it.
 */
import {
  parseTransactionBytes,
  parseTransactionJson,
  type State,
  TxValidationError,
  type ValidatedTransaction,
  validateTransaction,
} from "@filverse/state";
import { Namespace, type PreconfirmationJson, RpcErrorCode, type SignedTransaction } from "@filverse/types";
import { type Hex, type Logger, toHex } from "@filverse/utils";
import type { Chain } from "../chain/chain.js";
import { RemoteRpcError, RemoteRpcErrorCode, SubmitError, toSubmitError } from "../errors.js";
import type { JsonRpcClient } from "../sync/blockSource.js";

/** Forwarded transactions remembered as pending here, and for how long (the sequencer may drop one). */
const MAX_FORWARDED = 10_000;
const FORWARDED_TTL_MS = 10 * 60_000;

export type TxForwarderModules = {
  chain: Chain;
  logger: Logger;
  /** The sequencer's JSON-RPC, where transactions are forwarded. */
  forward: JsonRpcClient | null;
  /** Without `forward`: publishes a transaction on the `txs` gossip topic, resolving to the peers reached. */
  gossipTransaction: ((tx: SignedTransaction) => Promise<number>) | null;
};

export class TxForwarder {
  private readonly chain: Chain;
  private readonly logger: Logger;
  private readonly forward: JsonRpcClient | null;
  private readonly gossipTransaction: ((tx: SignedTransaction) => Promise<number>) | null;
  private readonly forwarded = new Map<string, { vtx: ValidatedTransaction; sender: Hex; at: number }>();
  /** Sender → the nonce after its last forwarded transaction. */
  private readonly forwardedNonces = new Map<string, number>();

  constructor(modules: TxForwarderModules) {
    this.chain = modules.chain;
    this.logger = modules.logger;
    this.forward = modules.forward;
    this.gossipTransaction = modules.gossipTransaction;
  }

  /** A transaction this node forwarded and has not seen in a block yet. */
  pendingTx(hash: string): { vtx: ValidatedTransaction; sender: Hex } | undefined {
    const f = this.forwarded.get(hash);
    return f && { vtx: f.vtx, sender: f.sender };
  }

  /** The committed nonce, or past it the transactions this node forwarded (a wallet's next nonce). */
  pendingNonce(address: Uint8Array, state: State): number {
    const committed = state.get(Namespace.Account, address)?.nonce ?? 0;
    return Math.max(committed, this.forwardedNonces.get(toHex(address)) ?? 0);
  }

  /**
   * A wallet's transaction, forwarded to the sequencer after the cheap stateless checks (decoding,
   * chain id, field bounds); the sequencer's answer (hash or error code) is passed through. Throws
   * SubmitError; UNAVAILABLE when the sequencer cannot be reached (then nothing was admitted).
   */
  async submitJson(json: unknown): Promise<Hex> {
    const vtx = check(() => parseTransactionJson(json), this.chain.chainId);
    if (!this.forward) return this.gossipForward(vtx);
    return this.answeredHash(vtx, await this.call("filverse_sendTransaction", [json]));
  }

  /** The SSZ bytes of a signed transaction, forwarded as filverse_sendRawTransaction (or gossiped). */
  async submitRaw(bytes: Uint8Array): Promise<Hex> {
    const vtx = check(() => parseTransactionBytes(bytes), this.chain.chainId);
    if (!this.forward) return this.gossipForward(vtx);
    return this.answeredHash(vtx, await this.call("filverse_sendRawTransaction", [toHex(bytes)]));
  }

  /**
   * filverse_sendTransactionSync through the sequencer: its preconfirmation is passed back as it
   * came (the caller checks the signature against the sequencer's address). Without a sequencer RPC
   * there is nobody to wait for: UNAVAILABLE.
   */
  async submitSync(tx: unknown, timeoutMs: number): Promise<PreconfirmationJson> {
    const vtx = check(
      () => (tx instanceof Uint8Array ? parseTransactionBytes(tx) : parseTransactionJson(tx)),
      this.chain.chainId,
    );
    if (!this.forward) {
      throw new SubmitError(
        RpcErrorCode.UNAVAILABLE,
        "This verifier forwards to no sequencer RPC: no preconfirmation",
        {
          details: { reason: "no sequencer configured" },
        },
      );
    }
    const answer = await this.call<PreconfirmationJson>("filverse_sendTransactionSync", [
      tx instanceof Uint8Array ? toHex(tx) : tx,
      timeoutMs,
    ]);
    this.answeredHash(vtx, (answer as { hash?: unknown } | null)?.hash);
    return answer;
  }

  /** A preconfirmation is the sequencer's: asked there (null with no sequencer RPC). */
  async getPreconfirmation(hash: string): Promise<PreconfirmationJson | null> {
    if (!this.forward) return null;
    return this.call<PreconfirmationJson | null>("filverse_getPreconfirmation", [hash]);
  }

  /** One call to the sequencer: its refusal passed through with its code, anything else UNAVAILABLE. */
  private async call<T>(method: string, params: unknown[]): Promise<T> {
    try {
      return await this.forward!.call<T>(method, params);
    } catch (err) {
      if (err instanceof RemoteRpcError && err.code === RemoteRpcErrorCode.RPC_ERROR && err.rpcCode !== null) {
        throw new SubmitError(err.rpcCode as RpcErrorCode, String(err.details.message ?? err.shortMessage), {
          cause: err,
          details: (err.details.data as Record<string, unknown> | undefined) ?? {},
        });
      }
      this.logger.warn("forwarding to the sequencer failed", { method, reason: (err as Error).message });
      throw new SubmitError(RpcErrorCode.UNAVAILABLE, "The sequencer is unreachable", {
        cause: err,
        details: { reason: "sequencer unreachable" },
      });
    }
  }

  /** The sequencer answered with this transaction's hash: remembered as pending here. */
  private answeredHash(vtx: ValidatedTransaction, hash: unknown): Hex {
    if (typeof hash !== "string" || hash.toLowerCase() !== toHex(vtx.hash)) {
      throw new SubmitError(RpcErrorCode.UNAVAILABLE, "The sequencer's answer is not this transaction's hash", {
        details: { reason: "bad answer from the sequencer" },
      });
    }
    this.rememberForwarded(vtx);
    return toHex(vtx.hash);
  }

  /**
   * With no sequencer RPC, the transaction goes out on the `txs` gossip topic (the sequencer admits
   * what arrives there). Weaker than an RPC forward: the hash is returned once at least one peer took
   * the message, not once the sequencer journaled it, so it reads "pending" here and "dropped" if no
   * block includes it within FORWARDED_TTL_MS.
   */
  private async gossipForward(vtx: ValidatedTransaction): Promise<Hex> {
    if (!this.gossipTransaction) {
      throw new SubmitError(RpcErrorCode.UNAVAILABLE, "This verifier forwards transactions to no sequencer", {
        details: { reason: "no sequencer configured" },
      });
    }
    // Already sent: gossip would drop the same bytes as a duplicate, and the answer is the same hash.
    if (this.forwarded.has(toHex(vtx.hash))) return toHex(vtx.hash);
    let peers = 0;
    try {
      peers = await this.gossipTransaction(vtx.tx);
    } catch (err) {
      this.logger.warn("gossiping a transaction failed", { reason: (err as Error).message });
    }
    if (peers === 0) {
      throw new SubmitError(RpcErrorCode.UNAVAILABLE, "No peer took the transaction; the sequencer is unreachable", {
        details: { reason: "no gossip peer" },
      });
    }
    this.rememberForwarded(vtx);
    return toHex(vtx.hash);
  }

  /** Forwarded and not yet seen in a block: bounded, and forgotten after FORWARDED_TTL_MS (dropped there). */
  private rememberForwarded(vtx: ValidatedTransaction): void {
    const hash = toHex(vtx.hash);
    const sender = toHex(vtx.sender);
    if ((this.chain.stateIfOpen?.get(Namespace.Account, vtx.sender)?.nonce ?? 0) > vtx.tx.message.nonce) return; // already in a block here
    const now = Date.now();
    for (const [h, f] of this.forwarded) {
      if (this.forwarded.size < MAX_FORWARDED && now - f.at < FORWARDED_TTL_MS) break;
      this.forwarded.delete(h);
    }
    this.forwarded.set(hash, { vtx, sender, at: now });
    const next = vtx.tx.message.nonce + 1;
    if ((this.forwardedNonces.get(sender) ?? 0) < next) this.forwardedNonces.set(sender, next);
    this.chain.events.emit("txStatus", hash);
  }

  /** A committed block: its transactions are no longer pending here, nonces it passed are forgotten. */
  settle(receipts: { txHash: Uint8Array; sender: Uint8Array }[]): void {
    if (this.forwarded.size === 0 && this.forwardedNonces.size === 0) return;
    for (const r of receipts) {
      this.forwarded.delete(toHex(r.txHash));
      const sender = toHex(r.sender);
      const pending = this.forwardedNonces.get(sender);
      if (pending !== undefined && (this.chain.stateIfOpen?.get(Namespace.Account, r.sender)?.nonce ?? 0) >= pending) {
        this.forwardedNonces.delete(sender);
      }
    }
    if (this.forwardedNonces.size > MAX_FORWARDED) this.forwardedNonces.clear();
  }
}

/**
 * The stateless checks a verifier makes before forwarding (decoding, chain id, field bounds, the
 * signature): recovering the sender here lets it answer pendingNonce and "pending" until a block
 * holds the transaction. A refusal is the SubmitError with its RPC code.
 */
function check(parse: () => SignedTransaction, chainId: number): ValidatedTransaction {
  try {
    return validateTransaction(parse(), chainId);
  } catch (err) {
    if (err instanceof TxValidationError) throw toSubmitError(err);
    throw err;
  }
}
