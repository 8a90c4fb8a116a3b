/**
 * ByteSource: random access to a CAR's bytes, so a reader fetches only the ranges it needs. In
 * memory, from a file, or over HTTP ranges (`createHttpByteSource` in retrieval/).
 */
import { open } from "node:fs/promises";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";

export type ByteSource = {
  /** Total bytes available. */
  readonly size: number;
  /** Bytes [offset, offset + length); may return fewer only at the end of the source. */
  read(offset: number, length: number): Promise<Uint8Array>;
};

/** Exactly `length` bytes at `offset`, or CAR_TRUNCATED. */
export async function readExact(source: ByteSource, offset: number, length: number): Promise<Uint8Array> {
  const bytes = offset + length > source.size ? null : await source.read(offset, length);
  if (!bytes || bytes.length !== length) {
    throw new FilecoinError(FilecoinErrorCode.CAR_TRUNCATED, "The source ends before the range a reader needs", {
      details: { offset, length, size: source.size },
    });
  }
  return bytes;
}

export function createBytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
  };
}

/** A read-only file as a ByteSource; close() releases the handle. */
export async function openFileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const handle = await open(path, "r");
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      const buf = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      let done = 0;
      while (done < buf.length) {
        const { bytesRead } = await handle.read(buf, done, buf.length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf.subarray(0, done);
    },
    close: () => handle.close(),
  };
}
