/**
 * The one-step executor (contracts/OneStepExecutor.sol and its kind executors) against the
 * TypeScript tracer (@filverse/state traceBlock and proveStep), on the hardhat L1: for random parent
 * states and blocks of FIL deposits, Transfers, Withdraws and the token kinds (successes, every
 * execution code, every inclusion rule and field rule they can break, EXECUTION_FAULT), every step's
 * post-commitment on L1 equals the tracer's T[j + 1]; tampered proofs revert; steps not supported
 * yet revert with their typed error. FILVERSE_FUZZ_RUNS sets the run count. The gas of each step
 * kind is printed (docs/fault-proofs.md lists it).
 */
import {
  depositHash as depositHashOf,
  domainSeparator,
  encodePieceCidV2,
  hashTypedData,
  identityIdOf,
  privateKeyToAddress,
  sha256,
  signBlockHeader,
  signDigest,
  signTransaction,
  tokenIdOf,
  txHash as txHashOf,
  typeHash,
} from "@filverse/crypto";
import {
  applyBlock,
  BlockExecutor,
  createGenesis,
  GLOBALS_ID,
  itemHash,
  parseTransactionBytes,
  proveStep,
  type State,
  StepKind,
  type StepProof,
  stepStateRoot,
  traceBlock,
  validateTransaction,
} from "@filverse/state";
import {
  type BlockHeader,
  blockHash,
  type Deposit,
  encodeSignedTx,
  HashListSsz,
  Namespace,
  Order,
  type OrderMessage,
  receiptRoot,
  SessionRequest,
  type SignedBlock,
  type SignedTransaction,
  type StateObjects,
  TxKind,
  type TxMessage,
  txStructs,
} from "@filverse/types";
import { bytesEqual, fromHex, toHex } from "@filverse/utils";
import fc from "fast-check";
import { base36 } from "multiformats/bases/base36";
import { base58btc } from "multiformats/bases/base58";
import { CID } from "multiformats/cid";
import { create as createDigest } from "multiformats/hashes/digest";
import { identity as identityHash } from "multiformats/hashes/identity";
import {
  type Abi,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  concatHex,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  http,
  keccak256,
  numberToHex,
  type PublicClient,
  size,
  stringToHex,
} from "viem";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import { createL1Clients, type L1Clients } from "../../src/clients.js";
import { deployFilverse, deployOneStepExecutor } from "../../src/deploy.js";
import { l1MessageRecord } from "../../src/depositWatcher.js";
import { BRIDGE_MESSAGE_RECORD_SLOT, type LocalL1, startLocalL1 } from "../../src/devL1.js";
import { disputeGameAbi, readProofStore, uploadStepProof } from "../../src/dispute/disputeGame.js";
import { encodeRevealedItem } from "../../src/dispute/itemReveal.js";
import { BLOCK_HASHES_DEPTH, merkle, mixInLength } from "./disputeFixture.js";
import { compileTestContracts } from "./harness.js";
import {
  encodeStepData,
  encodeStepProof,
  headerToAbi,
  type ItemParts,
  itemParts,
  messageToAbi,
  objectValueToAbi,
  type StepInputs,
  stepInputs,
} from "./oneStepProof.js";

const RUNS = Number(process.env.FILVERSE_FUZZ_RUNS ?? 20);
const CHAIN_ID = 3_141_592_601;
const MAX_BLOCK_TXS = 10_000;
const MAX_BLOCK_DEPOSITS = 256;
/** Two deployments: with a zero minimum fee (fee-0 paths, where the proposer is never read) and with 2. */
const MIN_FEES = [0n, 2n] as const;

let l1: LocalL1;
let clients: L1Clients;
let abi: Abi;
const executors: Address[] = [];
/** A real FilverseBridge, whose records of L1 messages the executors check. */
let bridge: Address;
/** The storage slot of the bridge's `messageRecord` mapping. */
let recordSlot: bigint;

beforeAll(async () => {
  abi = loadArtifact("OneStepExecutor").abi;
  l1 = await startLocalL1();
  clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 25, retryCount: 0 });
  // Retried: a call is read-only, and a keep-alive socket the node closed while the test built a
  // large state fails once.
  stepClient = createPublicClient({ transport: http(l1.url, { timeout: 300_000, retryCount: 3 }) });
  const [deployer] = await clients.walletClient.getAddresses();
  ({ bridge } = await deployFilverse(clients, deployer!, {
    l2ChainId: CHAIN_ID,
    sequencer: toHex(sequencer.address) as Address,
    genesisTimestamp: 1_700_000_000,
    minCollateral: 10n ** 18n,
    challengeWindowSec: 3_600,
    exitDelaySec: 7_200,
    forceInclusionDelaySec: 3_600,
  }));
  recordSlot = await findRecordSlot(deployer!);
  // writeL1MessageRecords (for other tests' made-up messages) assumes this slot.
  expect(recordSlot).toBe(BRIDGE_MESSAGE_RECORD_SLOT);
  for (const minTxFee of MIN_FEES) {
    const { executor } = await deployOneStepExecutor(clients, deployer!, {
      l2ChainId: CHAIN_ID,
      maxBlockTxs: MAX_BLOCK_TXS,
      maxBlockDeposits: MAX_BLOCK_DEPOSITS,
      minTxFee,
      bridge,
    });
    executors.push(executor);
  }
}, 180_000);
afterAll(async () => {
  await l1?.stop();
});

const gasReport: Record<string, bigint> = {};
afterAll(() => {
  if (Object.keys(gasReport).length > 0) console.log("one-step executor gas (eth_estimateGas):", gasReport);
});

const makeKey = (seed: number) => {
  const priv = new Uint8Array(32);
  priv[0] = 0x51;
  priv[31] = seed + 1;
  return { priv, address: privateKeyToAddress(priv) };
};
const keys = [0, 1, 2, 3].map(makeKey);
const sequencer = makeKey(9);

type Ctx = { blockHash: Hex; sequencer: Hex };

// --- the bridge's records of the L1 messages ------------------------------------------------------
// The blocks here consume L1 messages the tests make up (any sender, recipient, amount or nonce), so
// the real bridge's records of them are written into its storage: FilverseBridge.messageRecord of
// each nonce, as deposit() and forceTransaction() write it (deposit.test.ts checks those). A test of
// a fabricated message overwrites a record.

const recordKey = (nonce: number) =>
  BigInt(keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [BigInt(nonce), recordSlot])));

/** Where `messageRecord` lives: found from a real deposit's record, not from the layout. */
async function findRecordSlot(from: Address): Promise<bigint> {
  const to = toHex(keys[1]!.address) as Address;
  const hash = await clients.walletClient.writeContract({
    address: bridge,
    abi: loadArtifact("FilverseBridge").abi,
    functionName: "deposit",
    args: [to],
    value: 7n,
    account: from,
    chain: clients.walletClient.chain,
  });
  await clients.publicClient.waitForTransactionReceipt({ hash });
  const record = l1MessageRecord({
    l1Nonce: 1,
    l1BlockNumber: 0,
    l1TxHash: new Uint8Array(32),
    from: fromHex(from),
    to: keys[1]!.address,
    amount: 7n,
    forcedTx: new Uint8Array(0),
  });
  for (let slot = 0n; slot < 64n; slot++) {
    const key = keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [1n, slot]));
    if ((await clients.publicClient.getStorageAt({ address: bridge, slot: key })) === record) return slot;
  }
  throw new Error("FilverseBridge.messageRecord not found in the first 64 slots");
}

async function setRecord(nonce: number, record: Hex): Promise<void> {
  await clients.publicClient.request({
    method: "hardhat_setStorageAt" as never,
    params: [bridge, numberToHex(recordKey(nonce)), record] as never,
  });
}

/** The L1 messages of every block traced, by block hash; the records written are the last block executed's. */
const blockMessages = new Map<Hex, Deposit[]>();
let recordedBlock: Hex | null = null;

async function recordMessagesOf(blockHashHex: Hex): Promise<void> {
  if (recordedBlock === blockHashHex) return;
  for (const d of blockMessages.get(blockHashHex) ?? []) await setRecord(d.l1Nonce, l1MessageRecord(d));
  recordedBlock = blockHashHex;
}

/**
 * The calls that execute a step wait up to five minutes: a full AssetBatchMint (256 inserts) runs for
 * many seconds in hardhat's EVM on a loaded box.
 */
let stepClient: PublicClient;
/** The gas of an executeStep call: the L1 node's block gas limit (hardhat.config.cjs). */
const STEP_GAS = 1_000_000_000n;
async function execute(executor: Address, pre: Uint8Array, step: number, ctx: Ctx, proof: Hex): Promise<Hex> {
  await recordMessagesOf(ctx.blockHash);
  return (await stepClient.readContract({
    address: executor,
    abi,
    functionName: "executeStep",
    args: [toHex(pre), BigInt(step), ctx, proof],
    gas: STEP_GAS,
  } as never)) as Hex;
}

async function revertName(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (err === null) return undefined;
  if (!(err instanceof BaseError)) return `not a revert: ${String(err)}`;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  return revert?.data?.errorName ?? "revert";
}

// --- random chains -----------------------------------------------------------------------------

/** What one transaction of the random block does (the inclusion rule it breaks, if any). */
const TX_VARIANTS = [
  "ok",
  "ok",
  "ok",
  "toSelf",
  "toProposer",
  "zeroAmount",
  "overBalance",
  "nonceLow",
  "nonceHigh",
  "feeOverBalance",
  "feeBelowMin",
  "zeroTo",
  "wrongChain",
  "highS",
  "badV",
] as const;
type TxVariant = (typeof TX_VARIANTS)[number];

const txSpecArb = fc.record({
  kind: fc.constantFrom(TxKind.Transfer, TxKind.Transfer, TxKind.Withdraw),
  from: fc.integer({ min: 0, max: 3 }),
  to: fc.integer({ min: 0, max: 3 }),
  amount: fc.bigInt({ min: 0n, max: 2n * 10n ** 18n }),
  fee: fc.bigInt({ min: 0n, max: 5n }),
  variant: fc.constantFrom(...TX_VARIANTS),
});
const scenarioArb = fc.record({
  /** Funding of each key in the parent block (0: the key has no account). */
  funding: fc.array(fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 10n ** 18n })), {
    minLength: 4,
    maxLength: 4,
  }),
  deposits: fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.bigInt({ min: 0n, max: 10n ** 18n })), {
    maxLength: 3,
  }),
  txs: fc.array(txSpecArb, { maxLength: 5 }),
  minFee: fc.constantFrom(0, 1),
  /** Tamper with one header root, so the end-of-block step finds a mismatch. */
  wrongRoot: fc.constantFrom(null, "stateRoot", "receiptsRoot", "l1DepositNonce"),
  /** A header fault the block-start step finds. */
  headerFault: fc.constantFrom(null, null, null, "seal", "number", "timestamp", "chain"),
  /** The parent holds 2^32 withdrawals already: a Withdraw fails with WITHDRAWALS_FULL. */
  withdrawalsFull: fc.constantFrom(false, false, false, true),
});
type Scenario = Omit<typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never, "withdrawalsFull"> & {
  withdrawalsFull?: boolean;
  /** Accounts added to the parent state, so that object proofs run deep (gas measurements). */
  filler?: number;
  /** Objects written into the parent state (identities, delegates, tokens, balances...). */
  objects?: ObjectWrite[];
  /** Transactions of the other kinds, after the FIL ones; `nonces` is each key's next nonce (update it). */
  kindTxs?: (nonces: number[]) => SignedTransaction[];
};
type ObjectWrite = { ns: Namespace; id: Uint8Array; value: StateObjects[Namespace] | null };

const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
const N = HALF_N * 2n + 1n;

function withVariant(tx: SignedTransaction, variant: TxVariant): SignedTransaction {
  if (variant === "highS") {
    const sig = tx.signature.slice();
    const s = BigInt(toHex(sig.subarray(32, 64)));
    const hi = N - s;
    for (let i = 0; i < 32; i++) sig[32 + i] = Number((hi >> BigInt(8 * (31 - i))) & 0xffn);
    sig[64] = sig[64] === 27 ? 28 : 27;
    return { ...tx, signature: sig };
  }
  if (variant === "badV") {
    const sig = tx.signature.slice();
    sig[64] = 29;
    return { ...tx, signature: sig };
  }
  return tx;
}

type Built = {
  parent: State;
  parentHeader: BlockHeader;
  block: SignedBlock;
  minTxFee: bigint;
};

/** A parent block funding the keys, then a block of deposits and transfers sealed by the sequencer. */
function buildScenario(sc: Scenario): Built {
  const minTxFee = MIN_FEES[sc.minFee]!;
  const genesis = createGenesis({ chainId: CHAIN_ID }, { timestamp: 1_700_000_000, proposer: sequencer.address });
  let l1Nonce = 0;
  const deposit = (to: Uint8Array, amount: bigint): Deposit => ({
    l1Nonce: ++l1Nonce,
    l1BlockNumber: 10 + l1Nonce,
    l1TxHash: new Uint8Array(32).fill(l1Nonce),
    from: new Uint8Array(20).fill(0xee),
    to,
    amount,
    forcedTx: new Uint8Array(0),
  });
  /**
   * The sequencer executes through applyTransactionPreconfirmed (cached value hashes and receipt
   * roots, the touched list), not applyBlock: its block must get the same roots, and each
   * preconfirmation the receipt at its position, or the roots the executor checks here are not the
   * ones a sequencer seals.
   */
  const slicedChecks: Promise<void>[] = [];
  afterEach(async () => {
    await Promise.all(slicedChecks.splice(0));
  });
  const expectSequencerPathAgrees = (
    parent: State,
    header: BlockHeader,
    deposits: Deposit[],
    txs: SignedTransaction[],
    result: ReturnType<typeof applyBlock>,
  ) => {
    const ex = new BlockExecutor(parent, {
      chainId: CHAIN_ID,
      timestamp: header.timestamp,
      proposer: header.proposer,
      minTxFee,
    });
    for (const d of deposits) ex.applyDeposit(d);
    const promised = txs.map((t) => ex.applyTransactionPreconfirmed(validateTransaction(t, CHAIN_ID)));
    expect(ex.finish().roots).toEqual(result.roots);
    promised.forEach((p, i) => {
      expect(p.receiptRoot).toEqual(receiptRoot(result.receipts[deposits.length + i]!));
    });
    // The sequencer seals with finishInSlices (blockProducer.ts), not finish(): the same block
    // finished one write per slice must give the same roots. Checked after the test (afterEach).
    const sliced = new BlockExecutor(parent, {
      chainId: CHAIN_ID,
      timestamp: header.timestamp,
      proposer: header.proposer,
      minTxFee,
    });
    for (const d of deposits) sliced.applyDeposit(d);
    for (const t of txs) sliced.applyTransactionPreconfirmed(validateTransaction(t, CHAIN_ID));
    slicedChecks.push(
      sliced.finishInSlices(() => Promise.resolve(), 1).then((r) => expect(r.roots).toEqual(result.roots)),
    );
  };
  const seal = (parent: State, parentHeader: BlockHeader, deposits: Deposit[], txs: SignedTransaction[]) => {
    const header: BlockHeader = {
      chainId: CHAIN_ID,
      number: parentHeader.number + 1,
      parentHash: blockHash(parentHeader),
      timestamp: parentHeader.timestamp + 2,
      proposer: sequencer.address,
      txRoot: HashListSsz.hashTreeRoot([]),
      receiptsRoot: new Uint8Array(32),
      stateRoot: new Uint8Array(32),
      withdrawalsRoot: new Uint8Array(32),
      l1DepositNonce: 0,
    };
    const body = { header, deposits, transactions: txs };
    let result: ReturnType<typeof applyBlock> | null = null;
    try {
      result = applyBlock(parent, body, { chainId: CHAIN_ID, minTxFee, maxBlockTxs: MAX_BLOCK_TXS });
    } catch {
      // A block holding a transaction that is not includable: the sequencer seals it anyway (the
      // dispute's subject); only its txRoot matters, the other roots are left zero.
    }
    const items = [...deposits.map((d) => depositHashOf(d)), ...txs.map((t) => txHashOf(t))];
    const sealed: BlockHeader = { ...header, txRoot: HashListSsz.hashTreeRoot(items) };
    if (result) {
      // The sequencer's txRoot (sszListRoot) is the list root the executor checks items against.
      expect(result.roots.txRoot).toEqual(sealed.txRoot);
      expectSequencerPathAgrees(parent, header, deposits, txs, result);
      sealed.receiptsRoot = result.roots.receiptsRoot;
      sealed.stateRoot = result.roots.stateRoot;
      sealed.withdrawalsRoot = result.roots.withdrawalsRoot;
      sealed.l1DepositNonce = result.l1DepositNonce;
    }
    return { block: { ...body, header: sealed, signature: signBlockHeader(sealed, sequencer.priv) }, result };
  };

  const funding = sc.funding.flatMap((amount, i) => (amount > 0n ? [deposit(keys[i]!.address, amount)] : []));
  const first = seal(genesis.state, genesis.header, funding, []);
  let parent = first.result!.state;
  let parentHeader = first.block.header;
  if (sc.withdrawalsFull) {
    // A parent whose globals count 2^32 withdrawals (its tree is not full: only the count matters).
    const g = parent.globals();
    parent = parent.withChanges(
      [{ ns: Namespace.Globals, id: GLOBALS_ID, value: { ...g, withdrawalCount: 2 ** 32 } }],
      [],
      [],
    );
    parentHeader = { ...parentHeader, stateRoot: parent.roots().stateRoot };
  }
  if (sc.objects?.length) {
    parent = parent.withChanges(sc.objects, [], []);
    parentHeader = { ...parentHeader, stateRoot: parent.roots().stateRoot };
  }
  if (sc.filler) {
    const writes = Array.from({ length: sc.filler }, (_, i) => {
      const id = new Uint8Array(20);
      new DataView(id.buffer).setUint32(16, i + 1);
      id[0] = 0xf1;
      return { ns: Namespace.Account, id, value: { balance: BigInt(i), nonce: 0 } };
    });
    parent = parent.withChanges(writes, [], []);
    parentHeader = { ...parentHeader, stateRoot: parent.roots().stateRoot };
  }

  const deposits = sc.deposits.map(([who, amount]) =>
    deposit(who === 4 ? sequencer.address : keys[who]!.address, amount),
  );
  const nonces = keys.map(() => 0);
  const txs = sc.txs.map((spec) => {
    const from = keys[spec.from]!;
    let nonce = nonces[spec.from]!;
    if (spec.variant === "nonceLow") nonce = nonce > 0 ? nonce - 1 : nonce + 2;
    else if (spec.variant === "nonceHigh") nonce += 1;
    else nonces[spec.from] = nonce + 1;
    const to =
      spec.variant === "toSelf"
        ? from.address
        : spec.variant === "toProposer"
          ? sequencer.address
          : spec.variant === "zeroTo"
            ? new Uint8Array(20)
            : keys[spec.to]!.address;
    const amount = spec.variant === "zeroAmount" ? 0n : spec.variant === "overBalance" ? 10n ** 19n : spec.amount;
    const fee =
      spec.variant === "feeOverBalance"
        ? 10n ** 30n
        : spec.variant === "feeBelowMin" && minTxFee > 0n
          ? minTxFee - 1n
          : spec.fee + minTxFee;
    const chainId = spec.variant === "wrongChain" ? CHAIN_ID + 1 : CHAIN_ID;
    const tx =
      spec.kind === TxKind.Withdraw
        ? signTransaction(
            chainId,
            { kind: TxKind.Withdraw, message: { l1Recipient: to, amount, nonce, fee } },
            from.priv,
          )
        : signTransaction(chainId, { kind: TxKind.Transfer, message: { to, amount, nonce, fee } }, from.priv);
    return withVariant(tx, spec.variant);
  });
  if (sc.kindTxs) txs.push(...sc.kindTxs(nonces));
  const { block } = seal(parent, parentHeader, deposits, txs);
  let header = block.header;
  if (sc.wrongRoot === "l1DepositNonce") header = { ...header, l1DepositNonce: header.l1DepositNonce + 1 };
  else if (sc.wrongRoot) header = { ...header, [sc.wrongRoot]: new Uint8Array(32).fill(9) };
  if (sc.headerFault === "number") header = { ...header, number: header.number + 1 };
  else if (sc.headerFault === "timestamp") header = { ...header, timestamp: parentHeader.timestamp - 1 };
  else if (sc.headerFault === "chain") header = { ...header, chainId: CHAIN_ID + 1 };
  const sealer = sc.headerFault === "seal" ? keys[0]! : sequencer;
  return {
    parent,
    parentHeader,
    block: { ...block, header, signature: signBlockHeader(header, sealer.priv) },
    minTxFee,
  };
}

function traceOf(b: Built) {
  blockMessages.set(toHex(blockHash(b.block.header)), b.block.deposits);
  return traceBlock(b.parent, b.parentHeader, b.block, {
    chainId: CHAIN_ID,
    minTxFee: b.minTxFee,
    maxBlockTxs: MAX_BLOCK_TXS,
    maxBlockDeposits: MAX_BLOCK_DEPOSITS,
    sequencer: sequencer.address,
  });
}

const ctxOf = (b: Built): Ctx => ({ blockHash: toHex(blockHash(b.block.header)), sequencer: toHex(sequencer.address) });
const executorFor = (b: Built) => executors[MIN_FEES.indexOf(b.minTxFee as 0n | 2n)]!;

/** The invalid reasons and receipt codes the blocks run so far reached. */
const seenReasons = new Set<string>();
const seenCodes = new Set<number>();

async function checkScenario(sc: Scenario): Promise<void> {
  await checkBuilt(buildScenario(sc));
}

/** Every step of a built block against the tracer, with the gas of each step kind. */
async function checkBuilt(b: Built): Promise<void> {
  const trace = traceOf(b);
  const ctx = ctxOf(b);
  for (let j = 0; j < trace.steps.length; j++) {
    const p = proveStep(trace, j);
    const proof = encodeStepProof(stepInputs(p));
    const post = await execute(executorFor(b), trace.commitments[j]!, j, ctx, proof);
    expect(post, `step ${j} (${p.kind})`).toBe(toHex(trace.commitments[j + 1]!));
    const st = trace.steps[j]!;
    if (st.invalidReason !== null) seenReasons.add(String(st.invalidReason));
    if (st.receipt) seenCodes.add(st.receipt.code);
    if (p.pre.invalid) continue;
    const forced = p.item?.deposit && p.item.deposit.forcedTx.length > 0 ? st.receipt : null;
    const kind = p.item?.tx
      ? ` ${p.item.tx.via ? "Via" : ""}${TxKind[p.item.tx.kind]}`
      : forced
        ? ` forced ${forced.kind === TxKind.Deposit ? `not includable (${forced.code})` : TxKind[forced.kind]}`
        : "";
    const name = `${p.kind}${kind}${st.invalidReason !== null ? " (invalid)" : ""}`;
    const gas = await stepClient.estimateGas({
      to: executorFor(b),
      data: encodeFunctionData({
        abi,
        functionName: "executeStep",
        args: [toHex(trace.commitments[j]!), BigInt(j), ctx, proof],
      } as never),
    });
    if (gas > (gasReport[name] ?? 0n)) gasReport[name] = gas;
  }
}

describe("OneStepExecutor against the tracer", () => {
  it("T[0] from the parent header", async () => {
    const b = buildScenario({
      funding: [1n, 0n, 5n, 0n],
      deposits: [],
      txs: [],
      minFee: 0,
      wrongRoot: null,
      headerFault: null,
    });
    const trace = traceOf(b);
    const t0 = await clients.publicClient.readContract({
      address: executors[0]!,
      abi,
      functionName: "initialStepState",
      args: [headerToAbi(b.parentHeader), toHex(b.parent.roots().objectsRoot)],
    } as never);
    expect(t0).toBe(toHex(trace.commitments[0]!));
  });

  it("computes the tracer's T[j + 1] for one block per inclusion rule and execution code", async () => {
    for (const [variant, kind] of TX_VARIANTS.flatMap((v) =>
      ([TxKind.Transfer, TxKind.Withdraw] as const).map((k) => [v, k] as const),
    )) {
      await checkScenario({
        funding: [10n ** 18n, 10n ** 17n, 0n, 5n],
        deposits: [
          [2, 5n],
          [4, 0n],
        ],
        txs: [
          { kind: TxKind.Transfer, from: 0, to: 1, amount: 3n, fee: 1n, variant: "ok" },
          { kind, from: 0, to: 2, amount: 4n, fee: 1n, variant },
          { kind: TxKind.Withdraw, from: 1, to: 3, amount: 1n, fee: 0n, variant: "ok" },
        ],
        minFee: variant === "feeBelowMin" ? 1 : 0,
        wrongRoot: null,
        headerFault: null,
        withdrawalsFull: false,
      });
    }
    await checkScenario({
      funding: [10n ** 18n, 0n, 0n, 0n],
      deposits: [],
      txs: [{ kind: TxKind.Withdraw, from: 0, to: 2, amount: 4n, fee: 1n, variant: "ok" }],
      minFee: 0,
      wrongRoot: null,
      headerFault: null,
      withdrawalsFull: true,
    });
    for (const headerFault of ["seal", "number", "timestamp", "chain"] as const) {
      await checkScenario({
        funding: [1n, 0n, 0n, 0n],
        deposits: [[1, 2n]],
        txs: [],
        minFee: 0,
        wrongRoot: null,
        headerFault,
      });
    }
    for (const wrongRoot of ["stateRoot", "receiptsRoot", "l1DepositNonce"] as const) {
      await checkScenario({
        funding: [1n, 0n, 0n, 0n],
        deposits: [[1, 2n]],
        txs: [],
        minFee: 0,
        wrongRoot,
        headerFault: null,
      });
    }
    // The blocks reached the Transfer's execution codes and every inclusion rule it can break.
    expect([...seenCodes].sort()).toEqual([0, 1000, 1001]);
    for (const reason of [
      103, // BAD_SIGNATURE
      101, // INVALID_FIELD
      102, // WRONG_CHAIN
      200, // NONCE_TOO_LOW
      201, // NONCE_TOO_HIGH
      202, // INSUFFICIENT_FUNDS_FOR_FEE
      203, // FEE_TOO_LOW
      "BLOCK_ROOT_MISMATCH",
      "BLOCK_BAD_SEAL",
      "BLOCK_BAD_NUMBER",
      "BLOCK_BAD_TIMESTAMP",
      "BLOCK_WRONG_CHAIN",
    ]) {
      expect(seenReasons, `reason ${reason}`).toContain(String(reason));
    }
  }, 600_000);

  it("computes the tracer's T[j + 1] for every step of random blocks", async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, checkScenario), { numRuns: RUNS });
  }, 600_000);
});

