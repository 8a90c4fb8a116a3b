/**
 * Verifiers hold the sequencer to its preconfirmations: a promise submitted for a block already
 * imported is judged at once, one for a later block when that block is imported. A broken one
 * becomes self-contained `preconfirmationBreach` evidence that gossip accepts on its own merits (and
 * the rollup, in verifierL1.test.ts); forged or far-future promises are refused with typed codes.
 */
import { signPreconfirmation } from "@filverse/crypto";
import { decodeEvidence, encodeEvidence, EvidenceKind as P2PEvidenceKind } from "@filverse/p2p";
import { type Preconfirmation, RpcErrorCode, receiptRoot, TxKind } from "@filverse/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubmitError } from "../../src/errors.js";
import { checkGossipEvidence, toGossipEvidence } from "../../src/network/network.js";
import type { SignedPreconfirmation } from "../../src/verifier/preconfirmations.js";
import type { Verifier } from "../../src/verifier/verifier.js";
import { CHAIN_ID, key, SequencerFixture, sequencerKey, startVerifier, tempDirs } from "./chainFixture.js";

const tmp = tempDirs();
const [alice, bob] = [key(1), key(2)];
let f: SequencerFixture;
let v: Verifier;

beforeAll(async () => {
  f = await SequencerFixture.start(tmp.make("seq"), [alice]);
  v = await startVerifier(tmp.make("ver"));
  // Block 1: the faucet deposit to alice; block 2: two transfers.
  await v.importBlock(await f.block());
  await v.importBlock(
    await f.block([
      f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 5n }),
      f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 6n }),
    ]),
  );
}, 60_000);
afterAll(async () => {
  await v?.close();
  await f?.seq.close();
  tmp.cleanup();
});

function promise(
  number: number,
  position: number,
  root: Uint8Array,
  signer = sequencerKey.priv,
): SignedPreconfirmation {
  const p: Preconfirmation = { number, position, receiptRoot: root, touchedRoot: new Uint8Array(32).fill(3) };
  return { ...p, signature: signPreconfirmation(CHAIN_ID, p, signer) };
}

async function code(p: Promise<unknown>): Promise<number | undefined> {
  return p.then(
    () => undefined,
    (err: unknown) => (err instanceof SubmitError ? err.code : undefined),
  );
}

describe("the preconfirmation watch", () => {
  it("judges a promise about an imported block at once: kept, or broken into evidence", async () => {
    const receipts = (await v.db.getReceipts(2))!;
    expect(await v.submitPreconfirmation(promise(2, 1, receiptRoot(receipts[1]!)))).toEqual({ status: "kept" });
    const broken = await v.submitPreconfirmation(promise(2, 1, receiptRoot(receipts[0]!)));
    expect(broken.status).toBe("broken");
    const [e] = v.evidence("preconfirmationBreach");
    expect(e?.id).toBe((broken as { evidenceId: string }).evidenceId);
    // The same broken promise again is the same record.
    await v.submitPreconfirmation(promise(2, 1, receiptRoot(receipts[0]!)));
    expect(v.evidence("preconfirmationBreach")).toHaveLength(1);
    // A position past the block's receipts is broken too.
    expect((await v.submitPreconfirmation(promise(2, 7, new Uint8Array(32).fill(1)))).status).toBe("broken");
  });

  it("holds a promise about a later block and judges it when that block is imported", async () => {
    const next = v.head.number + 1;
    const before = v.evidence("preconfirmationBreach").length;
    expect(await v.submitPreconfirmation(promise(next, 0, new Uint8Array(32).fill(9)))).toEqual({
      status: "pending",
      number: next,
    });
    await v.importBlock(await f.block([f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n })]));
    await new Promise((r) => setTimeout(r, 50));
    expect(v.evidence("preconfirmationBreach")).toHaveLength(before + 1);
  });

  it("refuses a promise the sequencer did not sign, and one far past the head", async () => {
    expect(await code(v.submitPreconfirmation(promise(2, 0, new Uint8Array(32), alice.priv)))).toBe(
      RpcErrorCode.BAD_SIGNATURE,
    );
    expect(await code(v.submitPreconfirmation(promise(v.head.number + 20_000, 0, new Uint8Array(32))))).toBe(
      RpcErrorCode.UNKNOWN_BLOCK,
    );
  });

  it("gossips a breach that any node checks on its own, and refuses a doctored one", () => {
    const [record] = v.evidence("preconfirmationBreach");
    const gossip = toGossipEvidence(record!)!;
    expect(gossip.kind).toBe(P2PEvidenceKind.PRECONFIRMATION_BREACH);
    const wire = decodeEvidence(encodeEvidence(gossip));
    const opts = { sequencer: sequencerKey.address, checkpointDomain: null, source: "p2p:test" };
    const checked = checkGossipEvidence(wire, opts);
    expect(checked.ok && checked.record?.kind).toBe("preconfirmationBreach");
    // Claim the block kept the promise: no longer a breach.
    if (wire.kind !== P2PEvidenceKind.PRECONFIRMATION_BREACH) throw new Error("kind");
    const kept = { ...wire, breach: { ...wire.breach, item: wire.breach.preconfirmation.receiptRoot } };
    expect(checkGossipEvidence(kept, opts).ok).toBe(false);
    // Another sequencer.
    expect(checkGossipEvidence(wire, { ...opts, sequencer: alice.address }).ok).toBe(false);
  });
});
