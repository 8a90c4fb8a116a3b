/** The reference backend: recovery, level hashing and CommP on the calling thread, with no worker at all. */
import { getHasher } from "../hasher.js";
import { commP, commPStream, type PieceCommitment } from "../piece/commp.js";
import { checkLevelInput, checkRecoverArgs, recoverOrNull } from "./codec.js";
import {
  type LevelHasher,
  type PieceCommitter,
  PoolError,
  PoolErrorCode,
  type SignatureRecoverer,
} from "./interface.js";

export class SingleThreadCrypto implements SignatureRecoverer, LevelHasher, PieceCommitter {
  private closed = false;

  async recoverBatch(digests: Uint8Array[], signatures: Uint8Array[]): Promise<(Uint8Array | null)[]> {
    this.assertOpen();
    checkRecoverArgs(digests, signatures);
    const results: (Uint8Array | null)[] = new Array(digests.length);
    for (let i = 0; i < digests.length; i++) results[i] = recoverOrNull(digests[i]!, signatures[i]!);
    return results;
  }

  async hashLevel(input: Uint8Array): Promise<Uint8Array> {
    this.assertOpen();
    const output = new Uint8Array(checkLevelInput(input));
    getHasher().hashInto(input, output);
    return output;
  }

  async commP(payload: Uint8Array): Promise<PieceCommitment> {
    this.assertOpen();
    return commP(payload);
  }

  async commPStream(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<PieceCommitment> {
    this.assertOpen();
    return commPStream(source);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new PoolError(PoolErrorCode.CLOSED, "Crypto backend is closed");
  }
}
