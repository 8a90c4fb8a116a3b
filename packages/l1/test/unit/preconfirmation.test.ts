/**
 * Broken preconfirmations on L1: the sequencer signs `Preconfirmation(number, position, receiptRoot,
 * touchedRoot)` for a transaction it executed in the open block, then seals block `number`. A sealed
 * block with another receipt at that position, or too few receipts, is proven with the header, the
 * seal and an SSZ proof of the receipt list, and burns the sequencer's bond. A real L2 block made by
 * @filverse/state supplies the receipts and roots.
 */
import { preconfirmationDigest, signBlockHeader, signPreconfirmation, signTransaction } from "@filverse/crypto";
import { applyBlock, State } from "@filverse/state";
import { type Block, type BlockHeader, type Preconfirmation, type Receipt, receiptRoot, TxKind } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { type Address, type Hex, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import {
  breachProof,
  checkBreachProof,
  isPreconfirmationBroken,
  type PreconfirmationBreach,
  preconfirmationBreachArgs,
} from "../../src/preconfirmationEvidence.js";
import { DEFAULT_PARAMS, type Env, expectRevert, FIL, L2_CHAIN_ID, makeKey, rollupAbi, setupEnv } from "./fixture.js";

const alice = makeKey(21);
let env: Env;
let header: BlockHeader;
let receipts: Receipt[];
let seal: Uint8Array;

beforeAll(async () => {
  env = await setupEnv();
  // Block 1: a deposit to alice, then two of her withdrawals: three receipts.
  const zero = new Uint8Array(32);
  const withdraw = (nonce: number, amount: bigint) =>
    signTransaction(
      L2_CHAIN_ID,
      { kind: TxKind.Withdraw, message: { l1Recipient: fromHex(alice.address), amount, nonce, fee: 0n } } as never,
      alice.priv,
    );
  const block: Block = {
    header: {
      chainId: L2_CHAIN_ID,
      number: 1,
      parentHash: zero,
      timestamp: 1_700_000_001,
      proposer: fromHex(env.sequencer.address),
      txRoot: zero,
      receiptsRoot: zero,
      stateRoot: zero,
      withdrawalsRoot: zero,
      l1DepositNonce: 0,
    },
    deposits: [
      {
        l1Nonce: 1,
        l1BlockNumber: 1,
        l1TxHash: new Uint8Array(32).fill(1),
        from: fromHex(alice.address),
        to: fromHex(alice.address),
        amount: 10n * FIL,
        forcedTx: new Uint8Array(0),
      },
    ],
    transactions: [withdraw(0, FIL), withdraw(1, 2n * FIL)],
  };
  const result = applyBlock(State.genesis(), block, { chainId: L2_CHAIN_ID });
  receipts = result.receipts;
  header = { ...block.header, ...result.roots, l1DepositNonce: result.l1DepositNonce };
  seal = signBlockHeader(header, env.sequencer.priv);
}, 60_000);
afterAll(async () => {
  await env?.l1.stop();
});

const promise = (position: number, receipt: Receipt | Uint8Array, number = 1): Preconfirmation => ({
  number,
  position,
  receiptRoot: receipt instanceof Uint8Array ? receipt : receiptRoot(receipt),
  touchedRoot: new Uint8Array(32).fill(7),
});

function breach(p: Preconfirmation, signer = env.sequencer.priv): PreconfirmationBreach {
  return {
    preconfirmation: p,
    preconfirmationSignature: signPreconfirmation(L2_CHAIN_ID, p, signer),
    header,
    sealSignature: seal,
    receipts,
  };
}

async function freshRollup(): Promise<Address> {
  const { deployFilverse } = await import("../../src/deploy.js");
  const { rollup } = await deployFilverse(env, env.deployer, env.params);
  return rollup;
}

/** Sends the proof, after checking that the TypeScript check (what gossip runs) agrees in advance. */
const prove = (rollup: Address, b: PreconfirmationBreach, expected: "holds" | "refused") => {
  const reason = checkBreachProof(breachProof(b), fromHex(env.sequencer.address), L2_CHAIN_ID);
  expect(reason === null ? "holds" : `refused: ${reason}`).toMatch(expected);
  return env.send(env.deployer, rollup, rollupAbi, "provePreconfirmationBreach", [...preconfirmationBreachArgs(b)]);
};

describe("a broken preconfirmation", () => {
  it("has the same digest in TypeScript and on the rollup", async () => {
    const p = promise(1, receipts[1]!);
    const judge = await env.read<Address>(env.rollup, rollupAbi, "preconfirmationJudge");
    const onChain = await env.read<Hex>(judge, loadArtifact("PreconfirmationJudge").abi, "preconfirmationDigest", [
      preconfirmationBreachArgs(breach(p))[0],
    ]);
    expect(onChain).toBe(toHex(preconfirmationDigest(L2_CHAIN_ID, p)));
  });

  it("is not proven by a block that keeps the promise, by another key's promise, or by a wrong proof", async () => {
    const rollup = await freshRollup();
    const kept = promise(2, receipts[2]!);
    expect(isPreconfirmationBroken({ preconfirmation: kept, receipts })).toBe(false);
    await expectRevert(prove(rollup, breach(kept), "refused"), "NotConflicting");
    // A promise the sequencer never signed.
    const forged = breach(promise(1, receipts[2]!), makeKey(77).priv);
    await expectRevert(prove(rollup, forged, "refused"), "NotSequencer");
    // A seal by another key over the same header.
    await expectRevert(
      prove(
        rollup,
        { ...breach(promise(1, receipts[2]!)), sealSignature: signBlockHeader(header, makeKey(77).priv) },
        "refused",
      ),
      "NotSequencer",
    );
    // Receipts that are not the block's: the proof implies another root.
    const others = receipts.map((r) => ({ ...r, feePaid: r.feePaid + 1n }));
    await expectRevert(
      prove(rollup, { ...breach(promise(1, receipts[2]!)), receipts: others }, "refused"),
      "ReceiptProofMismatch",
    );
    // A header for another block number than promised.
    await expectRevert(prove(rollup, breach(promise(1, receipts[2]!, 2)), "refused"), "NotConflicting");
    expect(await env.read<bigint>(rollup, rollupAbi, "sequencerBond")).toBe(DEFAULT_PARAMS.minCollateral);
  });

  it("burns the bond when the sealed block holds another receipt at the promised position, without invalidating checkpoints", async () => {
    const rollup = await freshRollup();
    const b = breach(promise(1, receipts[2]!));
    expect(isPreconfirmationBroken(b)).toBe(true);
    const receipt = await prove(rollup, b, "holds");
    const [slashed] = parseEventLogs({ abi: rollupAbi, logs: receipt.logs, eventName: "SequencerSlashed" });
    expect((slashed!.args as { amount: bigint }).amount).toBe(DEFAULT_PARAMS.minCollateral);
    expect(await env.read<bigint>(rollup, rollupAbi, "sequencerBond")).toBe(0n);
    expect(await env.read<boolean>(rollup, rollupAbi, "halted")).toBe(false);
    // Unbonded, it takes in no L1 message (and no checkpoint) until someone bonds it again.
    expect(await env.read<boolean>(rollup, rollupAbi, "acceptingMessages")).toBe(false);
    // The same evidence cannot burn a new bond.
    await env.send(env.deployer, rollup, rollupAbi, "bondSequencer", [], DEFAULT_PARAMS.minCollateral);
    expect(await env.read<boolean>(rollup, rollupAbi, "acceptingMessages")).toBe(true);
    await expectRevert(prove(rollup, b, "holds"), "StaleBlockEvidence");
  });

  it("burns the bond when the sealed block has no receipt at the promised position", async () => {
    const rollup = await freshRollup();
    const b = breach(promise(3, new Uint8Array(32).fill(9)));
    expect(isPreconfirmationBroken(b)).toBe(true);
    await prove(rollup, b, "holds");
    expect(await env.read<bigint>(rollup, rollupAbi, "sequencerBond")).toBe(0n);
  });
});