describe("OneStepExecutor gas", () => {
  it("per step kind, in a state of 2^16 accounts", async () => {
    const b = buildScenario({
      funding: [10n ** 18n, 10n ** 17n, 10n ** 18n, 10n ** 18n],
      deposits: [[2, 5n]],
      txs: [
        { kind: TxKind.Transfer, from: 0, to: 1, amount: 7n, fee: 1n, variant: "ok" },
        { kind: TxKind.Withdraw, from: 0, to: 3, amount: 5n, fee: 1n, variant: "ok" },
      ],
      minFee: 0,
      wrongRoot: null,
      headerFault: null,
      filler: 2 ** 16,
      // The worst paths of the kind executors' kinds: the longest strings, and acting for an identity
      // through a delegate.
      objects: [
        ...TOKEN_STATE,
        ...[...IDENTITY_STATE, ...ASSET_STATE].filter(
          (w) => w.ns !== Namespace.Identity && w.ns !== Namespace.Delegate,
        ),
        // A trade whose royalty goes to a third party (key 3).
        collectionWrite(COLLECTIONS[1]!, 3, 5, 1),
        assetWrite(COLLECTIONS[1]!, 8, 0, "zero"),
      ],
      kindTxs: (nonces) => [
        ...tokenTxs([
          create(3, "n".repeat(64), "s".repeat(16)),
          mint(2, TOKENS[0]!, 3, 5n, IDENTITIES[0]),
          transfer(2, TOKENS[0]!, 1, 5n, IDENTITIES[0]),
          burn(2, TOKENS[0]!, 1n, IDENTITIES[0]),
        ])(nonces),
        ...kindTxs([
          collectionCreate(3, "n".repeat(64), "s".repeat(16)),
          assetTransfer(2, COLLECTIONS[0]!, 2, 3), // by an operator
          assetBurn(2, COLLECTIONS[1]!, 7, IDENTITIES[0]),
          assetApprove(0, COLLECTIONS[0]!, 1, 3),
          operatorSet(0, COLLECTIONS[0]!, 3, true),
          tradeFill(2, 0, { collectionId: COLLECTIONS[1]!, tokenId: 8, price: 12_345n }),
          orderCancel(0, 0, { salt: 5n }),
          accessGrant(2, DATA_ASSETS[0]!, 1, NOW + 9, IDENTITIES[0]),
          accessRevoke(2, DATA_ASSETS[0]!, 3, IDENTITIES[0]),
          attrSet(3, IDENTITIES[0]!, "k".repeat(64), "v".repeat(1024), NOW + 9),
          attrRemove(3, IDENTITIES[0]!, "bio"),
          delegateAdd(0, IDENTITIES[0]!, 1, 3, NOW + 9),
          delegateRevoke(0, IDENTITIES[0]!, 3),
          identityTransfer(0, IDENTITIES[0]!, 1),
        ])(nonces),
      ],
    });
    const trace = traceOf(b);
    const ctx = ctxOf(b);
    const report: Record<string, { gas: bigint; proofDepth: number }> = {};
    for (let j = 0; j < trace.steps.length; j++) {
      const p = proveStep(trace, j);
      const proof = encodeStepProof(stepInputs(p));
      expect(await execute(executorFor(b), trace.commitments[j]!, j, ctx, proof)).toBe(
        toHex(trace.commitments[j + 1]!),
      );
      const gas = await clients.publicClient.estimateGas({
        to: executorFor(b),
        data: encodeFunctionData({
          abi,
          functionName: "executeStep",
          args: [toHex(trace.commitments[j]!), BigInt(j), ctx, proof],
        } as never),
      });
      const kind = p.item?.tx ? ` ${TxKind[p.item.tx.kind]}` : "";
      expect(trace.steps[j]!.invalidReason, `step ${j}`).toBeNull();
      report[`${p.kind}${kind}`] = { gas, proofDepth: Math.max(0, ...p.objects.map((o) => o.proof.siblings.length)) };
    }
    console.log("one-step executor gas, 2^16 accounts (eth_estimateGas):", report);
    expect(Object.keys(report)).toHaveLength(23);
  }, 120_000);
});

/** Lotus's message pool refuses a message larger than this (its signed CBOR; calldata is most of it). */
const MAX_MESSAGE_BYTES = 65_536;

/**
 * Step `j` of `b`, settled by a FilverseDisputeGame (over a mock of the rollup's checkpoints, with
 * this file's executor): a challenger disputes the honest block after step j, the bisection comes
 * down to step j, and the defender uploads its proof to the game's StepProofStore in chunks (each
 * message's calldata under 64 KiB) and counters with `stepStored`. Prints the messages and their gas.
 */
async function settleThroughStore(b: Built, trace: ReturnType<typeof traceOf>, j: number): Promise<void> {
  const BOND = 10n ** 18n;
  const ITEMS_DEPTH = 17;
  const accounts = await clients.walletClient.getAddresses();
  // Each call may run a step of many seconds in hardhat: a long timeout, no retries.
  const wallet = createWalletClient({
    chain: clients.walletClient.chain,
    transport: http(l1.url, { timeout: 600_000, retryCount: 0 }),
  });
  const send = async (
    to: Address,
    abiOf: Abi,
    functionName: string,
    args: readonly unknown[],
    from: Address,
    value?: bigint,
    gas?: bigint,
  ) => {
    const hash = await wallet.writeContract({
      account: from,
      address: to,
      abi: abiOf,
      functionName,
      args,
      value,
      gas,
      chain: wallet.chain,
    } as never);
    const receipt = await stepClient.waitForTransactionReceipt({ hash, timeout: 600_000 });
    expect(receipt.status, functionName).toBe("success");
    return receipt;
  };
  const deploy = async (a: { abi: Abi; bytecode: Hex }, args: unknown[]) => {
    const hash = await wallet.deployContract({
      abi: a.abi,
      bytecode: a.bytecode,
      args,
      account: accounts[0]!,
      chain: wallet.chain,
    } as never);
    return (await stepClient.waitForTransactionReceipt({ hash })).contractAddress!;
  };
  const mocks = await compileTestContracts("DisputeGameMocks", [
    "FilverseDisputeGame.sol",
    "IOneStepExecutor.sol",
    "Ssz.sol",
    "SszObjects.sol",
    "StateProofs.sol",
    "StepProofStore.sol",
  ]);
  // The node may have closed the idle keep-alive socket while the state was built and the mocks
  // compiled: the first request fails once (a read, so it is simply asked again).
  await wallet.getChainId().catch(() => wallet.getChainId());
  const mockAbi = mocks.MockCheckpoints!.abi;
  const checkpoints = await deploy(mocks.MockCheckpoints!, [3_600n]);
  await send(checkpoints, mockAbi, "setSequencer", [toHex(sequencer.address)], accounts[0]!);
  const gameAbi = disputeGameAbi();
  const game = await deploy(loadArtifact("FilverseDisputeGame"), [
    checkpoints,
    executorFor(b),
    BOND,
    BOND,
    1_000n,
    100n,
  ]);
  const header = b.block.header;
  const hashes = [blockHash(b.parentHeader), blockHash(header)];
  const S = trace.steps.length;
  await send(
    checkpoints,
    mockAbi,
    "setCheckpoint",
    [
      0n,
      {
        digest: keccak256(stringToHex("the batch mint's checkpoint")),
        blockHashesRoot: toHex(mixInLength(merkle(hashes, BLOCK_HASHES_DEPTH).root, 2)),
        parentHash: toHex(hashes[0]!),
        lastBlockHash: toHex(hashes[1]!),
        stateRoot: toHex(header.stateRoot),
        withdrawalsRoot: toHex(header.withdrawalsRoot),
        firstBlock: BigInt(header.number),
        lastBlock: BigInt(header.number),
        acceptedAt: 0n,
      },
    ],
    accounts[0]!,
  );
  const items = [...b.block.deposits.map((d) => depositHashOf(d)), ...b.block.transactions.map((t) => txHashOf(t))];
  const [challenger, defender] = [accounts[1]!, accounts[2]!];
  await send(
    game,
    gameAbi,
    "challenge",
    [
      {
        checkpointIndex: 0n,
        blockNumber: BigInt(header.number),
        parent: headerToAbi(b.parentHeader),
        parentProof: merkle(hashes, BLOCK_HASHES_DEPTH, 0).siblings.map(toHex),
        header: headerToAbi(header),
        headerProof: merkle(hashes, BLOCK_HASHES_DEPTH, 1).siblings.map(toHex),
        parentObjectsRoot: toHex(b.parent.objects.root()),
        objectsRoot: toHex(trace.states[S]!.objectsRoot),
        itemsListRoot: toHex(merkle(items, ITEMS_DEPTH).root),
        itemCount: BigInt(items.length),
      },
    ],
    challenger,
    BOND,
  );
  const T = (i: number) => toHex(trace.commitments[i]!) as Hex;
  const root = (await stepClient.readContract({
    address: game,
    abi: gameAbi,
    functionName: "getNode",
    args: [0n, 0n],
  } as never)) as { pre: Hex; post: Hex };
  expect([root.pre, root.post]).toEqual([T(0), T(S)]);
  // The challenger's made-up trace leaves the truth after step j: the bisection ends at step j.
  const made = (i: number) => (i <= j ? T(i) : (keccak256(stringToHex(`made up ${i}`)) as Hex));
  const nodeCount = async () =>
    (await stepClient.readContract({
      address: game,
      abi: gameAbi,
      functionName: "nodeCount",
      args: [0n],
    } as never)) as bigint;
  let node = 0n;
  let [lo, hi] = [0, S];
  while (hi - lo >= 2) {
    const mid = Math.floor((lo + hi) / 2);
    await send(game, gameAbi, "propose", [0n, node, T(mid)], defender, BOND);
    const left = made(mid) !== T(mid);
    await send(game, gameAbi, "dispute", [0n, (await nodeCount()) - 1n, left], challenger, BOND);
    node = (await nodeCount()) - 1n;
    [lo, hi] = left ? [lo, mid] : [mid, hi];
  }
  expect(lo).toBe(j);
  const proof = encodeStepProof(stepInputs(proveStep(trace, j)));
  expect(size(proof)).toBeGreaterThan(MAX_MESSAGE_BYTES);
  await recordMessagesOf(ctxOf(b).blockHash);
  const store = await readProofStore(game, clients);
  const { id, txs } = await uploadStepProof(store, proof, {
    publicClient: stepClient,
    walletClient: wallet,
    account: { address: defender, type: "json-rpc" },
  });
  const messages: { calldata: number; gas: bigint }[] = [];
  for (const hash of txs) {
    const [tx, receipt] = await Promise.all([
      stepClient.getTransaction({ hash }),
      stepClient.getTransactionReceipt({ hash }),
    ]);
    messages.push({ calldata: size(tx.input), gas: receipt.gasUsed });
  }
  const stepReceipt = await send(game, gameAbi, "stepStored", [0n, node, id], defender, undefined, 500_000_000n);
  const stepTx = await stepClient.getTransaction({ hash: stepReceipt.transactionHash });
  messages.push({ calldata: size(stepTx.input), gas: stepReceipt.gasUsed });
  for (const m of messages) expect(m.calldata).toBeLessThan(MAX_MESSAGE_BYTES - 1_024);
  const leaf = (await stepClient.readContract({
    address: game,
    abi: gameAbi,
    functionName: "getNode",
    args: [0n, node],
  } as never)) as { stepped: boolean; countered: boolean };
  expect([leaf.stepped, leaf.countered]).toEqual([true, true]);
  console.log(
    `the ${size(proof)}-byte proof of step ${j} settled through the store in ${messages.length} messages (begin, ${txs.length - 1} appends, stepStored):`,
    messages,
    `total gas ${messages.reduce((a, m) => a + m.gas, 0n)}`,
  );
}

// --- refusals ----------------------------------------------------------------------------------

/** A block with a deposit and two transfers, all valid. */
function sampleScenario(): Built {
  return buildScenario({
    funding: [10n ** 18n, 10n ** 17n, 0n, 0n],
    deposits: [[2, 5n]],
    txs: [
      { kind: TxKind.Transfer, from: 0, to: 1, amount: 7n, fee: 1n, variant: "ok" },
      { kind: TxKind.Transfer, from: 1, to: 3, amount: 10n ** 18n, fee: 1n, variant: "overBalance" },
      { kind: TxKind.Withdraw, from: 0, to: 3, amount: 5n, fee: 1n, variant: "ok" },
    ],
    minFee: 0,
    wrongRoot: null,
    headerFault: null,
    withdrawalsFull: false,
  });
}

type Tamper = (inputs: StepInputs, p: StepProof) => StepInputs;

describe("OneStepExecutor refuses", () => {
  const b = sampleScenario();
  const trace = traceOf(b);
  const ctx = ctxOf(b);
  const stepOf = (kind: StepKind) => trace.steps.findIndex((s) => s.kind === kind);

  const cases: [string, StepKind, Tamper, string][] = [
    [
      "a pre-state that is not T[j]",
      StepKind.Transaction,
      (i) => ({ ...i, pre: { ...i.pre, items: i.pre.items + 1n } }),
      "StepStateMismatch",
    ],
    [
      "another header",
      StepKind.Transaction,
      (i) => ({ ...i, header: { ...i.header, timestamp: i.header.timestamp + 1n } }),
      "HeaderMismatch",
    ],
    [
      "an object value that is not in the state",
      StepKind.Transaction,
      (i, p) => {
        const parts = itemParts(p);
        const k = parts.objects.findIndex((o) => o.present);
        const o = parts.objects[k]!;
        const value = `${o.value.slice(0, 65)}${o.value[65] === "0" ? "1" : "0"}${o.value.slice(66)}` as Hex;
        parts.objects[k] = { ...o, value };
        return { ...i, ...encodeStepData(p, parts) };
      },
      "ObjectValueMismatch",
    ],
    [
      "a forged object proof sibling",
      StepKind.Transaction,
      (i, p) => {
        const parts = itemParts(p);
        const k = parts.objects.findIndex((o) => o.proof.siblings.length > 0);
        const o = parts.objects[k]!;
        const siblings = o.proof.siblings.map((s, i) => (i === 0 ? (`0x${"ab".repeat(32)}` as Hex) : s));
        parts.objects[k] = { ...o, proof: { ...o.proof, siblings } };
        return { ...i, ...encodeStepData(p, parts) };
      },
      "SmtRootMismatch",
    ],
    [
      "a missing object",
      StepKind.Transaction,
      (i, p) => {
        const parts = itemParts(p);
        parts.objects = [];
        return { ...i, ...encodeStepData(p, parts) };
      },
      "ObjectMissing",
    ],
    [
      "objects out of key order",
      StepKind.Transaction,
      (i, p) => {
        const parts = itemParts(p);
        parts.objects = [...parts.objects].reverse();
        return { ...i, ...encodeStepData(p, parts) };
      },
      "ObjectsNotSorted",
    ],
    [
      "an item that is not in txRoot",
      StepKind.Transaction,
      (i, p) => {
        const parts = itemParts(p);
        parts.item.siblings[0] = `0x${"cd".repeat(32)}`;
        return { ...i, ...encodeStepData(p, parts) };
      },
      "ItemNotInBlock",
    ],
    [
      "a receipt appended off the receipts list",
      StepKind.Transaction,
      (i, p) => {
        const parts = itemParts(p);
        parts.receiptSiblings[3] = `0x${"ef".repeat(32)}`;
        return { ...i, ...encodeStepData(p, parts) };
      },
      "SszListRootMismatch",
    ],
    [
      "a deposit's globals that are not in the state",
      StepKind.L1Message,
      (i, p) => {
        const parts = itemParts(p);
        parts.objects = parts.objects.map((o) => (o.ns === 0 ? { ...o, value: `${o.value.slice(0, -1)}7` as Hex } : o));
        return { ...i, ...encodeStepData(p, parts) };
      },
      "ObjectValueMismatch",
    ],
  ];

  for (const [what, kind, tamper, expected] of cases) {
    it(what, async () => {
      const j = stepOf(kind);
      const p = proveStep(trace, j);
      const honest = stepInputs(p);
      expect(await execute(executors[0]!, trace.commitments[j]!, j, ctx, encodeStepProof(honest))).toBe(
        toHex(trace.commitments[j + 1]!),
      );
      const name = await revertName(
        execute(executors[0]!, trace.commitments[j]!, j, ctx, encodeStepProof(tamper(honest, p))),
      );
      expect(name).toBe(expected);
    });
  }

  it("a step kind at the wrong step index", async () => {
    const j = stepOf(StepKind.Transaction);
    const p = proveStep(trace, j);
    expect(
      await revertName(execute(executors[0]!, trace.commitments[j]!, 0, ctx, encodeStepProof(stepInputs(p)))),
    ).toBe("WrongStepKind");
  });

  it("an end-of-block proof with a count other than the items done", async () => {
    const j = stepOf(StepKind.Transaction);
    const p = proveStep(trace, j);
    const end = proveStep(trace, trace.steps.length - 1);
    const inputs = { ...stepInputs(p), ...encodeStepData(end) };
    expect(await revertName(execute(executors[0]!, trace.commitments[j]!, j, ctx, encodeStepProof(inputs)))).toBe(
      "NotEndOfBlock",
    );
  });
});

// --- the kinds of the kind executors -----------------------------------------------------------

/** The block under test is the third: its timestamp, the clock of every expiry. */
const NOW = 1_700_000_004;
const idOf = (tag: number) => new Uint8Array(32).fill(tag);
/** Two identities owned by keys 0 and 1, at owner epoch 1; a third id has no identity. */
const IDENTITIES = [idOf(0x71), idOf(0x72)];
const NO_IDENTITY = idOf(0x7f);
const TOKENS = [idOf(0x51), idOf(0x52)];
const NO_TOKEN = idOf(0x5f);
const ZERO_ID = new Uint8Array(32);
const MAX_UINT256 = (1n << 256n) - 1n;

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const identityWrite = (i: number, owner: number, ownerEpoch = 1): ObjectWrite => ({
  ns: Namespace.Identity,
  id: IDENTITIES[i]!,
  value: { owner: keys[owner]!.address, handle: `id_${i}`, profileCid: "bafkqaaa", ownerEpoch },
});
const delegateWrite = (i: number, key: number, scope: number, expiresAt: number, ownerEpoch = 1): ObjectWrite => ({
  ns: Namespace.Delegate,
  id: concat(IDENTITIES[i]!, keys[key]!.address),
  value: { scope, expiresAt, ownerEpoch },
});
const tokenWrite = (t: number, issuer: number, cap: bigint, supply: bigint): ObjectWrite => ({
  ns: Namespace.Token,
  id: TOKENS[t]!,
  value: { issuer: keys[issuer]!.address, name: `Token ${t}`, symbol: `T${t}`, decimals: 18, cap, supply },
});
const balanceWrite = (t: number, holder: number, balance: bigint): ObjectWrite => ({
  ns: Namespace.TokenBalance,
  id: concat(TOKENS[t]!, keys[holder]!.address),
  value: { balance },
});

/** What one token transaction does; `from` signs it with its next nonce (or a broken one). */
type TokenTxSpec =
  | { kind: TxKind.TokenCreate; from: number; name: string; symbol: string; decimals: number; cap: bigint }
  | {
      kind: TxKind.TokenMint | TxKind.TokenTransfer;
      from: number;
      token: Uint8Array;
      to: number | "zero";
      amount: bigint;
      onBehalfOf: Uint8Array;
    }
  | { kind: TxKind.TokenBurn; from: number; token: Uint8Array; amount: bigint; onBehalfOf: Uint8Array };

function tokenTxs(specs: TokenTxSpec[]): (nonces: number[]) => SignedTransaction[] {
  return (nonces) =>
    specs.map((spec) => {
      const nonce = nonces[spec.from]!;
      nonces[spec.from] = nonce + 1;
      const priv = keys[spec.from]!.priv;
      const fee = 1n;
      switch (spec.kind) {
        case TxKind.TokenCreate:
          return signTransaction(
            CHAIN_ID,
            {
              kind: TxKind.TokenCreate,
              message: {
                name: spec.name,
                symbol: spec.symbol,
                decimals: spec.decimals,
                cap: spec.cap,
                nonce,
                fee,
              },
            },
            priv,
          );
        case TxKind.TokenBurn:
          return signTransaction(
            CHAIN_ID,
            {
              kind: TxKind.TokenBurn,
              message: { tokenId: spec.token, amount: spec.amount, onBehalfOf: spec.onBehalfOf, nonce, fee },
            },
            priv,
          );
        default: {
          const message = {
            tokenId: spec.token,
            to: spec.to === "zero" ? new Uint8Array(20) : keys[spec.to]!.address,
            amount: spec.amount,
            onBehalfOf: spec.onBehalfOf,
            nonce,
            fee,
          };
          return spec.kind === TxKind.TokenMint
            ? signTransaction(CHAIN_ID, { kind: TxKind.TokenMint, message }, priv)
            : signTransaction(CHAIN_ID, { kind: TxKind.TokenTransfer, message }, priv);
        }
      }
    });
}

/** The identities, delegates, tokens and balances every token block starts from. */
const TOKEN_STATE: ObjectWrite[] = [
  identityWrite(0, 0),
  identityWrite(1, 1),
  delegateWrite(0, 2, 1, NOW + 100), // key 2: an active assets delegate of identity 0
  delegateWrite(0, 3, 2, NOW + 100), // key 3: identity scope only
  delegateWrite(1, 2, 3, NOW), // key 2 for identity 1: expires at the block's timestamp
  delegateWrite(1, 3, 3, NOW + 100, 0), // key 3 for identity 1: added under an older owner epoch
  tokenWrite(0, 0, 1000n, 100n),
  tokenWrite(1, 1, MAX_UINT256, 10n),
  balanceWrite(0, 0, 60n),
  balanceWrite(0, 1, 40n),
  balanceWrite(1, 1, 10n),
];

function tokenScenario(specs: TokenTxSpec[], objects: ObjectWrite[] = TOKEN_STATE): Scenario {
  return {
    funding: [10n ** 18n, 10n ** 18n, 10n ** 18n, 10n ** 18n],
    deposits: [],
    txs: [],
    minFee: 0,
    wrongRoot: null,
    headerFault: null,
    objects,
    kindTxs: tokenTxs(specs),
  };
}

const mint = (
  from: number,
  token: Uint8Array,
  to: number | "zero",
  amount: bigint,
  onBehalfOf: Uint8Array = ZERO_ID,
): TokenTxSpec => ({ kind: TxKind.TokenMint, from, token, to, amount, onBehalfOf });
const transfer = (
  from: number,
  token: Uint8Array,
  to: number | "zero",
  amount: bigint,
  onBehalfOf: Uint8Array = ZERO_ID,
): TokenTxSpec => ({ kind: TxKind.TokenTransfer, from, token, to, amount, onBehalfOf });
const burn = (from: number, token: Uint8Array, amount: bigint, onBehalfOf = ZERO_ID): TokenTxSpec => ({
  kind: TxKind.TokenBurn,
  from,
  token,
  amount,
  onBehalfOf,
});
const create = (from: number, name: string, symbol: string, decimals = 6, cap = 10n ** 24n): TokenTxSpec => ({
  kind: TxKind.TokenCreate,
  from,
  name,
  symbol,
  decimals,
  cap,
});

