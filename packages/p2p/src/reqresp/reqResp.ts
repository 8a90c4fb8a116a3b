/**
 * Request/response over libp2p streams, one stream per request (Lodestar's req/resp shape, with SSZ
 * and no compression):
 *   request  = varint(len) ‖ SSZ request, then the requester closes its write end;
 *   response = zero or more chunks varint(len) ‖ result ‖ payload, then the responder closes.
 * result 0 carries an SSZ payload; any other result is an error with a UTF-8 message, and ends the
 * response. Every frame is bounded, both ends have timeouts, and each peer has a rate limit per protocol.
 */

import { type BlockHeader, blockHash, Checkpoint, decodeSignedBlock, type SignedBlock } from "@filverse/types";
import { bytesEqual, type Logger } from "@filverse/utils";
import type { Connection, Libp2p, PeerId, Stream } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { ReqRespError, ReqRespErrorCode } from "../errors.js";
import { BlocksByRangeRequest, Status } from "../messages.js";
import { MAX_ERROR_MESSAGE_BYTES, MAX_REQUEST_BYTES, type ReqRespOpts } from "../options.js";
import { type PeerScoreStore, PenaltyReason } from "../peerScore.js";
import { RateLimiter } from "../rateLimiter.js";
import { REQRESP_PROTOCOLS, type ReqRespProtocolName, reqRespProtocolId } from "../topics.js";
import { encodeChunk, encodeFrame, FrameError, FrameErrorKind, readFrames, sendBytes } from "./frames.js";

/** The result byte of a response chunk. */
export enum RespCode {
  SUCCESS = 0,
  INVALID_REQUEST = 1,
  SERVER_ERROR = 2,
  RESOURCE_UNAVAILABLE = 3,
  RATE_LIMITED = 4,
}

const WIRE_TO_ERROR: Record<number, ReqRespErrorCode> = {
  [RespCode.INVALID_REQUEST]: ReqRespErrorCode.INVALID_REQUEST,
  [RespCode.SERVER_ERROR]: ReqRespErrorCode.SERVER_ERROR,
  [RespCode.RESOURCE_UNAVAILABLE]: ReqRespErrorCode.RESOURCE_UNAVAILABLE,
  [RespCode.RATE_LIMITED]: ReqRespErrorCode.RATE_LIMITED,
};

const ERROR_TO_WIRE: Partial<Record<ReqRespErrorCode, RespCode>> = {
  [ReqRespErrorCode.INVALID_REQUEST]: RespCode.INVALID_REQUEST,
  [ReqRespErrorCode.RESOURCE_UNAVAILABLE]: RespCode.RESOURCE_UNAVAILABLE,
  [ReqRespErrorCode.RATE_LIMITED]: RespCode.RATE_LIMITED,
};

/** What a node serves. A protocol whose callback is null is not registered, and peers get DIAL_FAILED. */
export type ReqRespServers = {
  /** The SSZ SignedBlock of block `n`, or null past the head. */
  getBlockBytes: ((n: number) => Promise<Uint8Array | null> | Uint8Array | null) | null;
  getStatus: (() => Promise<Status> | Status) | null;
  /**
   * This node's 65-byte signature over the checkpoint. Throw ReqRespError(RESOURCE_UNAVAILABLE) to
   * decline (not verified yet, not a validator) or INVALID_REQUEST for a checkpoint it disputes.
   */
  signCheckpoint: ((checkpoint: Checkpoint, peerId: string) => Promise<Uint8Array> | Uint8Array) | null;
};

export type BlockWithBytes = { block: SignedBlock; bytes: Uint8Array };

type ReqRespDeps = {
  libp2p: Libp2p;
  chainId: number;
  scores: PeerScoreStore;
  servers: ReqRespServers;
  logger: Logger;
  /** Aborted when the node stops: every request in flight fails with ABORTED. */
  signal: AbortSignal;
};

type ResponseBounds = { maxChunks: number; maxChunkBytes: number };

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function toPeerId(peer: PeerId | string): PeerId {
  return typeof peer === "string" ? peerIdFromString(peer) : peer;
}

export class ReqResp {
  private readonly limiters: Record<ReqRespProtocolName, RateLimiter>;
  private readonly registered: string[] = [];

  constructor(
    private readonly opts: ReqRespOpts,
    private readonly deps: ReqRespDeps,
  ) {
    this.limiters = {
      status: new RateLimiter(opts.rateLimits.status),
      blocks_by_range: new RateLimiter(opts.rateLimits.blocks_by_range),
      checkpoint_signature: new RateLimiter(opts.rateLimits.checkpoint_signature),
    };
  }

