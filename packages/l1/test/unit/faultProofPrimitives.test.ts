/**
 * The one-step proof primitives in Solidity (contracts/StateProofs.sol, Ssz.sol, SszObjects.sol,
 * Eip712Tx.sol) against the TypeScript they re-implement, on the hardhat L1: sparse-Merkle proofs
 * and updates against states built with @filverse/state, SSZ roots against @chainsafe/ssz, and
 * transaction digests, hashes and senders against @filverse/crypto. FILVERSE_FUZZ_RUNS sets the run
 * count of each property. The gas of each primitive is printed (docs/fault-proofs.md lists it).
 */

import { readFileSync } from "node:fs";
import {
  depositHash,
  domainSeparator,
  getHasher,
  privateKeyToAddress,
  type SmtProof,
  type SmtSiblingPreimage,
  signTransaction,
  smtLeafHash,
  smtRootFromProof,
  sszListProof,
  txHash,
  txSigningDigest,
  verifyTransaction,
} from "@filverse/crypto";
import { MAX_UINT64_SAFE, MAX_UINT256 } from "@filverse/params";
import { proveObject, State, stateKey, verifyObjectProof, withdrawalLeaf } from "@filverse/state";
import { arbitraryMessage } from "@filverse/test-utils";
import {
  AccessGrantRecord,
  Account,
  Asset,
  Attribute,
  BlockHeader,
  blockHash,
  Collection,
  DataAsset,
  Delegate,
  Deposit as DepositType,
  FeeAllowance,
  type FieldType,
  Globals,
  HandleRecord,
  HashListSsz,
  Identity,
  Namespace,
  OperatorApproval,
  OrderStatus,
  Receipt,
  ReceiptListSsz,
  SessionGrantRecord,
  type SignedTransaction,
  type StructType,
  signedTxFromJson,
  Token,
  TokenBalance,
  Transfer,
  TxKind,
  txStructs,
  USER_TX_KINDS,
  type UserTxKind,
  type Withdrawal,
} from "@filverse/types";
import { fromHex, toHex, utf8ToBytes } from "@filverse/utils";
import fc from "fast-check";
import {
  type Abi,
  type AbiParameter,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  concatHex,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  keccak256,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import { createL1Clients, type L1Clients } from "../../src/clients.js";
import { type LocalL1, startLocalL1 } from "../../src/devL1.js";
import { compileTestHarness } from "./harness.js";

const RUNS = Number(process.env.FILVERSE_FUZZ_RUNS ?? 25);
const CHAIN_ID = 3_141_592_601;

let l1: LocalL1;
let clients: L1Clients;
let harness: Address;
let abi: Abi;
/** The SSZ roots of FeeAllowance and SessionGrantRecord (GrantsHarness), and ViaExecutor's Via type hashes. */
let grantsHarness: Address;
let grantsAbi: Abi;
let viaExecutor: Address;

beforeAll(async () => {
  const [artifact, node] = await Promise.all([
    compileTestHarness("FaultProofHarness", ["Ssz.sol", "SszObjects.sol", "StateProofs.sol", "Eip712Tx.sol"]),
    startLocalL1(),
  ]);
  l1 = node;
  abi = artifact.abi;
  clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 25, retryCount: 0 });
  const [deployer] = await clients.walletClient.getAddresses();
  const hash = await clients.walletClient.deployContract({
    abi,
    bytecode: artifact.bytecode,
    account: deployer!,
    chain: clients.walletClient.chain,
  });
  harness = (await clients.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
  const grants = await compileTestHarness("GrantsHarness", ["Ssz.sol", "SszObjects.sol"]);
  grantsAbi = grants.abi;
  const via = loadArtifact("ViaExecutor");
  for (const [c, set] of [
    [grants, (a: Address) => (grantsHarness = a)],
    [via, (a: Address) => (viaExecutor = a)],
  ] as const) {
    const h = await clients.walletClient.deployContract({
      abi: c.abi,
      bytecode: c.bytecode,
      account: deployer!,
      chain: clients.walletClient.chain,
    });
    set((await clients.publicClient.waitForTransactionReceipt({ hash: h })).contractAddress!);
  }
}, 90_000);
afterAll(async () => {
  await l1?.stop();
});

const call = async <T>(functionName: string, args: readonly unknown[] = []): Promise<T> =>
  (await clients.publicClient.readContract({ address: harness, abi, functionName, args } as never)) as T;

/** eth_estimateGas of a call to the harness: the primitive plus the transaction's base and calldata cost. */
const gasOf = async (functionName: string, args: readonly unknown[]): Promise<bigint> =>
  clients.publicClient.estimateGas({
    to: harness,
    data: encodeFunctionData({ abi, functionName, args } as never),
  });

/** The custom error a call reverted with (viem decodes it from the harness ABI). */
async function revertName(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof BaseError)) return undefined;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  return revert?.data?.errorName;
}

const gasReport: Record<string, bigint> = {};
afterAll(() => {
  if (Object.keys(gasReport).length > 0) console.log("fault-proof primitive gas (eth_estimateGas):", gasReport);
});

// --- sparse Merkle tree ------------------------------------------------------------------------

const ZERO32 = `0x${"00".repeat(32)}` as Hex;

function proofToAbi(p: SmtProof) {
  return {
    siblings: p.siblings.map(toHex),
    hasLeaf: p.leaf !== null,
    leafKey: p.leaf ? toHex(p.leaf.key) : ZERO32,
    leafValueHash: p.leaf ? toHex(p.leaf.valueHash) : ZERO32,
  };
}