describe("OneStepExecutor: token kinds (20–23) against the tracer", () => {
  it("every execution code, every field rule, and EXECUTION_FAULT", async () => {
    const cases: [TokenTxSpec[], ObjectWrite[]?][] = [
      // successes, each kind, and acting for an identity
      [
        [
          create(0, "Filverse Social", "FVS", 18, 5n),
          create(1, "ünïcödé ✓ 𝔘", "€", 0, MAX_UINT256),
          create(2, "\uFEFFbom", "\u0000"),
        ],
      ],
      [[mint(0, TOKENS[0]!, 2, 900n), mint(1, TOKENS[1]!, 1, MAX_UINT256 - 10n)]],
      [[transfer(0, TOKENS[0]!, 1, 60n), transfer(1, TOKENS[0]!, 1, 40n), transfer(1, TOKENS[1]!, 0, 3n)]],
      [[burn(0, TOKENS[0]!, 60n), burn(1, TOKENS[1]!, 1n)]],
      [[mint(2, TOKENS[0]!, 3, 5n, IDENTITIES[0]), transfer(2, TOKENS[0]!, 3, 5n, IDENTITIES[0])]],
      [[burn(0, TOKENS[0]!, 1n, IDENTITIES[0]), mint(1, TOKENS[1]!, 1, 1n, IDENTITIES[1])]],
      // a token created in the block, then minted, transferred and burned
      [
        [
          create(3, "New", "NEW", 2, 50n),
          mint(3, tokenIdOf(keys[3]!.address, 0), 3, 50n),
          transfer(3, tokenIdOf(keys[3]!.address, 0), 0, 20n),
          burn(3, tokenIdOf(keys[3]!.address, 0), 30n),
        ],
      ],
      // TOKEN_NOT_FOUND (1200), NOT_TOKEN_ISSUER (1201), TOKEN_CAP_EXCEEDED (1202), INSUFFICIENT_TOKEN_BALANCE (1203)
      [[mint(0, NO_TOKEN, 1, 1n), transfer(0, NO_TOKEN, 1, 1n), burn(0, NO_TOKEN, 1n)]],
      [[mint(1, TOKENS[0]!, 1, 1n), mint(2, TOKENS[1]!, 1, 1n, IDENTITIES[0])]],
      [[mint(0, TOKENS[0]!, 1, 901n), mint(1, TOKENS[1]!, 1, MAX_UINT256)]],
      [
        [
          transfer(0, TOKENS[0]!, 1, 61n),
          transfer(2, TOKENS[0]!, 1, 1n),
          burn(1, TOKENS[0]!, 41n),
          burn(3, TOKENS[1]!, 1n),
        ],
      ],
      // IDENTITY_NOT_FOUND (1300), DELEGATE_NOT_FOUND (1304: none, and an older epoch), DELEGATE_EXPIRED
      // (1305), DELEGATE_SCOPE (1306)
      [
        [
          mint(0, TOKENS[0]!, 1, 1n, NO_IDENTITY),
          transfer(0, TOKENS[0]!, 1, 1n, NO_IDENTITY),
          burn(0, TOKENS[0]!, 1n, NO_IDENTITY),
        ],
      ],
      [[mint(1, TOKENS[0]!, 1, 1n, IDENTITIES[0]), transfer(3, TOKENS[1]!, 0, 1n, IDENTITIES[1])]],
      [[burn(2, TOKENS[1]!, 1n, IDENTITIES[1])]],
      [[transfer(3, TOKENS[0]!, 1, 1n, IDENTITIES[0])]],
      // INVALID_FIELD (101): each field rule; the block is invalid
      [[create(0, "", "E")]],
      [[create(0, "N", "")]],
      [[create(0, "n".repeat(64), "s".repeat(16)), create(0, "n".repeat(65), "S")]],
      [[create(0, "N", "é".repeat(9))]],
      [[create(0, "N", "S", 19)]],
      [[create(0, "N", "S", 18, 0n)]],
      [[mint(0, TOKENS[0]!, "zero", 1n)]],
      [[mint(0, TOKENS[0]!, 1, 0n)]],
      [[transfer(0, TOKENS[0]!, "zero", 1n)]],
      [[transfer(0, TOKENS[0]!, 1, 0n)]],
      [[burn(0, TOKENS[0]!, 0n)]],
      // EXECUTION_FAULT (204): a balance past 2^256 − 1 (mint, transfer), a supply below the burn.
      // Only a state whose balances do not sum to its supply reaches them; the block is invalid.
      [[mint(1, TOKENS[1]!, 2, 5n)], [...TOKEN_STATE, balanceWrite(1, 2, MAX_UINT256 - 4n)]],
      [[transfer(1, TOKENS[1]!, 2, 5n)], [...TOKEN_STATE, balanceWrite(1, 2, MAX_UINT256 - 4n)]],
      [[burn(0, TOKENS[0]!, 60n)], [...TOKEN_STATE, tokenWrite(0, 0, 1000n, 59n)]],
    ];
    for (const [specs, objects] of cases) await checkScenario(tokenScenario(specs, objects));
    for (const code of [0, 1200, 1201, 1202, 1203, 1300, 1304, 1305, 1306]) {
      expect(seenCodes, `code ${code}`).toContain(code);
    }
    for (const reason of [101, 204]) expect(seenReasons, `reason ${reason}`).toContain(String(reason));
  }, 600_000);

  const tokenRef = fc.constantFrom(TOKENS[0]!, TOKENS[1]!, NO_TOKEN, tokenIdOf(keys[0]!.address, 0));
  const actingFor = fc.constantFrom(ZERO_ID, ZERO_ID, ZERO_ID, IDENTITIES[0]!, IDENTITIES[1]!, NO_IDENTITY);
  const amountArb = fc.oneof(
    fc.bigInt({ min: 1n, max: 120n }),
    fc.constantFrom(0n, 1000n, MAX_UINT256 - 10n, MAX_UINT256),
  );
  const specArb: fc.Arbitrary<TokenTxSpec> = fc.oneof(
    fc.record({
      kind: fc.constant(TxKind.TokenCreate as const),
      from: fc.integer({ min: 0, max: 3 }),
      // Any code point (up to 4 UTF-8 bytes each), so the byte bounds are met and broken.
      name: fc.oneof(
        fc.string({ unit: "binary", minLength: 1, maxLength: 20 }),
        fc.constantFrom("", "n".repeat(65), "𝔘".repeat(16)),
      ),
      symbol: fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 6 }), fc.constantFrom("", "é".repeat(9))),
      decimals: fc.integer({ min: 0, max: 19 }),
      cap: fc.oneof(fc.bigInt({ min: 1n, max: MAX_UINT256 }), fc.constant(0n)),
    }),
    fc.record({
      kind: fc.constantFrom(TxKind.TokenMint as const, TxKind.TokenTransfer as const),
      from: fc.integer({ min: 0, max: 3 }),
      token: tokenRef,
      to: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant("zero" as const)),
      amount: amountArb,
      onBehalfOf: actingFor,
    }),
    fc.record({
      kind: fc.constant(TxKind.TokenBurn as const),
      from: fc.integer({ min: 0, max: 3 }),
      token: tokenRef,
      amount: amountArb,
      onBehalfOf: actingFor,
    }),
  );
  /** Random token states: who issues, caps and supplies (sometimes inconsistent), delegates' scopes and expiries. */
  const stateArb = fc
    .record({
      owners: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
      epochs: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
      delegates: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 1 }),
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: -2, max: 2 }),
          fc.integer({ min: 0, max: 2 }),
        ),
        { maxLength: 4 },
      ),
      tokens: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 3 }),
          fc.bigInt({ min: 1n, max: 1000n }),
          fc.bigInt({ min: 0n, max: 1000n }),
        ),
        { minLength: 2, maxLength: 2 },
      ),
      balances: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 1 }),
          fc.integer({ min: 0, max: 3 }),
          fc.oneof(fc.bigInt({ min: 1n, max: 500n }), fc.constant(MAX_UINT256 - 3n)),
        ),
        { maxLength: 5 },
      ),
    })
    .map((st) => {
      const writes: ObjectWrite[] = [
        identityWrite(0, st.owners[0], st.epochs[0]),
        identityWrite(1, st.owners[1], st.epochs[1]),
      ];
      for (const [i, key, scope, dt, epoch] of st.delegates) {
        writes.push(delegateWrite(i, key, scope, NOW + dt, epoch));
      }
      st.tokens.forEach(([issuer, cap, supply], t) => {
        writes.push(tokenWrite(t, issuer, cap, supply));
      });
      for (const [t, holder, balance] of st.balances) writes.push(balanceWrite(t, holder, balance));
      // One write per id: the last wins.
      const byId = new Map(writes.map((w) => [`${w.ns}:${toHex(w.id)}`, w]));
      return [...byId.values()];
    });

  /**
   * The tampered values keep the step's path (the same code and writes), so the object proofs after
   * them still chain and the executor names the value. A tamper that changes the path is refused too,
   * but by the first later proof that no longer chains (SmtRootMismatch).
   */
  describe("refuses a tampered token step", () => {
    /** The value with the last hex digit of its ABI word `word` changed. */
    const flipWord = (value: Hex, word: number) => {
      const at = 2 + 64 * (word + 1) - 1;
      return `${value.slice(0, at)}${value[at] === "0" ? "1" : "0"}${value.slice(at + 1)}` as Hex;
    };
    const b = buildScenario(tokenScenario([mint(2, TOKENS[0]!, 1, 5n, IDENTITIES[0])]));
    const trace = traceOf(b);
    const ctx = ctxOf(b);
    const j = trace.steps.findIndex((st) => st.kind === StepKind.Transaction);
    const p = proveStep(trace, j);
    const cases: [string, (parts: ItemParts) => StepProof | undefined, string][] = [
      [
        "a token whose cap is not the state's",
        (parts) => {
          const k = parts.objects.findIndex((o) => o.ns === Namespace.Token);
          const o = parts.objects[k]!;
          parts.objects[k] = { ...o, value: flipWord(o.value, 5) }; // the offset, then issuer … cap
          return undefined;
        },
        "ObjectValueMismatch",
      ],
      [
        "a delegate whose expiry is not the state's",
        (parts) => {
          const k = parts.objects.findIndex((o) => o.ns === Namespace.Delegate);
          const o = parts.objects[k]!;
          parts.objects[k] = { ...o, value: flipWord(o.value, 1) }; // scope, expiresAt
          return undefined;
        },
        "ObjectValueMismatch",
      ],
      [
        "a balance claimed absent",
        (parts) => {
          const k = parts.objects.findIndex((o) => o.ns === Namespace.TokenBalance && o.present);
          expect(k).toBeGreaterThanOrEqual(0);
          parts.objects[k] = { ...parts.objects[k]!, present: false, value: "0x" };
          return undefined;
        },
        "ObjectValueMismatch",
      ],
      [
        "no token object",
        (parts) => {
          parts.objects = parts.objects.filter((o) => o.ns !== Namespace.Token);
          return undefined;
        },
        "ObjectMissing",
      ],
      [
        "another amount than the signed one",
        () => {
          const tx = p.item!.tx! as Extract<SignedTransaction, { kind: TxKind.TokenMint }>;
          return { ...p, item: { tx: { ...tx, message: { ...tx.message, amount: 6n } } } };
        },
        "ItemNotInBlock",
      ],
    ];
    for (const [what, tamper, expected] of cases) {
      it(what, async () => {
        expect(p.item?.tx?.kind).toBe(TxKind.TokenMint);
        expect(await execute(executors[0]!, trace.commitments[j]!, j, ctx, encodeStepProof(stepInputs(p)))).toBe(
          toHex(trace.commitments[j + 1]!),
        );
        const parts = itemParts(p);
        const other = tamper(parts);
        const inputs = other ? stepInputs(other) : { ...stepInputs(p), ...encodeStepData(p, parts) };
        expect(await revertName(execute(executors[0]!, trace.commitments[j]!, j, ctx, encodeStepProof(inputs)))).toBe(
          expected,
        );
      });
    }
  });

  /**
   * A string that is not UTF-8 cannot be a TypeScript transaction: the SSZ decoder refuses it, so a
   * block listing one is invalid. The tracer cannot sign one, so the test does: the step must set
   * `invalid`. The same construction with valid bytes gives the tracer's T[j + 1] (the control).
   */
  it("a TokenCreate whose name or symbol is not UTF-8 makes the block invalid", async () => {
    const b = buildScenario(tokenScenario([create(0, "ab", "S")]));
    const trace = traceOf(b);
    const j = 1;
    const p = proveStep(trace, j);
    expect(p.item?.tx?.kind).toBe(TxKind.TokenCreate);
    const tx = p.item!.tx! as Extract<SignedTransaction, { kind: TxKind.TokenCreate }>;
    const signWith = (name: Uint8Array, symbol: Uint8Array) => {
      const m = tx.message;
      const structHash = keccak256(
        encodeAbiParameters(
          [
            { type: "bytes32" },
            { type: "bytes32" },
            { type: "bytes32" },
            { type: "uint8" },
            { type: "uint256" },
            { type: "uint64" },
            { type: "uint256" },
          ],
          [
            toHex(typeHash(txStructs[TxKind.TokenCreate])),
            keccak256(name),
            keccak256(symbol),
            m.decimals,
            m.cap,
            BigInt(m.nonce),
            m.fee,
          ],
        ),
      );
      const digest = keccak256(concatHex(["0x1901", toHex(domainSeparator(CHAIN_ID)), structHash]), "bytes");
      const signature = signDigest(digest, keys[0]!.priv);
      const hash = keccak256(concat(digest, signature), "bytes");
      const header = { ...b.block.header, txRoot: HashListSsz.hashTreeRoot([hash]) };
      const message = encodeAbiParameters(
        [
          {
            type: "tuple",
            components: [
              { name: "name", type: "bytes" },
              { name: "symbol", type: "bytes" },
              { name: "decimals", type: "uint8" },
              { name: "cap", type: "uint256" },
              { name: "nonce", type: "uint64" },
              { name: "fee", type: "uint256" },
            ],
          },
        ],
        [
          {
            name: toHex(name),
            symbol: toHex(symbol),
            decimals: m.decimals,
            cap: m.cap,
            nonce: BigInt(m.nonce),
            fee: m.fee,
          },
        ],
      );
      const inputs = {
        ...stepInputs(p),
        header: headerToAbi(header),
        ...encodeStepData(p, { ...itemParts(p), message, signature: toHex(signature) }),
      };
      return execute(
        executors[0]!,
        trace.commitments[j]!,
        j,
        { blockHash: toHex(blockHash(header)), sequencer: toHex(sequencer.address) },
        encodeStepProof(inputs),
      );
    };
    const utf8 = (x: string) => new TextEncoder().encode(x);
    // The control: valid bytes give the tracer's result.
    expect(await signWith(utf8("ab"), utf8("S"))).toBe(toHex(trace.commitments[j + 1]!));
    const invalid = toHex(stepStateRoot({ ...p.pre, invalid: true }));
    const notUtf8 = [
      [0xc3, 0x28], // a continuation byte missing
      [0xc0, 0xaf], // overlong "/"
      [0xe0, 0x80, 0xaf], // overlong, three bytes
      [0xed, 0xa0, 0x80], // a surrogate, U+D800
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xf0, 0x9f, 0x98], // truncated
      [0x61, 0xff], // never in UTF-8
      [0x80], // a lone continuation byte
    ].map((x) => Uint8Array.from(x));
    for (const bad of notUtf8) {
      expect(await signWith(bad, utf8("S")), `name ${toHex(bad)}`).toBe(invalid);
      expect(await signWith(utf8("ab"), bad), `symbol ${toHex(bad)}`).toBe(invalid);
    }
  });

  it("computes the tracer's T[j + 1] for random token states and transactions", async () => {
    await fc.assert(
      fc.asyncProperty(stateArb, fc.array(specArb, { minLength: 1, maxLength: 4 }), (objects, specs) =>
        checkScenario(tokenScenario(specs, objects)),
      ),
      { numRuns: RUNS },
    );
  }, 600_000);
});

/** A transaction of any kind, signed by key `from` with its next nonce. */
type KindTx = { from: number; make: (nonce: number) => TxMessage };
const kindTxs =
  (specs: KindTx[]) =>
  (nonces: number[]): SignedTransaction[] =>
    specs.map((spec) => {
      const nonce = nonces[spec.from]!;
      nonces[spec.from] = nonce + 1;
      return signTransaction(CHAIN_ID, spec.make(nonce), keys[spec.from]!.priv);
    });

const DATA_ASSETS = [idOf(0x41), idOf(0x42)];
const NO_DATA_ASSET = idOf(0x4f);
const MAX_UINT64_SAFE = Number.MAX_SAFE_INTEGER;
const attributeId = (identity: Uint8Array, key: string) => concat(identity, sha256(new TextEncoder().encode(key)));
const attributeWrite = (i: number, key: string, value: string, expiresAt = 0): ObjectWrite => ({
  ns: Namespace.Attribute,
  id: attributeId(IDENTITIES[i]!, key),
  value: { key, value, expiresAt },
});
const dataAssetWrite = (d: number, owner: number): ObjectWrite => ({
  ns: Namespace.DataAsset,
  id: DATA_ASSETS[d]!,
  value: {
    owner: keys[owner]!.address,
    contentCid: "bafkqaaa",
    pieceCid: "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq",
    size: 2048,
    license: "CC-BY-4.0",
  },
});
const grantWrite = (d: number, grantee: number, expiresAt: number): ObjectWrite => ({
  ns: Namespace.AccessGrant,
  id: concat(DATA_ASSETS[d]!, keys[grantee]!.address),
  value: { expiresAt },
});

/** TOKEN_STATE's identities and delegates, with attributes, data assets and a grant. */
const IDENTITY_STATE: ObjectWrite[] = [
  ...TOKEN_STATE.filter((w) => w.ns === Namespace.Identity || w.ns === Namespace.Delegate),
  attributeWrite(0, "bio", "hello"),
  attributeWrite(1, "site", "https://example.org", NOW + 5),
  dataAssetWrite(0, 0),
  dataAssetWrite(1, 1),
  grantWrite(0, 3, NOW + 100),
];

const attrSet = (from: number, identityId: Uint8Array, key: string, value: string, expiresAt = 0): KindTx => ({
  from,
  make: (nonce) => ({ kind: TxKind.AttributeSet, message: { identityId, key, value, expiresAt, nonce, fee: 1n } }),
});
const attrRemove = (from: number, identityId: Uint8Array, key: string): KindTx => ({
  from,
  make: (nonce) => ({ kind: TxKind.AttributeRemove, message: { identityId, key, nonce, fee: 1n } }),
});
const delegateAdd = (
  from: number,
  identityId: Uint8Array,
  delegate: number | "zero",
  scope: number,
  expiresAt: number,
): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.DelegateAdd,
    message: {
      identityId,
      delegate: delegate === "zero" ? new Uint8Array(20) : keys[delegate]!.address,
      scope,
      expiresAt,
      nonce,
      fee: 1n,
    },
  }),
});
const delegateRevoke = (from: number, identityId: Uint8Array, delegate: number | "zero"): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.DelegateRevoke,
    message: {
      identityId,
      delegate: delegate === "zero" ? new Uint8Array(20) : keys[delegate]!.address,
      nonce,
      fee: 1n,
    },
  }),
});
const identityTransfer = (from: number, identityId: Uint8Array, newOwner: number | "zero"): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.IdentityTransfer,
    message: {
      identityId,
      newOwner: newOwner === "zero" ? new Uint8Array(20) : keys[newOwner]!.address,
      nonce,
      fee: 1n,
    },
  }),
});
const accessGrant = (
  from: number,
  dataAssetId: Uint8Array,
  grantee: number | "zero",
  expiresAt: number,
  onBehalfOf: Uint8Array = ZERO_ID,
): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.AccessGrant,
    message: {
      dataAssetId,
      grantee: grantee === "zero" ? new Uint8Array(20) : keys[grantee]!.address,
      expiresAt,
      onBehalfOf,
      nonce,
      fee: 1n,
    },
  }),
});
const accessRevoke = (
  from: number,
  dataAssetId: Uint8Array,
  grantee: number | "zero",
  onBehalfOf: Uint8Array = ZERO_ID,
): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.AccessRevoke,
    message: {
      dataAssetId,
      grantee: grantee === "zero" ? new Uint8Array(20) : keys[grantee]!.address,
      onBehalfOf,
      nonce,
      fee: 1n,
    },
  }),
});

function kindScenario(specs: KindTx[], objects: ObjectWrite[] = IDENTITY_STATE): Scenario {
  return { ...tokenScenario([], objects), kindTxs: kindTxs(specs) };
}

