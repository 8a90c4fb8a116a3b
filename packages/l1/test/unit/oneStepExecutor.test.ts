/**
 * The one-step executor (contracts/OneStepExecutor.sol) against the TypeScript tracer
 * (@filverse/state traceBlock and proveStep), on the hardhat L1: for random parent states and
 * blocks of FIL deposits and Transfers (successes, INSUFFICIENT_BALANCE, and every inclusion rule a
 * Transfer can break), every step's post-commitment on L1 equals the tracer's T[j + 1]; tampered
 * proofs revert; steps not supported yet revert with their typed error. FILVERSE_FUZZ_RUNS sets the
 * run count. The gas of each step kind is printed (docs/fault-proofs.md lists it).
 */
import {
  depositHash as depositHashOf,
  privateKeyToAddress,
  signBlockHeader,
  signTransaction,
  txHash as txHashOf,
} from "@filverse/crypto";
import {
  applyBlock,
  createGenesis,
  GLOBALS_ID,
  proveStep,
  type State,
  StepKind,
  type StepProof,
  traceBlock,
} from "@filverse/state";
import {
  type BlockHeader,
  blockHash,
  type Deposit,
  encodeSignedTx,
  HashListSsz,
  Namespace,
  type SignedBlock,
  type SignedTransaction,
  TxKind,
} from "@filverse/types";
import { toHex } from "@filverse/utils";
import fc from "fast-check";
import { type Abi, type Address, BaseError, ContractFunctionRevertedError, encodeFunctionData, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import { createL1Clients, type L1Clients } from "../../src/clients.js";
import { deployOneStepExecutor } from "../../src/deploy.js";
import { type LocalL1, startLocalL1 } from "../../src/devL1.js";
import {
  encodeStepData,
  encodeStepProof,
  headerToAbi,
  itemParts,
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

beforeAll(async () => {
  abi = loadArtifact("OneStepExecutor").abi;
  l1 = await startLocalL1();
  clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 25, retryCount: 0 });
  const [deployer] = await clients.walletClient.getAddresses();
  for (const minTxFee of MIN_FEES) {
    const { executor } = await deployOneStepExecutor(clients, deployer!, {
      l2ChainId: CHAIN_ID,
      maxBlockTxs: MAX_BLOCK_TXS,
      maxBlockDeposits: MAX_BLOCK_DEPOSITS,
      minTxFee,
    });
    executors.push(executor);
  }
}, 90_000);
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

async function execute(executor: Address, pre: Uint8Array, step: number, ctx: Ctx, proof: Hex): Promise<Hex> {
  return (await clients.publicClient.readContract({
    address: executor,
    abi,
    functionName: "executeStep",
    args: [toHex(pre), BigInt(step), ctx, proof],
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
};

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

  const seenReasons = new Set<string>();
  const seenCodes = new Set<number>();

  async function checkScenario(sc: Scenario): Promise<void> {
    const b = buildScenario(sc);
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
      const kind = p.item?.tx ? ` ${TxKind[p.item.tx.kind]}` : "";
      const name = `${p.kind}${kind}${st.invalidReason !== null ? " (invalid)" : ""}`;
      const gas = await clients.publicClient.estimateGas({
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
      funding: [10n ** 18n, 10n ** 17n, 0n, 0n],
      deposits: [[2, 5n]],
      txs: [
        { kind: TxKind.Transfer, from: 0, to: 1, amount: 7n, fee: 1n, variant: "ok" },
        { kind: TxKind.Withdraw, from: 0, to: 3, amount: 5n, fee: 1n, variant: "ok" },
      ],
      minFee: 0,
      wrongRoot: null,
      headerFault: null,
      filler: 2 ** 16,
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
      report[`${p.kind}${kind}`] = { gas, proofDepth: Math.max(0, ...p.objects.map((o) => o.proof.siblings.length)) };
    }
    console.log("one-step executor gas, 2^16 accounts (eth_estimateGas):", report);
    expect(Object.keys(report)).toHaveLength(5);
  }, 120_000);
});

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

  it("a forced transaction, with UnsupportedForcedTransaction", async () => {
    const w = buildScenario({
      funding: [10n ** 18n, 0n, 0n, 0n],
      deposits: [],
      txs: [],
      minFee: 0,
      wrongRoot: null,
      headerFault: null,
    });
    const tx = signTransaction(
      CHAIN_ID,
      { kind: TxKind.Transfer, message: { to: keys[1]!.address, amount: 5n, nonce: 0, fee: 0n } },
      keys[0]!.priv,
    );
    const forced: Deposit = {
      l1Nonce: w.parentHeader.l1DepositNonce + 1,
      l1BlockNumber: 99,
      l1TxHash: new Uint8Array(32).fill(3),
      from: keys[0]!.address,
      to: new Uint8Array(20),
      amount: 0n,
      forcedTx: encodeSignedTx(tx),
    };
    // Includable, so the block lists it under its own tx hash.
    const header = { ...w.block.header, txRoot: HashListSsz.hashTreeRoot([txHashOf(tx)]) };
    const block = { ...w.block, header, deposits: [forced], signature: signBlockHeader(header, sequencer.priv) };
    const built = { ...w, block };
    const t = traceOf(built);
    const p = proveStep(t, 1);
    expect(p.kind).toBe(StepKind.L1Message);
    expect(
      await revertName(execute(executors[0]!, t.commitments[1]!, 1, ctxOf(built), encodeStepProof(stepInputs(p)))),
    ).toBe("UnsupportedForcedTransaction");
  });

  it("a kind it does not execute yet, with UnsupportedKind", async () => {
    const w = buildScenario({
      funding: [10n ** 18n, 0n, 0n, 0n],
      deposits: [],
      txs: [],
      minFee: 0,
      wrongRoot: null,
      headerFault: null,
    });
    const tx = signTransaction(
      CHAIN_ID,
      {
        kind: TxKind.CollectionCreate,
        message: { name: "C", symbol: "C", royaltyBps: 0, maxSupply: 1, metadataMutable: false, nonce: 0, fee: 0n },
      },
      keys[0]!.priv,
    );
    const header = { ...w.block.header, txRoot: HashListSsz.hashTreeRoot([txHashOf(tx)]) };
    const block = { ...w.block, header, transactions: [tx], signature: signBlockHeader(header, sequencer.priv) };
    const built = { ...w, block };
    const t = traceOf(built);
    const p = proveStep(t, 1);
    expect(p.kind).toBe(StepKind.Transaction);
    expect(
      await revertName(execute(executors[0]!, t.commitments[1]!, 1, ctxOf(built), encodeStepProof(stepInputs(p)))),
    ).toBe("UnsupportedKind");
  });
});