function siblingToAbi(s: SmtSiblingPreimage | null) {
  if (s === null) return { isLeaf: false, a: ZERO32, b: ZERO32 };
  if (s.leaf) return { isLeaf: true, a: toHex(s.leaf.key), b: toHex(s.leaf.valueHash) };
  return { isLeaf: false, a: toHex(s.branch.left), b: toHex(s.branch.right) };
}

const arbAccount = fc.record({
  balance: fc.bigInt({ min: 0n, max: MAX_UINT256 }),
  nonce: fc.integer({ min: 0, max: MAX_UINT64_SAFE }),
});

/** A 32-byte key near `base`: one bit flipped and the bits below it random, so keys share long prefixes. */
const arbNearKey = (base: Uint8Array) =>
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 32, maxLength: 32 })).map(([bit, noise]) => {
    const key = base.slice();
    const byte = bit >>> 3;
    key[byte] = (key[byte]! ^ (0x80 >>> (bit & 7))) & 0xff;
    const keep = 0xff << (7 - (bit & 7));
    key[byte] = (key[byte]! & keep) | (noise[byte]! & ~keep & 0xff);
    for (let i = byte + 1; i < 32; i++) key[i] = noise[i]!;
    return key;
  });

/**
 * A state built with @filverse/state: genesis plus accounts under their real keys, plus accounts
 * under keys crafted to share long prefixes (so proofs run deep and splits and lifts cross many levels).
 */
const arbState = fc
  .tuple(
    fc.array(fc.tuple(fc.uint8Array({ minLength: 20, maxLength: 20 }), arbAccount), { maxLength: 24 }),
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fc.integer({ min: 0, max: 6 }),
  )
  .chain(([accounts, base, near]) =>
    fc.tuple(
      fc.constant(accounts),
      fc.constant(base),
      fc.array(fc.tuple(arbNearKey(base), arbAccount), { maxLength: near }),
    ),
  )
  .map(([accounts, base, near]) => {
    const writes = [
      ...accounts.map(([id, value]) => ({ ns: Namespace.Account, id, value })),
      { ns: Namespace.Account, id: base.subarray(0, 20), value: { balance: 1n, nonce: 0 }, key: base },
      ...near.map(([key, value]) => ({ ns: Namespace.Account, id: key.subarray(0, 20), value, key })),
    ];
    const keys = writes.map((w) => ("key" in w && w.key ? w.key : stateKey(w.ns, w.id)));
    return { state: State.genesis().withChanges(writes, [], []), keys };
  });

/** What one step does to one key: set it to an account (insert or update) or delete it. */
const arbOp = (keys: Uint8Array[]) =>
  fc.record({
    key: fc.oneof(
      { arbitrary: fc.constantFrom(...keys), weight: 3 },
      { arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }), weight: 1 },
      { arbitrary: arbNearKey(keys[keys.length - 1]!), weight: 1 },
    ),
    value: fc.option(arbAccount, { nil: null }),
  });

