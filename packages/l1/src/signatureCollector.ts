/**
 * Checkpoint co-signing, the sequencer's side: ask every validator (a list of signer callbacks, e.g.
 * verifier nodes over p2p) for its signature of a checkpoint, keep the ones that recover to an
 * validator of the set in force, and stop as soon as they hold 2/3 of that set's weight read from the
 * rollup (the contract's rule: 3 · signed ≥ 2 · totalWeight). The set is the one the checkpoint names
 * (validatorSetId): it changes only at epoch boundaries, and a checkpoint built for another set is
 * refused with WRONG_VALIDATOR_SET so that the submitter builds it again.
 */

import { recoverAddress } from "@filverse/crypto";
import type { Checkpoint } from "@filverse/types";
import { fromHex, type Logger, nullLogger, toHex } from "@filverse/utils";
import { type Address, type Hex, type PublicClient, parseAbi } from "viem";
import type { CheckpointSignatureCollector } from "./checkpointSubmitter.js";
import { L1Error, L1ErrorCode } from "./errors.js";

/** One validator's answer: its 65-byte signature over `digest`, or a rejection (a refusal, a timeout). */
export type CheckpointSignatureRequest = (cp: Checkpoint, digest: Hex) => Promise<Hex>;

export type QuorumCollectorOpts = {
  rollup: Address;
  /** How long one signer may take; a slower one counts as refused. */
  signerTimeoutMs: number;
  /**
   * Once the quorum is reached, how long to keep waiting for the other signers (0: resolve at once).
   * More signatures than the quorum cost gas but show on L1 who vouched for the checkpoint.
   */
  graceMs: number;
};

export const defaultQuorumCollectorOpts: Pick<QuorumCollectorOpts, "signerTimeoutMs" | "graceMs"> = {
  signerTimeoutMs: 30_000,
  graceMs: 0,
};

export type QuorumCollectorModules = {
  publicClient: PublicClient;
  /** Asked in parallel; the sequencer's own signer is usually one of them. A function is called per checkpoint (peers come and go). */
  signers: CheckpointSignatureRequest[] | (() => CheckpointSignatureRequest[]);
  logger?: Logger | null;
};

export const validatorWeightAbi = parseAbi([
  "function weightOf(address) view returns (uint256)",
  "function currentSet() view returns (uint64 setId, uint256 weight)",
]);

/** Whether `signed` of `total` weight is a quorum on the rollup. */
export function hasQuorum(signed: bigint, total: bigint): boolean {
  return signed > 0n && signed * 3n >= total * 2n;
}

/**
 * A collector for `CheckpointSubmitter` (`collect`). Resolves with the signatures gathered once the
 * quorum is reached, without waiting for the slower signers. Throws L1Error NO_QUORUM (with every
 * signer's outcome in details) when all have answered and the quorum is not reached.
 */
export function createQuorumCollector(
  opts: Partial<QuorumCollectorOpts> & Pick<QuorumCollectorOpts, "rollup">,
  modules: QuorumCollectorModules,
): CheckpointSignatureCollector {
  const o = { ...defaultQuorumCollectorOpts, ...opts };
  const logger = (modules.logger ?? nullLogger).child({ module: "signatureCollector" });
  const read = <T>(functionName: "currentSet" | "weightOf", args?: readonly [Address]) =>
    modules.publicClient.readContract({
      address: o.rollup,
      abi: validatorWeightAbi,
      functionName,
      args,
    } as never) as Promise<T>;

  return async (cp, digest) => {
    const [setId, total] = await read<[bigint, bigint]>("currentSet");
    if (setId !== BigInt(cp.validatorSetId)) {
      throw new L1Error(
        L1ErrorCode.WRONG_VALIDATOR_SET,
        `Checkpoint ${cp.index} names validator set ${cp.validatorSetId}; set ${setId} is in force`,
        { details: { index: cp.index, validatorSetId: cp.validatorSetId, inForce: setId } },
      );
    }
    const digestBytes = fromHex(digest, 32);
    const bySigner = new Map<string, Hex>();
    const claimed = new Set<string>();
    const outcomes: { signer: number; result: string }[] = [];
    let signed = 0n;
    const signers = typeof modules.signers === "function" ? modules.signers() : modules.signers;
    return new Promise<Hex[]>((resolve, reject) => {
      let pending = signers.length;
      let done = false;
      let grace: NodeJS.Timeout | null = null;
      const finish = () => {
        if (done) return;
        if (hasQuorum(signed, total) && (pending === 0 || o.graceMs === 0)) {
          done = true;
          if (grace) clearTimeout(grace);
          resolve([...bySigner.values()]);
        } else if (hasQuorum(signed, total)) {
          grace ??= setTimeout(() => {
            grace = null;
            done = true;
            resolve([...bySigner.values()]);
          }, o.graceMs);
        } else if (pending === 0) {
          done = true;
          reject(
            new L1Error(L1ErrorCode.NO_QUORUM, `Checkpoint ${cp.index}: signatures hold less than 2/3 of the weight`, {
              details: { index: cp.index, signedWeight: signed, totalWeight: total, outcomes },
            }),
          );
        }
      };
      const accept = async (i: number, signature: Hex) => {
        const signer = toHex(recoverAddress(digestBytes, fromHex(signature, 65))) as Address;
        // Claimed before the weight is read, so two answers from one signer never both count.
        if (claimed.has(signer)) return "duplicate signer";
        claimed.add(signer);
        const weight = await read<bigint>("weightOf", [signer]);
        if (weight === 0n) return `not a validator of set ${setId} (${signer})`;
        if (done) return "late";
        bySigner.set(signer, signature);
        signed += weight;
        logger.debug("checkpoint signature", { index: cp.index, signer, signerIndex: i });
        return "signed";
      };
      if (pending === 0) finish();
      signers.forEach((request, i) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, rej) => {
          timer = setTimeout(() => rej(new Error(`no answer in ${o.signerTimeoutMs} ms`)), o.signerTimeoutMs);
        });
        Promise.race([request(cp, digest), timeout])
          .then((signature) => accept(i, signature))
          .then(
            (result) => outcomes.push({ signer: i, result }),
            (err: unknown) => {
              const result =
                err instanceof Error ? ((err as { shortMessage?: string }).shortMessage ?? err.message) : String(err);
              outcomes.push({ signer: i, result: `refused: ${result}` });
            },
          )
          .finally(() => {
            clearTimeout(timer);
            pending--;
            finish();
          });
      });
    });
  };
}