  protocolId(name: ReqRespProtocolName): string {
    return reqRespProtocolId(this.deps.chainId, name);
  }

  /** Register a handler for each protocol this node serves. Call after libp2p has started. */
  async register(): Promise<void> {
    const { servers } = this.deps;
    const serves: Record<ReqRespProtocolName, boolean> = {
      status: servers.getStatus !== null,
      blocks_by_range: servers.getBlockBytes !== null,
      checkpoint_signature: servers.signCheckpoint !== null,
    };
    for (const name of REQRESP_PROTOCOLS) {
      if (!serves[name]) continue;
      const id = this.protocolId(name);
      await this.deps.libp2p.handle(id, (stream, connection) => this.onStream(name, stream, connection), {
        maxInboundStreams: this.opts.maxStreamsPerConnection,
        maxOutboundStreams: this.opts.maxStreamsPerConnection,
      });
      this.registered.push(id);
    }
  }

  async unregister(): Promise<void> {
    const ids = this.registered.splice(0);
    await this.deps.libp2p.unhandle(ids).catch(() => {});
  }

  // ------------------------------------------------------------------ requester

  async requestStatus(peer: PeerId | string): Promise<Status> {
    const peerId = toPeerId(peer);
    const [chunk] = await this.exchange(peerId, "status", new Uint8Array(0), {
      maxChunks: 1,
      maxChunkBytes: Status.ssz.maxSize,
    });
    if (chunk === undefined) throw this.invalidResponse(peerId, "Empty status response");
    try {
      return Status.deserialize(chunk);
    } catch (cause) {
      throw this.invalidResponse(peerId, "Status response does not decode", cause);
    }
  }