describe("StateProofs (sparse Merkle tree) equals @filverse/crypto and @filverse/state", () => {
  it("verifies what proveObject serves, for present and absent objects, and rejects a wrong value", async () => {
    await fc.assert(
      fc.asyncProperty(arbState, fc.uint8Array({ minLength: 20, maxLength: 20 }), async ({ state }, fresh) => {
        const { objectsRoot, withdrawalsRoot, stateRoot } = state.roots();
        expect(await call<Hex>("stateRoot", [toHex(objectsRoot), toHex(withdrawalsRoot)])).toBe(toHex(stateRoot));
        const present = [...state.objects.entries()].find((e) => e.value.ns === Namespace.Account);
        const cases = [
          proveObject(state, Namespace.Account, fresh),
          ...(present ? [proveObject(state, Namespace.Account, present.value.id)] : []),
        ];
        for (const p of cases) {
          expect(verifyObjectProof(stateRoot, p)).toBe(true);
          const valueHash = p.value === null ? ZERO32 : toHex(Account.hashTreeRoot(p.value as Account));
          const args = [toHex(p.proof.key), valueHash, p.value !== null, proofToAbi(p.proof)];
          expect(await call<Hex>("smtRootFromProof", args)).toBe(toHex(objectsRoot));
          expect(await call<boolean>("smtVerify", [toHex(objectsRoot), ...args])).toBe(true);
          // A wrong value, or absence claimed for a present key (and the reverse), is refused as TS refuses it.
          const wrong = [toHex(p.proof.key), toHex(new Uint8Array(32).fill(7)), true, proofToAbi(p.proof)];
          expect(await revertName(call("smtVerify", [toHex(objectsRoot), ...wrong]))).toBe("SmtClaimMismatch");
          const flipped = [toHex(p.proof.key), valueHash, p.value === null, proofToAbi(p.proof)];
          expect(await revertName(call("smtVerify", [toHex(objectsRoot), ...flipped]))).toBe("SmtClaimMismatch");
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("computes the root after an update, insert or delete, equal to State.withChanges", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbState.chain((s) => fc.tuple(fc.constant(s), fc.array(arbOp(s.keys), { minLength: 1, maxLength: 4 }))),
        async ([{ state: start }, ops]) => {
          // Sequential proofs, each against the root the previous update left: how one step touches several keys.
          let state = start;
          for (const op of ops) state = (await checkUpdate(state, op.key, op.value)).next;
        },
      ),
      { numRuns: 2 * RUNS },
    );
  });

  it("every rule of the compact tree, on a fixed state: set, insert at an empty side or beside a leaf, delete with or without a lift, delete of an absent key", async () => {
    // Sixteen accounts, plus keys near one of them (one bit flipped, the rest kept) so that
    // branches with an empty side exist.
    const base = stateKey(Namespace.Account, new Uint8Array(20).fill(1));
    const near = (bit: number) => {
      const k = base.slice();
      k[bit >>> 3] = k[bit >>> 3]! ^ (0x80 >>> (bit & 7));
      return k;
    };
    const writes = Array.from({ length: 16 }, (_, i) => ({
      ns: Namespace.Account,
      id: new Uint8Array(20).fill(i + 1),
      value: { balance: BigInt(i), nonce: i },
    }));
    let state = State.genesis().withChanges(
      [
        ...writes,
        { ns: Namespace.Account, id: near(20).subarray(0, 20), value: { balance: 7n, nonce: 7 }, key: near(20) },
      ],
      [],
      [],
    );
    const present = [...state.objects.entries()].map((e) => e.key);
    const value = { balance: 5n, nonce: 5 };
    const candidates: [Uint8Array, Account | null][] = [
      [present[0]!, value],
      [near(12), value], // walks into the chain under the base key: an empty side
      [near(200), value], // shares 200 bits with the base key: split beside it
      [new Uint8Array(32).fill(0xee), null],
      ...present.map((k): [Uint8Array, Account | null] => [k, null]),
    ];
    const seen = new Set<string>();
    for (const [key, v] of candidates) {
      const { next, rule } = await checkUpdate(state, key, v);
      seen.add(rule);
      state = next;
    }
    expect([...seen].sort()).toEqual(
      ["delete absent", "delete, lift", "delete, no lift", "insert at empty", "insert beside a leaf", "set"].sort(),
    );
    // Deleting what is left returns to the empty tree, through the compact forms.
    for (const e of [...state.objects.entries()]) state = (await checkUpdate(state, e.key, null)).next;
    expect(toHex(state.objects.root())).toBe(ZERO32);
  });

  it("refuses a proof against another root, and a forged sibling preimage", async () => {
    const accounts = Array.from({ length: 12 }, (_, i) => ({
      ns: Namespace.Account,
      id: new Uint8Array(20).fill(i + 1),
      value: { balance: BigInt(i), nonce: i },
    }));
    const state = State.genesis().withChanges(accounts, [], []);
    const key = stateKey(Namespace.Account, accounts[3]!.id);
    const proof = proofToAbi(state.objects.prove(key));
    const sibling = state.objects.proveLastSibling(key)!;
    const root = toHex(state.objects.root());
    const otherRoot = toHex(new Uint8Array(32).fill(9));
    expect(
      await revertName(call("smtUpdate", [otherRoot, toHex(key), ZERO32, false, proof, siblingToAbi(sibling)])),
    ).toBe("SmtRootMismatch");
    const forged = { ...siblingToAbi(sibling), isLeaf: !siblingToAbi(sibling).isLeaf };
    expect(await revertName(call("smtUpdate", [root, toHex(key), ZERO32, false, proof, forged]))).toBe(
      "SmtBadSiblingPreimage",
    );
    // A leaf off the key's path (another leaf's proof replayed for this key).
    const other = stateKey(Namespace.Account, accounts[4]!.id);
    const otherProof = state.objects.prove(other);
    if (otherProof.siblings.length > 0 && smtRootFromProof(key, null, { ...otherProof, key }) === null) {
      expect(await revertName(call("smtRootFromProof", [toHex(key), ZERO32, false, proofToAbi(otherProof)]))).toBe(
        "SmtLeafOffPath",
      );
    }
  });

  it("malformed proofs revert with their typed errors", async () => {
    const key = toHex(new Uint8Array(32).fill(1));
    const tooDeep = { siblings: Array(257).fill(ZERO32), hasLeaf: false, leafKey: ZERO32, leafValueHash: ZERO32 };
    expect(await revertName(call("smtRootFromProof", [key, ZERO32, false, tooDeep]))).toBe("SmtProofTooDeep");
    // Appending at an index that already holds a withdrawal: its leaf is not zero under the root.
    const w = dummyWithdrawal;
    const state = State.genesis().withChanges([], [w], [withdrawalLeaf(w)]);
    const siblings = state.withdrawals.prove(0).map(toHex);
    expect(
      await revertName(
        call("appendWithdrawal", [
          toHex(state.withdrawals.root()),
          0n,
          toHex(w.l2Sender),
          toHex(w.l1Recipient),
          1n,
          siblings,
        ]),
      ),
    ).toBe("SmtRootMismatch");
    expect(
      await revertName(
        call("appendWithdrawal", [
          toHex(state.withdrawals.root()),
          1n,
          toHex(w.l2Sender),
          toHex(w.l1Recipient),
          1n,
          siblings.slice(1),
        ]),
      ),
    ).toBe("WithdrawalProofMalformed");
    // A list proof with the wrong number of siblings, or an index past the length.
    const item = toHex(new Uint8Array(32).fill(2));
    const limit = BigInt(HashListSsz.limit);
    expect(await revertName(call("listRootFromItem", [item, 0n, 1n, limit, Array(16).fill(ZERO32)]))).toBe(
      "SszBadListProof",
    );
    expect(await revertName(call("listRootFromItem", [item, 1n, 1n, limit, Array(17).fill(ZERO32)]))).toBe(
      "SszBadListProof",
    );
  });

  it("appends a withdrawal like the state's withdrawals tree", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20 }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.bigInt({ min: 1n, max: MAX_UINT256 }),
        async (count, l2Sender, l1Recipient, amount) => {
          const earlier: Withdrawal[] = Array.from({ length: count }, (_, index) => ({
            index,
            l2Sender,
            l1Recipient: new Uint8Array(20).fill(index + 1),
            amount: BigInt(index + 1),
          }));
          const before = State.genesis().withChanges([], earlier, earlier.map(withdrawalLeaf));
          const w: Withdrawal = { index: count, l2Sender, l1Recipient, amount };
          const after = before.withChanges([], [w], [withdrawalLeaf(w)]);
          const siblings = after.withdrawals.prove(count).map(toHex);
          const got = await call<Hex>("appendWithdrawal", [
            toHex(before.withdrawals.root()),
            BigInt(count),
            toHex(l2Sender),
            toHex(l1Recipient),
            amount,
            siblings,
          ]);
          expect(got).toBe(toHex(after.withdrawals.root()));
        },
      ),
      { numRuns: Math.max(5, Math.floor(RUNS / 2)) },
    );
  });

  it("gas: verify, update, insert with a split, delete with a lift (eth_estimateGas)", async () => {
    // Proof depth ≈ log2(objects): 24 is about 16 million objects, 32 leaves room.
    for (const depth of [24, 32]) {
      const siblings = Array.from({ length: depth }, (_, i) => new Uint8Array(32).fill(i + 1));
      const key = getHasher().digest64(new Uint8Array(32).fill(0xab), new Uint8Array(32).fill(0xcd));
      const valueHash = Account.hashTreeRoot({ balance: 10n ** 24n, nonce: 12 });
      const proof: SmtProof = { key, siblings, leaf: { key, valueHash } };
      const root = toHex(smtRootFromProof(key, valueHash, proof)!);
      const args = [toHex(key), toHex(valueHash), true, proofToAbi(proof)];
      gasReport[`smtVerify depth ${depth}`] = await gasOf("smtVerify", [root, ...args]);
      gasReport[`smtUpdate (set) depth ${depth}`] = await gasOf("smtUpdate", [
        root,
        toHex(key),
        toHex(new Uint8Array(32).fill(5)),
        true,
        proofToAbi(proof),
        siblingToAbi(null),
      ]);
      // Delete: the last sibling is a lone leaf, lifted past empty siblings above it.
      const liftSiblings: Uint8Array[] = siblings.map((s, i) =>
        i >= depth - 4 && i < depth - 1 ? new Uint8Array(32) : s,
      );
      const sibKey = new Uint8Array(32).fill(0x11);
      const sibValue = new Uint8Array(32).fill(0x22);
      liftSiblings[depth - 1] = smtLeafHash(sibKey, sibValue);
      const delProof: SmtProof = { key, siblings: liftSiblings, leaf: { key, valueHash } };
      const delRoot = toHex(smtRootFromProof(key, valueHash, delProof)!);
      gasReport[`smtUpdate (delete, lift) depth ${depth}`] = await gasOf("smtUpdate", [
        delRoot,
        toHex(key),
        ZERO32,
        false,
        proofToAbi(delProof),
        { isLeaf: true, a: toHex(sibKey), b: toHex(sibValue) },
      ]);
    }
    // Insert beside a leaf whose key shares 200 bits: the worst split a random key never comes near.
    const key = new Uint8Array(32).fill(0x5a);
    const otherKey = key.slice();
    otherKey[25] = otherKey[25]! ^ 0x80;
    const otherValue = new Uint8Array(32).fill(3);
    const proof: SmtProof = {
      key,
      siblings: Array.from({ length: 24 }, (_, i) => new Uint8Array(32).fill(i + 1)),
      leaf: { key: otherKey, valueHash: otherValue },
    };
    const root = toHex(smtRootFromProof(key, null, proof)!);
    gasReport["smtUpdate (insert, split 200 bits) depth 24"] = await gasOf("smtUpdate", [
      root,
      toHex(key),
      toHex(new Uint8Array(32).fill(4)),
      true,
      proofToAbi(proof),
      siblingToAbi(null),
    ]);
    gasReport["appendWithdrawal (depth 32)"] = await gasOf("appendWithdrawal", [
      toHex(State.genesis().withdrawals.root()),
      0n,
      toHex(new Uint8Array(20).fill(1)),
      toHex(new Uint8Array(20).fill(2)),
      1n,
      State.genesis()
        .withChanges([], [dummyWithdrawal], [withdrawalLeaf(dummyWithdrawal)])
        .withdrawals.prove(0)
        .map(toHex),
    ]);
    for (const g of Object.values(gasReport)) expect(g).toBeLessThan(1_000_000n);
  });
});

