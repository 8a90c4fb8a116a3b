/**
 * `checkGossipEvidence`: what a node accepts on the `evidence` topic. Only real faults pass: two
 * sequencer seals at one height over different headers, or one validator's signatures over two
 * checkpoints at one index; every forgery a peer could make is refused, and checkpoint evidence is
 * left unchecked (ignored, not rejected) by a node without the rollup's domain.
 */
import { privateKeyToAddress, signBlockHeader, signDigest } from "@filverse/crypto";
import { type CheckpointDomain, checkpointDigest } from "@filverse/l1";
import { type Evidence, EvidenceKind } from "@filverse/p2p";
import type { BlockHeader, Checkpoint } from "@filverse/types";
import { describe, expect, it } from "vitest";
import { checkGossipEvidence, toGossipEvidence } from "../../src/network/network.js";
import { CHAIN_ID, makeKey } from "./chainFixture.js";

const sequencerKey = makeKey(1).priv;
const sequencer = privateKeyToAddress(sequencerKey);
const other = makeKey(2).priv;
const domain: CheckpointDomain = { l1ChainId: 31415926, rollup: `0x${"ab".repeat(20)}`, l2ChainId: CHAIN_ID };
const opts = { sequencer, checkpointDomain: domain, source: "p2p:test" };

function header(over: Partial<BlockHeader> = {}): BlockHeader {
  return {
    chainId: CHAIN_ID,
    number: 7,
    parentHash: new Uint8Array(32).fill(1),
    timestamp: 1_700_000_007,
    proposer: sequencer,
    txRoot: new Uint8Array(32),
    receiptsRoot: new Uint8Array(32),
    stateRoot: new Uint8Array(32).fill(2),
    withdrawalsRoot: new Uint8Array(32),
    l1DepositNonce: 0,
    ...over,
  };
}
const sealed = (h: BlockHeader, key = sequencerKey) => ({ header: h, signature: signBlockHeader(h, key) });
const blockEvidence = (a: ReturnType<typeof sealed>, b: ReturnType<typeof sealed>): Evidence => ({
  kind: EvidenceKind.BLOCK_EQUIVOCATION,
  a,
  b,
});

function checkpoint(over: Partial<Checkpoint> = {}): Checkpoint {
  return {
    chainId: CHAIN_ID,
    index: 3,
    firstBlock: 7,
    lastBlock: 9,
    parentHash: new Uint8Array(32).fill(2),
    lastBlockHash: new Uint8Array(32).fill(3),
    stateRoot: new Uint8Array(32).fill(4),
    withdrawalsRoot: new Uint8Array(32),
    blockHashesRoot: new Uint8Array(32),
    pieceCid: "",
    payloadCid: "",
    pieceSize: 0,
    carSize: 0,
    lastBlockTimestamp: 1_700_000_009,
    depositCursor: 0,
    validatorSetId: 1,
    ...over,
  };
}
const signedCheckpoint = (cp: Checkpoint, key = other) => ({
  checkpoint: cp,
  signer: privateKeyToAddress(key),
  signature: signDigest(checkpointDigest(cp, domain), key),
});

describe("checkGossipEvidence", () => {
  it("accepts two sequencer seals at one height and makes the record a verifier stores", () => {
    const a = sealed(header());
    const b = sealed(header({ timestamp: 1_700_000_008 }));
    const checked = checkGossipEvidence(blockEvidence(a, b), opts);
    expect(checked.ok).toBe(true);
    const record = checked.ok ? checked.record : null;
    expect(record).toMatchObject({ kind: "blockEquivocation", number: 7, source: "p2p:test" });
    // The stored record goes back on the wire as the same evidence.
    const again = toGossipEvidence({ ...record!, id: "0x00", detectedAt: 0, l1: null } as never);
    expect(again).toEqual(blockEvidence(a, b));
  });

  it.each([
    ["different heights", () => blockEvidence(sealed(header()), sealed(header({ number: 8 })))],
    ["one block", () => blockEvidence(sealed(header()), sealed(header()))],
    ["not the sequencer's seal", () => blockEvidence(sealed(header()), sealed(header({ timestamp: 1 }), other))],
    [
      "bad seal",
      () => blockEvidence(sealed(header()), { header: header({ timestamp: 1 }), signature: new Uint8Array(65) }),
    ],
  ])("rejects forged block evidence: %s", (reason, make) => {
    expect(checkGossipEvidence(make(), opts)).toEqual({ ok: false, unknowable: false, reason });
  });

  it("accepts one validator's signatures over two checkpoints at one index (relayed, not stored)", () => {
    const e: Evidence = {
      kind: EvidenceKind.CHECKPOINT_EQUIVOCATION,
      a: signedCheckpoint(checkpoint()),
      b: signedCheckpoint(checkpoint({ stateRoot: new Uint8Array(32).fill(9) })),
    };
    expect(checkGossipEvidence(e, opts)).toEqual({ ok: true, record: null });
    // Without the rollup's domain it cannot be checked: ignored, not held against the peer.
    expect(checkGossipEvidence(e, { ...opts, checkpointDomain: null })).toMatchObject({ ok: false, unknowable: true });
  });

  it.each([
    ["different indexes", () => [signedCheckpoint(checkpoint()), signedCheckpoint(checkpoint({ index: 4 }))]],
    [
      "different signers",
      () => [signedCheckpoint(checkpoint()), signedCheckpoint(checkpoint({ lastBlock: 10 }), sequencerKey)],
    ],
    ["one checkpoint", () => [signedCheckpoint(checkpoint()), signedCheckpoint(checkpoint())]],
    // The same content re-signed for a new validator set is not equivocation (nor on the rollup).
    ["one checkpoint", () => [signedCheckpoint(checkpoint()), signedCheckpoint(checkpoint({ validatorSetId: 2 }))]],
    [
      "bad checkpoint signature",
      () => {
        const b = signedCheckpoint(checkpoint({ lastBlock: 10 }));
        return [signedCheckpoint(checkpoint()), { ...b, signature: signedCheckpoint(checkpoint()).signature }];
      },
    ],
  ])("rejects forged checkpoint evidence: %s", (reason, make) => {
    const [a, b] = make() as [ReturnType<typeof signedCheckpoint>, ReturnType<typeof signedCheckpoint>];
    const e: Evidence = { kind: EvidenceKind.CHECKPOINT_EQUIVOCATION, a, b };
    expect(checkGossipEvidence(e, opts)).toEqual({ ok: false, unknowable: false, reason });
  });
});