describe("OneStepExecutor: identity kinds (32–36) and data kinds (41–42) against the tracer", () => {
  it("every execution code, every field rule, and EXECUTION_FAULT", async () => {
    const [I0, I1] = IDENTITIES as [Uint8Array, Uint8Array];
    const [D0, D1] = DATA_ASSETS as [Uint8Array, Uint8Array];
    const cases: [KindTx[], ObjectWrite[]?][] = [
      // successes: the owner, a delegate with the identity scope, the delegate revoking itself
      [
        [
          attrSet(0, I0, "bio.v2", "hello ✓ 𝔘", 0),
          attrSet(3, I0, "a".repeat(64), "v".repeat(1024), NOW + 1),
          attrSet(0, I0, "bio", ""),
          attrRemove(3, I0, "bio.v2"),
          attrRemove(1, I1, "site"),
        ],
      ],
      [[delegateAdd(0, I0, 1, 3, NOW + 1), delegateAdd(0, I0, 2, 2, MAX_UINT64_SAFE), delegateRevoke(0, I0, 3)]],
      [
        [
          delegateRevoke(2, I0, 2),
          delegateRevoke(1, I1, 3),
          identityTransfer(0, I0, 1),
          delegateAdd(1, I0, 0, 1, NOW + 9),
        ],
      ],
      // a transfer voids the delegates: key 2 can no longer act for identity 0
      [[identityTransfer(0, I0, 3), accessGrant(2, D0, 1, NOW + 9, I0)]],
      [[accessGrant(0, D0, 1, NOW + 1), accessGrant(0, D1, 1, MAX_UINT64_SAFE, I1), accessRevoke(0, D0, 3)]],
      [[accessGrant(2, D0, 2, NOW + 9, I0), accessRevoke(2, D0, 3, I0), accessGrant(0, D0, 3, NOW + 7)]],
      // IDENTITY_NOT_FOUND (1300)
      [
        [
          attrSet(0, NO_IDENTITY, "k", "v"),
          attrRemove(0, NO_IDENTITY, "k"),
          delegateAdd(0, NO_IDENTITY, 1, 1, NOW + 9),
          delegateRevoke(0, NO_IDENTITY, 1),
          identityTransfer(0, NO_IDENTITY, 1),
          accessGrant(0, D0, 1, NOW + 9, NO_IDENTITY),
          accessRevoke(0, D0, 3, NO_IDENTITY),
        ],
      ],
      // NOT_IDENTITY_OWNER (1302), ATTRIBUTE_NOT_FOUND (1303)
      [
        [
          delegateAdd(1, I0, 1, 1, NOW + 9),
          identityTransfer(2, I0, 2),
          delegateRevoke(1, I0, 2),
          attrRemove(0, I0, "nope"),
        ],
      ],
      // DELEGATE_NOT_FOUND (1304: none, an older epoch, a revoke of none), DELEGATE_EXPIRED (1305), DELEGATE_SCOPE (1306)
      [
        [
          attrSet(1, I0, "k", "v"),
          attrSet(3, I1, "k", "v"),
          delegateRevoke(0, I0, 1),
          accessGrant(1, D0, 1, NOW + 9, I0),
        ],
      ],
      [[attrSet(2, I1, "k", "v"), accessGrant(2, D1, 1, NOW + 9, I1)]],
      [[attrSet(2, I0, "k", "v"), accessGrant(3, D0, 1, NOW + 9, I0), attrRemove(2, I0, "bio")]],
      // EXPIRY_IN_PAST (1307)
      [
        [
          attrSet(0, I0, "k", "v", NOW),
          delegateAdd(0, I0, 1, 1, NOW),
          delegateAdd(0, I0, 1, 1, 1),
          accessGrant(0, D0, 1, NOW),
        ],
      ],
      // DATA_ASSET_NOT_FOUND (1400), NOT_DATA_OWNER (1401), GRANT_NOT_FOUND (1402)
      [[accessGrant(0, NO_DATA_ASSET, 1, NOW + 9), accessRevoke(0, NO_DATA_ASSET, 1)]],
      [[accessGrant(1, D0, 1, NOW + 9), accessRevoke(1, D0, 3), accessRevoke(0, D0, 1), accessRevoke(0, D0, "zero")]],
      // INVALID_FIELD (101): each field rule; the block is invalid
      [[attrSet(0, I0, "", "v")]],
      [[attrSet(0, I0, "Bio", "v")]],
      [[attrSet(0, I0, "a".repeat(65), "v")]],
      [[attrSet(0, I0, "a b", "v")]],
      [[attrSet(0, I0, "k", "v".repeat(1025))]],
      [[attrSet(0, I0, "k", "é".repeat(513))]],
      [[attrSet(0, I0, "k", "v", MAX_UINT64_SAFE + 1)]],
      [[attrRemove(0, I0, "bio/x")]],
      [[delegateAdd(0, I0, "zero", 1, NOW + 9)]],
      [[delegateAdd(0, I0, 1, 0, NOW + 9)]],
      [[delegateAdd(0, I0, 1, 4, NOW + 9)]],
      [[delegateAdd(0, I0, 1, 1, MAX_UINT64_SAFE + 1)]],
      [[identityTransfer(0, I0, "zero")]],
      [[accessGrant(0, D0, "zero", NOW + 9)]],
      [[accessGrant(0, D0, 1, MAX_UINT64_SAFE + 1)]],
      // EXECUTION_FAULT (204): an owner epoch past 2^53 − 1; the block is invalid
      [[identityTransfer(0, I0, 1)], [...IDENTITY_STATE, identityWrite(0, 0, MAX_UINT64_SAFE)]],
    ];
    for (const [specs, objects] of cases) await checkScenario(kindScenario(specs, objects));
    for (const code of [0, 1300, 1302, 1303, 1304, 1305, 1306, 1307, 1400, 1401, 1402]) {
      expect(seenCodes, `code ${code}`).toContain(code);
    }
    for (const reason of [101, 204]) expect(seenReasons, `reason ${reason}`).toContain(String(reason));
  }, 600_000);

  const identityRef = fc.constantFrom(IDENTITIES[0]!, IDENTITIES[1]!, NO_IDENTITY);
  const actingFor = fc.constantFrom(ZERO_ID, ZERO_ID, IDENTITIES[0]!, IDENTITIES[1]!, NO_IDENTITY);
  const dataRef = fc.constantFrom(DATA_ASSETS[0]!, DATA_ASSETS[1]!, NO_DATA_ASSET);
  const keyArb = fc.constantFrom("bio", "site", "k", "a.b:c-d_e", "", "Bad");
  const who = fc.integer({ min: 0, max: 3 });
  const target = fc.oneof(who, fc.constant("zero" as const));
  const expiry = fc.oneof(
    fc.integer({ min: NOW - 2, max: NOW + 3 }),
    fc.constantFrom(0, MAX_UINT64_SAFE, MAX_UINT64_SAFE + 1),
  );
  const specArb: fc.Arbitrary<KindTx> = fc.oneof(
    fc
      .tuple(who, identityRef, keyArb, fc.string({ unit: "binary", maxLength: 8 }), expiry)
      .map(([f, i, k, v, e]) => attrSet(f, i, k, v, e)),
    fc.tuple(who, identityRef, keyArb).map(([f, i, k]) => attrRemove(f, i, k)),
    fc
      .tuple(who, identityRef, target, fc.integer({ min: 0, max: 4 }), expiry)
      .map(([f, i, d, s, e]) => delegateAdd(f, i, d, s, e)),
    fc.tuple(who, identityRef, target).map(([f, i, d]) => delegateRevoke(f, i, d)),
    fc.tuple(who, identityRef, target).map(([f, i, o]) => identityTransfer(f, i, o)),
    fc.tuple(who, dataRef, target, expiry, actingFor).map(([f, d, g, e, b]) => accessGrant(f, d, g, e, b)),
    fc.tuple(who, dataRef, target, actingFor).map(([f, d, g, b]) => accessRevoke(f, d, g, b)),
  );
  /** Random identities (owners, epochs), delegates, attributes, data assets and grants. */
  const stateArb = fc
    .record({
      owners: fc.tuple(who, who),
      epochs: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.constantFrom(0, 1, MAX_UINT64_SAFE)),
      delegates: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 1 }),
          who,
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: -2, max: 2 }),
          fc.integer({ min: 0, max: 2 }),
        ),
        { maxLength: 4 },
      ),
      attributes: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 1 }),
          keyArb.filter((k) => /^[a-z0-9_.:-]+$/.test(k)),
        ),
        {
          maxLength: 3,
        },
      ),
      dataOwners: fc.tuple(who, who),
      grants: fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), who, fc.integer({ min: 1, max: 100 })), {
        maxLength: 3,
      }),
    })
    .map((st) => {
      const writes: ObjectWrite[] = [
        identityWrite(0, st.owners[0], st.epochs[0]),
        identityWrite(1, st.owners[1], st.epochs[1]),
        dataAssetWrite(0, st.dataOwners[0]),
        dataAssetWrite(1, st.dataOwners[1]),
      ];
      for (const [i, key, scope, dt, epoch] of st.delegates) writes.push(delegateWrite(i, key, scope, NOW + dt, epoch));
      for (const [i, key] of st.attributes) writes.push(attributeWrite(i, key, "x"));
      for (const [d, grantee, dt] of st.grants) writes.push(grantWrite(d, grantee, NOW + dt));
      const byId = new Map(writes.map((w) => [`${w.ns}:${toHex(w.id)}`, w]));
      return [...byId.values()];
    });

  describe("refuses a tampered identity or data step", () => {
    const flipLast = (value: Hex) => `${value.slice(0, -1)}${value.endsWith("0") ? "1" : "0"}` as Hex;
    const cases: [string, KindTx, (parts: ItemParts) => void, string][] = [
      [
        "a data asset whose size is not the state's",
        accessGrant(2, DATA_ASSETS[0]!, 1, NOW + 9, IDENTITIES[0]),
        (parts) => {
          const k = parts.objects.findIndex((o) => o.ns === Namespace.DataAsset);
          const o = parts.objects[k]!;
          // The offset, then owner, contentCid's and pieceCid's offsets, size.
          const at = 2 + 64 * 5 - 1;
          parts.objects[k] = {
            ...o,
            value: `${o.value.slice(0, at)}${o.value[at] === "0" ? "1" : "0"}${o.value.slice(at + 1)}` as Hex,
          };
        },
        "ObjectValueMismatch",
      ],
      [
        "an attribute claimed absent",
        attrRemove(0, IDENTITIES[0]!, "bio"),
        (parts) => {
          const k = parts.objects.findIndex((o) => o.ns === Namespace.Attribute);
          parts.objects[k] = { ...parts.objects[k]!, present: false, value: "0x" };
        },
        "ObjectValueMismatch",
      ],
      [
        "a grant whose expiry is not the state's",
        accessRevoke(0, DATA_ASSETS[0]!, 3),
        (parts) => {
          const k = parts.objects.findIndex((o) => o.ns === Namespace.AccessGrant);
          parts.objects[k] = { ...parts.objects[k]!, value: flipLast(parts.objects[k]!.value) };
        },
        "ObjectValueMismatch",
      ],
      [
        "no identity object",
        identityTransfer(0, IDENTITIES[0]!, 1),
        (parts) => {
          parts.objects = parts.objects.filter((o) => o.ns !== Namespace.Identity);
        },
        "ObjectMissing",
      ],
    ];
    for (const [what, spec, tamper, expected] of cases) {
      it(what, async () => {
        const b = buildScenario(kindScenario([spec]));
        const trace = traceOf(b);
        const ctx = ctxOf(b);
        const j = 1;
        const p = proveStep(trace, j);
        expect(trace.steps[j]!.receipt?.code).toBe(0);
        expect(await execute(executors[0]!, trace.commitments[j]!, j, ctx, encodeStepProof(stepInputs(p)))).toBe(
          toHex(trace.commitments[j + 1]!),
        );
        const parts = itemParts(p);
        tamper(parts);
        const inputs = { ...stepInputs(p), ...encodeStepData(p, parts) };
        expect(await revertName(execute(executors[0]!, trace.commitments[j]!, j, ctx, encodeStepProof(inputs)))).toBe(
          expected,
        );
      });
    }
  });

  it("computes the tracer's T[j + 1] for random identity and data states and transactions", async () => {
    await fc.assert(
      fc.asyncProperty(stateArb, fc.array(specArb, { minLength: 1, maxLength: 4 }), (objects, specs) =>
        checkScenario(kindScenario(specs, objects)),
      ),
      { numRuns: RUNS },
    );
  }, 600_000);
});

// --- IdentityCreate (30) and IdentityUpdate (31) -----------------------------------------------

const handleWrite = (handle: string, identityId: Uint8Array): ObjectWrite => ({
  ns: Namespace.Handle,
  id: sha256(new TextEncoder().encode(handle)),
  value: { identityId },
});
const identityCreate = (from: number, handle: string, profileCid: string): KindTx => ({
  from,
  make: (nonce) => ({ kind: TxKind.IdentityCreate, message: { handle, profileCid, nonce, fee: 1n } }),
});
const identityUpdate = (from: number, identityId: Uint8Array, profileCid: string): KindTx => ({
  from,
  make: (nonce) => ({ kind: TxKind.IdentityUpdate, message: { identityId, profileCid, nonce, fee: 1n } }),
});
/** The identity key `k` creates with its `n`-th transaction of the block (the parent sends none). */
const createdId = (k: number, n: number) => identityIdOf(keys[k]!.address, n);

/** A CIDv1 of `codec` over an identity multihash of `len` bytes; with raw (0x55) and base32, 53 + 8·len/5 characters. */
const cidOf = (len: number, base: "b" | "z" | "k" = "b", codec = 0x55) => {
  const cid = CID.createV1(codec, identityHash.digest(new Uint8Array(len).fill(len)));
  return base === "b" ? cid.toString() : cid.toString(base === "z" ? base58btc : base36);
};
const CID_V0 = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";
/** The longest profile CID the SSZ bound (MAX_CID_BYTES) allows, and one a character past it. */
const CID_128 = cidOf(75);
const CID_131 = cidOf(77);

/** Random strings for profileCid: valid CIDs of every base and version, and near misses of them. */
const cidArb: fc.Arbitrary<string> = (() => {
  const valid = fc
    .record({
      v0: fc.boolean(),
      codec: fc.constantFrom(0x55, 0x70, 0x71, 0x0129, 0x3fff),
      hashCode: fc.constantFrom(0x00, 0x12, 0x13, 0xb220),
      digest: fc.uint8Array({ maxLength: 80 }),
      base: fc.constantFrom("b", "z", "k"),
    })
    .map(({ v0, codec, hashCode, digest, base }) => {
      if (v0) return CID.createV0(createDigest(0x12, sha256(digest))).toString();
      const cid = CID.createV1(codec, createDigest(hashCode, digest));
      return base === "b" ? cid.toString() : cid.toString(base === "z" ? base58btc : base36);
    });
  const mutated = fc
    .tuple(valid, fc.nat(), fc.constantFrom("a", "A", "0", "1", "l", "O", "=", "é", "ā", "𝔘", "", "bb"))
    .map(([s, at, c]) => {
      const i = at % s.length;
      return `${s.slice(0, i)}${c}${s.slice(i + 1)}`;
    });
  const truncated = fc.tuple(valid, fc.nat()).map(([s, n]) => s.slice(0, n % s.length));
  const fixed = fc.constantFrom(
    "bafkqaaa",
    CID_V0,
    CID_128,
    CID_131,
    "",
    "Bafkqaaa",
    "bafkqaa",
    "BAFKQAAA",
    "bafkqaaa=",
    "mAXASIA",
    "not a cid",
  );
  return fc.oneof(valid, valid, mutated, truncated, fixed);
})();

describe("OneStepExecutor: IdentityCreate (30) and IdentityUpdate (31) against the tracer", () => {
  const [I0, I1] = IDENTITIES as [Uint8Array, Uint8Array];
  /** IDENTITY_STATE with identity 0's handle record (identity 1's handle is free). */
  const HANDLE_STATE: ObjectWrite[] = [...IDENTITY_STATE, handleWrite("id_0", I0)];

  it("every execution code and every field rule", async () => {
    // What this test reaches, not what the tests before it did.
    seenCodes.clear();
    seenReasons.clear();
    const create = (over: { nonce?: number; fee?: bigint }): KindTx => ({
      from: 0,
      make: (nonce) => ({
        kind: TxKind.IdentityCreate,
        message: { handle: "alice", profileCid: "bafkqaaa", nonce: over.nonce ?? nonce, fee: over.fee ?? 1n },
      }),
    });
    const cases: [KindTx[], ObjectWrite[]?][] = [
      // the inclusion rules the kind executor's prepare feeds (nonce and fee): NONCE_TOO_HIGH (201),
      // NONCE_TOO_LOW (200), INSUFFICIENT_FUNDS_FOR_FEE (202), INVALID_FIELD for a nonce past 2^53 − 2
      [[create({ nonce: 1 })]],
      [[identityUpdate(0, I0, "bafkqaaa"), create({ nonce: 0 })]],
      [[create({ fee: 10n ** 30n })]],
      [[create({ nonce: MAX_UINT64_SAFE })]],
      // successes: each base of CID, the longest handle and CID; updates by the owner and by a
      // delegate with the identity scope, of an old identity and of one created in the block
      [
        [
          identityCreate(0, "alice", "bafkqaaa"),
          identityCreate(1, "b0b", CID_V0),
          identityCreate(2, "z".repeat(32), CID_128),
          identityUpdate(0, createdId(0, 0), cidOf(20, "k")),
          identityUpdate(0, I0, cidOf(5, "z")),
          identityUpdate(3, I0, CID_128),
          identityUpdate(1, createdId(1, 0), CID_128),
        ],
      ],
      // the handle of identity 1 is free (its record is not in the state); an identity object at
      // the created id is overwritten, as the TypeScript's set does
      [
        [identityCreate(2, "id_1", cidOf(3)), identityUpdate(2, createdId(2, 0), "bafkqaaa")],
        [...HANDLE_STATE, identityWrite(0, 3, 7), { ...identityWrite(1, 3, 9), id: createdId(2, 0) }],
      ],
      // HANDLE_TAKEN (1301): in the parent state, and by a create earlier in the block
      [[identityCreate(1, "id_0", "bafkqaaa"), identityCreate(0, "carol", CID_V0), identityCreate(1, "carol", CID_V0)]],
      // IDENTITY_NOT_FOUND (1300), DELEGATE_NOT_FOUND (1304: none, an older epoch), DELEGATE_EXPIRED
      // (1305), DELEGATE_SCOPE (1306)
      [
        [
          identityUpdate(0, NO_IDENTITY, "bafkqaaa"),
          identityUpdate(1, I0, "bafkqaaa"),
          identityUpdate(3, I1, "bafkqaaa"),
          identityUpdate(2, I1, "bafkqaaa"),
          identityUpdate(2, I0, "bafkqaaa"),
        ],
      ],
      // a transfer voids the delegate: key 3 can no longer update identity 0; its new owner can
      [[identityTransfer(0, I0, 1), identityUpdate(3, I0, "bafkqaaa"), identityUpdate(1, I0, CID_V0)]],
      // INVALID_FIELD (101): each rule; the block is invalid
      ...["ab", "a".repeat(33), "Alice", "al-ice", "al ice", "alïce", "", "al.ce"].map((h): [KindTx[]] => [
        [identityCreate(0, h, "bafkqaaa")],
      ]),
      ...["", "Bafkqaaa", "bafkqaa", "bafkqaaa=", "not a cid", "mAXASIA", CID_131, `${CID_V0}x`].map(
        (c): [KindTx[]] => [[identityCreate(0, "alice", c)]],
      ),
      ...["", "zzz", CID_131].map((c): [KindTx[]] => [[identityUpdate(0, I0, c)]]),
    ];
    for (const [specs, objects] of cases) await checkScenario(kindScenario(specs, objects ?? HANDLE_STATE));
    expect([...seenCodes].sort()).toEqual([0, 1300, 1301, 1304, 1305, 1306]);
    for (const reason of [101, 200, 201, 202]) expect(seenReasons, `reason ${reason}`).toContain(String(reason));
  }, 600_000);

  describe("refuses a tampered IdentityCreate step", () => {
    const cases: [string, (parts: ItemParts) => void, string][] = [
      [
        "a free handle claimed taken",
        (parts) => {
          const k = parts.objects.findIndex((o) => o.ns === Namespace.Handle);
          parts.objects[k] = {
            ...parts.objects[k]!,
            present: true,
            value: encodeAbiParameters([{ type: "bytes32" }], [toHex(I1)]),
          };
        },
        "ObjectValueMismatch",
      ],
      [
        "no handle object",
        (parts) => {
          parts.objects = parts.objects.filter((o) => o.ns !== Namespace.Handle);
        },
        "ObjectMissing",
      ],
      [
        "no identity object",
        (parts) => {
          parts.objects = parts.objects.filter((o) => o.ns !== Namespace.Identity);
        },
        "ObjectMissing",
      ],
    ];
    for (const [what, tamper, expected] of cases) {
      it(what, async () => {
        const b = buildScenario(kindScenario([identityCreate(0, "alice", "bafkqaaa")], HANDLE_STATE));
        const trace = traceOf(b);
        const ctx = ctxOf(b);
        const j = 1;
        const p = proveStep(trace, j);
        expect(trace.steps[j]!.receipt?.code).toBe(0);
        expect(await execute(executors[0]!, trace.commitments[j]!, j, ctx, encodeStepProof(stepInputs(p)))).toBe(
          toHex(trace.commitments[j + 1]!),
        );
        const parts = itemParts(p);
        tamper(parts);
        const inputs = { ...stepInputs(p), ...encodeStepData(p, parts) };
        expect(await revertName(execute(executors[0]!, trace.commitments[j]!, j, ctx, encodeStepProof(inputs)))).toBe(
          expected,
        );
      });
    }
  });

  const who = fc.integer({ min: 0, max: 3 });
  const HANDLES = ["alice", "b0b", "id_0", "id_1", "a_1", "z".repeat(32)];
  const handleArb = fc.oneof(
    fc.constantFrom(...HANDLES),
    fc.constantFrom(...HANDLES),
    fc.constantFrom("ab", "a".repeat(33), "Alice", "al-ice", ""),
    fc.string({ maxLength: 34 }),
  );
  const identityRef = fc.constantFrom(I0, I1, NO_IDENTITY, createdId(0, 0), createdId(1, 0), createdId(2, 1));
  const specArb: fc.Arbitrary<KindTx> = fc.oneof(
    fc.tuple(who, handleArb, cidArb).map(([f, h, c]) => identityCreate(f, h, c)),
    fc.tuple(who, handleArb, cidArb).map(([f, h, c]) => identityCreate(f, h, c)),
    fc.tuple(who, identityRef, cidArb).map(([f, i, c]) => identityUpdate(f, i, c)),
    fc.tuple(who, identityRef, cidArb).map(([f, i, c]) => identityUpdate(f, i, c)),
    fc.tuple(who, identityRef, who).map(([f, i, o]) => identityTransfer(f, i, o)),
    fc
      .tuple(who, identityRef, who, fc.integer({ min: 1, max: 3 }), fc.integer({ min: NOW - 1, max: NOW + 2 }))
      .map(([f, i, d, s, e]) => delegateAdd(f, i, d, s, e)),
  );
  /** Random identities (owners, epochs), delegates, handle records, and an identity at a created id. */
  const stateArb = fc
    .record({
      owners: fc.tuple(who, who),
      epochs: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.constantFrom(0, 1, MAX_UINT64_SAFE)),
      delegates: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 1 }),
          who,
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: -2, max: 2 }),
          fc.integer({ min: 0, max: 2 }),
        ),
        { maxLength: 4 },
      ),
      handles: fc.array(fc.tuple(fc.constantFrom(...HANDLES), identityRef), { maxLength: 3 }),
      atCreated: fc.option(fc.tuple(identityRef, who), { nil: undefined }),
    })
    .map((st) => {
      const writes: ObjectWrite[] = [
        identityWrite(0, st.owners[0], st.epochs[0]),
        identityWrite(1, st.owners[1], st.epochs[1]),
      ];
      for (const [i, key, scope, dt, epoch] of st.delegates) writes.push(delegateWrite(i, key, scope, NOW + dt, epoch));
      for (const [h, id] of st.handles) writes.push(handleWrite(h, id));
      if (st.atCreated) writes.push({ ...identityWrite(0, st.atCreated[1], 3), id: st.atCreated[0] });
      const byId = new Map(writes.map((w) => [`${w.ns}:${toHex(w.id)}`, w]));
      return [...byId.values()];
    });

  it("an IdentityCreate whose handle or profileCid is not UTF-8 makes the block invalid", async () => {
    const b = buildScenario(kindScenario([identityCreate(0, "alice", "bafkqaaa")], HANDLE_STATE));
    const trace = traceOf(b);
    const j = 1;
    const p = proveStep(trace, j);
    expect(p.item?.tx?.kind).toBe(TxKind.IdentityCreate);
    const m = (p.item!.tx! as Extract<SignedTransaction, { kind: TxKind.IdentityCreate }>).message;
    const signWith = (handle: Uint8Array, profileCid: Uint8Array) => {
      const structHash = keccak256(
        encodeAbiParameters(
          [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "uint64" }, { type: "uint256" }],
          [
            toHex(typeHash(txStructs[TxKind.IdentityCreate])),
            keccak256(handle),
            keccak256(profileCid),
            BigInt(m.nonce),
            m.fee,
          ],
        ),
      );
      const digest = keccak256(concatHex(["0x1901", toHex(domainSeparator(CHAIN_ID)), structHash]), "bytes");
      const signature = signDigest(digest, keys[0]!.priv);
      const hash = keccak256(concat(digest, signature), "bytes");
      const header = { ...b.block.header, txRoot: HashListSsz.hashTreeRoot([hash]) };
      const message = encodeAbiParameters(
        [
          {
            type: "tuple",
            components: [
              { name: "handle", type: "bytes" },
              { name: "profileCid", type: "bytes" },
              { name: "nonce", type: "uint64" },
              { name: "fee", type: "uint256" },
            ],
          },
        ],
        [{ handle: toHex(handle), profileCid: toHex(profileCid), nonce: BigInt(m.nonce), fee: m.fee }],
      );
      const inputs = {
        ...stepInputs(p),
        header: headerToAbi(header),
        ...encodeStepData(p, { ...itemParts(p), message, signature: toHex(signature) }),
      };
      return execute(
        executors[0]!,
        trace.commitments[j]!,
        j,
        { blockHash: toHex(blockHash(header)), sequencer: toHex(sequencer.address) },
        encodeStepProof(inputs),
      );
    };
    const utf8 = (x: string) => new TextEncoder().encode(x);
    // The control: valid bytes give the tracer's result.
    expect(await signWith(utf8("alice"), utf8("bafkqaaa"))).toBe(toHex(trace.commitments[j + 1]!));
    const invalid = toHex(stepStateRoot({ ...p.pre, invalid: true }));
    const notUtf8 = [
      [0x61, 0x62, 0xff],
      [0x61, 0x62, 0x63, 0x80],
      [0xc0, 0xe1, 0x61],
      [0xed, 0xa0, 0x80],
    ].map((x) => Uint8Array.from(x));
    for (const bad of notUtf8) {
      expect(await signWith(bad, utf8("bafkqaaa")), `handle ${toHex(bad)}`).toBe(invalid);
      expect(await signWith(utf8("alice"), concat(utf8("bafkqaa"), bad)), `profileCid ${toHex(bad)}`).toBe(invalid);
    }
  });

  it("gas per step, in a state of 2^16 accounts", async () => {
    // The worst paths: the longest handle and profile CID, and an update through a delegate that
    // replaces a CID of the longest length with another.
    const b = buildScenario({
      ...kindScenario(
        [
          identityCreate(2, "z".repeat(32), CID_128),
          identityUpdate(3, I0, CID_128),
          identityUpdate(3, I0, cidOf(75, "b", 0x70)),
        ],
        HANDLE_STATE,
      ),
      filler: 2 ** 16,
    });
    const trace = traceOf(b);
    const ctx = ctxOf(b);
    const report: Record<string, { gas: bigint; proofDepth: number }> = {};
    for (let j = 1; j < trace.steps.length - 1; j++) {
      const p = proveStep(trace, j);
      const proof = encodeStepProof(stepInputs(p));
      expect(await execute(executorFor(b), trace.commitments[j]!, j, ctx, proof)).toBe(
        toHex(trace.commitments[j + 1]!),
      );
      expect(trace.steps[j]!.receipt?.code, `step ${j}`).toBe(0);
      const gas = await clients.publicClient.estimateGas({
        to: executorFor(b),
        data: encodeFunctionData({
          abi,
          functionName: "executeStep",
          args: [toHex(trace.commitments[j]!), BigInt(j), ctx, proof],
        } as never),
      });
      const name = `${p.kind} ${TxKind[p.item!.tx!.kind]}`;
      const depth = Math.max(0, ...p.objects.map((o) => o.proof.siblings.length));
      if (gas > (report[name]?.gas ?? 0n)) report[name] = { gas, proofDepth: depth };
    }
    console.log("one-step executor gas, identity create and update, 2^16 accounts (eth_estimateGas):", report);
    expect(Object.keys(report)).toHaveLength(2);
  }, 180_000);

  it("computes the tracer's T[j + 1] for random identity states, creates and updates", async () => {
    await fc.assert(
      fc.asyncProperty(stateArb, fc.array(specArb, { minLength: 1, maxLength: 4 }), (objects, specs) =>
        checkScenario(kindScenario(specs, objects)),
      ),
      { numRuns: RUNS },
    );
  }, 600_000);
});

const COLLECTIONS = [idOf(0x21), idOf(0x22)];
const NO_COLLECTION = idOf(0x2f);
const u64be = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
};
const collectionWrite = (
  c: Uint8Array,
  creator: number,
  maxSupply: number,
  minted: number,
  burned = 0,
): ObjectWrite => ({
  ns: Namespace.Collection,
  id: c,
  value: {
    creator: keys[creator]!.address,
    name: "Collection",
    symbol: "COL",
    royaltyBps: 250,
    maxSupply,
    minted,
    burned,
    metadataMutable: true,
  },
});
const assetWrite = (
  c: Uint8Array,
  tokenId: number,
  owner: number | "zero",
  approved: number | "zero",
  burned = false,
): ObjectWrite => ({
  ns: Namespace.Asset,
  id: concat(c, u64be(tokenId)),
  value: {
    collectionId: c,
    tokenId,
    owner: owner === "zero" ? new Uint8Array(20) : keys[owner]!.address,
    approved: approved === "zero" ? new Uint8Array(20) : keys[approved]!.address,
    contentCid: "bafkqaaa",
    burned,
  },
});
const operatorWrite = (owner: number, c: Uint8Array, operator: number, approved = true): ObjectWrite => ({
  ns: Namespace.OperatorApproval,
  id: concat(keys[owner]!.address, c, keys[operator]!.address),
  value: { approved },
});