const dummyWithdrawal: Withdrawal = {
  index: 0,
  l2Sender: new Uint8Array(20).fill(1),
  l1Recipient: new Uint8Array(20).fill(2),
  amount: 1n,
};

/**
 * Set (value) or delete (null) `key` in `state` through the harness, from the proof the tree serves,
 * and expect the root State.withChanges gives. Returns the new state and the rule exercised.
 */
async function checkUpdate(
  state: State,
  key: Uint8Array,
  value: Account | null,
): Promise<{ next: State; rule: string }> {
  const proof = state.objects.prove(key);
  const sibling = state.objects.proveLastSibling(key);
  const next = state.withChanges([{ ns: Namespace.Account, id: key.subarray(0, 20), value, key }], [], []);
  const got = await call<Hex>("smtUpdate", [
    toHex(state.objects.root()),
    toHex(key),
    value === null ? ZERO32 : toHex(Account.hashTreeRoot(value)),
    value !== null,
    proofToAbi(proof),
    siblingToAbi(sibling),
  ]);
  expect(got).toBe(toHex(next.objects.root()));
  return { next, rule: updateCase(key, value !== null, proof, sibling) };
}

/** Which rule of the compact tree an update exercises. */
function updateCase(key: Uint8Array, present: boolean, proof: SmtProof, sibling: SmtSiblingPreimage | null): string {
  const had = proof.leaf !== null && toHex(proof.leaf.key) === toHex(key);
  if (present) return had ? "set" : proof.leaf === null ? "insert at empty" : "insert beside a leaf";
  if (!had) return "delete absent";
  return sibling?.leaf ? "delete, lift" : "delete, no lift";
}

