/** Range sync over p2p: the verifier's `BlockSource` when the node runs a p2p network. */
import type { FilverseP2P } from "@filverse/p2p";
import type { SignedBlock } from "@filverse/types";
import { type Logger, nullLogger } from "@filverse/utils";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { BlockSource } from "./blockSource.js";

/**
 * Range sync over p2p, the verifier's `BlockSource`: the head is the highest `status` among the
 * connected peers, and ranges are fetched from that peer with `blocks_by_range` (at most 64 blocks
 * a request; each block's chain id, number and parent link are checked by the p2p layer, everything
 * else by the verifier). With no peer, or when the peer fails, it falls back to `fallback` (the
 * sequencer's RPC) when there is one.
 */
export class P2PBlockSource implements BlockSource {
  private best: string | null = null;

  constructor(
    private readonly network: () => FilverseP2P | null,
    private readonly fallback: BlockSource | null,
    private readonly logger: Logger = nullLogger,
  ) {}

  async head(): Promise<{ number: number; hash: Uint8Array }> {
    const p2p = this.network();
    const peers = p2p?.peers() ?? [];
    if (p2p && peers.length > 0) {
      const statuses = await Promise.allSettled(peers.map((p) => p2p.requestStatus(p.peerId)));
      let head: { number: number; hash: Uint8Array } | null = null;
      statuses.forEach((s, i) => {
        if (s.status === "fulfilled" && (head === null || s.value.headNumber > head.number)) {
          head = { number: s.value.headNumber, hash: s.value.headHash };
          this.best = peers[i]!.peerId;
        }
      });
      if (head) return head;
    }
    if (this.fallback) return this.fallback.head();
    throw new NodeError(
      NodeErrorCode.NO_BLOCK_SOURCE,
      "No peer answered a status request and there is no sequencer RPC to fall back to",
    );
  }

  async blocksByRange(start: number, count: number): Promise<SignedBlock[]> {
    const p2p = this.network();
    if (p2p && this.best) {
      try {
        const got = await p2p.requestBlocksByRange(this.best, start, Math.min(count, MAX_RANGE));
        return got.map((b) => b.block);
      } catch (err) {
        this.logger.debug("p2p range sync failed", { peer: this.best, start, err: String(err) });
        this.best = null;
        if (!this.fallback) throw err;
      }
    }
    if (this.fallback) return this.fallback.blocksByRange(start, count);
    throw new NodeError(
      NodeErrorCode.NO_BLOCK_SOURCE,
      "No peer to sync from and there is no sequencer RPC to fall back to",
    );
  }
}

/** blocks_by_range's largest request (`@filverse/p2p`). */
const MAX_RANGE = 64;