/** TOKEN_STATE's identities and delegates, with collections, assets and an operator. */
const ASSET_STATE: ObjectWrite[] = [
  ...TOKEN_STATE.filter((w) => w.ns === Namespace.Identity || w.ns === Namespace.Delegate),
  collectionWrite(COLLECTIONS[0]!, 0, 10, 3),
  collectionWrite(COLLECTIONS[1]!, 1, 5, 1),
  assetWrite(COLLECTIONS[0]!, 1, 0, 1),
  assetWrite(COLLECTIONS[0]!, 2, 1, "zero"),
  assetWrite(COLLECTIONS[0]!, 3, "zero", "zero", true),
  assetWrite(COLLECTIONS[1]!, 7, 0, "zero"),
  assetWrite(NO_COLLECTION, 1, 0, "zero"),
  operatorWrite(1, COLLECTIONS[0]!, 2),
];

const collectionCreate = (
  from: number,
  name: string,
  symbol: string,
  royaltyBps = 100,
  maxSupply = 100,
  metadataMutable = false,
): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.CollectionCreate,
    message: { name, symbol, royaltyBps, maxSupply, metadataMutable, nonce, fee: 1n },
  }),
});
const assetTransfer = (
  from: number,
  c: Uint8Array,
  tokenId: number,
  to: number | "zero",
  onBehalfOf: Uint8Array = ZERO_ID,
): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.AssetTransfer,
    message: {
      collectionId: c,
      tokenId,
      to: to === "zero" ? new Uint8Array(20) : keys[to]!.address,
      onBehalfOf,
      nonce,
      fee: 1n,
    },
  }),
});
const assetBurn = (from: number, c: Uint8Array, tokenId: number, onBehalfOf: Uint8Array = ZERO_ID): KindTx => ({
  from,
  make: (nonce) => ({ kind: TxKind.AssetBurn, message: { collectionId: c, tokenId, onBehalfOf, nonce, fee: 1n } }),
});
const assetApprove = (
  from: number,
  c: Uint8Array,
  tokenId: number,
  approved: number | "zero",
  onBehalfOf: Uint8Array = ZERO_ID,
): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.AssetApprove,
    message: {
      collectionId: c,
      tokenId,
      approved: approved === "zero" ? new Uint8Array(20) : keys[approved]!.address,
      onBehalfOf,
      nonce,
      fee: 1n,
    },
  }),
});
const operatorSet = (
  from: number,
  c: Uint8Array,
  operator: number | "zero",
  approved: boolean,
  onBehalfOf: Uint8Array = ZERO_ID,
): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.OperatorSet,
    message: {
      collectionId: c,
      operator: operator === "zero" ? new Uint8Array(20) : keys[operator]!.address,
      approved,
      onBehalfOf,
      nonce,
      fee: 1n,
    },
  }),
});

describe("OneStepExecutor: asset kinds 10, 13, 14, 16, 17 against the tracer", () => {
  const [C0, C1] = COLLECTIONS as [Uint8Array, Uint8Array];
  const [I0, I1] = IDENTITIES as [Uint8Array, Uint8Array];
  const run = (specs: KindTx[], objects: ObjectWrite[] = ASSET_STATE) => checkScenario(kindScenario(specs, objects));

  it("every execution code, every field rule, and EXECUTION_FAULT", async () => {
    const cases: [KindTx[], ObjectWrite[]?][] = [
      // successes: the owner, the approved address, an operator, a delegate acting for the owner
      [
        [
          collectionCreate(0, "Coll ✓", "C", 10_000, 2 ** 40, true),
          collectionCreate(1, "n".repeat(64), "s".repeat(16), 0, 1),
        ],
      ],
      [
        [
          assetTransfer(1, C0, 1, 2),
          assetTransfer(2, C0, 2, 3),
          assetTransfer(2, C1, 7, 1, I0),
          assetTransfer(1, C1, 7, 1),
        ],
      ],
      [[assetTransfer(0, C0, 1, 0), assetBurn(0, C1, 7), assetBurn(2, C0, 2), assetBurn(2, C0, 1, I0)]],
      [
        [
          assetApprove(0, C0, 1, 3),
          assetApprove(2, C0, 2, 0),
          assetApprove(0, C0, 1, "zero", I0),
          assetApprove(0, C1, 7, 2),
        ],
      ],
      [
        [
          operatorSet(0, C0, 3, true),
          operatorSet(1, C0, 2, false),
          operatorSet(1, C0, 3, false),
          operatorSet(3, C1, "zero", true),
        ],
      ],
      [[operatorSet(0, C1, 3, true), assetTransfer(3, C1, 7, 3)]],
      // COLLECTION_NOT_FOUND (1100), ASSET_NOT_FOUND (1101), NOT_ASSET_AUTHORIZED (1104), ASSET_BURNED (1107)
      [
        [
          assetBurn(0, NO_COLLECTION, 1),
          operatorSet(0, NO_COLLECTION, 1, true),
          operatorSet(0, NO_COLLECTION, 1, false),
        ],
      ],
      [
        [
          assetTransfer(0, C0, 99, 1),
          assetBurn(0, C0, 99),
          assetApprove(0, C0, 99, 1),
          assetTransfer(0, NO_COLLECTION, 2, 1),
        ],
      ],
      [[assetTransfer(3, C0, 1, 3), assetBurn(3, C0, 1), assetApprove(1, C0, 1, 3), assetApprove(3, C0, 2, 3)]],
      [[assetTransfer(0, C0, 3, 1), assetBurn(0, C0, 3), assetApprove(0, C0, 3, 1)]],
      // acting for an identity: 1300, 1304, 1305, and DELEGATE_SCOPE (1306) for the kinds a delegate may not sign
      [[assetTransfer(0, C0, 1, 1, NO_IDENTITY), assetTransfer(1, C0, 1, 1, I0), assetTransfer(2, C0, 2, 1, I1)]],
      [[assetTransfer(3, C0, 1, 1, I0), assetApprove(2, C0, 1, 3, I0), operatorSet(2, C0, 3, true, I0)]],
      [[assetApprove(0, C0, 1, 3, NO_IDENTITY), operatorSet(1, C0, 3, true, I1), operatorSet(2, C0, 3, true, I1)]],
      // INVALID_FIELD (101): each field rule; the block is invalid
      [[collectionCreate(0, "", "C")]],
      [[collectionCreate(0, "N", "")]],
      [[collectionCreate(0, "n".repeat(65), "C")]],
      [[collectionCreate(0, "N", "é".repeat(9))]],
      [[collectionCreate(0, "N", "C", 10_001)]],
      [[collectionCreate(0, "N", "C", 0, 0)]],
      [[collectionCreate(0, "N", "C", 0, 2 ** 40 + 1)]],
      [[assetTransfer(0, C0, 1, "zero")]],
      [[assetTransfer(0, C0, MAX_UINT64_SAFE + 1, 1)]],
      [[assetBurn(0, C0, MAX_UINT64_SAFE + 1)]],
      [[assetApprove(0, C0, MAX_UINT64_SAFE + 1, 1)]],
      // EXECUTION_FAULT (204): a burned count past 2^53 − 1; the block is invalid
      [[assetBurn(0, C1, 7)], [...ASSET_STATE, collectionWrite(C1, 1, 5, 1, MAX_UINT64_SAFE)]],
    ];
    for (const [specs, objects] of cases) await run(specs, objects);
    for (const code of [0, 1100, 1101, 1104, 1107, 1300, 1304, 1305, 1306]) {
      expect(seenCodes, `code ${code}`).toContain(code);
    }
    for (const reason of [101, 204]) expect(seenReasons, `reason ${reason}`).toContain(String(reason));
  }, 600_000);

  const who = fc.integer({ min: 0, max: 3 });
  const target = fc.oneof(who, fc.constant("zero" as const));
  const collectionRef = fc.constantFrom(C0, C1, NO_COLLECTION);
  const tokenRef = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom(MAX_UINT64_SAFE, MAX_UINT64_SAFE + 1));
  const actingFor = fc.constantFrom(ZERO_ID, ZERO_ID, ZERO_ID, I0, I1, NO_IDENTITY);
  const specArb: fc.Arbitrary<KindTx> = fc.oneof(
    fc
      .tuple(
        who,
        fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 20 }), fc.constant("")),
        fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 6 }), fc.constant("")),
        fc.integer({ min: 0, max: 10_001 }),
        fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constantFrom(2 ** 40, 2 ** 40 + 1)),
        fc.boolean(),
      )
      .map(([f, n, s, r, m, mu]) => collectionCreate(f, n, s, r, m, mu)),
    fc.tuple(who, collectionRef, tokenRef, target, actingFor).map(([f, c, t, to, b]) => assetTransfer(f, c, t, to, b)),
    fc.tuple(who, collectionRef, tokenRef, actingFor).map(([f, c, t, b]) => assetBurn(f, c, t, b)),
    fc.tuple(who, collectionRef, tokenRef, target, actingFor).map(([f, c, t, a, b]) => assetApprove(f, c, t, a, b)),
    fc.tuple(who, collectionRef, target, fc.boolean(), actingFor).map(([f, c, o, a, b]) => operatorSet(f, c, o, a, b)),
  );
  /** Random collections (sometimes at the largest burned count), assets (live, burned, approved) and operators. */
  const stateArb = fc
    .record({
      owners: fc.tuple(who, who),
      epochs: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
      delegates: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 1 }),
          who,
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: -2, max: 2 }),
          fc.integer({ min: 0, max: 2 }),
        ),
        { maxLength: 4 },
      ),
      collections: fc.tuple(
        fc.tuple(who, fc.constantFrom(0, 3, MAX_UINT64_SAFE)),
        fc.tuple(who, fc.constantFrom(0, 3, MAX_UINT64_SAFE)),
      ),
      assets: fc.array(
        fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 4 }), target, target, fc.boolean()),
        { maxLength: 6 },
      ),
      operators: fc.array(fc.tuple(who, fc.integer({ min: 0, max: 2 }), who, fc.boolean()), { maxLength: 3 }),
    })
    .map((st) => {
      const cs = [C0, C1, NO_COLLECTION];
      const writes: ObjectWrite[] = [
        identityWrite(0, st.owners[0], st.epochs[0]),
        identityWrite(1, st.owners[1], st.epochs[1]),
        collectionWrite(C0, st.collections[0][0], 10, 3, st.collections[0][1]),
        collectionWrite(C1, st.collections[1][0], 10, 3, st.collections[1][1]),
      ];
      for (const [i, key, scope, dt, epoch] of st.delegates) writes.push(delegateWrite(i, key, scope, NOW + dt, epoch));
      for (const [c, t, owner, approved, burned] of st.assets)
        writes.push(assetWrite(cs[c]!, t, owner, approved, burned));
      for (const [owner, c, op, approved] of st.operators) writes.push(operatorWrite(owner, cs[c]!, op, approved));
      const byId = new Map(writes.map((w) => [`${w.ns}:${toHex(w.id)}`, w]));
      return [...byId.values()];
    });

  it("computes the tracer's T[j + 1] for random asset states and transactions", async () => {
    await fc.assert(
      fc.asyncProperty(stateArb, fc.array(specArb, { minLength: 1, maxLength: 4 }), (objects, specs) =>
        run(specs, objects),
      ),
      { numRuns: RUNS },
    );
  }, 600_000);

  it("refuses a tampered asset step", async () => {
    const b = buildScenario(kindScenario([assetTransfer(2, C0, 2, 3)], ASSET_STATE));
    const trace = traceOf(b);
    const ctx = ctxOf(b);
    const j = 1;
    const p = proveStep(trace, j);
    expect(trace.steps[j]!.receipt?.code).toBe(0);
    const refused = async (tamper: (parts: ItemParts) => void) => {
      const parts = itemParts(p);
      tamper(parts);
      return revertName(
        execute(
          executors[0]!,
          trace.commitments[j]!,
          j,
          ctx,
          encodeStepProof({ ...stepInputs(p), ...encodeStepData(p, parts) }),
        ),
      );
    };
    // The operator's approval claimed absent (the transfer would fail: its path changes, so a later proof no longer chains).
    expect(
      await refused((parts) => {
        const k = parts.objects.findIndex((o) => o.ns === Namespace.OperatorApproval);
        parts.objects[k] = { ...parts.objects[k]!, present: false, value: "0x" };
      }),
    ).toMatch(/^(ObjectValueMismatch|SmtRootMismatch)$/);
    // The asset's own tokenId field claimed other than the state's (same path): its value is refused.
    expect(
      await refused((parts) => {
        const k = parts.objects.findIndex((o) => o.ns === Namespace.Asset);
        const o = parts.objects[k]!;
        const at = 2 + 64 * 3 - 1; // the offset, collectionId, tokenId
        parts.objects[k] = {
          ...o,
          value: `${o.value.slice(0, at)}${o.value[at] === "0" ? "1" : "0"}${o.value.slice(at + 1)}` as Hex,
        };
      }),
    ).toBe("ObjectValueMismatch");
    expect(
      await refused((parts) => {
        parts.objects = parts.objects.filter((o) => o.ns !== Namespace.Asset);
      }),
    ).toBe("ObjectMissing");
  });
});

type OrderOver = Partial<OrderMessage>;
const ZERO_ADDR = new Uint8Array(20);
const makeOrder = (maker: number, over: OrderOver = {}): OrderMessage => ({
  maker: keys[maker]!.address,
  side: 0,
  collectionId: COLLECTIONS[0]!,
  tokenId: 1,
  price: 1000n,
  taker: ZERO_ADDR,
  expiresAt: 0,
  salt: 1n,
  ...over,
});
const orderHashOf = (o: OrderMessage) => hashTypedData(CHAIN_ID, Order, o);
/** How the maker's signature is broken, if it is. */
type MakerSig = "ok" | "otherKey" | "highS" | "short";
function makerSignature(o: OrderMessage, maker: number, how: MakerSig): Uint8Array {
  const sig = signDigest(orderHashOf(o), keys[how === "otherKey" ? (maker + 1) % 4 : maker]!.priv);
  if (how === "short") return sig.subarray(0, 64);
  if (how === "highS") {
    const s = BigInt(toHex(sig.subarray(32, 64)));
    const hi = N - s;
    for (let i = 0; i < 32; i++) sig[32 + i] = Number((hi >> BigInt(8 * (31 - i))) & 0xffn);
    sig[64] = sig[64] === 27 ? 28 : 27;
  }
  return sig;
}
const tradeFill = (from: number, maker: number, over: OrderOver = {}, how: MakerSig = "ok"): KindTx => ({
  from,
  make: (nonce) => {
    const order = makeOrder(maker, over);
    return {
      kind: TxKind.TradeFill,
      message: { order, makerSignature: makerSignature(order, maker, how), nonce, fee: 1n },
    };
  },
});
const orderCancel = (from: number, maker: number, over: OrderOver = {}): KindTx => ({
  from,
  make: (nonce) => ({ kind: TxKind.OrderCancel, message: { order: makeOrder(maker, over), nonce, fee: 1n } }),
});
const orderStatusWrite = (o: OrderMessage, status: number): ObjectWrite => ({
  ns: Namespace.OrderStatus,
  id: orderHashOf(o),
  value: { status },
});

/** Collection 1 has another creator (key 3), so a royalty goes to a third party. */
const TRADE_STATE: ObjectWrite[] = [
  ...ASSET_STATE,
  collectionWrite(COLLECTIONS[1]!, 3, 5, 1),
  orderStatusWrite(makeOrder(0, { salt: 7n }), 2),
];

describe("OneStepExecutor: trade kinds (50–51) against the tracer", () => {
  const [C0, C1] = COLLECTIONS as [Uint8Array, Uint8Array];
  const run = (specs: KindTx[], objects: ObjectWrite[] = TRADE_STATE) => checkScenario(kindScenario(specs, objects));

  it("every execution code, every field rule, BAD_ORDER_SIGNATURE and EXECUTION_FAULT", async () => {
    const cases: [KindTx[], ObjectWrite[]?][] = [
      // successes: a sell (royalty to the seller, its creator), a buy, a royalty to a third party, price 0, a cancel
      [
        [
          tradeFill(1, 0),
          tradeFill(0, 2, { side: 1, tokenId: 2, price: 500n }),
          tradeFill(2, 0, { collectionId: C1, tokenId: 7, price: 12_345n }),
        ],
      ],
      [
        [
          tradeFill(3, 1, { tokenId: 2, price: 0n, taker: keys[3]!.address, expiresAt: NOW + 1 }),
          orderCancel(0, 0, { salt: 9n }),
        ],
      ],
      [[tradeFill(1, 0, { price: 10n ** 18n - 10n })]],
      // ORDER_CLOSED (1501): cancelled before, filled in the block, cancelled twice
      [
        [
          tradeFill(1, 0, { salt: 7n }),
          tradeFill(1, 0),
          tradeFill(2, 1, { side: 1, price: 1n }),
          orderCancel(0, 0, { salt: 7n }),
        ],
      ],
      [[orderCancel(2, 2, { salt: 3n }), orderCancel(2, 2, { salt: 3n }), tradeFill(0, 2, { side: 1, salt: 3n })]],
      // ORDER_EXPIRED (1500), ORDER_WRONG_TAKER (1502), ORDER_SELF_FILL (1503), NOT_ORDER_MAKER (1505)
      [
        [
          tradeFill(1, 0, { expiresAt: NOW }),
          tradeFill(1, 0, { expiresAt: 1 }),
          tradeFill(1, 0, { taker: keys[2]!.address }),
        ],
      ],
      [[tradeFill(0, 0), orderCancel(1, 0)]],
      // ASSET_NOT_FOUND (1101), ASSET_BURNED (1107), COLLECTION_NOT_FOUND (1100), ORDER_ASSET_NOT_OWNED (1504)
      [
        [
          tradeFill(1, 0, { tokenId: 99 }),
          tradeFill(1, 0, { tokenId: 3 }),
          tradeFill(1, 0, { collectionId: NO_COLLECTION }),
        ],
      ],
      [[tradeFill(1, 0, { tokenId: 2 }), tradeFill(2, 0, { side: 1, tokenId: 2 })]],
      // INSUFFICIENT_BALANCE (1000): the buyer pays the price
      [[tradeFill(1, 0, { price: 10n ** 19n }), tradeFill(2, 1, { side: 1, price: 10n ** 19n })]],
      // INVALID_FIELD (101) and BAD_ORDER_SIGNATURE (104): the block is invalid
      [[tradeFill(1, 0, { side: 2 })]],
      [[orderCancel(0, 0, { side: 2 })]],
      [[tradeFill(1, 0, { tokenId: MAX_UINT64_SAFE + 1 })]],
      [[orderCancel(0, 0, { expiresAt: MAX_UINT64_SAFE + 1 })]],
      [[orderCancel(0, 0, { maker: ZERO_ADDR })]],
      [[tradeFill(1, 0, {}, "short")]],
      [[tradeFill(1, 0, {}, "otherKey")]],
      [[tradeFill(1, 0, {}, "highS")]],
      // EXECUTION_FAULT (204): a royalty past 2^256 − 1 on the creator's balance
      [
        [tradeFill(2, 0, { collectionId: C1, tokenId: 7, price: 10_000n })],
        [
          ...TRADE_STATE,
          { ns: Namespace.Account, id: keys[3]!.address, value: { balance: MAX_UINT256 - 10n, nonce: 0 } },
        ],
      ],
    ];
    for (const [specs, objects] of cases) await run(specs, objects);
    for (const code of [0, 1000, 1100, 1101, 1107, 1500, 1501, 1502, 1503, 1504, 1505]) {
      expect(seenCodes, `code ${code}`).toContain(code);
    }
    for (const reason of [101, 104, 204]) expect(seenReasons, `reason ${reason}`).toContain(String(reason));
  }, 600_000);

  const who = fc.integer({ min: 0, max: 3 });
  const overArb: fc.Arbitrary<OrderOver> = fc.record({
    side: fc.constantFrom(0, 1, 1, 2),
    collectionId: fc.constantFrom(C0, C1, NO_COLLECTION),
    tokenId: fc.constantFrom(1, 2, 3, 7, 99),
    price: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 6n }), fc.constantFrom(10n ** 19n)),
    taker: fc.oneof(
      fc.constant(ZERO_ADDR),
      who.map((k) => keys[k]!.address),
    ),
    expiresAt: fc.constantFrom(0, 0, NOW, NOW + 1, MAX_UINT64_SAFE),
    salt: fc.bigInt({ min: 0n, max: 3n }),
  });
  const specArb: fc.Arbitrary<KindTx> = fc.oneof(
    fc
      .tuple(who, who, overArb, fc.constantFrom<MakerSig>("ok", "ok", "ok", "ok", "otherKey"))
      .map(([f, m, o, how]) => tradeFill(f, m, o, how)),
    fc.tuple(who, who, overArb).map(([f, m, o]) => orderCancel(f, m, o)),
  );
  const stateArb = fc
    .record({
      creators: fc.tuple(who, who),
      royalties: fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 })),
      assets: fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.constantFrom(1, 2, 3, 7), who, fc.boolean()), {
        maxLength: 5,
      }),
      statuses: fc.array(fc.tuple(who, overArb, fc.constantFrom(1, 2)), { maxLength: 2 }),
    })
    .map((st) => {
      const writes: ObjectWrite[] = [];
      st.creators.forEach((creator, c) => {
        const w = collectionWrite(COLLECTIONS[c]!, creator, 10, 3);
        (w.value as StateObjects[Namespace.Collection]).royaltyBps = st.royalties[c]!;
        writes.push(w);
      });
      for (const [c, t, owner, burned] of st.assets) {
        writes.push(assetWrite(COLLECTIONS[c]!, t, burned ? "zero" : owner, "zero", burned));
      }
      for (const [maker, over, status] of st.statuses) writes.push(orderStatusWrite(makeOrder(maker, over), status));
      const byId = new Map(writes.map((w) => [`${w.ns}:${toHex(w.id)}`, w]));
      return [...byId.values()];
    });

  it("computes the tracer's T[j + 1] for random trade states and transactions", async () => {
    await fc.assert(
      fc.asyncProperty(stateArb, fc.array(specArb, { minLength: 1, maxLength: 4 }), (objects, specs) =>
        run(specs, objects),
      ),
      { numRuns: RUNS },
    );
  }, 600_000);

  it("refuses a tampered trade step", async () => {
    const b = buildScenario(
      kindScenario([tradeFill(2, 0, { collectionId: C1, tokenId: 7, price: 12_345n })], TRADE_STATE),
    );
    const trace = traceOf(b);
    const ctx = ctxOf(b);
    const j = 1;
    const p = proveStep(trace, j);
    expect(trace.steps[j]!.receipt?.code).toBe(0);
    const refused = async (tamper: (parts: ItemParts) => void) => {
      const parts = itemParts(p);
      tamper(parts);
      return revertName(
        execute(
          executors[0]!,
          trace.commitments[j]!,
          j,
          ctx,
          encodeStepProof({ ...stepInputs(p), ...encodeStepData(p, parts) }),
        ),
      );
    };
    // The creator's balance other than the state's (same path): refused at its value.
    expect(
      await refused((parts) => {
        const creator = toHex(keys[3]!.address);
        const k = parts.objects.findIndex((o) => o.ns === Namespace.Account && o.id === creator);
        const o = parts.objects[k]!;
        parts.objects[k] = {
          ...o,
          value: `${o.value.slice(0, 65)}${o.value[65] === "0" ? "1" : "0"}${o.value.slice(66)}` as Hex,
        };
      }),
    ).toBe("ObjectValueMismatch");
    // The order claimed closed: the path changes (ORDER_CLOSED), so a later proof no longer chains.
    expect(
      await refused((parts) => {
        const k = parts.objects.findIndex((o) => o.ns === Namespace.OrderStatus);
        parts.objects[k] = {
          ...parts.objects[k]!,
          present: true,
          value: encodeAbiParameters([{ type: "uint8" }], [1]),
        };
      }),
    ).toMatch(/^(ObjectValueMismatch|SmtRootMismatch)$/);
    expect(
      await refused((parts) => {
        parts.objects = parts.objects.filter((o) => o.ns !== Namespace.Collection);
      }),
    ).toBe("ObjectMissing");
  });
});

// --- forced transactions and the bridge's records ------------------------------------------------

/** How a forced transaction is broken, if it is (the inclusion code the TypeScript gives it). */
type ForcedVariant = "ok" | "wrongChain" | "highS" | "badV" | "nonceLow" | "nonceHigh" | "nonceMax" | "notIncludable";
/** One L1 message of a block: a FIL deposit, a forced transaction, or forced bytes as they are. */
type MessageSpec =
  | { fil: [to: number, amount: bigint] }
  | { forced: KindTx; variant?: ForcedVariant }
  | { raw: Uint8Array };

const transferTx = (from: number, to: number | "zero", amount: bigint, fee = 1n): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.Transfer,
    message: { to: to === "zero" ? new Uint8Array(20) : keys[to]!.address, amount, nonce, fee },
  }),
});
const withdrawTx = (from: number, to: number, amount: bigint): KindTx => ({
  from,
  make: (nonce) => ({ kind: TxKind.Withdraw, message: { l1Recipient: keys[to]!.address, amount, nonce, fee: 1n } }),
});
const tokenCreateTx = (from: number, name: string): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.TokenCreate,
    message: { name, symbol: "F", decimals: 6, cap: 10n ** 20n, nonce, fee: 1n },
  }),
});

/**
 * A forced transaction's bytes; `nonces` is each key's next nonce, advanced when the variant is "ok"
 * ("notIncludable": signed as it is, for a message the test knows is not includable).
 */