// --- SSZ -----------------------------------------------------------------------------------------

/** A field value as the harness's ABI takes it: strings as their UTF-8 bytes, uint64 as bigint. */
// biome-ignore lint/suspicious/noExplicitAny: any field
function fieldToAbi(field: FieldType<any>, value: unknown): unknown {
  switch (field.encoding.kind) {
    case "address":
    case "bytes32":
    case "bytes":
      return toHex(value as Uint8Array);
    case "string":
      return toHex(utf8ToBytes(value as string));
    case "uint64":
      return BigInt(value as number);
    default:
      return value;
  }
}

function structToAbi<V>(struct: StructType<V>, value: V): Record<string, unknown> {
  const v = value as Record<string, unknown>;
  return Object.fromEntries(struct.fieldNames.map((n) => [n, fieldToAbi(struct.fields[n]!, v[n])]));
}

/** Field values within their schema, strings of any length up to their byte bound (ASCII) or short Unicode. */
// biome-ignore lint/suspicious/noExplicitAny: any field
function arbField(field: FieldType<any>): fc.Arbitrary<unknown> {
  const enc = field.encoding;
  switch (enc.kind) {
    case "address":
      return fc.uint8Array({ minLength: 20, maxLength: 20 });
    case "bytes32":
      return fc.uint8Array({ minLength: 32, maxLength: 32 });
    case "bool":
      return fc.boolean();
    case "uint8":
      return fc.integer({ min: 0, max: 255 });
    case "uint16":
      return fc.integer({ min: 0, max: 65_535 });
    case "uint64":
      return fc.integer({ min: 0, max: MAX_UINT64_SAFE });
    case "uint256":
      return fc.bigInt({ min: 0n, max: MAX_UINT256 });
    case "string": {
      const max = field.bounds?.maxBytes ?? 0;
      return fc.oneof(
        fc.string({ maxLength: max }),
        fc.constantFrom(0, 31, 32, 33, max).map((n) => "x".repeat(Math.min(n, max))),
        fc.string({ maxLength: 8, unit: "grapheme" }).filter((s) => Buffer.byteLength(s) <= max),
      );
    }
    default:
      throw new TypeError(`no arbitrary for ${enc.kind}`);
  }
}

function arbObject<V>(struct: StructType<V>): fc.Arbitrary<V> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const n of struct.fieldNames) shape[n] = arbField(struct.fields[n]!);
  return fc.record(shape) as unknown as fc.Arbitrary<V>;
}

/** Each container, the harness function for it, and how the call takes the value. */
// biome-ignore lint/suspicious/noExplicitAny: containers of any value type
const CONTAINERS: [StructType<any>, string, "struct" | "field"][] = [
  [Globals, "globalsRoot", "struct"],
  [Account, "accountRoot", "struct"],
  [Collection, "collectionRoot", "struct"],
  [Asset, "assetRoot", "struct"],
  [OperatorApproval, "operatorApprovalRoot", "field"],
  [Token, "tokenRoot", "struct"],
  [TokenBalance, "tokenBalanceRoot", "field"],
  [Identity, "identityRoot", "struct"],
  [HandleRecord, "handleRecordRoot", "field"],
  [Attribute, "attributeRoot", "struct"],
  [Delegate, "delegateRoot", "struct"],
  [DataAsset, "dataAssetRoot", "struct"],
  [AccessGrantRecord, "accessGrantRoot", "field"],
  [OrderStatus, "orderStatusRoot", "field"],
  [BlockHeader, "blockHeaderRoot", "struct"],
  [Receipt, "receiptRoot", "struct"],
];

