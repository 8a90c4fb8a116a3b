/** The reference backend: recovery and level hashing on the calling thread, with no worker at all. */
import { getHasher } from "../hasher.js";
import { checkLevelInput, checkRecoverArgs, recoverOrNull } from "./codec.js";
import { type LevelHasher, PoolError, PoolErrorCode, type SignatureRecoverer } from "./interface.js";

export class SingleThreadCrypto implements SignatureRecoverer, LevelHasher {
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

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new PoolError(PoolErrorCode.CLOSED, "Crypto backend is closed");
  }
}
