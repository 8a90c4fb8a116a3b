/**
 * The dispute tracer (src/trace/): on random chains of blocks of mixed kinds, with failing and
 * non-includable transactions, the last StepState of a block's trace is the block's real post-state
 * (the one applyBlock computes), the trace is deterministic, an invalid block ends invalid, and the
 * step proofs chain the objects root from each pre-state to its post-state.
 */
import {
  collectionIdOf,
  getHasher,
  hashTypedData,
  identityIdOf,
  signBlockHeader,
  signDigest,
  smtRootFromProof,
  tokenIdOf,
} from "@filverse/crypto";
import { CHAIN_ID, cidOf, makeKey, sequencer, TestChain } from "@filverse/test-utils";
import {
  type Block,
  type BlockHeader,
  blockHash,
  encodeSignedTx,
  HashListSsz,
  kindsMask,
  Namespace,
  SessionRequest,
  type SignedBlock,
  stateObjectStructs,
  TxKind,
} from "@filverse/types";
import { bytesEqual, toHex } from "@filverse/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyBlock } from "../../src/applyBlock.js";
import { BlockErrorCode, TraceErrorCode, TxValidationErrorCode } from "../../src/errors.js";
import { createGenesis } from "../../src/genesis.js";
import type { State } from "../../src/state.js";
import { proveStep } from "../../src/trace/proveStep.js";
import { EMPTY_RECEIPTS_ROOT, stepStateRoot } from "../../src/trace/stepState.js";
import { blockItems, itemHash, mixInLength, StepKind, type TraceItem, traceBlock } from "../../src/trace/traceBlock.js";

const RUNS = Number(process.env.FILVERSE_FUZZ_RUNS ?? 30);
const keys = [0, 1, 2, 3].map((i) => makeKey(i + 20));
const LIMITS = { chainId: CHAIN_ID, maxBlockTxs: 10_000, maxBlockDeposits: 256, sequencer: sequencer.address };

type Op = { type: number; actor: number; target: number; amount: bigint; pick: number };
const opArb = fc.record({
  type: fc.integer({ min: 0, max: 9 }),
  actor: fc.integer({ min: 0, max: 3 }),
  target: fc.integer({ min: 0, max: 3 }),
  amount: fc.bigInt({ min: 0n, max: 3n * 10n ** 18n }),
  pick: fc.nat(),
});
const blockArb = fc.record({
  ops: fc.array(opArb, { maxLength: 8 }),
  deposits: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.bigInt({ min: 0n, max: 3n * 10n ** 18n })), {
    maxLength: 3,
  }),
});

/** A chain whose blocks are sealed and linked, so that the block-start step passes. */
class SealedChain {
  readonly chain = new TestChain();
  readonly collections: Uint8Array[] = [];
  readonly tokens: Uint8Array[] = [];
  header: BlockHeader;
  state: State;

  constructor() {
    const g = createGenesis({ chainId: CHAIN_ID }, { timestamp: this.chain.timestamp, proposer: sequencer.address });
    this.header = g.header;
    this.state = g.state;
  }