describe("SszObjects equals @chainsafe/ssz", () => {
  it.each(CONTAINERS.map(([struct, fn, shape]) => [struct.name, struct, fn, shape] as const))(
    "%s: hash_tree_root of random values",
    async (_name, struct, fn, shape) => {
      await fc.assert(
        fc.asyncProperty(arbObject(struct), async (value) => {
          const abiValue = structToAbi(struct, value);
          const args = shape === "struct" ? [abiValue] : [Object.values(abiValue)[0]];
          expect(await call<Hex>(fn, args)).toBe(toHex(struct.hashTreeRoot(value)));
        }),
        { numRuns: RUNS },
      );
    },
  );

  it("the block hash is blockHash(header)", async () => {
    await fc.assert(
      fc.asyncProperty(arbObject(BlockHeader), async (header) => {
        expect(await call<Hex>("blockHeaderRoot", [structToAbi(BlockHeader, header)])).toBe(toHex(blockHash(header)));
      }),
      { numRuns: Math.max(5, Math.floor(RUNS / 2)) },
    );
  });

  it("a string over its bound reverts SszListTooLong", async () => {
    const value = { key: toHex(utf8ToBytes("k".repeat(65))), value: "0x", expiresAt: 0n };
    expect(await revertName(call("attributeRoot", [value]))).toBe("SszListTooLong");
  });

  it("proves one hash in a block's txRoot (List[Bytes32, 69632])", async () => {
    const limit = HashListSsz.limit;
    const depth = Math.ceil(Math.log2(limit));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 40 }),
        fc.nat(),
        async (hashes, pick) => {
          const index = pick % hashes.length;
          const siblings = listSiblings(hashes, index, depth);
          const got = await call<Hex>("listRootFromItem", [
            toHex(hashes[index]!),
            BigInt(index),
            BigInt(hashes.length),
            BigInt(limit),
            siblings.map(toHex),
          ]);
          expect(got).toBe(toHex(HashListSsz.hashTreeRoot(hashes)));
        },
      ),
      { numRuns: Math.max(5, Math.floor(RUNS / 2)) },
    );
    const hashes = Array.from({ length: 1_000 }, (_, i) => new Uint8Array(32).fill(i & 0xff));
    gasReport["listRootFromItem (txRoot, depth 17)"] = await gasOf("listRootFromItem", [
      toHex(hashes[999]!),
      999n,
      1_000n,
      BigInt(limit),
      listSiblings(hashes, 999, depth).map(toHex),
    ]);
  });

  it("an L1 message's hash is depositHash: keccak256 of its SSZ", async () => {
    const arbDeposit = fc.record({
      l1Nonce: fc.integer({ min: 0, max: MAX_UINT64_SAFE }),
      l1BlockNumber: fc.integer({ min: 0, max: MAX_UINT64_SAFE }),
      l1TxHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      from: fc.uint8Array({ minLength: 20, maxLength: 20 }),
      to: fc.uint8Array({ minLength: 20, maxLength: 20 }),
      amount: fc.bigInt({ min: 0n, max: MAX_UINT256 }),
      forcedTx: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 300 })),
    });
    await fc.assert(
      fc.asyncProperty(arbDeposit, async (d) => {
        expect(await call<Hex>("depositHash", [structToAbi(DepositType, d)])).toBe(toHex(depositHash(d)));
      }),
      { numRuns: RUNS },
    );
    const big = {
      l1Nonce: 1,
      l1BlockNumber: 2,
      l1TxHash: new Uint8Array(32),
      from: new Uint8Array(20),
      to: new Uint8Array(20),
      amount: 0n,
    };
    const full = { ...big, forcedTx: new Uint8Array(40_960).fill(1) };
    expect(await call<Hex>("depositHash", [structToAbi(DepositType, full)])).toBe(toHex(depositHash(full)));
    gasReport["depositHash (FIL deposit)"] = await gasOf("depositHash", [
      structToAbi(DepositType, { ...big, forcedTx: new Uint8Array(0) }),
    ]);
    gasReport["depositHash (forced tx of 40 KiB)"] = await gasOf("depositHash", [structToAbi(DepositType, full)]);
    const over = { ...big, forcedTx: new Uint8Array(40_961) };
    expect(await revertName(call("depositHash", [structToAbi(DepositType, over)]))).toBe("SszListTooLong");
  });

  it("appends a receipt to a receipts root (List[Receipt, 69632]) like @chainsafe/ssz", async () => {
    const depth = Math.ceil(Math.log2(ReceiptListSsz.limit));
    await fc.assert(
      fc.asyncProperty(fc.array(arbObject(Receipt), { maxLength: 30 }), arbObject(Receipt), async (receipts, r) => {
        const leaves = [...receipts, r].map((x) => Receipt.hashTreeRoot(x));
        const got = await call<Hex>("listAppend", [
          toHex(ReceiptListSsz.hashTreeRoot(receipts)),
          BigInt(receipts.length),
          BigInt(ReceiptListSsz.limit),
          await call<Hex>("receiptRoot", [structToAbi(Receipt, r)]),
          listSiblings(leaves, receipts.length, depth).map(toHex),
        ]);
        expect(got).toBe(toHex(ReceiptListSsz.hashTreeRoot([...receipts, r])));
      }),
      { numRuns: Math.max(5, Math.floor(RUNS / 2)) },
    );
    const receipts = Array.from({ length: 3 }, (_, i) => ({
      txHash: new Uint8Array(32).fill(i),
      kind: 1,
      sender: new Uint8Array(20),
      status: 1,
      code: 0,
      feePaid: 1n,
    }));
    const leaves = receipts.map((x) => Receipt.hashTreeRoot(x));
    const wrongRoot = toHex(ReceiptListSsz.hashTreeRoot(receipts.slice(0, 1)));
    expect(
      await revertName(
        call("listAppend", [
          wrongRoot,
          2n,
          BigInt(ReceiptListSsz.limit),
          toHex(leaves[2]!),
          listSiblings(leaves, 2, depth).map(toHex),
        ]),
      ),
    ).toBe("SszListRootMismatch");
    gasReport["listAppend (receipt, depth 17)"] = await gasOf("listAppend", [
      toHex(ReceiptListSsz.hashTreeRoot(receipts.slice(0, 2))),
      2n,
      BigInt(ReceiptListSsz.limit),
      toHex(leaves[2]!),
      listSiblings(leaves, 2, depth).map(toHex),
    ]);
    gasReport.receiptRoot = await gasOf("receiptRoot", [structToAbi(Receipt, receipts[0]!)]);
  });

  it("gas: the largest objects and the block header", async () => {
    const big = (n: number) => toHex(utf8ToBytes("x".repeat(n)));
    gasReport.accountRoot = await gasOf("accountRoot", [{ balance: 10n ** 24n, nonce: 12n }]);
    gasReport["attributeRoot (1024-byte value)"] = await gasOf("attributeRoot", [
      { key: big(64), value: big(1024), expiresAt: 1n },
    ]);
    gasReport["dataAssetRoot (full strings)"] = await gasOf("dataAssetRoot", [
      {
        owner: toHex(new Uint8Array(20).fill(1)),
        contentCid: big(128),
        pieceCid: big(128),
        size: 1n,
        license: big(256),
      },
    ]);
    gasReport["assetRoot (128-byte CID)"] = await gasOf("assetRoot", [
      {
        collectionId: toHex(new Uint8Array(32).fill(1)),
        tokenId: 1n,
        owner: toHex(new Uint8Array(20).fill(2)),
        approved: toHex(new Uint8Array(20)),
        contentCid: big(128),
        burned: false,
      },
    ]);
    gasReport.blockHeaderRoot = await gasOf("blockHeaderRoot", [
      structToAbi(BlockHeader, {
        chainId: CHAIN_ID,
        number: 1,
        parentHash: new Uint8Array(32),
        timestamp: 1,
        proposer: new Uint8Array(20),
        txRoot: new Uint8Array(32),
        receiptsRoot: new Uint8Array(32),
        stateRoot: new Uint8Array(32),
        withdrawalsRoot: new Uint8Array(32),
        l1DepositNonce: 0,
      }),
    ]);
    expect(gasReport["attributeRoot (1024-byte value)"]).toBeLessThan(1_000_000n);
  });
});

