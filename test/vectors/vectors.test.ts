/**
 * Golden vectors: the committed protocol-v1.json must equal what the code computes today, and the
 * committed SSZ blocks must decode, verify and re-execute to the committed roots, as another
 * implementation would do. `npm run vectors` rewrites the file (a deliberate protocol change only).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { recoverBlockSigner } from "@filverse/crypto";
import { applyBlock, assertBlockRoots, State, verifyObjectProof, verifyWithdrawalInclusion } from "@filverse/state";
import { decodeSignedBlock, Namespace, stateObjectStructs, TxKind, USER_TX_KINDS } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { describe, expect, it } from "vitest";
import { buildVectors, CHAIN_ID, sequencer } from "./build.js";

const FILE = new URL("./protocol-v1.json", import.meta.url);
const computed = JSON.parse(JSON.stringify(buildVectors())) as Vectors;

type Vectors = {
  blocks: {
    ssz: string;
    blockHash: string;
    receipts: { kind: number | string; status: number | string }[];
    roots: Record<string, string>;
  }[];
  proofs: {
    stateRoot: string;
    objects: {
      namespace: Namespace;
      id: string;
      value: unknown;
      proof: { key: string; siblings: string[]; leaf: { key: string; valueHash: string } | null };
      withdrawalsRoot: string;
    }[];
    withdrawal: {
      withdrawal: { index: number; l2Sender: string; l1Recipient: string; amount: string };
      siblings: string[];
      withdrawalsRoot: string;
    };
  };
};

if (process.env.UPDATE_VECTORS) writeFileSync(FILE, `${JSON.stringify(computed, null, 2)}\n`);
const committed = JSON.parse(readFileSync(FILE, "utf8")) as Vectors;

describe("golden vectors", () => {
  it("the code computes exactly the committed vectors", () => {
    expect(computed).toEqual(committed);
  });

  it("block 2 holds every transaction kind, all succeeding; block 3 holds failures", () => {
    const kinds = committed.blocks[1]!.receipts.map((r) => Number(r.kind));
    expect([...new Set(kinds)].sort((a, b) => a - b)).toEqual([...USER_TX_KINDS].sort((a, b) => a - b));
    expect(committed.blocks[1]!.receipts.every((r) => Number(r.status) === 1)).toBe(true);
    expect(committed.blocks[2]!.receipts.every((r) => Number(r.status) === 0)).toBe(true);
    expect(committed.blocks[0]!.receipts.every((r) => Number(r.kind) === TxKind.Deposit)).toBe(true);
  });

  it("block 2 holds a sponsored Via<Transfer> and a sponsored session Via<TradeFill>, wire kind 0x80 | K", () => {
    const txs = (
      committed as unknown as { blocks: { transactions: { json: { primaryType: string }; ssz: string }[] }[] }
    ).blocks[1]!.transactions;
    const via = txs.filter((t) => t.json.primaryType.startsWith("Via"));
    expect(via.map((t) => t.json.primaryType)).toEqual(["ViaTransfer", "ViaTradeFill"]);
    // The SSZ envelope's kind byte (offset 8) carries the Via flag over the inner kind.
    expect(via.map((t) => fromHex(t.ssz)[8])).toEqual([0x80 | TxKind.Transfer, 0x80 | TxKind.TradeFill]);
  });

  it("committed SSZ blocks decode, carry the sequencer's seal and re-execute to the committed roots", () => {
    let state = State.genesis();
    for (const b of committed.blocks) {
      const block = decodeSignedBlock(fromHex(b.ssz));
      expect(toHex(recoverBlockSigner(block.header, block.signature))).toBe(toHex(sequencer.address));
      const result = applyBlock(state, block, { chainId: CHAIN_ID });
      assertBlockRoots(block.header, result);
      state = result.state;
    }
    expect(toHex(state.roots().stateRoot)).toBe(committed.proofs.stateRoot);
  });

  it("committed proofs verify against the committed state root", () => {
    const root = fromHex(committed.proofs.stateRoot);
    for (const o of committed.proofs.objects) {
      const struct = stateObjectStructs[o.namespace] as { fromJson(v: unknown): unknown };
      const proof = {
        ns: o.namespace,
        id: fromHex(o.id),
        value: o.value === null ? null : struct.fromJson(o.value),
        proof: {
          key: fromHex(o.proof.key),
          siblings: o.proof.siblings.map((s) => fromHex(s)),
          leaf: o.proof.leaf && { key: fromHex(o.proof.leaf.key), valueHash: fromHex(o.proof.leaf.valueHash) },
        },
        withdrawalsRoot: fromHex(o.withdrawalsRoot),
      };
      expect(verifyObjectProof(root, proof as never)).toBe(true);
    }
    const w = committed.proofs.withdrawal;
    const withdrawal = {
      index: w.withdrawal.index,
      l2Sender: fromHex(w.withdrawal.l2Sender),
      l1Recipient: fromHex(w.withdrawal.l1Recipient),
      amount: BigInt(w.withdrawal.amount),
    };
    expect(
      verifyWithdrawalInclusion(
        fromHex(w.withdrawalsRoot),
        withdrawal,
        w.siblings.map((s) => fromHex(s)),
      ),
    ).toBe(true);
    expect(committed.proofs.objects.some((o) => o.value === null && o.namespace === Namespace.Handle)).toBe(true);
  });
});
