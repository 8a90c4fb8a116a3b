/**
 * The local score of each peer: 0 for a new peer, lowered by a penalty for each piece of invalid
 * data or each limit breach, decaying back toward 0 with a half-life. A peer whose score falls below
 * `banThreshold` is banned for `banDurationMs`: the node disconnects it and refuses it meanwhile.
 * The score is also fed to gossipsub as its application-specific score, so a misbehaving peer also
 * loses its mesh slots before the ban.
 */

/** Why a peer's score dropped. Each reason has a penalty in `ScoringOpts.penalties`. */
export enum PenaltyReason {
  /** A gossip message that does not decode, or is for another chain. */
  DECODE_FAILED = "decode_failed",
  /** A gossip message the caller's validator rejected. */
  VALIDATION_REJECTED = "validation_rejected",
  /** A gossip message over its topic's size limit. */
  OVERSIZED = "oversized",
  /** A gossip message or a request over the peer's rate limit. */
  RATE_LIMITED = "rate_limited",
  /** A request that does not decode or asks for too much. */
  INVALID_REQUEST = "invalid_request",
  /** A response that does not decode or does not answer the request. */
  INVALID_RESPONSE = "invalid_response",
}

export type ScoringOpts = {
  /** Points taken per offence. */
  penalties: Record<PenaltyReason, number>;
  /** Below this score a peer is banned (and disconnected). */
  banThreshold: number;
  banDurationMs: number;
  /** Time for a score to halve on its way back to 0. */
  halfLifeMs: number;
  /** Scores are clamped to [minScore, maxScore]. */
  minScore: number;
  maxScore: number;
};

export const defaultScoringOpts: ScoringOpts = {
  // Five rejected messages, three undecodable or oversized ones, or ten messages over the rate limit
  // ban a peer from a fresh score. Honest peers validate before they forward, so none of these
  // reaches us from a peer that only relays someone else's bad message.
  penalties: {
    [PenaltyReason.DECODE_FAILED]: 20,
    [PenaltyReason.VALIDATION_REJECTED]: 10,
    [PenaltyReason.OVERSIZED]: 20,
    [PenaltyReason.RATE_LIMITED]: 5,
    [PenaltyReason.INVALID_REQUEST]: 10,
    [PenaltyReason.INVALID_RESPONSE]: 10,
  },
  banThreshold: -50,
  banDurationMs: 10 * 60_000,
  halfLifeMs: 10 * 60_000,
  minScore: -100,
  maxScore: 100,
};

export type ScoreChange = { peerId: string; score: number; delta: number; reason: PenaltyReason };
export type BanInfo = { peerId: string; score: number; reason: PenaltyReason; untilMs: number };

type Entry = { score: number; atMs: number; bannedUntilMs: number };

/** Past this many entries, those back at 0 and not banned are dropped. */
const PRUNE_AT_ENTRIES = 4096;

export class PeerScoreStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly opts: ScoringOpts,
    private readonly hooks: { onChange?: (c: ScoreChange) => void; onBan?: (b: BanInfo) => void } = {},
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The current score (decayed to now); 0 for a peer never penalized. */
  score(peerId: string): number {
    const e = this.entries.get(peerId);
    if (!e) return 0;
    this.decay(e, this.nowMs());
    return e.score;
  }

  isBanned(peerId: string): boolean {
    const e = this.entries.get(peerId);
    if (!e || e.bannedUntilMs === 0) return false;
    const now = this.nowMs();
    if (now < e.bannedUntilMs) return true;
    // The ban is over: the peer comes back halfway to the threshold, so one more offence bans it again.
    e.bannedUntilMs = 0;
    this.decay(e, now);
    e.score = Math.max(e.score, this.opts.banThreshold / 2);
    return false;
  }

  /** When the peer's ban ends (ms since the epoch), or 0 if it is not banned. */
  bannedUntil(peerId: string): number {
    return this.isBanned(peerId) ? this.entries.get(peerId)!.bannedUntilMs : 0;
  }

  /** Lower the peer's score for `reason`; bans it when it crosses the threshold. Returns the new score. */
  penalize(peerId: string, reason: PenaltyReason): number {
    const now = this.nowMs();
    let e = this.entries.get(peerId);
    if (!e) {
      if (this.entries.size >= PRUNE_AT_ENTRIES) this.prune(now);
      e = { score: 0, atMs: now, bannedUntilMs: 0 };
      this.entries.set(peerId, e);
    } else {
      this.decay(e, now);
    }
    const delta = -this.opts.penalties[reason];
    e.score = Math.max(this.opts.minScore, Math.min(this.opts.maxScore, e.score + delta));
    this.hooks.onChange?.({ peerId, score: e.score, delta, reason });
    if (e.score < this.opts.banThreshold && !(e.bannedUntilMs > now)) {
      e.bannedUntilMs = now + this.opts.banDurationMs;
      this.hooks.onBan?.({ peerId, score: e.score, reason, untilMs: e.bannedUntilMs });
    }
    return e.score;
  }

  private decay(e: Entry, now: number): void {
    const elapsed = now - e.atMs;
    if (elapsed > 0 && e.score !== 0) {
      e.score *= 2 ** (-elapsed / this.opts.halfLifeMs);
      if (Math.abs(e.score) < 0.01) e.score = 0;
    }
    e.atMs = now;
  }

  private prune(now: number): void {
    for (const [id, e] of this.entries) {
      this.decay(e, now);
      if (e.score === 0 && e.bannedUntilMs <= now) this.entries.delete(id);
    }
  }
}