/** The siblings (leaf level first) of item `index` in the merkleization of `items` padded to 2^depth leaves. */
function listSiblings(items: Uint8Array[], index: number, depth: number): Uint8Array[] {
  return sszListProof(items, index, 2 ** depth).siblings;
}

// --- EIP-712, tx hash, sender ------------------------------------------------------------------

type Signed = { digest: Hex; txHash: Hex; sender: Address };

/** A message as viem ABI-encodes it for the kind's Solidity struct: hex bytes, bigint integers, strings as they are. */
function messageToAbi<V>(struct: StructType<V>, value: V): Record<string, unknown> {
  const v = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of struct.fieldNames) {
    const enc = struct.fields[name]!.encoding;
    const x = v[name];
    if (enc.kind === "struct") out[name] = messageToAbi(enc.struct, x);
    else if (Array.isArray(x)) out[name] = x.map((y) => (y instanceof Uint8Array ? toHex(y) : y));
    else if (x instanceof Uint8Array) out[name] = toHex(x);
    else if (typeof x === "number") out[name] = BigInt(x);
    else out[name] = x;
  }
  return out;
}

/** The ABI tuple of a kind's Solidity struct, from its EIP-712 member list (the nested Order included). */
// biome-ignore lint/suspicious/noExplicitAny: structs of any value type
function abiTupleOf(struct: StructType<any>): AbiParameter {
  return {
    type: "tuple",
    components: struct.fieldNames.map((name) => {
      const enc = struct.fields[name]!.encoding;
      if (enc.kind === "struct") return { ...abiTupleOf(enc.struct), name };
      const type = struct.eip712Types[struct.name]!.find((f) => f.name === name)!.type;
      return { name, type };
    }),
  };
}

function encodeMessage(kind: UserTxKind, message: unknown): Hex {
  const struct = txStructs[kind] as StructType<unknown>;
  return encodeAbiParameters([abiTupleOf(struct)], [messageToAbi(struct, message)]);
}

describe("Eip712Tx equals @filverse/crypto", () => {
  it.each(USER_TX_KINDS.map((k) => [txStructs[k].name, k] as const))(
    "%s: digest, tx hash and recovered sender",
    async (_name, kind) => {
      await fc.assert(
        fc.asyncProperty(
          arbitraryMessage(kind),
          fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => k.some((b) => b !== 0) && k[0]! < 0xff),
          fc.integer({ min: 1, max: MAX_UINT64_SAFE }),
          async (message, priv, chainId) => {
            const tx = signTransaction(chainId, { kind, message } as never, priv) as SignedTransaction;
            const got = await call<Signed>("signedTx", [
              BigInt(chainId),
              kind,
              encodeMessage(kind, message),
              toHex(tx.signature),
            ]);
            expect(got.digest).toBe(toHex(txSigningDigest(tx)));
            expect(got.txHash).toBe(toHex(txHash(tx)));
            expect(got.sender.toLowerCase()).toBe(toHex(verifyTransaction(tx).sender));
            expect(got.sender.toLowerCase()).toBe(toHex(privateKeyToAddress(priv)));
          },
        ),
        { numRuns: Math.max(3, Math.floor(RUNS / 3)) },
      );
    },
  );

  it("kind 0 (the deposit) and unknown kinds revert UnknownKind", async () => {
    for (const kind of [0, 3, 52, 255]) {
      expect(await revertName(call("signedTx", [BigInt(CHAIN_ID), kind, "0x", `0x${"00".repeat(65)}`]))).toBe(
        "UnknownKind",
      );
    }
  });

  it("refuses a high-s, a bad v and a short signature, as BAD_SIGNATURE does", async () => {
    const priv = new Uint8Array(32).fill(0x42);
    const tx = signTransaction(CHAIN_ID, { kind: TxKind.Transfer, message: transferMessage }, priv);
    const digest = toHex(txSigningDigest(tx));
    const sig = tx.signature;
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(toHex(sig.subarray(32, 64)));
    const high = sig.slice();
    high.set(fromHex(`0x${(n - s).toString(16).padStart(64, "0")}`), 32);
    high[64] = sig[64] === 27 ? 28 : 27;
    expect(await revertName(call("recoverSigner", [digest, toHex(high)]))).toBe("SignatureHighS");
    const badV = sig.slice();
    badV[64] = 1;
    expect(await revertName(call("recoverSigner", [digest, toHex(badV)]))).toBe("BadSignatureV");
    expect(await revertName(call("recoverSigner", [digest, toHex(sig.subarray(0, 64))]))).toBe("BadSignatureLength");
    const zeroR = sig.slice();
    zeroR.fill(0, 0, 32);
    expect(await revertName(call("recoverSigner", [digest, toHex(zeroR)]))).toBe("SignatureUnrecoverable");
    gasReport["signedTransfer (digest + txHash + ecrecover)"] = await gasOf("signedTransfer", [
      BigInt(CHAIN_ID),
      messageToAbi(Transfer, transferMessage),
      toHex(sig),
    ]);
  });
});

const transferMessage = { to: new Uint8Array(20).fill(9), amount: 10n ** 18n, nonce: 0, fee: 10n ** 9n };