function forcedBytes(spec: KindTx, variant: ForcedVariant, nonces: number[]): Uint8Array {
  let nonce = nonces[spec.from]!;
  if (variant === "nonceLow") nonce = nonce > 0 ? nonce - 1 : nonce + 2;
  else if (variant === "nonceHigh") nonce += 1;
  else if (variant === "nonceMax") nonce = 2 ** 53 - 1;
  else if (variant === "ok") nonces[spec.from] = nonce + 1;
  const tx = signTransaction(
    variant === "wrongChain" ? CHAIN_ID + 1 : CHAIN_ID,
    spec.make(nonce),
    keys[spec.from]!.priv,
  );
  return encodeSignedTx(withVariant(tx, variant === "highS" || variant === "badV" ? variant : "ok"));
}

/**
 * A block on `w`'s parent consuming `messages` (nonces after the parent's), then `txs`, sealed with
 * the roots and the txRoot applyBlock gives (a forced transaction under the hash the executor lists
 * it under). A block applyBlock refuses keeps the hashes the tracer would guess and zero roots.
 */
function messagesBlock(w: Built, messages: MessageSpec[], txs: SignedTransaction[] = []): Built {
  const nonces = keys.map(() => 0); // the parent's accounts were funded by deposits only
  const deposits: Deposit[] = messages.map((m, i) => {
    const base: Deposit = {
      l1Nonce: w.parentHeader.l1DepositNonce + 1 + i,
      l1BlockNumber: 50 + i,
      l1TxHash: new Uint8Array(32).fill(0x40 + i),
      from: keys[3]!.address,
      to: new Uint8Array(20),
      amount: 0n,
      forcedTx: new Uint8Array(0),
    };
    if ("fil" in m) return { ...base, to: keys[m.fil[0]]!.address, amount: m.fil[1] };
    if ("raw" in m) return { ...base, forcedTx: m.raw };
    return { ...base, forcedTx: forcedBytes(m.forced, m.variant ?? "ok", nonces) };
  });
  const header: BlockHeader = {
    chainId: CHAIN_ID,
    number: w.parentHeader.number + 1,
    parentHash: blockHash(w.parentHeader),
    timestamp: w.parentHeader.timestamp + 2,
    proposer: sequencer.address,
    txRoot: HashListSsz.hashTreeRoot([]),
    receiptsRoot: new Uint8Array(32),
    stateRoot: new Uint8Array(32),
    withdrawalsRoot: new Uint8Array(32),
    l1DepositNonce: 0,
  };
  const body = { header, deposits, transactions: txs };
  let sealed: BlockHeader;
  try {
    const r = applyBlock(w.parent, body, { chainId: CHAIN_ID, minTxFee: w.minTxFee, maxBlockTxs: MAX_BLOCK_TXS });
    sealed = {
      ...header,
      txRoot: HashListSsz.hashTreeRoot(r.hashes),
      receiptsRoot: r.roots.receiptsRoot,
      stateRoot: r.roots.stateRoot,
      withdrawalsRoot: r.roots.withdrawalsRoot,
      l1DepositNonce: r.l1DepositNonce,
    };
  } catch {
    const items = [...deposits.map((d) => itemHash({ deposit: d }, CHAIN_ID)), ...txs.map((t) => txHashOf(t))];
    sealed = { ...header, txRoot: HashListSsz.hashTreeRoot(items) };
  }
  return { ...w, block: { ...body, header: sealed, signature: signBlockHeader(sealed, sequencer.priv) } };
}

/** A parent of funded keys 0 and 1 (and `objects`), with no block on it yet. */
const forcedParent = (minFee: 0 | 1 = 0, objects: ObjectWrite[] = []): Built =>
  buildScenario({
    funding: [10n ** 18n, 10n ** 17n, 0n, 0n],
    deposits: [],
    txs: [],
    minFee,
    wrongRoot: null,
    headerFault: null,
    objects,
  });

/** The receipt codes of the forced transactions stepped so far (0 and execution codes: included). */
const forcedCodes = new Set<number>();
async function checkMessages(b: Built): Promise<void> {
  await checkBuilt(b);
  for (const st of traceOf(b).steps) {
    if (
      st.kind === StepKind.L1Message &&
      st.receipt &&
      (st.receipt.kind !== TxKind.Deposit || st.receipt.status === 0)
    ) {
      forcedCodes.add(st.receipt.code);
    }
  }
}

const ZERO_ADDRESS = new Uint8Array(20);
const malformedCases = (): Uint8Array[] => {
  const transfer = encodeSignedTx(
    signTransaction(
      CHAIN_ID,
      { kind: TxKind.Transfer, message: { to: keys[1]!.address, amount: 1n, nonce: 0, fee: 1n } },
      keys[0]!.priv,
    ),
  );
  const token = encodeSignedTx(signTransaction(CHAIN_ID, tokenCreateTx(0, "Name").make(0), keys[0]!.priv));
  const badUtf8 = token.slice();
  badUtf8[78 + 81] = 0xff; // the name's first byte (TokenCreate's fixed part is 81 bytes)
  const bigNonce = transfer.slice();
  bigNonce.set([0, 0, 0, 0, 0, 0, 0x20, 0], 78 + 52); // nonce 2^53
  const unknownKind = transfer.slice();
  unknownKind[8] = 99;
  return [new Uint8Array(300).fill(0xab), transfer.subarray(0, transfer.length - 1), badUtf8, bigNonce, unknownKind];
};

describe("OneStepExecutor: forced transactions and the bridge's records against the tracer", () => {
  it("runs forced transactions of several kinds, includable and each inclusion code, between FIL deposits", async () => {
    // An account at 2^256 − 1: a forced transfer to it faults (EXECUTION_FAULT), and is consumed.
    const rich: ObjectWrite = {
      ns: Namespace.Account,
      id: keys[3]!.address,
      value: { balance: MAX_UINT256, nonce: 0 },
    };
    const w = forcedParent(0, [rich]);
    await checkMessages(
      messagesBlock(w, [
        { fil: [2, 5n] },
        { forced: transferTx(0, 1, 3n) }, // included, executed
        { forced: withdrawTx(0, 2, 4n) }, // included: a withdrawal appended
        { forced: transferTx(1, 2, 10n ** 30n) }, // included, INSUFFICIENT_BALANCE (1000)
        { forced: tokenCreateTx(0, "Forced") }, // included: the tokens' kind executor
        { forced: collectionCreate(1, "Coll", "C") }, // included: the assets' kind executor
        { forced: orderCancel(0, 0) }, // included: the trade kind executor
        { forced: tradeFill(1, 0, { collectionId: COLLECTIONS[0]! }) }, // included, COLLECTION_NOT_FOUND
        { fil: [0, 7n] },
        ...malformedCases().map((raw) => ({ raw })), // MALFORMED (100)
        { forced: transferTx(0, 1, 1n), variant: "wrongChain" as const }, // 102
        { forced: transferTx(0, "zero", 1n), variant: "notIncludable" as const }, // INVALID_FIELD (101): a zero recipient
        { forced: transferTx(0, 1, 1n), variant: "nonceMax" as const }, // 101: nonce 2^53 − 1
        { forced: tokenCreateTx(0, ""), variant: "notIncludable" as const }, // 101: an empty name (the kind executor's field rule)
        { forced: tradeFill(1, 0, { maker: ZERO_ADDRESS }), variant: "notIncludable" as const }, // 101: the order's maker
        { forced: transferTx(0, 1, 1n), variant: "highS" as const }, // BAD_SIGNATURE (103)
        { forced: transferTx(0, 1, 1n), variant: "badV" as const }, // 103
        { forced: tradeFill(1, 0, {}, "otherKey"), variant: "notIncludable" as const }, // BAD_ORDER_SIGNATURE (104)
        { forced: transferTx(0, 1, 1n), variant: "nonceLow" as const }, // NONCE_TOO_LOW (200)
        { forced: transferTx(0, 1, 1n), variant: "nonceHigh" as const }, // NONCE_TOO_HIGH (201)
        { forced: transferTx(1, 0, 1n, 10n ** 30n), variant: "notIncludable" as const }, // INSUFFICIENT_FUNDS_FOR_FEE (202)
        { forced: transferTx(0, 3, 1n), variant: "notIncludable" as const }, // EXECUTION_FAULT (204): the recipient's balance past 2^256 − 1
        { forced: transferTx(2, 0, 1n) }, // from key 2, funded by the first deposit
      ]),
    );
    // The proposer's balance at 2^256 − 1: any fee faults (EXECUTION_FAULT), after the kind's rules
    // ran (the TypeScript runs them first, so their objects are in the proof).
    const fullProposer: ObjectWrite = {
      ns: Namespace.Account,
      id: sequencer.address,
      value: { balance: MAX_UINT256, nonce: 0 },
    };
    const faulted = messagesBlock(forcedParent(0, [fullProposer]), [
      { forced: tokenCreateTx(0, "Faulted"), variant: "notIncludable" },
      { forced: collectionCreate(1, "Coll", "C"), variant: "notIncludable" },
      { forced: transferTx(0, 1, 1n), variant: "notIncludable" },
      { forced: transferTx(0, 1, 1n, 0n) }, // no fee: included
    ]);
    await checkMessages(faulted);
    const faultedSteps = traceOf(faulted).steps.slice(1, 5);
    expect(faultedSteps.map((st) => st.receipt?.code)).toEqual([204, 204, 204, 0]);
    // The token kind's objects were read before the fault, so the proof carries them.
    expect(faultedSteps[0]!.accesses.some((x) => x.ns === Namespace.Token)).toBe(true);
    // FEE_TOO_LOW under a minimum fee of 2.
    await checkMessages(messagesBlock(forcedParent(1), [{ forced: transferTx(0, 1, 1n, 1n) }, { fil: [1, 1n] }]));
    // Forced transactions before the block's own transactions, and an L1 message after one (invalid).
    const p = forcedParent();
    const own = signTransaction(
      CHAIN_ID,
      { kind: TxKind.Transfer, message: { to: keys[0]!.address, amount: 1n, nonce: 0, fee: 1n } },
      keys[1]!.priv,
    );
    await checkMessages(messagesBlock(p, [{ forced: transferTx(0, 1, 2n) }], [own]));
    // Every inclusion code a forced transaction can get from the bridge (TOO_LARGE cannot: the bridge
    // takes at most MAX_TX_BYTES; forcedTxDecoder.test.ts checks the decoder gives it), and included ones.
    for (const code of [0, 100, 101, 102, 103, 104, 200, 201, 202, 203, 204, 1000]) {
      expect(forcedCodes, `code ${code}`).toContain(code);
    }
  }, 600_000);

  it("computes the tracer's T[j + 1] for random blocks of L1 messages", async () => {
    const specArb = fc.oneof(
      fc.record({ fil: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.bigInt({ min: 0n, max: 10n ** 18n })) }),
      fc.record({
        forced: fc.oneof(
          fc
            .tuple(
              fc.integer({ min: 0, max: 2 }),
              fc.integer({ min: 0, max: 3 }),
              fc.bigInt({ min: 0n, max: 10n ** 17n }),
            )
            .map(([f, t, a]) => transferTx(f, t, a)),
          fc
            .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }))
            .map(([f, t]) => withdrawTx(f, t, 1n)),
          fc.integer({ min: 0, max: 2 }).map((f) => tokenCreateTx(f, "T")),
        ),
        variant: fc.constantFrom<ForcedVariant>(
          "ok",
          "ok",
          "ok",
          "wrongChain",
          "highS",
          "nonceLow",
          "nonceHigh",
          "nonceMax",
        ),
      }),
      fc.constantFrom(...malformedCases()).map((raw) => ({ raw })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom<0 | 1>(0, 1),
        (specs, minFee) => checkMessages(messagesBlock(forcedParent(minFee), specs as MessageSpec[])),
      ),
      { numRuns: RUNS },
    );
  }, 600_000);

  /** Step 1 of a one-message block, its honest proof, and the pre-state with `invalid` set. */
  function firstMessage(b: Built) {
    const trace = traceOf(b);
    const p = proveStep(trace, 1);
    expect(p.kind).toBe(StepKind.L1Message);
    const invalid = toHex(stepStateRoot({ ...p.pre, invalid: true }));
    return { trace, p, invalid, ctx: ctxOf(b) };
  }

  it("finds a fabricated or altered deposit: the bridge never took it, or took another amount or recipient", async () => {
    const b = messagesBlock(forcedParent(), [{ fil: [1, 10n ** 18n] }]);
    const { trace, p, invalid, ctx } = firstMessage(b);
    const proof = encodeStepProof(stepInputs(p));
    const d = b.block.deposits[0]!;
    // As the bridge recorded it: the tracer's result.
    expect(await execute(executors[0]!, trace.commitments[1]!, 1, ctx, proof)).toBe(toHex(trace.commitments[2]!));
    for (const record of [
      `0x${"00".repeat(32)}` as Hex, // never deposited
      l1MessageRecord({ ...d, amount: 1n }), // the bridge took 1 attoFIL
      l1MessageRecord({ ...d, to: keys[2]!.address }), // for another recipient
      l1MessageRecord({ ...d, from: keys[0]!.address }), // from another sender
      l1MessageRecord({ ...d, forcedTx: Uint8Array.of(1) }), // a forced transaction
    ]) {
      await setRecord(d.l1Nonce, record);
      expect(await execute(executors[0]!, trace.commitments[1]!, 1, ctx, proof)).toBe(invalid);
    }
    // The record of the next nonce does not stand for this one.
    await setRecord(d.l1Nonce, `0x${"00".repeat(32)}`);
    await setRecord(d.l1Nonce + 1, l1MessageRecord(d));
    expect(await execute(executors[0]!, trace.commitments[1]!, 1, ctx, proof)).toBe(invalid);
    recordedBlock = null;
  });

  it("finds a forced transaction the bridge never queued, or queued with other bytes", async () => {
    const b = messagesBlock(forcedParent(), [{ forced: transferTx(0, 1, 5n) }]);
    const { trace, p, invalid, ctx } = firstMessage(b);
    const proof = encodeStepProof(stepInputs(p));
    const d = b.block.deposits[0]!;
    expect(await execute(executors[0]!, trace.commitments[1]!, 1, ctx, proof)).toBe(toHex(trace.commitments[2]!));
    const other = d.forcedTx.slice();
    other[other.length - 1] ^= 1;
    for (const record of [`0x${"00".repeat(32)}` as Hex, l1MessageRecord({ ...d, forcedTx: other })]) {
      await setRecord(d.l1Nonce, record);
      expect(await execute(executors[0]!, trace.commitments[1]!, 1, ctx, proof)).toBe(invalid);
    }
    recordedBlock = null;
  });

  it("sets invalid when txRoot lists a forced transaction under the wrong hash", async () => {
    for (const [what, spec] of [
      ["includable, listed under its deposit's hash", { forced: transferTx(0, 1, 5n) }],
      [
        "not includable (NONCE_TOO_HIGH), listed under its tx hash",
        { forced: transferTx(0, 1, 5n), variant: "nonceHigh" },
      ],
      [
        "not includable (WRONG_CHAIN), listed under its tx hash",
        { forced: transferTx(0, 1, 5n), variant: "wrongChain" },
      ],
    ] as [string, MessageSpec][]) {
      const honest = messagesBlock(forcedParent(), [spec]);
      const { p, invalid } = firstMessage(honest);
      const d = honest.block.deposits[0]!;
      const listedAsTx = !bytesEqual(p.itemHash!, depositHashOf(d));
      const tx = parseTransactionBytes(d.forcedTx);
      const wrong = listedAsTx ? depositHashOf(d) : txHashOf(tx);
      // The same block with the other hash in txRoot (one item: its siblings are the same).
      const header = { ...honest.block.header, txRoot: HashListSsz.hashTreeRoot([wrong]) };
      const ctx = { blockHash: toHex(blockHash(header)), sequencer: toHex(sequencer.address) };
      blockMessages.set(ctx.blockHash, honest.block.deposits);
      const parts = { ...itemParts(p), listedAsTx: !listedAsTx };
      const inputs = { ...stepInputs(p, parts), header: headerToAbi(header) };
      expect(await execute(executors[0]!, stepStateRoot(p.pre), 1, ctx, encodeStepProof(inputs)), what).toBe(invalid);
      // A claim of the other hash that txRoot does not hold is refused.
      const claim = { ...stepInputs(p, { ...itemParts(p), listedAsTx: !listedAsTx }) };
      expect(
        await revertName(execute(executors[0]!, stepStateRoot(p.pre), 1, ctxOf(honest), encodeStepProof(claim))),
      ).toBe("ItemNotInBlock");
    }
    // A forced transaction that does not decode has no tx hash to be listed under.
    const malformed = messagesBlock(forcedParent(), [{ raw: new Uint8Array(90).fill(7) }]);
    const { p } = firstMessage(malformed);
    const claim = stepInputs(p, { ...itemParts(p), listedAsTx: true });
    expect(
      await revertName(execute(executors[0]!, stepStateRoot(p.pre), 1, ctxOf(malformed), encodeStepProof(claim))),
    ).toBe("ItemNotInBlock");
  });

  it("a forced transaction that carries value makes the block invalid (BAD_L1_MESSAGE)", async () => {
    const w = forcedParent();
    const tx = forcedBytes(transferTx(0, 1, 5n), "ok", [0, 0, 0, 0]);
    const b = messagesBlock(w, [{ raw: tx }]);
    const d: Deposit = { ...b.block.deposits[0]!, amount: 1n };
    // Listed under its tx hash, as the tracer guesses for a message it finds invalid.
    const header = { ...b.block.header, txRoot: HashListSsz.hashTreeRoot([itemHash({ deposit: d }, CHAIN_ID)]) };
    const bad: Built = {
      ...b,
      block: { ...b.block, header, deposits: [d], signature: signBlockHeader(header, sequencer.priv) },
    };
    const { trace } = firstMessage(bad);
    expect(trace.steps[1]!.invalidReason).toBe("BLOCK_BAD_L1_MESSAGE");
    await checkBuilt(bad);
  });

  it("gas of the forced step: a small one, and the largest the bridge takes, in a state of 2^16 accounts", async () => {
    const w = buildScenario({
      funding: [10n ** 18n, 10n ** 17n, 0n, 0n],
      deposits: [],
      txs: [],
      minFee: 0,
      wrongRoot: null,
      headerFault: null,
      filler: 2 ** 16,
    });
    // The largest that decodes is an AssetBatchMint of 256 CIDs of 128 bytes (34,006 bytes): here its
    // last byte is not UTF-8, so it is MALFORMED after every CID is read. Anything longer is MALFORMED
    // at once; the bridge takes up to MAX_TX_BYTES (40,960).
    const mint = encodeSignedTx(
      signTransaction(
        CHAIN_ID,
        {
          kind: TxKind.AssetBatchMint,
          message: {
            collectionId: COLLECTIONS[0]!,
            firstTokenId: 1,
            to: keys[1]!.address,
            contentCids: Array.from({ length: 256 }, () => "b".repeat(128)),
            onBehalfOf: ZERO_ID,
            nonce: 0,
            fee: 1n,
          },
        },
        keys[0]!.priv,
      ),
    );
    expect(mint.length).toBe(34_006);
    const badMint = mint.slice();
    badMint[badMint.length - 1] = 0xff;
    const largest = new Uint8Array(40_960).fill(0x61);
    const b = messagesBlock(w, [
      { forced: transferTx(0, 1, 5n) },
      { forced: tokenCreateTx(0, "n".repeat(64)) },
      { raw: badMint },
      { raw: largest },
    ]);
    const trace = traceOf(b);
    const ctx = ctxOf(b);
    // A client that waits: 40 KB of calldata is slow on a loaded box's hardhat L1.
    const slow = createPublicClient({
      chain: clients.publicClient.chain,
      transport: http(l1.url, { timeout: 300_000 }),
    });
    const report: Record<string, bigint> = {};
    for (let j = 1; j <= 4; j++) {
      const p = proveStep(trace, j);
      const proof = encodeStepProof(stepInputs(p));
      expect(await execute(executors[0]!, trace.commitments[j]!, j, ctx, proof)).toBe(toHex(trace.commitments[j + 1]!));
      const gas = await slow.estimateGas({
        to: executors[0]!,
        data: encodeFunctionData({
          abi,
          functionName: "executeStep",
          args: [toHex(trace.commitments[j]!), BigInt(j), ctx, proof],
        } as never),
      });
      const r = trace.steps[j]!.receipt!;
      const d = p.item!.deposit!;
      report[`forced ${d.forcedTx.length} bytes, ${r.kind === TxKind.Deposit ? `code ${r.code}` : TxKind[r.kind]}`] =
        gas;
    }
    console.log("one-step executor gas, forced steps, 2^16 accounts (eth_estimateGas):", report);
  }, 600_000);

  it("an executor without a bridge refuses every L1 message (NoBridge)", async () => {
    const [deployer] = await clients.walletClient.getAddresses();
    const { executor } = await deployOneStepExecutor(clients, deployer!, {
      l2ChainId: CHAIN_ID,
      maxBlockTxs: MAX_BLOCK_TXS,
      maxBlockDeposits: MAX_BLOCK_DEPOSITS,
      minTxFee: 0n,
      bridge: null,
    });
    const b = messagesBlock(forcedParent(), [{ fil: [1, 5n] }]);
    const { trace, p, ctx } = firstMessage(b);
    expect(await revertName(execute(executor, trace.commitments[1]!, 1, ctx, encodeStepProof(stepInputs(p))))).toBe(
      "NoBridge",
    );
    expect(
      await clients.publicClient.readContract({ address: executor, abi, functionName: "supportsForcedTransactions" }),
    ).toBe(false);
    expect(
      await clients.publicClient.readContract({
        address: executors[0]!,
        abi,
        functionName: "supportsForcedTransactions",
      }),
    ).toBe(true);
  }, 120_000);
});

// --- the CID kinds: AssetMint (11), AssetBatchMint (12), AssetMetadataUpdate (15), DataAssetRegister (40)

/** CIDs CID.parse accepts: every base, CIDv0, `=` padding, and base-x's digit above U+00FF. */
const GOOD_CIDS = [
  "bafkqaaa",
  "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
  "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
  "zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7",
  "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8",
  "bafkqaaa==",
  "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdĀ",
];
/** Strings it refuses: empty, a bad digest length, uppercase, v0 with a prefix, another base, truncated, non-ASCII. */
const BAD_CIDS = [
  "",
  "bafkqaab",
  "BAFKQAAA",
  "zQmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
  "mAXASIBdsCr8Wo0lcHwKbJRkMkOfvj+2B5ccV/9CB/SqeMHs",
  "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd",
  "bafkqaaé",
];
const PIECE_V1 = "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq";
/** A CIDv1 (raw, identity) of exactly MAX_CID_BYTES characters of base32, `tag` in its digest. */
const longCid = (tag: number): string => base32Cid([1, 0x55, 0, 75, ...new Array<number>(75).fill(tag)]);
/** `b` and the lowercase, unpadded base32 of `bytes`. */
function base32Cid(bytes: number[]): string {
  let out = "b";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += "abcdefghijklmnopqrstuvwxyz234567"[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += "abcdefghijklmnopqrstuvwxyz234567"[(buffer << (5 - bits)) & 31];
  return out;
}
/**
 * Piece CIDs parsePieceCid refuses: a root with its top bits set, a v2 of height 32, a v2 whose
 * padding leaves half the piece empty, a non-canonical last character, not a piece, padded, uppercase.
 */
const BAD_PIECE_CIDS = [
  base32Cid([1, 0x81, 0xe2, 0x03, 0x92, 0x20, 0x20, ...new Array<number>(32).fill(0xff)]),
  base32Cid([1, 0x55, 0x91, 0x20, 0x22, 0, 32, ...new Array<number>(32).fill(1)]),
  base32Cid([1, 0x55, 0x91, 0x20, 0x22, 127, 3, ...new Array<number>(32).fill(1)]),
  "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mp7",
  "bafkqaaa",
  `${PIECE_V1}=`,
  PIECE_V1.toUpperCase(),
  "",
];

const assetMint = (
  from: number,
  c: Uint8Array,
  tokenId: number,
  to: number | "zero",
  contentCid = "bafkqaaa",
  onBehalfOf: Uint8Array = ZERO_ID,
): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.AssetMint,
    message: {
      collectionId: c,
      tokenId,
      to: to === "zero" ? new Uint8Array(20) : keys[to]!.address,
      contentCid,
      onBehalfOf,
      nonce,
      fee: 1n,
    },
  }),
});
const batchMint = (
  from: number,
  c: Uint8Array,
  firstTokenId: number,
  to: number | "zero",
  contentCids: string[],
  onBehalfOf: Uint8Array = ZERO_ID,
): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.AssetBatchMint,
    message: {
      collectionId: c,
      firstTokenId,
      to: to === "zero" ? new Uint8Array(20) : keys[to]!.address,
      contentCids,
      onBehalfOf,
      nonce,
      fee: 1n,
    },
  }),
});
const metadataUpdate = (
  from: number,
  c: Uint8Array,
  tokenId: number,
  contentCid: string,
  onBehalfOf: Uint8Array = ZERO_ID,
): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.AssetMetadataUpdate,
    message: { collectionId: c, tokenId, contentCid, onBehalfOf, nonce, fee: 1n },
  }),
});
const dataRegister = (
  from: number,
  over: { contentCid?: string; pieceCid?: string; size?: number; license?: string } = {},
  onBehalfOf: Uint8Array = ZERO_ID,
): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.DataAssetRegister,
    message: {
      contentCid: over.contentCid ?? "bafkqaaa",
      pieceCid: over.pieceCid ?? PIECE_V1,
      size: over.size ?? 2048,
      license: over.license ?? "CC-BY-4.0",
      onBehalfOf,
      nonce,
      fee: 1n,
    },
  }),
});

