/**
 * Length-prefixed frames on a libp2p stream: `varint(len) ‖ bytes`, the varint unsigned LEB128 as in
 * multiformats. A request is one frame holding its SSZ payload; a response is zero or more frames,
 * each `result byte ‖ payload`. Every frame is bounded before a byte of its body is buffered.
 */
import type { Stream } from "@libp2p/interface";

/** Frame lengths are at most 2^32 - 1, so a length prefix has at most 5 bytes. */
const MAX_VARINT_BYTES = 5;

export enum FrameErrorKind {
  TOO_LARGE = "too_large",
  BAD_LENGTH = "bad_length",
  TRUNCATED = "truncated",
}

/** A framing violation by the remote end. */
export class FrameError extends Error {
  override name = "FrameError";
  constructor(
    readonly kind: FrameErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export function encodeVarint(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`Cannot encode length ${n}`);
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

export function encodeFrame(payload: Uint8Array): Uint8Array {
  const prefix = encodeVarint(payload.length);
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix);
  out.set(payload, prefix.length);
  return out;
}

/** A response frame: `result code ‖ payload`. */
export function encodeChunk(code: number, payload: Uint8Array): Uint8Array {
  const body = new Uint8Array(1 + payload.length);
  body[0] = code;
  body.set(payload, 1);
  return encodeFrame(body);
}

type Chunk = Uint8Array | { subarray(): Uint8Array };

/**
 * Split a byte stream into frames of at most `maxFrameBytes`. Ends cleanly only on a frame boundary;
 * a stream that ends mid-frame throws FrameError(TRUNCATED).
 */
export async function* readFrames(source: AsyncIterable<Chunk>, maxFrameBytes: number): AsyncGenerator<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let buffered = 0;
  let frameLength = -1;

  // Take `n` bytes off the front of the buffered chunks, copying only when a frame spans chunks.
  const take = (n: number): Uint8Array => {
    const first = chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) chunks.shift();
      else chunks[0] = first.subarray(n);
      buffered -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = chunks[0]!;
      const used = Math.min(c.length, n - filled);
      out.set(c.subarray(0, used), filled);
      filled += used;
      if (used === c.length) chunks.shift();
      else chunks[0] = c.subarray(used);
    }
    buffered -= n;
    return out;
  };

  // Decode the length prefix if enough bytes are buffered; -1 if not yet.
  const readLength = (): number => {
    let value = 0;
    let scale = 1;
    let i = 0;
    for (const c of chunks) {
      for (const byte of c) {
        value += (byte & 0x7f) * scale;
        i++;
        if ((byte & 0x80) === 0) {
          if (i > 1 && byte === 0) throw new FrameError(FrameErrorKind.BAD_LENGTH, "Non-minimal length prefix");
          take(i);
          return value;
        }
        if (i >= MAX_VARINT_BYTES) throw new FrameError(FrameErrorKind.BAD_LENGTH, "Length prefix is too long");
        scale *= 0x80;
      }
    }
    return -1;
  };

  for await (const raw of source) {
    const chunk = raw instanceof Uint8Array ? raw : raw.subarray();
    if (chunk.length === 0) continue;
    chunks.push(chunk);
    buffered += chunk.length;
    while (true) {
      if (frameLength < 0) {
        if (buffered === 0) break;
        frameLength = readLength();
        if (frameLength < 0) break;
        if (frameLength > maxFrameBytes) {
          throw new FrameError(
            FrameErrorKind.TOO_LARGE,
            `Frame of ${frameLength} bytes; the limit is ${maxFrameBytes}`,
          );
        }
      }
      if (buffered < frameLength) break;
      const frame = frameLength === 0 ? new Uint8Array(0) : take(frameLength);
      frameLength = -1;
      yield frame;
    }
  }
  if (buffered > 0 || frameLength >= 0) {
    throw new FrameError(FrameErrorKind.TRUNCATED, "The stream ended inside a frame");
  }
}

/** Send bytes, waiting for the muxer to drain when its buffer is full. */
export async function sendBytes(stream: Stream, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
  if (!stream.send(bytes)) await stream.onDrain(signal ? { signal } : {});
}