  txFor(op: Op) {
    const c = this.chain;
    const actor = keys[op.actor]!;
    const target = keys[op.target]!;
    const pick = <T>(xs: T[]) => (xs.length === 0 ? null : xs[op.pick % xs.length]!);
    const fee = op.amount % 5n;
    switch (op.type) {
      case 0:
      case 1:
        // Transfers, some beyond the balance (INSUFFICIENT_BALANCE), some to the proposer or the sender.
        return c.sign(actor, TxKind.Transfer, {
          to: op.pick % 7 === 0 ? sequencer.address : target.address,
          amount: op.amount,
          fee,
        });
      case 2:
        return c.sign(actor, TxKind.Withdraw, { l1Recipient: target.address, amount: op.amount + 1n, fee });
      case 3:
        this.collections.push(collectionIdOf(actor.address, c.nextNonce(actor)));
        return c.sign(actor, TxKind.CollectionCreate, {
          name: "C",
          symbol: "C",
          royaltyBps: op.pick % 2001,
          maxSupply: 2,
          metadataMutable: true,
          fee,
        });
      case 4: {
        const collectionId = pick(this.collections);
        return (
          collectionId &&
          c.sign(actor, TxKind.AssetMint, {
            collectionId,
            tokenId: op.pick % 3,
            to: target.address,
            contentCid: cidOf(String(op.pick)),
            fee,
          })
        );
      }
      case 5:
        this.tokens.push(tokenIdOf(actor.address, c.nextNonce(actor)));
        return c.sign(actor, TxKind.TokenCreate, { name: "T", symbol: "T", decimals: 6, cap: 10n ** 19n, fee });
      case 6: {
        const tokenId = pick(this.tokens);
        return tokenId && c.sign(actor, TxKind.TokenMint, { tokenId, to: target.address, amount: 1000n, fee });
      }
      case 7: {
        const tokenId = pick(this.tokens);
        // Burning to zero deletes the balance object: a deletion in the step's proofs.
        return (
          tokenId &&
          c.sign(actor, TxKind.TokenBurn, { tokenId, amount: op.pick % 2 === 0 ? 1000n : op.amount + 1n, fee })
        );
      }
      case 8:
        return c.sign(actor, TxKind.IdentityCreate, { handle: `user_${op.pick % 3}`, profileCid: cidOf("p"), fee });
      default:
        return c.sign(actor, TxKind.Transfer, { to: target.address, amount: 1n, fee: 10n ** 30n }); // INSUFFICIENT_FUNDS_FOR_FEE
    }
  }

  /** The block a sequencer would seal for these items, with the roots applyBlock computes. */
  seal(block: Block): SignedBlock {
    const header = { ...block.header, number: this.header.number + 1, parentHash: blockHash(this.header) };
    const result = applyBlock(this.state, { ...block, header }, { chainId: CHAIN_ID });
    const sealed = {
      ...header,
      txRoot: result.roots.txRoot,
      receiptsRoot: result.roots.receiptsRoot,
      stateRoot: result.roots.stateRoot,
      withdrawalsRoot: result.roots.withdrawalsRoot,
      l1DepositNonce: result.l1DepositNonce,
    };
    return { ...block, header: sealed, signature: signBlockHeader(sealed, sequencer.priv) };
  }

  /** Fund every key through deposits, in one sealed block. */
  fund(amount: bigint): void {
    for (const k of keys) this.chain.deposit(k.address, amount);
    this.advance(this.seal(this.chain.buildBlock([])));
    clearDeposits(this.chain);
  }

  advance(block: SignedBlock): void {
    const result = applyBlock(this.state, block, { chainId: CHAIN_ID });
    this.state = result.state;
    this.header = block.header;
    this.chain.state = result.state;
    this.chain.number = block.header.number;
    this.chain.timestamp = block.header.timestamp;
  }
}

/** Keeps only the transactions applyBlock accepts (a sequencer drops the others) and seals the block. */
function buildValidBlock(
  c: SealedChain,
  spec: { ops: Op[]; deposits: [number, bigint][]; forced?: { from: number; badNonce: boolean }[] },
): SignedBlock {
  for (const [who, amount] of spec.deposits) c.chain.deposit(keys[who]!.address, amount);
  // Forced transactions: an includable one is listed under its tx hash, one with a bad nonce is
  // consumed under its deposit's hash with a failed receipt.
  for (const f of spec.forced ?? []) {
    const key = keys[f.from]!;
    const next = c.chain.nextNonce(key);
    const tx = c.chain.sign(key, TxKind.Transfer, {
      to: keys[0]!.address,
      amount: 1n,
      fee: 1n,
      nonce: f.badNonce ? next + 5 : next,
    });
    if (f.badNonce) (c.chain as unknown as { nonces: Map<string, number> }).nonces.set(toHex(key.address), next);
    c.chain.force(encodeSignedTx(tx));
  }
  const txs = [];
  for (const op of spec.ops) {
    const tx = c.txFor(op);
    if (!tx) continue;
    const candidate = c.chain.buildBlock([...txs, tx]);
    try {
      c.seal(candidate);
      txs.push(tx);
    } catch {
      // Not includable (a sequencer drops it): give its nonce back.
      (c.chain as unknown as { nonces: Map<string, number> }).nonces.set(
        toHex(keys[op.actor]!.address),
        tx.message.nonce,
      );
    }
  }
  const block = c.seal(c.chain.buildBlock(txs));
  clearDeposits(c.chain);
  return block;
}

