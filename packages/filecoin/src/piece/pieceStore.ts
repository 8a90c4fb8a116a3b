/**
 * The piece store: one file per piece in a directory, named by its canonical v2 Piece CID and holding
 * the payload bytes (the batch CAR). Writes are atomic: temporary file, fsync, rename, fsync of the
 * directory, so a crash leaves either the whole piece or none of it.
 */
import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { toHex } from "@filverse/utils";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";
import { pieceCidInfo } from "./pieceCid.js";

export type PieceStoreOpts = {
  /** The directory; created if missing. */
  dir: string;
};

export type StoredPiece = {
  /** The canonical v2 Piece CID. */
  pieceCid: string;
  /** The payload's size in bytes. */
  size: number;
  path: string;
};

export type OpenedPiece = StoredPiece & { handle: FileHandle };

const TMP_PREFIX = ".tmp-";

function ioError(shortMessage: string, cause: unknown, details: Record<string, unknown> = {}): FilecoinError {
  return new FilecoinError(FilecoinErrorCode.STORE_IO, shortMessage, { cause, details });
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === "ENOENT";
}

export class PieceStore {
  readonly dir: string;
  /** Stored pieces: canonical v2 → payload size. */
  private readonly pieces = new Map<string, number>();
  /** CommP root (hex) → the v2 CIDs stored with that root, for v1 lookups. */
  private readonly byRoot = new Map<string, string[]>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Opens (creating) the directory, removes temporary files a crash left, and indexes the pieces. */
  static async open(opts: PieceStoreOpts): Promise<PieceStore> {
    const store = new PieceStore(opts.dir);
    let names: string[];
    try {
      await mkdir(opts.dir, { recursive: true });
      names = await readdir(opts.dir);
      for (const name of names) {
        if (name.startsWith(TMP_PREFIX)) await rm(join(opts.dir, name), { force: true });
      }
    } catch (cause) {
      throw ioError("Cannot open the piece store directory", cause, { dir: opts.dir });
    }
    for (const name of names) {
      let info: ReturnType<typeof pieceCidInfo>;
      try {
        info = pieceCidInfo(name);
      } catch {
        continue; // not a piece: left alone
      }
      if (info.v2 === name) store.remember(name, info.root, info.payloadSize!);
    }
    return store;
  }

  private remember(v2: string, root: Uint8Array, size: number): void {
    if (this.pieces.has(v2)) return;
    this.pieces.set(v2, size);
    const key = toHex(root);
    const list = [...(this.byRoot.get(key) ?? []), v2];
    // Pieces with one root differ only by trailing zeros; a v1 lookup gets the longest payload.
    list.sort((a, b) => this.pieces.get(b)! - this.pieces.get(a)! || (a < b ? -1 : 1));
    this.byRoot.set(key, list);
  }

  /**
   * The canonical v2 CID of the stored piece that `pieceCid` (v2 or v1, any base) names, or null if
   * none is stored. Throws PIECE_CID_INVALID for a string that is no Piece CID.
   */
  resolve(pieceCid: string): string | null {
    const info = pieceCidInfo(pieceCid);
    if (info.v2 !== null) return this.pieces.has(info.v2) ? info.v2 : null;
    return this.byRoot.get(toHex(info.root))?.[0] ?? null;
  }

  has(pieceCid: string): boolean {
    return this.resolve(pieceCid) !== null;
  }

  /** Every stored piece's v2 CID, sorted. */
  list(): string[] {
    return [...this.pieces.keys()].sort();
  }

  path(v2: string): string {
    return join(this.dir, v2);
  }

  /**
   * Stores `bytes` as the piece `pieceCid` (v2: it carries the payload size, which must be
   * bytes.length). The caller computed the Piece CID; the store does not recompute CommP.
   * Idempotent: storing a piece again leaves the file as it is.
   */
  async put(pieceCid: string, bytes: Uint8Array): Promise<StoredPiece> {
    const info = pieceCidInfo(pieceCid);
    if (info.v2 === null) {
      throw new FilecoinError(FilecoinErrorCode.PIECE_SIZE_INVALID, "Pieces are stored under v2 Piece CIDs", {
        details: { pieceCid },
      });
    }
    if (info.payloadSize !== bytes.length) {
      throw new FilecoinError(FilecoinErrorCode.PIECE_SIZE_INVALID, "The bytes are not the Piece CID's payload size", {
        details: { pieceCid, expected: info.payloadSize, got: bytes.length },
      });
    }
    const path = this.path(info.v2);
    if (!this.pieces.has(info.v2)) {
      const tmp = join(this.dir, `${TMP_PREFIX}${toHex(randomBytes(8)).slice(2)}`);
      try {
        const fh = await open(tmp, "wx", 0o644);
        try {
          await fh.writeFile(bytes);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, path);
        await this.syncDir();
      } catch (cause) {
        await rm(tmp, { force: true }).catch(() => {});
        throw ioError("Cannot write a piece", cause, { pieceCid: info.v2 });
      }
      this.remember(info.v2, info.root, bytes.length);
    }
    return { pieceCid: info.v2, size: bytes.length, path };
  }

  private async syncDir(): Promise<void> {
    // The rename is durable only once the directory entry is; Windows cannot open a directory.
    if (process.platform === "win32") return;
    const dh = await open(this.dir, "r");
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  /**
   * An open handle on a stored piece (the caller closes it), or null if it is not stored. The size is
   * the file's, read from the handle, so a reader never sees a half-written file.
   */
  async openPiece(pieceCid: string): Promise<OpenedPiece | null> {
    const v2 = this.resolve(pieceCid);
    if (v2 === null) return null;
    const path = this.path(v2);
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (cause) {
      if (isNotFound(cause)) return null;
      throw ioError("Cannot open a piece", cause, { pieceCid: v2 });
    }
    try {
      const { size } = await handle.stat();
      return { pieceCid: v2, size, path, handle };
    } catch (cause) {
      await handle.close();
      throw ioError("Cannot stat a piece", cause, { pieceCid: v2 });
    }
  }

  /** The whole piece in memory, or null. For small pieces and tests; serving streams from openPiece. */
  async get(pieceCid: string): Promise<Uint8Array | null> {
    const v2 = this.resolve(pieceCid);
    if (v2 === null) return null;
    try {
      return new Uint8Array(await readFile(this.path(v2)));
    } catch (cause) {
      if (isNotFound(cause)) return null;
      throw ioError("Cannot read a piece", cause, { pieceCid: v2 });
    }
  }
}

/** Opens a piece store over `opts.dir`. */
export function createPieceStore(opts: PieceStoreOpts): Promise<PieceStore> {
  return PieceStore.open(opts);
}
