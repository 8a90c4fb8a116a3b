/**
 * Proofs against a recent block's roots: any state object, and a withdrawal against its
 * checkpoint's withdrawals root (what FilverseBridge.finalizeWithdrawal takes).
 */
import { expectParamCount, paramBlockTag, paramHex, paramString, paramUint, RpcError } from "@filverse/rpc";
import { proveObject, proveWithdrawal } from "@filverse/state";
import { Namespace, RpcErrorCode, stateObjectStructs, TxKind, Withdrawal } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { fromL1 } from "./checkpoints.js";
import { stateAtTag } from "./reads.js";
import type { ApiModules, CheckpointReader, RpcHandlers, WithdrawalL1Json } from "./types.js";

export type ProofsApi = Pick<RpcHandlers, "filverse_getProof" | "filverse_getWithdrawalProof">;

/**
 * The withdrawal on the L1 bridge; null when the node knows no bridge or the L1 cannot be read (the
 * proof is still worth answering: the page says the bridge's side is unknown).
 */
async function bridgeState(checkpoints: CheckpointReader, index: number): Promise<WithdrawalL1Json | null> {
  try {
    return await fromL1(() => checkpoints.withdrawal(index));
  } catch (err) {
    if (err instanceof RpcError && err.code === RpcErrorCode.UNAVAILABLE) return null;
    throw err;
  }
}

export function proofsApi({ node, settlement, checkpoints }: ApiModules): ProofsApi {
  const db = () => node.db;
  const stateAt = (tag: number | "latest") => stateAtTag(node, tag);
  return {
    filverse_getProof: (p) => {
      expectParamCount(p, 2, 3);
      const nsName = paramString(p, 0, "namespace");
      const { state, number } = stateAt(p.length > 2 ? paramBlockTag(p, 2) : "latest");
      const stateRoot = toHex(state.roots().stateRoot);
      if (nsName === "Withdrawal") {
        // The index as a decimal or a 0x hex quantity (the client sends every id as hex).
        const raw = p[1];
        const index =
          typeof raw === "string" && /^0x[0-9a-fA-F]{1,13}$/.test(raw)
            ? Number.parseInt(raw.slice(2), 16)
            : paramUint(p, 1, "index");
        const proof = proveWithdrawal(state, index);
        if (!proof) throw new RpcError(RpcErrorCode.INVALID_PARAMS, { message: `No withdrawal ${index}` });
        return {
          blockNumber: String(number),
          stateRoot,
          withdrawal: Withdrawal.toJson(proof.withdrawal),
          siblings: proof.siblings.map(toHex),
          objectsRoot: toHex(proof.objectsRoot),
          withdrawalsRoot: toHex(state.withdrawals.root()),
        };
      }
      const ns = (Namespace as unknown as Record<string, number>)[nsName];
      if (ns === undefined || typeof ns !== "number") {
        throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
          message: `Unknown namespace "${nsName}"`,
          data: {
            known: Object.keys(Namespace)
              .filter((k) => Number.isNaN(Number(k)))
              .concat("Withdrawal"),
          },
        });
      }
      const id = paramHex(p, 1, "id");
      const proof = proveObject(state, ns as Namespace, fromHex(id));
      const struct = stateObjectStructs[ns as Namespace] as { toJson(v: unknown): unknown };
      return {
        blockNumber: String(number),
        stateRoot,
        namespace: nsName,
        id,
        value: proof.value === null ? null : struct.toJson(proof.value),
        proof: {
          key: toHex(proof.proof.key),
          siblings: proof.proof.siblings.map(toHex),
          leaf: proof.proof.leaf && { key: toHex(proof.proof.leaf.key), valueHash: toHex(proof.proof.leaf.valueHash) },
        },
        withdrawalsRoot: toHex(proof.withdrawalsRoot),
      };
    },
    filverse_getWithdrawalProof: async (p) => {
      expectParamCount(p, 1, 1);
      const hash = paramHex(p, 0, "hash", 32);
      const loc = await db().getTxLocation(fromHex(hash));
      if (!loc) return null;
      const receipts = (await db().getReceipts(loc.blockNumber))!;
      const receipt = receipts[loc.index]!;
      if (receipt.kind !== TxKind.Withdraw || receipt.status !== 1) {
        throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
          message: "Not a successful Withdraw transaction",
          data: { kind: receipt.kind, status: receipt.status },
        });
      }
      // Its index: the withdrawals before its block, plus the successful ones before it in the block.
      const before = node.stateAt(loc.blockNumber - 1);
      if (!before)
        throw new RpcError(RpcErrorCode.UNKNOWN_BLOCK, {
          message: `State before block ${loc.blockNumber} is no longer kept`,
        });
      const index =
        before.globals().withdrawalCount +
        receipts.slice(0, loc.index).filter((r) => r.kind === TxKind.Withdraw && r.status === 1).length;
      // The checkpoint covering the block, and the proof against its withdrawals root.
      const interval = node.chain.checkpointInterval;
      const checkpointIndex = Math.floor((loc.blockNumber - 1) / interval);
      const lastBlock = (checkpointIndex + 1) * interval;
      const at = node.stateAt(lastBlock);
      const proof = at ? proveWithdrawal(at, index) : null;
      const checkpointed = settlement ? lastBlock <= settlement.checkpointedBlock() : false;
      const finalized = settlement ? lastBlock <= settlement.finalizedBlock() : false;
      // The bridge's side, once the checkpoint is final (before, the bridge cannot have paid it).
      const bridge = finalized && checkpoints ? await bridgeState(checkpoints, index) : null;
      const stage = !checkpointed
        ? "initiated"
        : !finalized
          ? "checkpointed"
          : bridge?.finalized
            ? bridge.queued
              ? "queued"
              : "finalized"
            : "claimable";
      return {
        txHash: hash,
        blockNumber: String(loc.blockNumber),
        checkpointIndex: String(checkpointIndex),
        checkpointLastBlock: String(lastBlock),
        checkpointed,
        finalized,
        stage,
        bridge,
        withdrawal: proof ? Withdrawal.toJson(proof.withdrawal) : null,
        // Null until the checkpoint's last block exists (or once its state is no longer kept).
        siblings: proof ? proof.siblings.map(toHex) : null,
        withdrawalsRoot: at ? toHex(at.withdrawals.root()) : null,
      };
    },
  };
}