function checkProofsChain(trace: ReturnType<typeof traceBlock>): void {
  for (let j = 0; j < trace.steps.length; j++) {
    const p = proveStep(trace, j);
    let root = p.pre.objectsRoot;
    for (const o of p.objects) {
      const struct = stateObjectStructs[o.ns] as { hashTreeRoot(v: unknown): Uint8Array };
      const before = o.before === null ? null : struct.hashTreeRoot(o.before);
      expect(toHex(smtRootFromProof(o.key, before, o.proof)!)).toBe(toHex(root));
      // The root after the write, from a proof of the same key in the updated tree is checked by the
      // L1 differential test; here the next proof must start from where this one left.
      root = nextRoot(trace, j, o.key, root);
    }
    if (p.item !== null) {
      const hash = trace.itemHashes[p.itemIndex]!;
      let h = hash;
      p.itemSiblings.forEach((s, i) => {
        h = ((p.itemIndex >> i) & 1) === 1 ? getHasher().digest64(s, h) : getHasher().digest64(h, s);
      });
      expect(toHex(mixInLength(h, p.itemCount))).toBe(toHex(p.header.txRoot));
    }
    if (!p.post.invalid) expect(toHex(root)).toBe(toHex(p.post.objectsRoot));
  }
}

/** The objects root after the accesses of step j up to and including `key` (recomputed from the trace). */
function nextRoot(trace: ReturnType<typeof traceBlock>, j: number, key: Uint8Array, _root: Uint8Array): Uint8Array {
  const step = trace.steps[j]!;
  const sorted = [...step.accesses].sort((a, b) => Buffer.compare(a.key, b.key));
  let state = step.preState;
  for (const a of sorted) {
    state = state.withChanges([{ ns: a.ns, id: a.id, key: a.key, value: a.after }], [], []);
    if (bytesEqual(a.key, key)) break;
  }
  return state.objects.root();
}

