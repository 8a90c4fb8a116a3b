/**
 * Piece retrieval: downloads `{base}/piece/{pieceCid}` from a Boost, Curio or Filverse node, bounded in
 * size and time, and verifies the Piece CID (CommP) over every byte before returning any of them.
 */
import { MAX_PIECE_HEIGHT, MIN_PIECE_HEIGHT } from "@filverse/crypto";
import { bytesEqual, type Logger, nullLogger } from "@filverse/utils";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";
import { type PieceCidInfo, pieceCidInfo, pieceCidV2, unpaddedSize } from "../piece/pieceCid.js";
import { PIECE_PATH_PREFIX } from "../piece/pieceServer.js";
import { download, type FetchLike } from "./download.js";

/**
 * Computes a Piece CID. The implementation is CommP in @filverse/crypto (on worker threads); tests
 * use @web3-storage/data-segment. `pieceCid` is the FRC-0069 v2 string, `paddedSize` 32·2^height.
 */
export type PieceCommitter = {
  commP(bytes: Uint8Array): Promise<{ pieceCid: string; paddedSize: number }>;
};

export type RetrievePieceParameters = {
  /** The server's base URL; the piece is at `{baseUrl}/piece/{pieceCid}`. */
  baseUrl: string;
  /** v2 (carries the sizes) or v1 (then paddedSize is required). Requested in the form given. */
  pieceCid: string;
  /** The padded piece size (the checkpoint's pieceSize); required for a v1 CID, checked for v2. */
  paddedSize?: number;
  /**
   * The payload size (the checkpoint's carSize). For v1, bytes past it (a server's zero padding) are
   * cut; for v2 it is in the CID and checked.
   */
  payloadSize?: number;
  /** The whole download; default defaultRetrieveOpts.timeoutMs. */
  timeoutMs?: number;
  /** The longest silence between chunks; default defaultRetrieveOpts.idleTimeoutMs. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
};

export type RetrievePieceModules = {
  committer: PieceCommitter;
  /** Defaults to the global fetch. */
  fetch?: FetchLike | null;
  logger?: Logger | null;
};

export type RetrievePieceReturnType = {
  /** The payload (for a batch, the CAR), verified. */
  bytes: Uint8Array;
  /** The canonical v2 Piece CID of `bytes`. */
  pieceCid: string;
  url: string;
};

export const defaultRetrieveOpts = {
  /** A 1 GiB piece at 2 MiB/s. */
  timeoutMs: 10 * 60_000,
  idleTimeoutMs: 30_000,
};

type Expected = { info: PieceCidInfo; paddedSize: number; payloadSize: number | null };

function sizeError(shortMessage: string, details: Record<string, unknown>): FilecoinError {
  return new FilecoinError(FilecoinErrorCode.PIECE_SIZE_INVALID, shortMessage, { details });
}

/** The sizes the download must match, from the CID and the caller's hints (which must agree). */
function expectedOf(p: Omit<RetrievePieceParameters, "baseUrl">): Expected {
  const info = pieceCidInfo(p.pieceCid);
  const paddedSize = info.paddedSize ?? p.paddedSize;
  if (paddedSize === undefined) {
    throw sizeError("A v1 Piece CID needs the padded size", { pieceCid: p.pieceCid });
  }
  const height = Math.log2(paddedSize / 32);
  if (!Number.isInteger(height) || height < MIN_PIECE_HEIGHT || height > MAX_PIECE_HEIGHT) {
    throw sizeError("The padded size is not a piece size", { paddedSize });
  }
  if (p.paddedSize !== undefined && p.paddedSize !== paddedSize) {
    throw sizeError("The padded size disagrees with the Piece CID", { pieceCid: p.pieceCid, paddedSize: p.paddedSize });
  }
  const payloadSize = info.payloadSize ?? p.payloadSize ?? null;
  if (
    payloadSize !== null &&
    (!Number.isSafeInteger(payloadSize) || payloadSize < 1 || payloadSize > unpaddedSize(paddedSize))
  ) {
    throw sizeError("The payload size does not fit the piece", { payloadSize, paddedSize });
  }
  if (p.payloadSize !== undefined && p.payloadSize !== payloadSize) {
    throw sizeError("The payload size disagrees with the Piece CID", {
      pieceCid: p.pieceCid,
      payloadSize: p.payloadSize,
    });
  }
  return { info, paddedSize, payloadSize };
}

function corrupted(url: string, expected: string, details: Record<string, unknown> = {}): FilecoinError {
  return new FilecoinError(FilecoinErrorCode.PIECE_CORRUPTED, "The downloaded bytes are not the piece", {
    details: { url, expected, ...details },
  });
}

/**
 * Checks `bytes` against the expected piece and returns the payload. A server may serve the payload
 * alone (Filverse, Curio) or followed by the piece's zero padding up to the unpadded size (sealed-
 * sector reads): both have the same CommP root and height, and the zeros are cut.
 */
