/** Shared fixtures: a sealed test chain, p2p nodes on 127.0.0.1 that the tests stop, and waitFor. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateKeyToAddress, recoverBlockSigner, signBlockHeader } from "@filverse/crypto";
import { getChainConfig } from "@filverse/params";
import { type BlockHeader, blockHash, type Checkpoint, encodeSignedBlock, type SignedBlock } from "@filverse/types";
import { bytesEqual } from "@filverse/utils";
import { createFilverseP2P, type FilverseP2P, type FilverseP2PInit, type FilverseP2PModules } from "../../src/index.js";

export const CHAIN_ID = getChainConfig("devnet").chainId;
export const SEQUENCER_KEY = new Uint8Array(32).fill(0x55);
export const SEQUENCER = privateKeyToAddress(SEQUENCER_KEY);

export type TestChain = { blocks: SignedBlock[]; bytes: Uint8Array[] };

/** Blocks 0..last, empty, linked and sealed by SEQUENCER_KEY. */
export function buildChain(last: number, sealKey = SEQUENCER_KEY): TestChain {
  const blocks: SignedBlock[] = [];
  let parentHash: Uint8Array = new Uint8Array(32);
  for (let n = 0; n <= last; n++) {
    const header: BlockHeader = {
      chainId: CHAIN_ID,
      number: n,
      parentHash,
      timestamp: 1_700_000_000 + n,
      proposer: SEQUENCER,
      txRoot: new Uint8Array(32),
      receiptsRoot: new Uint8Array(32),
      stateRoot: new Uint8Array(32).fill(n % 256),
      withdrawalsRoot: new Uint8Array(32),
      l1DepositNonce: 0,
    };
    blocks.push({ header, signature: signBlockHeader(header, sealKey), deposits: [], transactions: [] });
    parentHash = blockHash(header);
  }
  return { blocks, bytes: blocks.map(encodeSignedBlock) };
}

/** `base` padded with deposits carrying 40 KiB each, to just under `maxBytes` of SSZ. */
export function paddedBlock(base: SignedBlock, maxBytes: number): Uint8Array {
  const deposit = (i: number) => ({
    l1Nonce: i + 1,
    l1BlockNumber: 1,
    l1TxHash: new Uint8Array(32),
    from: new Uint8Array(20),
    to: new Uint8Array(20),
    amount: 1n,
    forcedTx: new Uint8Array(40 * 1024).fill(i % 256),
  });
  const perDeposit = encodeSignedBlock({ ...base, deposits: [deposit(0)] }).length - encodeSignedBlock(base).length;
  const count = Math.floor((maxBytes - encodeSignedBlock(base).length) / perDeposit);
  return encodeSignedBlock({ ...base, deposits: Array.from({ length: count }, (_, i) => deposit(i)) });
}

/** The check a verifier makes on gossip: the seal recovers to the sequencer. */
export function sealedBySequencer(block: SignedBlock): boolean {
  try {
    return bytesEqual(recoverBlockSigner(block.header, block.signature), SEQUENCER);
  } catch {
    return false;
  }
}

const running: FilverseP2P[] = [];
const tempDirs: string[] = [];

/** A node that stopAll() will stop, not started yet. */
export async function createNode(init: Partial<FilverseP2PInit> = {}, modules: FilverseP2PModules = {}) {
  const node = await createFilverseP2P({ chainId: CHAIN_ID, ...init }, modules);
  running.push(node);
  return node;
}

export async function startNode(init: Partial<FilverseP2PInit> = {}, modules: FilverseP2PModules = {}) {
  const node = await createNode(init, modules);
  await node.start();
  return node;
}

/** Stop every node the test started (afterEach). */
export async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map((n) => n.stop()));
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "filverse-p2p-"));
  tempDirs.push(d);
  return d;
}

/** Poll `cond` every 20 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const connected = (a: FilverseP2P, b: FilverseP2P) => a.peers().some((p) => p.peerId === b.peerId);

export function makeCheckpoint(overrides: Partial<Checkpoint> = {}): Checkpoint {
  return {
    chainId: CHAIN_ID,
    index: 3,
    firstBlock: 65,
    lastBlock: 96,
    parentHash: new Uint8Array(32).fill(6),
    lastBlockHash: new Uint8Array(32).fill(7),
    stateRoot: new Uint8Array(32).fill(8),
    withdrawalsRoot: new Uint8Array(32).fill(9),
    blockHashesRoot: new Uint8Array(32).fill(10),
    pieceCid: "bafkzcibcaapao7ntd5whiez7tayyn4ldvehqc4gyb2qbvpjsbkqrutvldvdkoei",
    payloadCid: "bafyreigdmqpykrgxyaxtlafqpqhzrb7qy2rh75nldvfd4tucqgdsiyyghq",
    pieceSize: 2048,
    carSize: 1900,
    lastBlockTimestamp: 1_700_000_096,
    depositCursor: 4,
    validatorSetId: 1,
    ...overrides,
  };
}
