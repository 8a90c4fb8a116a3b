/**
 * A node's place in the p2p network (`@filverse/p2p`): the libp2p host with its persistent peer key,
 * serving `status` and `blocks_by_range` from the node's chain database, and, for a sequencer,
 * gossiping every sealed block and admitting transactions verifiers forward over gossip.
 * Configured by `p2p` in `filverse.json`; without it a node runs alone, as before.
 */
import { resolve } from "node:path";
import type { ChainDb } from "@filverse/db";
import { createFilverseP2P, type FilverseP2P, GossipValidationResult } from "@filverse/p2p";
import type { Checkpoint, SignedBlock } from "@filverse/types";
import { signedTxToJson } from "@filverse/types";
import { type Logger, nullLogger } from "@filverse/utils";
import type { BlockSource } from "./blockSource.js";

export type NodeP2PConfig = {
  /** Multiaddrs to listen on. Default ["/ip4/127.0.0.1/tcp/0"]. */
  listen?: string[];
  /** Peers to dial at start and keep dialling (multiaddrs ending in /p2p/<PeerId>). */
  bootstrapPeers?: string[];
  /** The libp2p identity key file, relative to the data dir (mode 0600). Default "p2p.key". */
  peerKeyFile?: string;
};

export type NodeNetworkModules = {
  db: () => ChainDb;
  head: () => { number: number; hash: Uint8Array };
  logger?: Logger | null;
  /** Serves checkpoint_signature requests (a verifier); refusing is throwing. */
  signCheckpoint?: ((cp: Checkpoint) => Promise<Uint8Array>) | null;
};

export async function createNodeNetwork(
  opts: { config: NodeP2PConfig; dataDir: string; chainId: number },
  modules: NodeNetworkModules,
): Promise<FilverseP2P> {
  const { config } = opts;
  return createFilverseP2P(
    {
      chainId: opts.chainId,
      listen: config.listen ?? ["/ip4/127.0.0.1/tcp/0"],
      bootstrapPeers: config.bootstrapPeers ?? [],
      peerKeyFile: resolve(opts.dataDir, config.peerKeyFile ?? "p2p.key"),
    },
    {
      logger: modules.logger ?? nullLogger,
      getBlockBytes: (n) => modules.db().getBlockBytes(n),
      getStatus: () => {
        const head = modules.head();
        return { headNumber: head.number, headHash: head.hash };
      },
      ...(modules.signCheckpoint ? { signCheckpoint: modules.signCheckpoint } : {}),
    },
  );
}

/**
 * The sequencer's side: every sealed block is gossiped, and transactions arriving on the `txs` topic
 * (forwarded by verifiers) are admitted like RPC submissions; one the mempool refuses is dropped
 * without penalising the peer (it may only be late), one that does not decode is rejected by the
 * p2p layer itself.
 */
export function gossipAsSequencer(
  p2p: FilverseP2P,
  sequencer: {
    events: { on(event: "newHead", listener: (block: SignedBlock) => void): unknown };
    submitJson(json: unknown): Promise<string>;
  },
  logger: Logger = nullLogger,
): void {
  sequencer.events.on("newHead", (block) => {
    p2p
      .publishBlock(block)
      .catch((err) => logger.debug("block gossip failed", { number: block.header.number, err: String(err) }));
  });
  p2p.subscribe("txs", {
    validate: async () => GossipValidationResult.Accept,
    onMessage: ({ value }) => {
      sequencer.submitJson(signedTxToJson(value)).catch(() => {
        // Refused by the mempool (a replay, a spent nonce): the verifier's own RPC caller got the error.
      });
    },
  });
}

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
    throw new Error("No peer answered a status request and there is no sequencer RPC to fall back to");
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
    throw new Error("No peer to sync from and there is no sequencer RPC to fall back to");
  }
}

/** blocks_by_range's largest request (`@filverse/p2p`). */
const MAX_RANGE = 64;