describe("traceBlock", () => {
  it("ends every valid block at its real post-state, deterministically, with proofs that chain", () => {
    const seen = { failed: 0, deletions: 0, withdrawals: 0, forcedIncluded: 0, forcedRefused: 0 };
    fc.assert(
      fc.property(fc.array(blockArb, { minLength: 1, maxLength: 4 }), (specs) => {
        const c = new SealedChain();
        c.fund(2n * 10n ** 18n);
        // A fixed first block reaches what random ones may miss: a failed transfer, a withdrawal and
        // a token balance burned to zero (a deletion).
        const fixed = {
          deposits: [] as [number, bigint][],
          forced: [
            { from: 3, badNonce: false },
            { from: 2, badNonce: true },
          ],
          ops: [
            { type: 5, actor: 0, target: 0, amount: 0n, pick: 0 },
            { type: 6, actor: 0, target: 0, amount: 0n, pick: 0 },
            { type: 7, actor: 0, target: 0, amount: 0n, pick: 0 },
            { type: 2, actor: 1, target: 2, amount: 5n, pick: 0 },
            { type: 0, actor: 2, target: 3, amount: 3n * 10n ** 18n, pick: 1 },
          ],
        };
        for (const spec of [fixed, ...specs]) {
          const block = buildValidBlock(c, spec);
          const parent = c.state;
          const result = applyBlock(parent, block, { chainId: CHAIN_ID });
          const trace = traceBlock(parent, c.header, block, LIMITS);
          const n = block.deposits.length + block.transactions.length;
          expect(trace.steps.length).toBe(n + 2);
          expect(trace.commitments.length).toBe(n + 3);
          const last = trace.states[n + 2]!;
          expect(last.invalid).toBe(false);
          expect(toHex(last.objectsRoot)).toBe(toHex(result.roots.objectsRoot));
          expect(toHex(last.withdrawalsRoot)).toBe(toHex(result.roots.withdrawalsRoot));
          expect(toHex(getHasher().digest64(last.objectsRoot, last.withdrawalsRoot))).toBe(
            toHex(result.roots.stateRoot),
          );
          expect(toHex(last.receiptsRoot)).toBe(toHex(result.roots.receiptsRoot));
          expect(last.l1DepositNonce).toBe(result.l1DepositNonce);
          expect(last.items).toBe(n);
          expect(last.l1Messages).toBe(block.deposits.length);
          expect(trace.steps.map((s) => s.kind)).toEqual([
            StepKind.BlockStart,
            ...block.deposits.map(() => StepKind.L1Message),
            ...block.transactions.map(() => StepKind.Transaction),
            StepKind.EndOfBlock,
          ]);
          // Deterministic: a second trace gives the same commitments.
          const again = traceBlock(parent, c.header, block, LIMITS);
          expect(again.commitments.map(toHex)).toEqual(trace.commitments.map(toHex));
          checkProofsChain(trace);
          for (const st of trace.steps) {
            if (st.receipt?.status === 0) seen.failed++;
            if (st.accesses.some((a) => a.before !== null && a.after === null)) seen.deletions++;
            if (st.withdrawals.length > 0) seen.withdrawals++;
            if (st.kind === StepKind.L1Message && st.receipt?.kind === TxKind.Transfer) seen.forcedIncluded++;
            if (st.kind === StepKind.L1Message && st.receipt?.code === 201) seen.forcedRefused++;
          }
          c.advance(block);
        }
      }),
      { numRuns: RUNS },
    );
    // The random blocks reached failed receipts, deletions and withdrawals.
    expect(seen.failed).toBeGreaterThan(0);
    expect(seen.deletions).toBeGreaterThan(0);
    expect(seen.withdrawals).toBeGreaterThan(0);
    expect(seen.forcedIncluded).toBeGreaterThan(0);
    expect(seen.forcedRefused).toBeGreaterThan(0);
  });

  it("traces fee allowances, session grants and Via transactions, and proves a refused one from the allowance it read", () => {
    const c = new SealedChain();
    c.fund(10n ** 18n);
    const [owner, account, sessionKey] = [keys[0]!, keys[1]!, keys[2]!];
    const app = identityIdOf(owner.address, c.chain.nextNonce(owner));
    const check = (block: SignedBlock) => {
      const result = applyBlock(c.state, block, { chainId: CHAIN_ID });
      const trace = traceBlock(c.state, c.header, block, LIMITS);
      const last = trace.states.at(-1)!;
      expect(last.invalid).toBe(false);
      expect(toHex(last.objectsRoot)).toBe(toHex(result.roots.objectsRoot));
      checkProofsChain(trace);
      c.advance(block);
      return trace;
    };
    check(
      c.seal(
        c.chain.buildBlock([
          c.chain.sign(owner, TxKind.IdentityCreate, { handle: "game", profileCid: cidOf("g") }),
          c.chain.sign(owner, TxKind.FeeAllowanceSet, {
            grantee: account.address,
            target: new Uint8Array(32),
            totalBudget: 100n,
            periodBudget: 10n,
            period: 60,
            maxFeePerTx: 0n,
            kinds: kindsMask(["Transfer", "SessionGrant"]),
            expiresAt: 0,
          }),
        ]),
      ),
    );
    const requestDeadline = c.chain.timestamp + 100;
    const appSignature = signDigest(
      hashTypedData(CHAIN_ID, SessionRequest, {
        account: account.address,
        sessionKey: sessionKey.address,
        app,
        deadline: requestDeadline,
      }),
      owner.priv,
    );
    const sponsor = { sponsor: owner.address };
    const trace = check(
      c.seal(
        c.chain.buildBlock([
          c.chain.signVia(
            account,
            TxKind.SessionGrant,
            {
              sessionKey: sessionKey.address,
              app,
              appSignature,
              requestDeadline,
              kinds: kindsMask(["Transfer"]),
              filCap: 50n,
              filPeriodCap: 0n,
              period: 0,
              tokens: [],
              tokenCaps: [],
              tokenPeriodCaps: [],
              collections: [],
              counterparties: [],
              expiresAt: c.chain.timestamp + 1000,
            },
            sponsor,
          ),
          c.chain.signVia(account, TxKind.Transfer, { to: owner.address, amount: 1n, fee: 2n }, sponsor),
          c.chain.signVia(
            sessionKey,
            TxKind.Transfer,
            { to: owner.address, amount: 3n, fee: 2n },
            { account: account.address },
          ),
          c.chain.signVia(
            sessionKey,
            TxKind.Transfer,
            { to: owner.address, amount: 3n, fee: 2n },
            { ...sponsor, account: account.address },
          ),
        ]),
      ),
    );
    // The session transactions' steps read the grant; the sponsored ones the allowance.
    const reads = (j: number, ns: Namespace) => trace.steps[j]!.accesses.some((a) => a.ns === ns);
    expect([1, 2, 3, 4].map((j) => reads(j, Namespace.FeeAllowance))).toEqual([true, true, false, true]);
    expect(reads(3, Namespace.SessionGrant) && reads(4, Namespace.SessionGrant)).toBe(true);

    // A sealed block holding a sponsored transaction no allowance covers is invalid at that step, and
    // the step's accesses hold the allowance it read (what a one-step proof proves).
    const good = c.chain.signVia(account, TxKind.Transfer, { to: owner.address, amount: 1n, fee: 1n }, sponsor);
    const refused = c.chain.signVia(
      account,
      TxKind.AttributeSet,
      { identityId: app, key: "k", value: "v", expiresAt: 0 },
      sponsor,
    );
    const sealed = c.seal(c.chain.buildBlock([good]));
    const b = { ...sealed, transactions: [good, refused] };
    const header = { ...sealed.header, txRoot: txRootOf(blockItems(b)) };
    const bad: SignedBlock = { ...b, header, signature: signBlockHeader(header, sequencer.priv) };
    const t = traceBlock(c.state, c.header, bad, LIMITS);
    expect(t.steps[2]!.invalidReason).toBe(TxValidationErrorCode.FEE_ALLOWANCE_NOT_COVERED);
    expect(t.steps[2]!.accesses.some((a) => a.ns === Namespace.FeeAllowance)).toBe(true);
    checkProofsChain(t);
  });

  it("T[0] is the parent's state with no items and no receipts", () => {
    const c = new SealedChain();
    const block = c.seal(c.chain.buildBlock([]));
    const trace = traceBlock(c.state, c.header, block, LIMITS);
    expect(trace.states[0]).toEqual({
      objectsRoot: c.state.roots().objectsRoot,
      withdrawalsRoot: c.state.roots().withdrawalsRoot,
      l1DepositNonce: 0,
      items: 0,
      l1Messages: 0,
      receiptsRoot: EMPTY_RECEIPTS_ROOT,
      invalid: false,
    });
    expect(toHex(trace.commitments[0]!)).toBe(toHex(stepStateRoot(trace.states[0]!)));
    // An empty block: block start and end of block change nothing.
    expect(trace.commitments.map(toHex)).toEqual([0, 1, 2].map(() => toHex(trace.commitments[0]!)));
  });

  it("marks the block invalid at the step that breaks a rule, and keeps every later state", () => {
    const c = new SealedChain();
    c.fund(10n ** 18n);
    const good = c.chain.sign(keys[0]!, TxKind.Transfer, { to: keys[1]!.address, amount: 5n, fee: 1n });
    const replay = good; // the same nonce again: NONCE_TOO_LOW
    const sealed = c.seal(c.chain.buildBlock([good]));
    // A sequencer that seals a block holding a transaction that is not includable.
    const bad: SignedBlock = (() => {
      const b = { ...sealed, transactions: [good, replay] };
      const items = blockItems(b);
      const header = { ...sealed.header, txRoot: txRootOf(items) };
      return { ...b, header, signature: signBlockHeader(header, sequencer.priv) };
    })();
    expect(() => applyBlock(c.state, bad, { chainId: CHAIN_ID })).toThrow();
    const trace = traceBlock(c.state, c.header, bad, LIMITS);
    expect(trace.steps[2]!.invalidReason).toBe(TxValidationErrorCode.NONCE_TOO_LOW);
    expect(trace.states[2]!.invalid).toBe(false);
    expect(trace.states.slice(3).every((s) => s.invalid)).toBe(true);
    expect(new Set(trace.commitments.slice(3).map(toHex)).size).toBe(1);

    // A wrong stateRoot in the header: the end-of-block step finds it.
    const wrongRoot = { ...sealed.header, stateRoot: new Uint8Array(32).fill(7) };
    const wrong = { ...sealed, header: wrongRoot, signature: signBlockHeader(wrongRoot, sequencer.priv) };
    const t2 = traceBlock(c.state, c.header, wrong, LIMITS);
    expect(t2.steps.at(-1)!.invalidReason).toBe(BlockErrorCode.ROOT_MISMATCH);
    expect(t2.states.at(-2)!.invalid).toBe(false);
    expect(t2.states.at(-1)!.invalid).toBe(true);

    // A seal by another key: the block-start step.
    const forged = { ...sealed, signature: signBlockHeader(sealed.header, makeKey(5).priv) };
    const t3 = traceBlock(c.state, c.header, forged, LIMITS);
    expect(t3.steps[0]!.invalidReason).toBe(BlockErrorCode.BAD_SEAL);
    expect(t3.states.slice(1).every((s) => s.invalid)).toBe(true);

    // Too many transactions for the chain's limit: the end-of-block step.
    const t5 = traceBlock(c.state, c.header, sealed, { ...LIMITS, maxBlockTxs: 0 });
    expect(t5.steps.at(-1)!.invalidReason).toBe(BlockErrorCode.TOO_MANY_TRANSACTIONS);

    // An L1 message listed after a transaction.
    c.chain.deposit(keys[2]!.address, 3n);
    const withDeposit = c.seal(c.chain.buildBlock([good]));
    const items = [...blockItems(withDeposit)].reverse();
    const header = { ...withDeposit.header, txRoot: txRootOf(items) };
    const reordered = { ...withDeposit, header, signature: signBlockHeader(header, sequencer.priv) };
    const t4 = traceBlock(c.state, c.header, reordered, LIMITS, items);
    expect(t4.steps[2]!.invalidReason).toBe(BlockErrorCode.DEPOSIT_OUT_OF_ORDER);
  });

  it("refuses a body that is not the header's", () => {
    const c = new SealedChain();
    const block = c.seal(c.chain.buildBlock([]));
    const tx = c.chain.sign(keys[0]!, TxKind.Transfer, { to: keys[1]!.address, amount: 0n, fee: 0n });
    expect(() => traceBlock(c.state, c.header, { ...block, transactions: [tx] }, LIMITS)).toThrow(
      expect.objectContaining({ code: TraceErrorCode.BODY_MISMATCH }),
    );
  });
});

function txRootOf(items: TraceItem[]): Uint8Array {
  return HashListSsz.hashTreeRoot(items.map(itemHash));
}

function clearDeposits(chain: TestChain): void {
  (chain as unknown as { pendingDeposits: unknown[] }).pendingDeposits = [];
}
