/**
 * Keeps this node connected to its bootstrap peers: dial each at start, and whenever one is lost or
 * a dial fails, try again after a delay that doubles per failure up to a cap (with ±20% jitter, so
 * restarted nodes do not redial in step). A banned bootstrap peer waits out its ban.
 */

import type { Logger } from "@filverse/utils";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { P2PError, P2PErrorCode } from "./errors.js";

/** Redialling of bootstrap peers: exponential backoff between these bounds. */
export type RedialOpts = {
  /** The first retry after a bootstrap peer is lost or a dial fails; doubled per failure. */
  initialDelayMs: number;
  maxDelayMs: number;
};

export type BootstrapPeer = { peerId: string; addr: Multiaddr };

/** Parse `/…/p2p/<peerId>` multiaddrs; the PeerId part is required to recognise the peer when it drops. */
export function parseBootstrapPeers(addrs: string[]): BootstrapPeer[] {
  return addrs.map((s) => {
    let addr: Multiaddr;
    try {
      addr = multiaddr(s);
    } catch (cause) {
      throw new P2PError(P2PErrorCode.INVALID_CONFIG, `Bootstrap peer ${s} is not a multiaddr`, { cause });
    }
    const peerId = addr.getComponents().findLast((c) => c.name === "p2p")?.value;
    if (peerId === undefined) {
      throw new P2PError(P2PErrorCode.INVALID_CONFIG, `Bootstrap peer ${s} has no /p2p/<peerId> part`);
    }
    return { peerId, addr };
  });
}

type BootstrapDeps = {
  dial(addr: Multiaddr, signal: AbortSignal): Promise<unknown>;
  isConnected(peerId: string): boolean;
  /** When the peer's ban ends (ms since the epoch), 0 when not banned. */
  bannedUntil(peerId: string): number;
  logger: Logger;
  signal: AbortSignal;
};

type PeerState = BootstrapPeer & { failures: number; timer: NodeJS.Timeout | null; dialing: boolean };

export class BootstrapDialer {
  private readonly peers = new Map<string, PeerState>();

  constructor(
    peers: BootstrapPeer[],
    private readonly opts: RedialOpts,
    private readonly deps: BootstrapDeps,
  ) {
    for (const p of peers) this.peers.set(p.peerId, { ...p, failures: 0, timer: null, dialing: false });
  }

  start(): void {
    for (const p of this.peers.values()) void this.dial(p);
  }

  /** Call on every disconnect; only bootstrap peers are redialled. */
  onDisconnect(peerId: string): void {
    const p = this.peers.get(peerId);
    if (p) this.schedule(p);
  }

  stop(): void {
    for (const p of this.peers.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.timer = null;
    }
  }

  private schedule(p: PeerState): void {
    if (this.deps.signal.aborted || p.timer || p.dialing) return;
    const backoff = Math.min(this.opts.maxDelayMs, this.opts.initialDelayMs * 2 ** Math.min(p.failures, 30));
    const jittered = backoff * (0.8 + 0.4 * Math.random());
    const untilBan = Math.max(0, this.deps.bannedUntil(p.peerId) - Date.now());
    p.timer = setTimeout(
      () => {
        p.timer = null;
        void this.dial(p);
      },
      Math.max(jittered, untilBan),
    );
  }

  private async dial(p: PeerState): Promise<void> {
    if (this.deps.signal.aborted || p.dialing) return;
    if (this.deps.isConnected(p.peerId)) {
      p.failures = 0;
      return;
    }
    if (this.deps.bannedUntil(p.peerId) > 0) return this.schedule(p);
    p.dialing = true;
    try {
      await this.deps.dial(p.addr, this.deps.signal);
      p.failures = 0;
    } catch (err) {
      p.failures++;
      this.deps.logger.debug("bootstrap dial failed", { peer: p.peerId, failures: p.failures, error: String(err) });
    } finally {
      p.dialing = false;
    }
    // A connection that dropped while we were dialling leaves nothing to react to: check again.
    if (!this.deps.isConnected(p.peerId)) this.schedule(p);
  }
}