// --- golden vectors ------------------------------------------------------------------------------

type VectorFile = {
  blocks: {
    header: unknown;
    blockHash: string;
    deposits: { deposit: unknown; hash: string }[];
    transactions: { json: unknown; signingDigest: string; txHash: string }[];
    roots: Record<string, string>;
  }[];
  proofs: {
    stateRoot: string;
    objects: {
      namespace: Namespace;
      value: Record<string, string> | null;
      proof: { key: string; siblings: string[]; leaf: { key: string; valueHash: string } | null };
      withdrawalsRoot: string;
    }[];
  };
};

describe("the golden vectors (test/vectors/protocol-v1.json) hold in Solidity too", () => {
  const vectors = JSON.parse(
    readFileSync(new URL("../../../../test/vectors/protocol-v1.json", import.meta.url), "utf8"),
  ) as VectorFile;

  it("every block hash, every kind's digest and tx hash, and every item of every txRoot", async () => {
    let kinds = 0;
    for (const b of vectors.blocks) {
      const header = BlockHeader.fromJson(b.header);
      expect(await call<Hex>("blockHeaderRoot", [structToAbi(BlockHeader, header)])).toBe(b.blockHash);
      const hashes: string[] = b.deposits.map((d) => d.hash);
      for (const d of b.deposits) {
        const deposit = DepositType.fromJson(d.deposit);
        expect(await call<Hex>("depositHash", [structToAbi(DepositType, deposit)])).toBe(d.hash);
      }
      for (const t of b.transactions) {
        const tx = signedTxFromJson(t.json);
        if (tx.via) {
          // A Via<Name>: K's hashStruct (Eip712Tx) wrapped by ViaExecutor, under the Filverse domain.
          const inner = await call<Hex>("structHashOf", [tx.kind, encodeMessage(tx.kind, tx.message)]);
          const structHash = (await clients.publicClient.readContract({
            address: viaExecutor,
            abi: loadArtifact("ViaExecutor").abi,
            functionName: "structHash",
            args: [tx.kind, toHex(tx.via.sponsor), toHex(tx.via.account), inner],
          } as never)) as Hex;
          const digest = keccak256(concatHex(["0x1901", toHex(domainSeparator(tx.chainId)), structHash]));
          expect(digest).toBe(t.signingDigest);
          expect(keccak256(concatHex([digest, toHex(tx.signature)]))).toBe(t.txHash);
          hashes.push(t.txHash);
          kinds++;
          continue;
        }
        const got = await call<Signed>("signedTx", [
          BigInt(tx.chainId),
          tx.kind,
          encodeMessage(tx.kind, tx.message),
          toHex(tx.signature),
        ]);
        expect(got.digest).toBe(t.signingDigest);
        expect(got.txHash).toBe(t.txHash);
        const gas = await gasOf("signedTx", [
          BigInt(tx.chainId),
          tx.kind,
          encodeMessage(tx.kind, tx.message),
          toHex(tx.signature),
        ]);
        const label = `signedTx (ABI message), ${txStructs[tx.kind].name}`;
        if (gas > (gasReport[label] ?? 0n)) gasReport[label] = gas;
        hashes.push(t.txHash);
        kinds++;
      }
      for (let i = 0; i < hashes.length; i++) {
        const siblings = listSiblings(
          hashes.map((h) => fromHex(h)),
          i,
          Math.ceil(Math.log2(HashListSsz.limit)),
        );
        const root = await call<Hex>("listRootFromItem", [
          hashes[i],
          BigInt(i),
          BigInt(hashes.length),
          BigInt(HashListSsz.limit),
          siblings.map(toHex),
        ]);
        expect(root).toBe(b.roots.txRoot);
      }
    }
    expect(kinds).toBeGreaterThanOrEqual(USER_TX_KINDS.length);
  });

  it("the object proofs: valueHash from the object, the objects root from the proof, the state root", async () => {
    for (const o of vectors.proofs.objects) {
      let valueHash: Hex = ZERO32;
      if (o.value !== null && o.namespace === Namespace.Account) {
        valueHash = await call<Hex>("accountRoot", [
          { balance: BigInt(o.value.balance!), nonce: BigInt(o.value.nonce!) },
        ]);
      } else if (o.value !== null && o.namespace === Namespace.Handle) {
        valueHash = await call<Hex>("handleRecordRoot", [o.value.identityId]);
      } else if (
        o.value !== null &&
        (o.namespace === Namespace.FeeAllowance || o.namespace === Namespace.SessionGrant)
      ) {
        const struct = o.namespace === Namespace.FeeAllowance ? FeeAllowance : SessionGrantRecord;
        valueHash = (await clients.publicClient.readContract({
          address: grantsHarness,
          abi: grantsAbi,
          functionName: o.namespace === Namespace.FeeAllowance ? "feeAllowanceRoot" : "sessionGrantRecordRoot",
          args: [messageToAbi(struct as StructType<unknown>, struct.fromJson(o.value, "value"))],
        } as never)) as Hex;
        expect(valueHash).toBe(toHex(struct.hashTreeRoot(struct.fromJson(o.value, "value") as never)));
      } else {
        expect(o.value).toBeNull();
      }
      const proof = {
        siblings: o.proof.siblings,
        hasLeaf: o.proof.leaf !== null,
        leafKey: o.proof.leaf?.key ?? ZERO32,
        leafValueHash: o.proof.leaf?.valueHash ?? ZERO32,
      };
      const objectsRoot = await call<Hex>("smtRootFromProof", [o.proof.key, valueHash, o.value !== null, proof]);
      expect(await call<Hex>("stateRoot", [objectsRoot, o.withdrawalsRoot])).toBe(vectors.proofs.stateRoot);
    }
  });
});