  /**
   * Blocks `start … start + count - 1`, or fewer if the peer's chain ends sooner. Each block is
   * decoded and checked for the chain id, its number and its link to the one before it; its seal
   * and execution are the caller's to verify.
   */
  async requestBlocksByRange(peer: PeerId | string, start: number, count: number): Promise<BlockWithBytes[]> {
    for (const [name, v] of [
      ["start", start],
      ["count", count],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
    }
    const peerId = toPeerId(peer);
    const chunks = await this.exchange(
      peerId,
      "blocks_by_range",
      BlocksByRangeRequest.serialize({ startBlock: start, count }),
      { maxChunks: count, maxChunkBytes: this.opts.maxBlockBytes },
    );
    const out: BlockWithBytes[] = [];
    let parent: BlockHeader | null = null;
    for (const [i, bytes] of chunks.entries()) {
      let block: SignedBlock;
      try {
        block = decodeSignedBlock(bytes);
      } catch (cause) {
        throw this.invalidResponse(peerId, `Block ${start + i} does not decode`, cause);
      }
      const h = block.header;
      if (h.chainId !== this.deps.chainId || h.number !== start + i) {
        throw this.invalidResponse(peerId, `Expected block ${start + i}, got block ${h.number} of chain ${h.chainId}`);
      }
      if (parent !== null && !bytesEqual(h.parentHash, blockHash(parent))) {
        throw this.invalidResponse(peerId, `Block ${h.number} does not link to block ${parent.number}`);
      }
      parent = h;
      out.push({ block, bytes });
    }
    return out;
  }

  /** The peer's 65-byte signature over `checkpoint`; the caller recovers it against the L1 digest. */
  async requestCheckpointSignature(peer: PeerId | string, checkpoint: Checkpoint): Promise<Uint8Array> {
    const peerId = toPeerId(peer);
    const [chunk] = await this.exchange(peerId, "checkpoint_signature", Checkpoint.serialize(checkpoint), {
      maxChunks: 1,
      maxChunkBytes: 65,
    });
    if (chunk?.length !== 65) throw this.invalidResponse(peerId, "Checkpoint signature response is not 65 bytes");
    return chunk;
  }

  private invalidResponse(peerId: PeerId, message: string, cause?: unknown): ReqRespError {
    this.deps.scores.penalize(peerId.toString(), PenaltyReason.INVALID_RESPONSE);
    return new ReqRespError(ReqRespErrorCode.INVALID_RESPONSE, message, {
      cause,
      details: { peer: peerId.toString() },
    });
  }

  /** One request, all its response chunks' payloads. Throws ReqRespError. */
  private async exchange(
    peerId: PeerId,
    name: ReqRespProtocolName,
    request: Uint8Array,
    bounds: ResponseBounds,
  ): Promise<Uint8Array[]> {
    const protocol = this.protocolId(name);
    const details = { peer: peerId.toString(), protocol };
    if (this.deps.signal.aborted)
      throw new ReqRespError(ReqRespErrorCode.ABORTED, "The p2p node is stopped", { details });
    const ac = new AbortController();
    const timer = setTimeout(
      () =>
        ac.abort(
          new ReqRespError(ReqRespErrorCode.TIMEOUT, `No complete response within ${this.opts.requestTimeoutMs} ms`, {
            details,
          }),
        ),
      this.opts.requestTimeoutMs,
    );
    const onStop = () => ac.abort(new ReqRespError(ReqRespErrorCode.ABORTED, "The p2p node stopped", { details }));
    this.deps.signal.addEventListener("abort", onStop, { once: true });
    let stream: Stream | undefined;
    const abortStream = () => stream?.abort(ac.signal.reason as Error);
    ac.signal.addEventListener("abort", abortStream, { once: true });
    try {
      try {
        stream = await this.deps.libp2p.dialProtocol(peerId, protocol, { signal: ac.signal });
      } catch (cause) {
        if (ac.signal.aborted) throw ac.signal.reason;
        throw new ReqRespError(ReqRespErrorCode.DIAL_FAILED, `Cannot open ${protocol} to the peer`, { cause, details });
      }
      await sendBytes(stream, encodeFrame(request), ac.signal);
      await stream.close({ signal: ac.signal });
      const payloads: Uint8Array[] = [];
      for await (const frame of readFrames(stream, 1 + bounds.maxChunkBytes)) {
        if (frame.length === 0) throw this.invalidResponse(peerId, "Empty response chunk");
        const code = frame[0]!;
        const body = frame.subarray(1);
        if (code !== RespCode.SUCCESS) {
          const message = fromUtf8.decode(body.subarray(0, MAX_ERROR_MESSAGE_BYTES));
          throw new ReqRespError(
            WIRE_TO_ERROR[code] ?? ReqRespErrorCode.UNKNOWN_ERROR_CODE,
            `The peer answered ${protocol} with error ${code}: ${message}`,
            { details: { ...details, code, message } },
          );
        }
        if (payloads.length === bounds.maxChunks)
          throw this.invalidResponse(peerId, "More response chunks than asked for");
        payloads.push(body);
      }
      return payloads;
    } catch (err) {
      stream?.abort(err instanceof Error ? err : new Error(String(err)));
      // A timeout or a stop surfaces as whatever the aborted stream threw: report the reason instead.
      if (ac.signal.aborted) throw ac.signal.reason;
      if (err instanceof ReqRespError) throw err;
      if (err instanceof FrameError) {
        if (err.kind === FrameErrorKind.TRUNCATED) {
          throw new ReqRespError(ReqRespErrorCode.STREAM_ERROR, "The response ended mid-chunk", {
            cause: err,
            details,
          });
        }
        throw this.invalidResponse(peerId, `Malformed response chunk: ${err.message}`, err);
      }
      throw new ReqRespError(ReqRespErrorCode.STREAM_ERROR, "The response stream failed", { cause: err, details });
    } finally {
      clearTimeout(timer);
      this.deps.signal.removeEventListener("abort", onStop);
      ac.signal.removeEventListener("abort", abortStream);
    }
  }

  // ------------------------------------------------------------------ responder

  private async onStream(name: ReqRespProtocolName, stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString();
    const log = this.deps.logger;
    if (this.deps.scores.isBanned(peer)) {
      stream.abort(new Error("banned peer"));
      return;
    }
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error("response timeout")), this.opts.responseTimeoutMs);
    const onStop = () => ac.abort(new Error("node stopping"));
    this.deps.signal.addEventListener("abort", onStop, { once: true });
    const onAbort = () => stream.abort(ac.signal.reason as Error);
    ac.signal.addEventListener("abort", onAbort, { once: true });
    const fail = async (code: RespCode, message: string) => {
      const text = utf8.encode(message).subarray(0, MAX_ERROR_MESSAGE_BYTES);
      await sendBytes(stream, encodeChunk(code, text), ac.signal);
    };
    try {
      let request: Uint8Array | undefined;
      try {
        for await (const frame of readFrames(stream, MAX_REQUEST_BYTES[name])) {
          request = frame;
          break;
        }
      } catch (err) {
        if (!(err instanceof FrameError)) throw err;
        this.deps.scores.penalize(peer, PenaltyReason.INVALID_REQUEST);
        await fail(RespCode.INVALID_REQUEST, err.message);
        await stream.close({ signal: ac.signal });
        return;
      }
      if (request === undefined) {
        this.deps.scores.penalize(peer, PenaltyReason.INVALID_REQUEST);
        await fail(RespCode.INVALID_REQUEST, "No request");
      } else {
        await this.serve(name, request, peer, stream, ac.signal, fail);
      }
      await stream.close({ signal: ac.signal });
    } catch (err) {
      log.debug("req/resp stream failed", { protocol: name, peer, error: String(err) });
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    } finally {
      clearTimeout(timer);
      this.deps.signal.removeEventListener("abort", onStop);
      ac.signal.removeEventListener("abort", onAbort);
    }
  }

  private async serve(
    name: ReqRespProtocolName,
    request: Uint8Array,
    peer: string,
    stream: Stream,
    signal: AbortSignal,
    fail: (code: RespCode, message: string) => Promise<void>,
  ): Promise<void> {
    const { scores, servers } = this.deps;
    const rateLimited = async (cost: number) => {
      if (this.limiters[name].take(peer, cost)) return false;
      scores.penalize(peer, PenaltyReason.RATE_LIMITED);
      await fail(RespCode.RATE_LIMITED, `Rate limit of ${name} exceeded`);
      return true;
    };
    const invalid = async (message: string) => {
      scores.penalize(peer, PenaltyReason.INVALID_REQUEST);
      await fail(RespCode.INVALID_REQUEST, message);
    };
    try {
      switch (name) {
        case "status": {
          if (await rateLimited(1)) return;
          const status = await servers.getStatus!();
          await sendBytes(stream, encodeChunk(RespCode.SUCCESS, Status.serialize(status)), signal);
          return;
        }
        case "blocks_by_range": {
          let req: BlocksByRangeRequest;
          try {
            req = BlocksByRangeRequest.deserialize(request);
          } catch {
            return invalid("Request is not an SSZ BlocksByRangeRequest");
          }
          const { startBlock, count } = req;
          if (count < 1 || count > this.opts.maxBlocksPerRequest) {
            return invalid(`count must be 1 to ${this.opts.maxBlocksPerRequest}, got ${count}`);
          }
          // Subtract, not add: startBlock + count can round back under the bound in floating point.
          if (startBlock > Number.MAX_SAFE_INTEGER - (count - 1)) return invalid("The range ends past 2^53 - 1");
          if (await rateLimited(count)) return;
          for (let n = startBlock; n < startBlock + count; n++) {
            const bytes = await servers.getBlockBytes!(n);
            if (bytes === null) break;
            if (bytes.length > this.opts.maxBlockBytes) {
              this.deps.logger.warn("block too large to serve", { number: n, bytes: bytes.length });
              break;
            }
            await sendBytes(stream, encodeChunk(RespCode.SUCCESS, bytes), signal);
          }
          return;
        }
        case "checkpoint_signature": {
          let checkpoint: Checkpoint;
          try {
            checkpoint = Checkpoint.deserialize(request);
          } catch {
            return invalid("Request is not an SSZ Checkpoint");
          }
          if (checkpoint.chainId !== this.deps.chainId) {
            return invalid(`Checkpoint is for chain ${checkpoint.chainId}, not ${this.deps.chainId}`);
          }
          if (await rateLimited(1)) return;
          const signature = await servers.signCheckpoint!(checkpoint, peer);
          if (!(signature instanceof Uint8Array) || signature.length !== 65) {
            throw new TypeError("signCheckpoint must return a 65-byte signature");
          }
          await sendBytes(stream, encodeChunk(RespCode.SUCCESS, signature), signal);
          return;
        }
      }
    } catch (err) {
      if (signal.aborted) throw err;
      // A server callback's typed refusal goes to the peer as is; anything else is our fault.
      const wire = err instanceof ReqRespError ? ERROR_TO_WIRE[err.code] : undefined;
      if (wire !== undefined) return fail(wire, (err as ReqRespError).shortMessage);
      this.deps.logger.warn("req/resp handler failed", { protocol: name, peer, error: String(err) });
      return fail(RespCode.SERVER_ERROR, "Internal error");
    }
  }
}