/** A collection of key 0 whose metadata is immutable, and one with room for a full batch. */
const FROZEN = idOf(0x23);
const ROOMY = idOf(0x24);
const frozenWrite: ObjectWrite = {
  ...collectionWrite(FROZEN, 0, 10, 1),
  value: { ...(collectionWrite(FROZEN, 0, 10, 1).value as StateObjects[Namespace.Collection]), metadataMutable: false },
};
const MINT_STATE: ObjectWrite[] = [
  ...ASSET_STATE,
  ...IDENTITY_STATE.filter((w) => w.ns === Namespace.DataAsset),
  frozenWrite,
  assetWrite(FROZEN, 1, 0, "zero"),
  collectionWrite(ROOMY, 0, 1000, 0),
  assetWrite(ROOMY, 300, 1, "zero"),
];

describe("OneStepExecutor: CID kinds 11, 12, 15 and 40 against the tracer", () => {
  const [C0, C1] = COLLECTIONS as [Uint8Array, Uint8Array];
  const [I0, I1] = IDENTITIES as [Uint8Array, Uint8Array];
  const run = (specs: KindTx[], objects: ObjectWrite[] = MINT_STATE) => checkScenario(kindScenario(specs, objects));

  it("every execution code and every field rule", async () => {
    const cases: [KindTx[], ObjectWrite[]?][] = [
      // successes: the creator, a delegate acting for the creator's identity, every base of CID
      [
        [
          assetMint(0, C0, 10, 1),
          assetMint(2, C0, 11, 3, longCid(7), I0),
          batchMint(0, C0, 20, 2, GOOD_CIDS.slice(0, 4)),
          batchMint(1, C1, 0, 1, [longCid(1)]),
        ],
      ],
      [GOOD_CIDS.map((cid, i) => assetMint(0, ROOMY, 40 + i, 2, cid))],
      [
        [
          metadataUpdate(0, C0, 1, GOOD_CIDS[1]!),
          metadataUpdate(2, C0, 2, longCid(9), I0),
          metadataUpdate(0, C0, 1, GOOD_CIDS[6]!),
        ],
      ],
      [
        [
          dataRegister(0),
          dataRegister(2, { contentCid: longCid(3), license: "l".repeat(256), size: MAX_UINT64_SAFE }, I0),
          dataRegister(1, {
            contentCid: GOOD_CIDS[4]!,
            pieceCid: encodePieceCidV2({ root: new Uint8Array(32).fill(0x3f), height: 31, padding: 127 * 2 ** 28 - 1 }),
          }),
          dataRegister(3, { pieceCid: encodePieceCidV2({ root: new Uint8Array(32), height: 2, padding: 127 }) }),
        ],
      ],
      // a mint then its metadata update, in one block
      [[assetMint(0, C0, 12, 1), metadataUpdate(0, C0, 12, GOOD_CIDS[2]!)]],
      // COLLECTION_NOT_FOUND (1100), NOT_COLLECTION_CREATOR (1105), SUPPLY_CAP_EXCEEDED (1103)
      [
        [
          assetMint(0, NO_COLLECTION, 1, 1),
          batchMint(0, NO_COLLECTION, 1, 1, ["bafkqaaa"]),
          metadataUpdate(0, NO_COLLECTION, 1, "bafkqaaa"),
        ],
      ],
      [[assetMint(1, C0, 10, 1), batchMint(2, C0, 10, 1, ["bafkqaaa"]), metadataUpdate(1, C0, 1, "bafkqaaa")]],
      [[batchMint(1, C1, 10, 1, new Array(5).fill("bafkqaaa")), assetMint(0, C0, 50, 1)]],
      [[assetMint(1, C1, 1, 1)], [...MINT_STATE, collectionWrite(C1, 1, 5, 5)]],
      // ASSET_EXISTS (1102): the first token, a later one after earlier inserts (rolled back), a burned one
      [[assetMint(0, C0, 1, 1), batchMint(0, C0, 0, 1, ["bafkqaaa", "bafkqaaa", "bafkqaaa"]), assetMint(0, C0, 3, 1)]],
      // METADATA_IMMUTABLE (1106), ASSET_NOT_FOUND (1101), ASSET_BURNED (1107)
      [
        [
          metadataUpdate(0, FROZEN, 1, "bafkqaaa"),
          metadataUpdate(0, C0, 99, "bafkqaaa"),
          metadataUpdate(0, C0, 3, "bafkqaaa"),
        ],
      ],
      // acting for an identity: 1300, 1304, 1305, 1306
      [
        [
          assetMint(0, C0, 10, 1, "bafkqaaa", NO_IDENTITY),
          assetMint(1, C0, 10, 1, "bafkqaaa", I0),
          assetMint(3, C0, 10, 1, "bafkqaaa", I0),
          batchMint(2, C1, 10, 1, ["bafkqaaa"], I1),
          metadataUpdate(3, C0, 1, "bafkqaaa", I1),
          dataRegister(0, {}, NO_IDENTITY),
          dataRegister(2, {}, I1),
        ],
      ],
      // INVALID_FIELD (101): each field rule; the block is invalid
      [[assetMint(0, C0, 10, "zero")]],
      [[assetMint(0, C0, MAX_UINT64_SAFE + 1, 1)]],
      ...BAD_CIDS.map((cid): [KindTx[]] => [[assetMint(0, C0, 10, 1, cid)]]),
      [[batchMint(0, C0, 10, 1, [])]],
      [[batchMint(0, C0, 10, "zero", ["bafkqaaa"])]],
      [[batchMint(0, C0, MAX_UINT64_SAFE - 1, 1, ["bafkqaaa", "bafkqaaa", "bafkqaaa"])]],
      [[batchMint(0, C0, 10, 1, ["bafkqaaa", "bafkqaaa", BAD_CIDS[1]!])]],
      [[metadataUpdate(0, C0, 1, BAD_CIDS[2]!)]],
      [[metadataUpdate(0, C0, MAX_UINT64_SAFE + 1, "bafkqaaa")]],
      [[dataRegister(0, { contentCid: BAD_CIDS[3]! })]],
      ...BAD_PIECE_CIDS.map((pieceCid): [KindTx[]] => [[dataRegister(0, { pieceCid })]]),
      [[dataRegister(0, { size: 0 })]],
      [[dataRegister(0, { size: MAX_UINT64_SAFE + 1 })]],
      [[dataRegister(0, { license: "" })]],
    ];
    // The largest first token id a batch may have still mints (its last id is 2^53 − 1).
    cases.push([[batchMint(0, ROOMY, MAX_UINT64_SAFE - 2, 1, ["bafkqaaa", "bafkqaaa", "bafkqaaa"])]]);
    for (const [specs, objects] of cases) await run(specs, objects);
    for (const code of [0, 1100, 1101, 1102, 1103, 1105, 1106, 1107, 1300, 1304, 1305, 1306]) {
      expect(seenCodes, `code ${code}`).toContain(code);
    }
    expect(seenReasons).toContain("101");
  }, 600_000);

  it("an AssetBatchMint of 256 tokens, each CID of 128 bytes", async () => {
    await run([
      batchMint(
        0,
        ROOMY,
        1000,
        3,
        Array.from({ length: 256 }, (_, i) => longCid(i)),
      ),
    ]);
    // And one that fails at its last token, after 255 inserts.
    await run([
      batchMint(
        0,
        ROOMY,
        45,
        3,
        Array.from({ length: 256 }, () => "bafkqaaa"),
      ),
    ]);
  }, 600_000);

  it("gas per step, in a state of 2^16 accounts", async () => {
    const b = buildScenario({
      ...kindScenario(
        [
          assetMint(2, C0, 11, 3, longCid(7), I0),
          batchMint(
            0,
            ROOMY,
            1000,
            3,
            Array.from({ length: 256 }, (_, i) => longCid(i)),
          ),
          metadataUpdate(2, C0, 2, longCid(9), I0),
          dataRegister(
            2,
            {
              contentCid: longCid(3),
              pieceCid: encodePieceCidV2({ root: new Uint8Array(32), height: 31, padding: 127 * 2 ** 28 - 1 }),
              license: "l".repeat(256),
            },
            I0,
          ),
        ],
        MINT_STATE,
      ),
      filler: 2 ** 16,
    });
    const trace = traceOf(b);
    const ctx = ctxOf(b);
    const report: Record<string, { gas: bigint; objects: number; proofDepth: number; proofBytes: number }> = {};
    for (let j = 1; j < trace.steps.length - 1; j++) {
      const p = proveStep(trace, j);
      const proof = encodeStepProof(stepInputs(p));
      expect(await execute(executorFor(b), trace.commitments[j]!, j, ctx, proof)).toBe(
        toHex(trace.commitments[j + 1]!),
      );
      expect(trace.steps[j]!.receipt?.code, `step ${j}`).toBe(0);
      const gas = await stepClient.estimateGas({
        to: executorFor(b),
        data: encodeFunctionData({
          abi,
          functionName: "executeStep",
          args: [toHex(trace.commitments[j]!), BigInt(j), ctx, proof],
        } as never),
      });
      report[TxKind[p.item!.tx!.kind]!] = {
        gas,
        objects: p.objects.length,
        proofDepth: Math.max(0, ...p.objects.map((o) => o.proof.siblings.length)),
        proofBytes: (proof.length - 2) / 2,
      };
    }
    console.log("one-step executor gas of the CID kinds, 2^16 accounts (eth_estimateGas):", report);
    expect(Object.keys(report)).toHaveLength(4);
    // The batch mint's proof is over a Filecoin message's 64 KiB: a game settles it through its store.
    const j = trace.steps.findIndex((_, i) => proveStep(trace, i).item?.tx?.kind === TxKind.AssetBatchMint);
    await settleThroughStore(b, trace, j);
  }, 1_200_000);

  it("fields past their SSZ bounds (which the tracer cannot carry) make the block invalid", async () => {
    /**
     * Traces a block of `spec`, then executes its step with the message `change` makes, signed by
     * the test (the TypeScript cannot encode it). The unchanged message must give the tracer's result.
     */
    const withChanged = async (spec: KindTx, change: (m: Record<string, unknown>) => Record<string, unknown>) => {
      const b = buildScenario(kindScenario([spec], MINT_STATE));
      const trace = traceOf(b);
      const j = 1;
      const p = proveStep(trace, j);
      const tx = p.item!.tx!;
      const run = (message: Record<string, unknown>) => {
        const digest = hashTypedData(CHAIN_ID, txStructs[tx.kind] as never, message as never);
        const signature = signDigest(digest, keys[spec.from]!.priv);
        const hash = keccak256(concat(digest, signature), "bytes");
        const header = { ...b.block.header, txRoot: HashListSsz.hashTreeRoot([hash]) };
        const parts = { ...itemParts(p), message: messageToAbi(tx.kind, message), signature: toHex(signature) };
        return execute(
          executors[0]!,
          trace.commitments[j]!,
          j,
          { blockHash: toHex(blockHash(header)), sequencer: toHex(sequencer.address) },
          encodeStepProof({ ...stepInputs(p), header: headerToAbi(header), ...encodeStepData(p, parts) }),
        );
      };
      const m = tx.message as Record<string, unknown>;
      expect(await run(m), "control").toBe(toHex(trace.commitments[j + 1]!));
      return { post: await run(change(m)), invalid: toHex(stepStateRoot({ ...p.pre, invalid: true })) };
    };
    // A valid CID of 129 bytes, one past MAX_CID_BYTES.
    const over = `${longCid(5)}=`;
    const cases: [string, KindTx, (m: Record<string, unknown>) => Record<string, unknown>][] = [
      [
        "257 CIDs",
        batchMint(0, ROOMY, 1000, 3, ["bafkqaaa"]),
        (m) => ({ ...m, contentCids: new Array(257).fill("bafkqaaa") }),
      ],
      [
        "a batch CID of 129 bytes",
        batchMint(0, ROOMY, 1000, 3, ["bafkqaaa"]),
        (m) => ({ ...m, contentCids: ["bafkqaaa", over] }),
      ],
      ["a mint CID of 129 bytes", assetMint(0, ROOMY, 5, 1), (m) => ({ ...m, contentCid: over })],
      ["a metadata CID of 129 bytes", metadataUpdate(0, ROOMY, 300, "bafkqaaa"), (m) => ({ ...m, contentCid: over })],
      ["a contentCid of 129 bytes", dataRegister(0), (m) => ({ ...m, contentCid: over })],
      ["a pieceCid of 129 bytes", dataRegister(0), (m) => ({ ...m, pieceCid: `${PIECE_V1}${"a".repeat(65)}` })],
      ["a license of 257 bytes", dataRegister(0), (m) => ({ ...m, license: "l".repeat(257) })],
    ];
    for (const [what, spec, change] of cases) {
      const { post, invalid } = await withChanged(spec, change);
      expect(post, what).toBe(invalid);
    }
  }, 300_000);

  const who = fc.integer({ min: 0, max: 3 });
  const target = fc.oneof(who, fc.constant("zero" as const));
  const collectionRef = fc.constantFrom(C0, C1, FROZEN, ROOMY, NO_COLLECTION);
  const tokenRef = fc.oneof(
    fc.integer({ min: 0, max: 4 }),
    fc.constantFrom(300, MAX_UINT64_SAFE - 1, MAX_UINT64_SAFE, MAX_UINT64_SAFE + 1),
  );
  const actingFor = fc.constantFrom(ZERO_ID, ZERO_ID, ZERO_ID, I0, I1, NO_IDENTITY);
  const cidArb = fc.oneof(
    { arbitrary: fc.constantFrom(...GOOD_CIDS), weight: 6 },
    { arbitrary: fc.constantFrom(...BAD_CIDS), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: 255 }).map(longCid), weight: 1 },
  );
  const pieceArb = fc.oneof(
    { arbitrary: fc.constant(PIECE_V1), weight: 4 },
    {
      arbitrary: fc
        .tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 2, max: 31 }), fc.nat())
        .map(([root, height, f]) => {
          const r = root.slice();
          r[31]! &= 0x3f;
          const unpadded = 127 * 2 ** (height - 2);
          const max = height === 2 ? unpadded : unpadded / 2 - 1;
          return encodePieceCidV2({ root: r, height, padding: f % (max + 1) });
        }),
      weight: 2,
    },
    { arbitrary: fc.constantFrom(...BAD_PIECE_CIDS), weight: 1 },
  );
  const specArb: fc.Arbitrary<KindTx> = fc.oneof(
    fc
      .tuple(who, collectionRef, tokenRef, target, cidArb, actingFor)
      .map(([f, c, t, to, cid, b]) => assetMint(f, c, t, to, cid, b)),
    fc
      .tuple(who, collectionRef, tokenRef, target, fc.array(cidArb, { minLength: 0, maxLength: 6 }), actingFor)
      .map(([f, c, t, to, cids, b]) => batchMint(f, c, t, to, cids, b)),
    fc
      .tuple(who, collectionRef, tokenRef, cidArb, actingFor)
      .map(([f, c, t, cid, b]) => metadataUpdate(f, c, t, cid, b)),
    fc
      .tuple(
        who,
        cidArb,
        pieceArb,
        fc.constantFrom(0, 1, 2048, MAX_UINT64_SAFE),
        fc.constantFrom("", "MIT", "l".repeat(256)),
        actingFor,
      )
      .map(([f, contentCid, pieceCid, size, license, b]) =>
        dataRegister(f, { contentCid, pieceCid, size, license }, b),
      ),
    // The other asset kinds, so mints meet transfers and burns in one block.
    fc.tuple(who, collectionRef, tokenRef, target, actingFor).map(([f, c, t, to, b]) => assetTransfer(f, c, t, to, b)),
    fc.tuple(who, collectionRef, tokenRef, actingFor).map(([f, c, t, b]) => assetBurn(f, c, t, b)),
  );
  /** Random collections (creators, supplies, minted counts, mutability), assets and identities. */
  const stateArb = fc
    .record({
      owners: fc.tuple(who, who),
      epochs: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
      delegates: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 1 }),
          who,
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: -2, max: 2 }),
          fc.integer({ min: 0, max: 2 }),
        ),
        { maxLength: 4 },
      ),
      collections: fc.array(
        fc.tuple(who, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 12 }), fc.boolean()),
        { minLength: 4, maxLength: 4 },
      ),
      assets: fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), target, fc.boolean()), {
        maxLength: 6,
      }),
    })
    .map((st) => {
      const cs = [C0, C1, FROZEN, ROOMY, NO_COLLECTION];
      const writes: ObjectWrite[] = [
        identityWrite(0, st.owners[0], st.epochs[0]),
        identityWrite(1, st.owners[1], st.epochs[1]),
      ];
      st.collections.forEach(([creator, maxSupply, minted, mutable], i) => {
        const w = collectionWrite(cs[i]!, creator, maxSupply, Math.min(minted, maxSupply));
        writes.push({ ...w, value: { ...(w.value as StateObjects[Namespace.Collection]), metadataMutable: mutable } });
      });
      for (const [i, key, scope, dt, epoch] of st.delegates) writes.push(delegateWrite(i, key, scope, NOW + dt, epoch));
      for (const [c, t, owner, burned] of st.assets) writes.push(assetWrite(cs[c]!, t, owner, "zero", burned));
      const byId = new Map(writes.map((w) => [`${w.ns}:${toHex(w.id)}`, w]));
      return [...byId.values()];
    });

  it("computes the tracer's T[j + 1] for random states and mints, metadata updates and registrations", async () => {
    await fc.assert(
      fc.asyncProperty(stateArb, fc.array(specArb, { minLength: 1, maxLength: 4 }), (objects, specs) =>
        run(specs, objects),
      ),
      { numRuns: RUNS },
    );
  }, 600_000);

  it("refuses a tampered mint step", async () => {
    const b = buildScenario(kindScenario([batchMint(0, C0, 20, 2, ["bafkqaaa", "bafkqaaa"])], MINT_STATE));
    const trace = traceOf(b);
    const ctx = ctxOf(b);
    const j = 1;
    const p = proveStep(trace, j);
    expect(trace.steps[j]!.receipt?.code).toBe(0);
    const refused = async (tamper: (parts: ItemParts) => void) => {
      const parts = itemParts(p);
      tamper(parts);
      return revertName(
        execute(
          executors[0]!,
          trace.commitments[j]!,
          j,
          ctx,
          encodeStepProof({ ...stepInputs(p), ...encodeStepData(p, parts) }),
        ),
      );
    };
    // A new token claimed present (ASSET_EXISTS would follow): its path changes, so a proof no longer chains.
    expect(
      await refused((parts) => {
        const k = parts.objects.findIndex((o) => o.ns === Namespace.Asset);
        parts.objects[k] = {
          ...parts.objects[k]!,
          present: true,
          value: objectValueToAbi(Namespace.Asset, (assetWrite(C0, 20, 1, "zero").value as never) ?? null),
        };
      }),
    ).toMatch(/^(ObjectValueMismatch|SmtRootMismatch)$/);
    // The second token's object left out.
    expect(
      await refused((parts) => {
        const k = parts.objects.findLastIndex((o) => o.ns === Namespace.Asset);
        parts.objects.splice(k, 1);
      }),
    ).toBe("ObjectMissing");
  });
});

// --- fee allowances, session grants and the Via envelope (kinds 60–63, Via<Name>) ----------------

/** Signers past keys 0–3, none funded: a new player, two session keys, a sponsor without FIL. */
const PLAYER = 4;
const SESSION = 5;
const SESSION2 = 6;
const POOR = 7;
const SIGNERS = [...keys, makeKey(20), makeKey(21), makeKey(22), makeKey(23)];
const who = (i: number | "zero") => (i === "zero" ? new Uint8Array(20) : SIGNERS[i]!.address);
const mask = (...kinds: number[]) => kinds.reduce((m, k) => m | (1n << BigInt(k)), 0n);
const EVERY_KIND = mask(
  1,
  2,
  10,
  11,
  12,
  13,
  14,
  15,
  16,
  17,
  20,
  21,
  22,
  23,
  30,
  31,
  32,
  33,
  34,
  35,
  36,
  40,
  41,
  42,
  50,
  51,
  60,
  61,
  62,
  63,
);
/** What the session grants of these tests allow. */
const SESSION_KINDS = mask(
  TxKind.Transfer,
  TxKind.AssetTransfer,
  TxKind.AssetApprove,
  TxKind.OperatorSet,
  TxKind.TokenTransfer,
  TxKind.TokenBurn,
  TxKind.AttributeSet,
  TxKind.CollectionCreate,
  TxKind.TokenCreate,
  TxKind.TradeFill,
);

type AllowanceOver = Partial<StateObjects[Namespace.FeeAllowance]>;
const allowanceWrite = (
  sponsor: number,
  grantee: number | "zero",
  target: Uint8Array,
  over: AllowanceOver = {},
): ObjectWrite => ({
  ns: Namespace.FeeAllowance,
  id: concat(who(sponsor), who(grantee), target),
  value: {
    totalBudget: 100n,
    spent: 0n,
    periodBudget: 0n,
    period: 0,
    periodStart: NOW - 10,
    periodSpent: 0n,
    maxFeePerTx: 0n,
    kinds: EVERY_KIND,
    expiresAt: 0,
    ...over,
  },
});
type GrantOver = Partial<StateObjects[Namespace.SessionGrant]>;
const sessionWrite = (account: number, key: number, over: GrantOver = {}): ObjectWrite => {
  const tokens = over.tokens ?? [TOKENS[0]!, TOKENS[1]!];
  return {
    ns: Namespace.SessionGrant,
    id: concat(who(account), who(key)),
    value: {
      app: IDENTITIES[0]!,
      kinds: SESSION_KINDS,
      filCap: 10n ** 17n,
      filSpent: 0n,
      filPeriodCap: 0n,
      filPeriodSpent: 0n,
      period: 0,
      periodStart: NOW - 10,
      tokens,
      tokenCaps: tokens.map(() => 30n),
      tokenSpent: tokens.map(() => 0n),
      tokenPeriodCaps: tokens.map(() => 0n),
      tokenPeriodSpent: tokens.map(() => 0n),
      collections: [],
      counterparties: [],
      expiresAt: NOW + 1000,
      revoked: false,
      ...over,
    },
  };
};

/** A transaction of signer `from` (an index into SIGNERS), wrapped in a Via when `via` is given. */
type ViaTxSpec = KindTx & { via?: { sponsor: number | "zero"; account: number | "zero" }; variant?: TxVariant };
const viaTxs =
  (specs: ViaTxSpec[]) =>
  (nonces: number[]): SignedTransaction[] =>
    specs.map((spec) => {
      const nonce = nonces[spec.from] ?? 0;
      nonces[spec.from] = nonce + 1;
      const via = spec.via && { sponsor: who(spec.via.sponsor), account: who(spec.via.account) };
      return withVariant(
        signTransaction(CHAIN_ID, spec.make(nonce), SIGNERS[spec.from]!.priv, via),
        spec.variant ?? "ok",
      );
    });
const sponsored = (spec: KindTx, sponsor: number, account: number | "zero" = "zero"): ViaTxSpec => ({
  ...spec,
  via: { sponsor, account },
});
const asSession = (spec: KindTx, account: number, sponsor: number | "zero" = "zero"): ViaTxSpec => ({
  ...spec,
  via: { sponsor, account },
});
const viaScenario = (specs: ViaTxSpec[], objects: ObjectWrite[]): Scenario => ({
  ...tokenScenario([], objects),
  kindTxs: viaTxs(specs),
});

const feeAllowanceSet = (
  from: number,
  grantee: number | "zero",
  target: Uint8Array,
  over: Record<string, unknown> = {},
): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.FeeAllowanceSet,
    message: {
      grantee: who(grantee),
      target,
      totalBudget: 50n,
      periodBudget: 0n,
      period: 0,
      maxFeePerTx: 0n,
      kinds: mask(TxKind.Transfer, TxKind.AssetTransfer),
      expiresAt: 0,
      nonce,
      fee: 1n,
      ...over,
    } as never,
  }),
});
const feeAllowanceRevoke = (from: number, grantee: number | "zero", target: Uint8Array): KindTx => ({
  from,
  make: (nonce) => ({ kind: TxKind.FeeAllowanceRevoke, message: { grantee: who(grantee), target, nonce, fee: 1n } }),
});
/** The app's SessionRequest signature: by `appSigner` for (account, sessionKey, app, deadline). */
const appSignatureOf = (account: number, sessionKey: number, app: Uint8Array, deadline: number, appSigner: number) =>
  signDigest(
    hashTypedData(CHAIN_ID, SessionRequest, {
      account: who(account),
      sessionKey: who(sessionKey),
      app,
      deadline,
    }),
    SIGNERS[appSigner]!.priv,
  );
