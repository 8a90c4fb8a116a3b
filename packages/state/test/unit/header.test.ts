/** A block must follow its parent and carry the sequencer's seal; a block for another chain is refused. */
import { signBlockHeader } from "@filverse/crypto";
import { CHAIN_ID, makeKey, sequencer } from "@filverse/test-utils";
import { type BlockHeader, blockHash, type SignedBlock } from "@filverse/types";
import { describe, expect, it } from "vitest";
import { applyBlock, assertBlockHeader } from "../../src/applyBlock.js";
import { BlockErrorCode } from "../../src/errors.js";
import { createGenesis } from "../../src/genesis.js";

const genesis = createGenesis({ chainId: CHAIN_ID }, { timestamp: 1000, proposer: sequencer.address });

function child(overrides: Partial<BlockHeader> = {}, key = sequencer.priv): SignedBlock {
  const header: BlockHeader = {
    ...genesis.header,
    number: 1,
    parentHash: blockHash(genesis.header),
    timestamp: 1001,
    ...overrides,
  };
  return { header, signature: signBlockHeader(header, key), deposits: [], transactions: [] };
}

const codeOf = (fn: () => void) => {
  try {
    fn();
    return "ok";
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe("block header checks", () => {
  it("accepts a sealed child of its parent", () => {
    expect(codeOf(() => assertBlockHeader(genesis.header, child(), sequencer.address))).toBe("ok");
  });

  it("rejects wrong chain, number, parent, timestamp and seal", () => {
    const check = (b: SignedBlock) => codeOf(() => assertBlockHeader(genesis.header, b, sequencer.address));
    expect(check(child({ chainId: CHAIN_ID + 1 }))).toBe(BlockErrorCode.WRONG_CHAIN);
    expect(check(child({ number: 2 }))).toBe(BlockErrorCode.BAD_NUMBER);
    expect(check(child({ parentHash: new Uint8Array(32) }))).toBe(BlockErrorCode.PARENT_MISMATCH);
    expect(check(child({ timestamp: 999 }))).toBe(BlockErrorCode.BAD_TIMESTAMP);
    expect(check(child({}, makeKey(5).priv))).toBe(BlockErrorCode.BAD_SEAL);
    const resealed = child();
    resealed.header = { ...resealed.header, timestamp: 1002 };
    expect(check(resealed)).toBe(BlockErrorCode.BAD_SEAL);
    const garbage = child();
    garbage.signature = new Uint8Array(65);
    expect(check(garbage)).toBe(BlockErrorCode.BAD_SEAL);
  });

  it("applyBlock refuses a block for another chain when told its own", () => {
    const b = child({ chainId: CHAIN_ID + 1 });
    expect(codeOf(() => applyBlock(genesis.state, b, { chainId: CHAIN_ID }))).toBe(BlockErrorCode.WRONG_CHAIN);
  });
});