async function verify(
  bytes: Uint8Array,
  expected: Expected,
  url: string,
  committer: PieceCommitter,
): Promise<RetrievePieceReturnType> {
  const want = expected.info.v2 ?? expected.info.v1;
  if (expected.payloadSize !== null && bytes.length < expected.payloadSize) {
    throw corrupted(url, want, { received: bytes.length, payloadSize: expected.payloadSize });
  }
  let computed: { pieceCid: string; paddedSize: number };
  try {
    computed = await committer.commP(bytes);
  } catch (cause) {
    throw new FilecoinError(FilecoinErrorCode.PIECE_CORRUPTED, "CommP cannot be computed over the downloaded bytes", {
      details: { url, expected: want, received: bytes.length },
      cause,
    });
  }
  const got = pieceCidInfo(computed.pieceCid);
  if (got.paddedSize !== expected.paddedSize || !bytesEqual(got.root, expected.info.root)) {
    throw corrupted(url, want, { got: computed.pieceCid, paddedSize: computed.paddedSize });
  }
  const payloadSize = expected.payloadSize ?? bytes.length;
  for (let i = payloadSize; i < bytes.length; i++) {
    if (bytes[i] !== 0) throw corrupted(url, want, { nonZeroPaddingAt: i });
  }
  const payload = bytes.subarray(0, payloadSize);
  return { bytes: payload, pieceCid: pieceCidV2(expected.info.root, expected.paddedSize, payload.length), url };
}

/** `{baseUrl}/piece/{cid}`, the CID in the canonical string of the form given (v2 stays v2, v1 stays v1). */
export function pieceUrl(baseUrl: string, pieceCid: string): string {
  const info = pieceCidInfo(pieceCid);
  return `${baseUrl.replace(/\/+$/, "")}${PIECE_PATH_PREFIX}${info.v2 ?? info.v1}`;
}

/**
 * Downloads one piece from one server and verifies it. Errors: PIECE_CID_INVALID and
 * PIECE_SIZE_INVALID (bad arguments), PIECE_NOT_FOUND (404), PIECE_TOO_LARGE, RETRIEVAL_TIMEOUT,
 * RETRIEVAL_FAILED (network, other statuses), PIECE_CORRUPTED (CommP mismatch).
 */
export async function retrievePiece(
  params: RetrievePieceParameters,
  modules: RetrievePieceModules,
): Promise<RetrievePieceReturnType> {
  const expected = expectedOf(params);
  const url = pieceUrl(params.baseUrl, params.pieceCid);
  const res = await download(url, {
    maxBytes: unpaddedSize(expected.paddedSize),
    timeoutMs: params.timeoutMs ?? defaultRetrieveOpts.timeoutMs,
    idleTimeoutMs: params.idleTimeoutMs ?? defaultRetrieveOpts.idleTimeoutMs,
    headers: { accept: "application/octet-stream" },
    signal: params.signal ?? null,
    fetch: modules.fetch ?? null,
  });
  if (res.status === 404) {
    throw new FilecoinError(FilecoinErrorCode.PIECE_NOT_FOUND, "The server does not have the piece", {
      details: { url },
    });
  }
  if (res.status !== 200) {
    throw new FilecoinError(FilecoinErrorCode.RETRIEVAL_FAILED, `The server answered HTTP ${res.status}`, {
      details: { url, status: res.status },
    });
  }
  return verify(res.body, expected, url, modules.committer);
}

export type RetrievePieceFromAnyParameters = Omit<RetrievePieceParameters, "baseUrl"> & { baseUrls: string[] };

/**
 * Tries each server in order until one serves the verified piece. If all fail: RETRIEVAL_FAILED with
 * every attempt's error code in details.attempts (and the last error as cause).
 */
export async function retrievePieceFromAny(
  params: RetrievePieceFromAnyParameters,
  modules: RetrievePieceModules,
): Promise<RetrievePieceReturnType> {
  const logger = (modules.logger ?? nullLogger).child({ module: "retrieval" });
  expectedOf(params); // bad arguments fail before any request
  const { baseUrls, ...rest } = params;
  const attempts: { url: string; code: string }[] = [];
  let last: unknown = null;
  for (const baseUrl of baseUrls) {
    if (params.signal?.aborted) break;
    try {
      return await retrievePiece({ ...rest, baseUrl }, modules);
    } catch (err) {
      const code = err instanceof FilecoinError ? err.code : "UNKNOWN";
      logger.warn("piece retrieval failed; trying the next server", { baseUrl, pieceCid: params.pieceCid, code });
      attempts.push({ url: baseUrl, code });
      last = err;
    }
  }
  throw new FilecoinError(FilecoinErrorCode.RETRIEVAL_FAILED, "No server served the verified piece", {
    details: { pieceCid: params.pieceCid, attempts },
    cause: last ?? undefined,
  });
}