type SessionGrantOver = Record<string, unknown> & { appSigner?: number; badSig?: boolean };
const sessionGrant = (from: number, sessionKey: number, over: SessionGrantOver = {}): KindTx => ({
  from,
  make: (nonce) => {
    const { appSigner = 0, badSig = false, ...fields } = over;
    const app = (fields.app as Uint8Array | undefined) ?? IDENTITIES[0]!;
    const requestDeadline = (fields.requestDeadline as number | undefined) ?? NOW + 10;
    let appSignature = appSignatureOf(from, sessionKey, app, requestDeadline, appSigner);
    if (badSig) {
      appSignature = appSignature.slice();
      appSignature[64] = 29;
    }
    return {
      kind: TxKind.SessionGrant,
      message: {
        sessionKey: who(sessionKey),
        app,
        appSignature,
        requestDeadline,
        kinds: SESSION_KINDS,
        filCap: 1000n,
        filPeriodCap: 0n,
        period: 0,
        tokens: [TOKENS[0]!],
        tokenCaps: [5n],
        tokenPeriodCaps: [0n],
        collections: [COLLECTIONS[0]!],
        counterparties: [],
        expiresAt: NOW + 100,
        nonce,
        fee: 1n,
        ...fields,
      } as never,
    };
  },
});
const sessionRevoke = (from: number, account: number | "zero", sessionKey: number | "zero", fee = 1n): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.SessionRevoke,
    message: { account: who(account), sessionKey: who(sessionKey), nonce, fee },
  }),
});
const transferTo = (from: number, to: number, amount: bigint, fee = 1n): KindTx => ({
  from,
  make: (nonce) => ({ kind: TxKind.Transfer, message: { to: who(to), amount, nonce, fee } }),
});
const tokenTransferTx = (from: number, token: Uint8Array, to: number, amount: bigint): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.TokenTransfer,
    message: { tokenId: token, to: who(to), amount, onBehalfOf: ZERO_ID, nonce, fee: 1n },
  }),
});
const tokenBurnTx = (from: number, token: Uint8Array, amount: bigint): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.TokenBurn,
    message: { tokenId: token, amount, onBehalfOf: ZERO_ID, nonce, fee: 1n },
  }),
});
const assetTransferTx = (from: number, c: Uint8Array, tokenId: number, to: number): KindTx => ({
  from,
  make: (nonce) => ({
    kind: TxKind.AssetTransfer,
    message: { collectionId: c, tokenId, to: who(to), onBehalfOf: ZERO_ID, nonce, fee: 1n },
  }),
});
const fillBy = (from: number, maker: number, over: OrderOver = {}): KindTx => ({
  from,
  make: (nonce) => {
    const order = makeOrder(maker, over);
    return {
      kind: TxKind.TradeFill,
      message: { order, makerSignature: makerSignature(order, maker, "ok"), nonce, fee: 1n },
    };
  },
});
const withdrawTo = (from: number, to: number, amount: bigint): KindTx => ({
  from,
  make: (nonce) => ({ kind: TxKind.Withdraw, message: { l1Recipient: who(to), amount, nonce, fee: 1n } }),
});

const [C0g, C1g] = COLLECTIONS as [Uint8Array, Uint8Array];
/**
 * TRADE_STATE (identities 0 and 1 of keys 0 and 1, collections C0 of key 0 and C1 of key 3, assets,
 * tokens and balances, data assets), then the allowances and grants:
 *   key 0 sponsors PLAYER (every kind), anyone acting on C0, and anyone under app identity 0;
 *   key 1 sponsors key 3 for Transfers only (fee ≤ 1), and anyone on C1 (expired);
 *   key 2 sponsors PLAYER (expired) and key 3 (budget spent), and SESSION2 (its period budget spent, period passed);
 *   POOR (no FIL) sponsors PLAYER;
 *   SESSION may act for key 1 (tokens 0 and 1, collections C0, counterparties keys 0 and 2), key 2
 *   (expired), key 3 (revoked) and PLAYER (no FIL); SESSION2 for key 1 with a period cap whose period passed.
 */
const GRANTS_STATE: ObjectWrite[] = [
  ...TRADE_STATE,
  ...TOKEN_STATE.filter((w) => w.ns === Namespace.Token || w.ns === Namespace.TokenBalance),
  dataAssetWrite(0, 0),
  allowanceWrite(0, PLAYER, ZERO_ID),
  allowanceWrite(0, "zero", C0g),
  allowanceWrite(0, "zero", IDENTITIES[0]!),
  allowanceWrite(0, 2, ZERO_ID, { kinds: mask(TxKind.Withdraw, TxKind.Transfer) }),
  allowanceWrite(1, 3, ZERO_ID, { kinds: mask(TxKind.Transfer), maxFeePerTx: 1n }),
  allowanceWrite(1, "zero", C1g, { expiresAt: NOW }),
  allowanceWrite(2, PLAYER, ZERO_ID, { expiresAt: NOW - 1 }),
  allowanceWrite(2, 3, ZERO_ID, { spent: 100n }),
  allowanceWrite(2, SESSION2, ZERO_ID, { periodBudget: 2n, period: 5, periodStart: NOW - 12, periodSpent: 2n }),
  allowanceWrite(2, "zero", TOKENS[0]!, { periodBudget: 1n, period: 100, periodSpent: 1n }),
  allowanceWrite(POOR, PLAYER, ZERO_ID),
  sessionWrite(1, SESSION, { collections: [C0g], counterparties: [keys[0]!.address, keys[2]!.address] }),
  sessionWrite(2, SESSION, { expiresAt: NOW }),
  sessionWrite(3, SESSION, { revoked: true }),
  sessionWrite(PLAYER, SESSION, { filCap: 10n }),
  sessionWrite(1, SESSION2, {
    filCap: 100n,
    filPeriodCap: 5n,
    filPeriodSpent: 5n,
    period: 5,
    periodStart: NOW - 12,
    tokens: [TOKENS[0]!],
    tokenPeriodCaps: [3n],
  }),
];

describe("OneStepExecutor: fee allowances, session grants and Via transactions (kinds 60–63) against the tracer", () => {
  const run = (specs: ViaTxSpec[], objects: ObjectWrite[] = GRANTS_STATE) => checkScenario(viaScenario(specs, objects));
  const codes = new Set<number>();
  const reasons = new Set<string>();
  /** Steps the block on L1 against the tracer; returns its transactions' receipt codes (null: not includable). */
  const track = async (specs: ViaTxSpec[], objects: ObjectWrite[] = GRANTS_STATE) => {
    const b = buildScenario(viaScenario(specs, objects));
    await checkBuilt(b);
    const out: (number | null)[] = [];
    for (const st of traceOf(b).steps) {
      if (st.receipt) codes.add(st.receipt.code);
      if (st.invalidReason !== null) reasons.add(String(st.invalidReason));
      if (st.kind === StepKind.Transaction) out.push(st.receipt?.code ?? null);
    }
    return out;
  };

  it("kinds 60–63: every execution code (1307, 1600–1607) and their successes", async () => {
    const cases: ViaTxSpec[][] = [
      // FeeAllowanceSet: for a grantee; for anyone on the sponsor's collection, token, identity, data
      // asset; NOT_SPONSOR_TARGET (another's collection, no object); EXPIRY_IN_PAST; a replacement.
      [
        feeAllowanceSet(0, PLAYER, ZERO_ID, { periodBudget: 5n, period: 60, expiresAt: NOW + 1 }),
        feeAllowanceSet(0, "zero", C0g),
        feeAllowanceSet(0, "zero", TOKENS[0]!),
        feeAllowanceSet(0, "zero", IDENTITIES[0]!),
        feeAllowanceSet(0, "zero", DATA_ASSETS[0]!),
        feeAllowanceSet(0, "zero", C1g),
        feeAllowanceSet(0, "zero", NO_COLLECTION),
        feeAllowanceSet(1, "zero", TOKENS[0]!),
        feeAllowanceSet(0, 3, ZERO_ID, { expiresAt: NOW }),
        feeAllowanceSet(2, 3, ZERO_ID, { totalBudget: 7n }),
      ],
      // FeeAllowanceRevoke: present (immediately gone: a second revoke finds none), absent.
      [feeAllowanceRevoke(0, PLAYER, ZERO_ID), feeAllowanceRevoke(0, PLAYER, ZERO_ID), feeAllowanceRevoke(3, 0, C0g)],
      // SessionGrant: granted, a replacement of an active grant; EXPIRY_IN_PAST, APP_REQUEST_EXPIRED,
      // APP_NOT_FOUND, APP_NOT_AUTHORIZED, SESSION_KEY_REVOKED (a revoked key never again).
      [
        sessionGrant(0, SESSION2),
        sessionGrant(1, SESSION),
        sessionGrant(2, SESSION2, { expiresAt: NOW }),
        sessionGrant(2, SESSION2, { requestDeadline: NOW - 1 }),
        sessionGrant(2, SESSION2, { app: NO_IDENTITY }),
        sessionGrant(2, SESSION2, { appSigner: 1 }),
        sessionGrant(3, SESSION),
        sessionGrant(2, PLAYER, {
          requestDeadline: NOW,
          period: 10,
          filPeriodCap: 3n,
          tokens: [],
          tokenCaps: [],
          tokenPeriodCaps: [],
        }),
      ],
      // SessionRevoke: by the account, by the key itself (a tombstone stays); NOT_SESSION_PARTY,
      // SESSION_NOT_FOUND, SESSION_KEY_REVOKED.
      [
        sessionRevoke(1, 1, SESSION),
        sessionRevoke(SESSION, 2, SESSION, 0n), // a key with no FIL, at fee 0
        sessionRevoke(0, 1, SESSION2),
        sessionRevoke(0, 0, PLAYER),
        sessionRevoke(3, 3, SESSION),
        sessionRevoke(1, 1, SESSION),
      ],
    ];
    const expected = [
      [0, 0, 0, 0, 0, 1606, 1606, 1606, 1307, 0],
      [0, 1600, 1600],
      [0, 0, 1307, 1605, 1603, 1604, 1602, 0],
      [0, 0, 1607, 1601, 1602, 1602],
    ];
    for (const [i, specs] of cases.entries()) expect(await track(specs), `block ${i}`).toEqual(expected[i]);
    for (const c of [0, 1307, 1600, 1601, 1602, 1603, 1604, 1605, 1606, 1607]) expect(codes, `code ${c}`).toContain(c);
  }, 600_000);

  it("the field rules of kinds 60–63 and of a Via, and BAD_APP_SIGNATURE, make the block invalid", async () => {
    const cases: ViaTxSpec[][] = [
      [feeAllowanceSet(0, PLAYER, ZERO_ID, { kinds: 0n })],
      [feeAllowanceSet(0, PLAYER, ZERO_ID, { kinds: mask(1, 4) })],
      [feeAllowanceSet(0, PLAYER, ZERO_ID, { totalBudget: 0n })],
      [feeAllowanceSet(0, "zero", ZERO_ID)],
      [feeAllowanceSet(0, PLAYER, ZERO_ID, { periodBudget: 3n })],
      [feeAllowanceRevoke(0, "zero", ZERO_ID)],
      [sessionGrant(1, SESSION2, { kinds: mask(TxKind.Transfer, TxKind.Withdraw) })],
      [sessionGrant(1, SESSION2, { kinds: mask(TxKind.Transfer, TxKind.SessionRevoke) })],
      [sessionGrant(1, "zero" as never)],
      [sessionGrant(1, SESSION2, { app: ZERO_ID })],
      [sessionGrant(1, SESSION2, { tokenCaps: [] })],
      [sessionGrant(1, SESSION2, { tokens: [TOKENS[0]!, TOKENS[0]!], tokenCaps: [1n, 1n], tokenPeriodCaps: [0n, 0n] })],
      [sessionGrant(1, SESSION2, { period: 10 })],
      [sessionGrant(1, SESSION2, { filPeriodCap: 3n })],
      [sessionGrant(1, SESSION2, { badSig: true })],
      [sessionRevoke(1, "zero", SESSION)],
      [{ ...transferTo(0, 2, 1n), via: { sponsor: "zero", account: "zero" } }],
    ];
    for (const [i, specs] of cases.entries()) {
      expect(await track(specs), `case ${i}`).toEqual([i === 14 ? 106 : 101].map(() => null));
    }
    for (const r of ["101", "106"]) expect(reasons, `reason ${r}`).toContain(r);
  }, 600_000);

  it("sponsored and session transactions that run: the payer, the actor, what they record", async () => {
    const cases: ViaTxSpec[][] = [
      // A player with no FIL, its fees paid by key 0's allowance: a transfer, created objects (ids from the player's nonces).
      [
        sponsored(transferTo(PLAYER, 2, 0n), 0),
        sponsored(collectionCreate(PLAYER, "Game", "GM") as ViaTxSpec, 0),
        sponsored(tokenCreateTx(PLAYER, "Gold"), 0),
        sponsored(transferTo(PLAYER, 1, 0n), 0, PLAYER), // account = the signer: not a session
      ],
      // A session key acting for key 1, paying from key 1 within its FIL cap: a transfer, a token transfer
      // and a burn (token caps), an asset transfer on C0, an attribute, a fill of key 0's sell order (price counted).
      [
        asSession(transferTo(SESSION, 2, 1000n), 1),
        asSession(tokenTransferTx(SESSION, TOKENS[0]!, 2, 10n), 1),
        asSession(tokenBurnTx(SESSION, TOKENS[1]!, 3n), 1),
        asSession(assetTransferTx(SESSION, C0g, 2, 2), 1),
        asSession(attrSet(SESSION, IDENTITIES[1]!, "game", "on"), 1),
        asSession(fillBy(SESSION, 0, { price: 777n }), 1),
        asSession(collectionCreate(SESSION, "Sess", "SS") as ViaTxSpec, 1),
      ],
      // A session key and a sponsor: (0, actor, 0) absent, (0, 0, C0) pays the asset transfer, (0, 0, app) the transfer.
      [
        asSession(assetTransferTx(SESSION, C0g, 2, 0), 1, 0),
        asSession(transferTo(SESSION, 0, 5n), 1, 0),
        asSession(tokenTransferTx(SESSION, TOKENS[0]!, 0, 1n), 1, 0),
      ],
      // Sponsored kinds 60–63 themselves; a SessionGrant paid under its own app (0, 0, app); a sponsored Withdraw.
      [
        sponsored(sessionGrant(2, SESSION2), 0),
        sponsored(feeAllowanceSet(PLAYER, 3, ZERO_ID), 0),
        sponsored(sessionRevoke(PLAYER, PLAYER, SESSION), 0),
        sponsored(withdrawTo(2, 1, 10n ** 15n), 0),
      ],
      // The rules fail in a session transaction: only the fee stays recorded (a token balance too low).
      [
        asSession(tokenTransferTx(SESSION, TOKENS[1]!, 2, 20n), 1),
        asSession(tokenTransferTx(SESSION, TOKENS[0]!, 2, 3n), 1),
      ],
      // Periods that passed: the grant's FIL and token period spending and an allowance's restart.
      [
        asSession(transferTo(SESSION2, 2, 3n), 1),
        asSession(tokenTransferTx(SESSION2, TOKENS[0]!, 2, 2n), 1, 0),
        sponsored(transferTo(SESSION2, 1, 0n), 2),
      ],
    ];
    const expected = [
      [0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0],
      [0, 0, 0, 0],
      [1203, 0],
      [0, 0, 0],
    ];
    for (const [i, specs] of cases.entries()) expect(await track(specs), `block ${i}`).toEqual(expected[i]);
  }, 600_000);

  it("every inclusion code of a Via transaction (205–214, 202) makes the block invalid", async () => {
    const ok = sponsored(transferTo(PLAYER, 2, 0n), 0);
    const cases: [ViaTxSpec, number][] = [
      [asSession(transferTo(SESSION, 2, 1n), 0), 205],
      [asSession(transferTo(SESSION, 2, 1n), 3), 206],
      [asSession(transferTo(SESSION, 0, 1n), 2), 207],
      [asSession(identityUpdate(SESSION, IDENTITIES[1]!, "bafkqaaa") as ViaTxSpec, 1), 208],
      [asSession(assetTransferTx(SESSION, C1g, 7, 2), 1), 209],
      [asSession(transferTo(SESSION, 3, 1n), 1), 209],
      [asSession(transferTo(SESSION, 2, 10n ** 17n), 1), 210],
      [asSession(tokenTransferTx(SESSION, TOKENS[0]!, 2, 31n), 1), 210],
      [asSession(tokenTransferTx(SESSION, NO_TOKEN, 2, 1n), 1), 210],
      [asSession(transferTo(SESSION2, 2, 5n), 1), 210],
      [asSession(tokenTransferTx(SESSION2, TOKENS[0]!, 2, 4n), 1), 210],
      [sponsored(transferTo(PLAYER, 2, 0n), 3), 211],
      [sponsored(transferTo(PLAYER, 2, 0n), 2), 212],
      [sponsored(tokenCreateTx(3, "X"), 1), 213],
      [sponsored(assetTransferTx(3, C1g, 7, 0), 1), 213],
      [sponsored(transferTo(3, 2, 0n, 2n), 1), 214],
      [sponsored(transferTo(3, 2, 0n), 2), 214],
      [sponsored(tokenTransferTx(1, TOKENS[0]!, 2, 1n), 2), 214],
      [sponsored(transferTo(PLAYER, 2, 0n), POOR), 202],
      [asSession(transferTo(SESSION, 2, 0n), PLAYER), 202],
      [{ ...transferTo(PLAYER, 2, 0n), via: { sponsor: "zero", account: PLAYER } }, 202],
    ];
    for (const [spec, code] of cases) {
      const b = buildScenario(viaScenario([ok, spec], GRANTS_STATE));
      await checkBuilt(b);
      // The first transaction runs; the second is the one the block cannot include, for `code`.
      const steps = traceOf(b).steps.filter((st) => st.kind === StepKind.Transaction);
      expect(steps.map((st) => st.invalidReason)).toEqual([null, code]);
      reasons.add(String(code));
    }
    for (const c of [202, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214])
      expect(reasons, `reason ${c}`).toContain(String(c));
  }, 900_000);

  it("EXECUTION_FAULT of a Via transaction: a fee that would carry the proposer past 2^256 − 1", async () => {
    const rich: ObjectWrite = {
      ns: Namespace.Account,
      id: sequencer.address,
      value: { balance: MAX_UINT256, nonce: 0 },
    };
    for (const spec of [
      sponsored(transferTo(PLAYER, 2, 0n), 0),
      asSession(tokenTransferTx(SESSION, TOKENS[0]!, 2, 1n), 1),
      sponsored(withdrawTo(2, 1, 1n), 0),
    ]) {
      const b = buildScenario(viaScenario([spec], [...GRANTS_STATE, rich]));
      await checkBuilt(b);
      const steps = traceOf(b).steps.filter((st) => st.kind === StepKind.Transaction);
      expect(steps.map((st) => st.invalidReason)).toEqual([204]);
    }
  });

  it("itemHash of a revealed Via transaction (the dispute's item reveal) is its tx hash", async () => {
    const txs = viaTxs([
      sponsored(transferTo(PLAYER, 2, 0n), 0),
      asSession(fillBy(SESSION, 0), 1, 0),
      sponsored(sessionGrant(2, SESSION2), 0),
    ])(keys.map(() => 0));
    for (const tx of txs) {
      const hash = txHashOf(tx);
      const { l1Message, data } = encodeRevealedItem({ tx } as never, hash);
      const got = await clients.publicClient.readContract({
        address: executors[0]!,
        abi,
        functionName: "itemHash",
        args: [l1Message, data],
      } as never);
      expect(got).toBe(toHex(hash));
    }
  });

  it("forced Via and grant transactions: decoded, included, and each code", async () => {
    const parent = forcedParent(0, GRANTS_STATE);
    const bytesOf = (spec: ViaTxSpec, nonce: number, variant: TxVariant = "ok") => {
      const via = spec.via && { sponsor: who(spec.via.sponsor), account: who(spec.via.account) };
      return encodeSignedTx(
        withVariant(signTransaction(CHAIN_ID, spec.make(nonce), SIGNERS[spec.from]!.priv, via), variant),
      );
    };
    const b = messagesBlock(parent, [
      { raw: bytesOf(sponsored(transferTo(PLAYER, 2, 0n), 0), 0) },
      { raw: bytesOf(asSession(transferTo(SESSION, 2, 5n), 1), 0) },
      { raw: bytesOf(sessionGrant(0, SESSION2), 0) },
      { raw: bytesOf(sessionGrant(0, SESSION2, { badSig: true }), 1) },
      { raw: bytesOf(sessionGrant(0, SESSION2, { kinds: 0n, badSig: true }), 1) },
      { raw: bytesOf(feeAllowanceSet(0, PLAYER, ZERO_ID), 1) },
      { raw: bytesOf(sponsored(transferTo(PLAYER, 2, 0n), 3), 1) },
      { raw: bytesOf({ ...transferTo(PLAYER, 2, 0n), via: { sponsor: "zero", account: "zero" } }, 1) },
      { raw: bytesOf(asSession(transferTo(SESSION, 2, 5n), 0), 1) },
      {
        raw: (() => {
          const x = bytesOf(sponsored(transferTo(PLAYER, 2, 0n), 0), 1);
          return x.subarray(0, 78 + 30); // a Via body shorter than sponsor ‖ account
        })(),
      },
    ]);
    await checkMessages(b);
    const trace = traceOf(b);
    const got = trace.steps.flatMap((s) => (s.kind === StepKind.L1Message && s.receipt ? [s.receipt.code] : []));
    expect(got).toEqual([0, 0, 0, 106, 101, 0, 211, 101, 205, 100]);
    expect(trace.steps.every((s) => s.invalidReason === null)).toBe(true);
  }, 600_000);

  it("computes the tracer's T[j + 1] for random Via transactions over random allowances and grants", async () => {
    const signer = fc.constantFrom(0, 1, 2, 3, PLAYER, SESSION, SESSION2);
    const party = fc.constantFrom<number | "zero">("zero", 0, 1, 2, 3, PLAYER);
    const kindSpec = fc.oneof(
      fc
        .tuple(signer, fc.integer({ min: 0, max: 3 }), fc.bigInt({ min: 0n, max: 50n }))
        .map(([f, to, a]) => transferTo(f, to, a)),
      fc
        .tuple(signer, fc.constantFrom(0, 1), fc.integer({ min: 0, max: 3 }), fc.bigInt({ min: 1n, max: 40n }))
        .map(([f, t, to, a]) => tokenTransferTx(f, TOKENS[t]!, to, a)),
      fc.tuple(signer, fc.constantFrom(1, 2)).map(([f, id]) => assetTransferTx(f, C0g, id, 2)),
      fc.tuple(signer, fc.bigInt({ min: 0n, max: 2000n })).map(([f, price]) => fillBy(f, 0, { price })),
    );
    const spec = fc
      .tuple(kindSpec, party, party)
      .map(([k, sponsor, account]) =>
        sponsor === "zero" && account === "zero" ? (k as ViaTxSpec) : { ...k, via: { sponsor, account } },
      );
    const stateArb = fc
      .record({
        allowances: fc.array(
          fc.tuple(
            fc.constantFrom(0, 1, 2),
            fc.constantFrom<number | "zero">("zero", 1, 2, 3, PLAYER),
            fc.constantFrom(ZERO_ID, C0g, TOKENS[0]!, IDENTITIES[0]!),
            fc.record({
              totalBudget: fc.bigInt({ min: 1n, max: 4n }),
              spent: fc.bigInt({ min: 0n, max: 3n }),
              maxFeePerTx: fc.bigInt({ min: 0n, max: 2n }),
              kinds: fc.constantFrom(EVERY_KIND, mask(TxKind.Transfer), mask(TxKind.TokenTransfer, TxKind.TradeFill)),
              expiresAt: fc.constantFrom(0, NOW, NOW + 5),
              period: fc.constantFrom(0, 3),
            }),
          ),
          { maxLength: 5 },
        ),
        grants: fc.array(
          fc.tuple(
            fc.constantFrom(1, 2, PLAYER),
            fc.constantFrom(SESSION, SESSION2),
            fc.record({
              filCap: fc.bigInt({ min: 0n, max: 2000n }),
              filPeriodCap: fc.bigInt({ min: 0n, max: 60n }),
              revoked: fc.boolean(),
              expiresAt: fc.constantFrom(NOW, NOW + 100),
              collections: fc.constantFrom([], [C0g], [C1g]),
              counterparties: fc.constantFrom([], [keys[2]!.address], [keys[0]!.address, keys[1]!.address]),
              tokenCap: fc.bigInt({ min: 0n, max: 40n }),
            }),
          ),
          { maxLength: 3 },
        ),
      })
      .map((st) => {
        const writes: ObjectWrite[] = [
          ...TRADE_STATE,
          ...TOKEN_STATE.filter((w) => w.ns === Namespace.Token || w.ns === Namespace.TokenBalance),
        ];
        for (const [s, g, t, o] of st.allowances) {
          writes.push(
            allowanceWrite(s, g, t, {
              ...o,
              spent: o.spent > o.totalBudget ? o.totalBudget : o.spent,
              periodBudget: o.period > 0 ? 2n : 0n,
              periodSpent: o.period > 0 ? 1n : 0n,
              periodStart: NOW - 7,
            }),
          );
        }
        for (const [a, k, o] of st.grants) {
          writes.push(
            sessionWrite(a, k, {
              filCap: o.filCap,
              filPeriodCap: o.filPeriodCap,
              period: o.filPeriodCap > 0n ? 4 : 0,
              periodStart: NOW - 9,
              revoked: o.revoked,
              expiresAt: o.expiresAt,
              collections: [...o.collections],
              counterparties: [...o.counterparties],
              tokens: [TOKENS[0]!],
              tokenCaps: [o.tokenCap],
              tokenSpent: [0n],
              tokenPeriodCaps: [0n],
              tokenPeriodSpent: [0n],
            }),
          );
        }
        const byId = new Map(writes.map((w) => [`${w.ns}:${toHex(w.id)}`, w]));
        return [...byId.values()];
      });
    await fc.assert(
      fc.asyncProperty(stateArb, fc.array(spec, { minLength: 1, maxLength: 4 }), (objects, specs) =>
        run(specs, objects),
      ),
      { numRuns: RUNS },
    );
  }, 900_000);
});
