/**
 * Property tests over random transaction sequences (fast-check):
 * FIL is conserved, replays are rejected, two independent executions agree on every root,
 * and every object's proof verifies while a tampered one fails.
 */
import { collectionIdOf, dataAssetIdOf, identityIdOf, tokenIdOf } from "@filverse/crypto";
import { CHAIN_ID, cidOf, makeKey, pieceCidV1, sequencer, sumBalances, TestChain } from "@filverse/test-utils";
import { Namespace, type SignedTransaction, TxKind } from "@filverse/types";
import { toHex } from "@filverse/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyBlock } from "../../src/applyBlock.js";
import { type TxValidationError, TxValidationErrorCode } from "../../src/errors.js";
import { proveObject, proveWithdrawal, verifyObjectProof, verifyWithdrawalProof } from "../../src/proofs.js";
import { State } from "../../src/state.js";

const keys = [0, 1, 2, 3].map((i) => makeKey(i + 10));

type Op = { type: number; actor: number; target: number; amount: bigint; pick: number };
const opArb = fc.record({
  type: fc.integer({ min: 0, max: 14 }),
  actor: fc.integer({ min: 0, max: 3 }),
  target: fc.integer({ min: 0, max: 3 }),
  amount: fc.bigInt({ min: 0n, max: 2n * 10n ** 18n }),
  pick: fc.nat(),
});
/** Blocks of operations; each block may also carry deposits. */
const scenarioArb = fc.array(
  fc.record({
    ops: fc.array(opArb, { maxLength: 8 }),
    deposits: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.bigInt({ min: 0n, max: 3n * 10n ** 18n })), {
      maxLength: 3,
    }),
  }),
  { minLength: 1, maxLength: 6 },
);

/** Turn abstract ops into signed transactions against what the chain has created so far. */
class Driver {
  readonly chain = new TestChain();
  readonly collections: Uint8Array[] = [];
  readonly tokens: Uint8Array[] = [];
  readonly identities: Uint8Array[] = [];
  readonly dataAssets: { id: Uint8Array; owner: number }[] = [];
  readonly blocks: { txs: SignedTransaction[]; deposits: number }[] = [];
  private handles = 0;

  txFor(op: Op): SignedTransaction | null {
    const c = this.chain;
    const actor = keys[op.actor]!;
    const target = keys[op.target]!;
    const pick = <T>(xs: T[]) => (xs.length === 0 ? null : xs[op.pick % xs.length]!);
    const fee = op.amount % 5n;
    switch (op.type) {
      case 0:
        return c.sign(actor, TxKind.Transfer, { to: target.address, amount: op.amount, fee });
      case 1:
        return c.sign(actor, TxKind.Withdraw, { l1Recipient: target.address, amount: op.amount + 1n, fee });
      case 2:
        this.collections.push(collectionIdOf(actor.address, c.nextNonce(actor)));
        return c.sign(actor, TxKind.CollectionCreate, {
          name: "C",
          symbol: "C",
          royaltyBps: op.pick % 2001,
          maxSupply: 3,
          metadataMutable: true,
          fee,
        });
      case 3: {
        const collectionId = pick(this.collections);
        return (
          collectionId &&
          c.sign(actor, TxKind.AssetMint, {
            collectionId,
            tokenId: op.pick % 4,
            to: target.address,
            contentCid: cidOf(String(op.pick)),
            fee,
          })
        );
      }
      case 4: {
        const collectionId = pick(this.collections);
        return (
          collectionId &&
          c.sign(actor, TxKind.AssetTransfer, { collectionId, tokenId: op.pick % 4, to: target.address, fee })
        );
      }
      case 5:
        this.tokens.push(tokenIdOf(actor.address, c.nextNonce(actor)));
        return c.sign(actor, TxKind.TokenCreate, { name: "T", symbol: "T", decimals: 6, cap: 10n ** 20n, fee });
      case 6: {
        const tokenId = pick(this.tokens);
        return tokenId && c.sign(actor, TxKind.TokenMint, { tokenId, to: target.address, amount: op.amount + 1n, fee });
      }
      case 7: {
        const tokenId = pick(this.tokens);
        return (
          tokenId && c.sign(actor, TxKind.TokenTransfer, { tokenId, to: target.address, amount: op.amount + 1n, fee })
        );
      }
      case 8:
        this.identities.push(identityIdOf(actor.address, c.nextNonce(actor)));
        // Handles collide on purpose now and then (HANDLE_TAKEN).
        return c.sign(actor, TxKind.IdentityCreate, {
          handle: `user_${(this.handles++ * 7 + op.pick) % 5}`,
          profileCid: cidOf("p"),
          fee,
        });
      case 9: {
        const identityId = pick(this.identities);
        return (
          identityId &&
          c.sign(actor, TxKind.DelegateAdd, {
            identityId,
            delegate: target.address,
            scope: 1 + (op.pick % 3),
            expiresAt: c.timestamp + 1 + (op.pick % 4),
            fee,
          })
        );
      }
      case 10: {
        const identityId = pick(this.identities);
        return (
          identityId &&
          c.sign(actor, TxKind.AttributeSet, { identityId, key: "k", value: String(op.amount), expiresAt: 0, fee })
        );
      }
      case 12:
        this.dataAssets.push({ id: dataAssetIdOf(actor.address, c.nextNonce(actor)), owner: op.actor });
        return c.sign(actor, TxKind.DataAssetRegister, {
          contentCid: cidOf(String(op.pick)),
          pieceCid: pieceCidV1(op.pick % 256),
          size: 1 + (op.pick % 4096),
          license: "MIT",
          fee,
        });
      case 13: {
        const data = pick(this.dataAssets);
        // Signed by the owner (most grants succeed; a stale one after a failed register does not).
        return (
          data &&
          c.sign(keys[data.owner]!, TxKind.AccessGrant, {
            dataAssetId: data.id,
            grantee: target.address,
            expiresAt: c.timestamp + 1 + (op.pick % 50),
            fee,
          })
        );
      }
      case 14: {
        const data = pick(this.dataAssets);
        return (
          data && c.sign(keys[data.owner]!, TxKind.AccessRevoke, { dataAssetId: data.id, grantee: target.address, fee })
        );
      }
      default: {
        const collectionId = pick(this.collections);
        if (!collectionId) return null;
        const owner = keys.find(
          (k) =>
            toHex(
              c.state.get(Namespace.Asset, new Uint8Array([...collectionId, 0, 0, 0, 0, 0, 0, 0, op.pick % 4]))
                ?.owner ?? new Uint8Array(20),
            ) === toHex(k.address),
        );
        const maker = owner ?? actor;
        const o = c.order(maker, { collectionId, tokenId: op.pick % 4, price: op.amount, salt: BigInt(op.pick) });
        return c.sign(actor, TxKind.TradeFill, { ...o, fee });
      }
    }
  }

  /** Run the scenario. Transactions that are not includable (unaffordable fee) are dropped, as a sequencer would. */
  run(scenario: { ops: Op[]; deposits: [number, bigint][] }[]): void {
    for (const b of scenario) {
      for (const [who, amount] of b.deposits) this.chain.deposit(keys[who]!.address, amount);
      const txs: SignedTransaction[] = [];
      for (const op of b.ops) {
        const tx = this.txFor(op);
        if (!tx) continue;
        try {
          applyBlock(this.chain.state, this.chain.buildBlock([...txs, tx]), { chainId: CHAIN_ID });
          txs.push(tx);
        } catch (err) {
          // Not includable: give the nonce back so the sender's next transaction is valid.
          if (!(err instanceof Error)) throw err;
          this.rewindNonce(tx);
        }
      }
      this.blocks.push({ txs, deposits: b.deposits.length });
      this.chain.block(txs);
    }
  }

  private rewindNonce(tx: SignedTransaction): void {
    const key = keys.find((k) => this.chain.nextNonce(k) === tx.message.nonce + 1 && k)!;
    (this.chain as unknown as { nonces: Map<string, number> }).nonces.set(toHex(key.address), tx.message.nonce);
  }
}

const provenNamespaces = new Set<Namespace>();

const op = (type: number, actor: number, target: number, amount: bigint, pick = 0): Op => ({
  type,
  actor,
  target,
  amount,
  pick,
});
/** Always run besides the random scenarios: creates one object of every kind the proofs must cover. */
const everyObjectScenario = [
  {
    deposits: [[0, 10n ** 19n] as [number, bigint], [1, 10n ** 19n] as [number, bigint]],
    ops: [
      op(2, 0, 0, 1n), // collection
      op(3, 0, 1, 1n), // asset
      op(5, 0, 0, 1n), // social token
      op(6, 0, 1, 5n), // token balance
      op(8, 1, 0, 1n), // identity and handle
      op(12, 0, 0, 1n, 1), // data asset
      op(13, 0, 2, 1n, 5), // access grant (expires 6 s after the block; pick 0 would expire at once)
      op(1, 1, 1, 1n), // withdrawal
    ],
  },
];

describe("state machine properties", () => {
  it("conserves FIL: deposits − withdrawals = Σ balances (fees included, in the proposer's)", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const d = new Driver();
        d.run(scenario);
        const g = d.chain.state.globals();
        expect(sumBalances(d.chain.state)).toBe(g.totalDeposited - g.totalWithdrawn);
        let withdrawn = 0n;
        for (let i = 0; i < g.withdrawalCount; i++) withdrawn += d.chain.state.withdrawal(i)!.amount;
        expect(withdrawn).toBe(g.totalWithdrawn);
      }),
      { numRuns: 40 },
    );
  });

  it("rejects every replayed transaction", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const d = new Driver();
        d.run(scenario);
        for (const { txs } of d.blocks) {
          for (const tx of txs) {
            let code: number | undefined;
            try {
              applyBlock(d.chain.state, d.chain.buildBlock([tx]), { chainId: CHAIN_ID });
            } catch (err) {
              code = ((err as Error).cause as TxValidationError | undefined)?.code;
            }
            expect(code).toBe(TxValidationErrorCode.NONCE_TOO_LOW);
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  it("two independent executions give the same roots and receipts", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const d = new Driver();
        d.run(scenario);
        // Replay the recorded blocks on a fresh genesis, as a verifier would.
        let state = State.genesis();
        const replay = new TestChain();
        let nonce = 0;
        for (const [i, { txs, deposits }] of d.blocks.entries()) {
          for (let j = 0; j < deposits; j++) nonce++;
          const original = d.chain;
          void original;
          const block = replay.buildBlock(txs);
          block.header.timestamp = 1_700_000_000 + i + 1;
          block.header.number = i + 1;
          block.deposits = scenario[i]!.deposits.map(([who, amount], k) => ({
            l1Nonce: nonce - deposits + k + 1,
            l1BlockNumber: 100 + nonce - deposits + k + 1,
            l1TxHash: new Uint8Array(32).fill((nonce - deposits + k + 1) & 0xff),
            from: new Uint8Array(20).fill(0xee),
            to: keys[who]!.address,
            amount,
            forcedTx: new Uint8Array(0),
          }));
          state = applyBlock(state, block, { chainId: CHAIN_ID }).state;
        }
        expect(toHex(state.roots().stateRoot)).toBe(toHex(d.chain.state.roots().stateRoot));
        expect(state.objects.size).toBe(d.chain.state.objects.size);
        // A node restarting from its stored objects and withdrawals rebuilds the same root.
        const g = state.globals();
        const withdrawals = Array.from({ length: g.withdrawalCount }, (_, i) => state.withdrawal(i)!);
        const rebuilt = State.fromEntries(
          [...state.objects.entries()].map((e) => e.value),
          withdrawals,
        );
        expect(toHex(rebuilt.roots().stateRoot)).toBe(toHex(state.roots().stateRoot));
      }),
      { numRuns: 25 },
    );
  });

  it("every object and withdrawal proof verifies; tampered proofs fail", () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), (scenario, seed) => {
        const d = new Driver();
        d.run(scenario);
        const state = d.chain.state;
        const root = state.roots().stateRoot;
        for (const { value: e } of state.objects.entries()) {
          provenNamespaces.add(e.ns);
          const p = proveObject(state, e.ns, e.id);
          expect(verifyObjectProof(root, p)).toBe(true);
          if (p.proof.siblings.length > 0) {
            const i = seed % p.proof.siblings.length;
            const siblings = p.proof.siblings.map((s, j) => (j === i ? flip(s, seed) : s));
            expect(verifyObjectProof(root, { ...p, proof: { ...p.proof, siblings } })).toBe(false);
          }
          expect(verifyObjectProof(root, { ...p, withdrawalsRoot: flip(p.withdrawalsRoot, seed) })).toBe(false);
          expect(verifyObjectProof(root, { ...p, value: null })).toBe(false);
        }
        for (let i = 0; i < state.globals().withdrawalCount; i++) {
          const p = proveWithdrawal(state, i)!;
          expect(verifyWithdrawalProof(root, p)).toBe(true);
          expect(
            verifyWithdrawalProof(root, { ...p, withdrawal: { ...p.withdrawal, amount: p.withdrawal.amount + 1n } }),
          ).toBe(false);
          expect(
            verifyWithdrawalProof(root, { ...p, withdrawal: { ...p.withdrawal, index: p.withdrawal.index + 1 } }),
          ).toBe(false);
          const siblings = p.siblings.map((s, j) => (j === seed % p.siblings.length ? flip(s, seed) : s));
          expect(verifyWithdrawalProof(root, { ...p, siblings })).toBe(false);
        }
        // Absent objects: a non-membership proof verifies, and claiming presence fails.
        const absent = proveObject(state, Namespace.Account, makeKey(5000 + (seed % 100)).address);
        expect(absent.value).toBeNull();
        expect(verifyObjectProof(root, absent)).toBe(true);
        expect(verifyObjectProof(root, { ...absent, value: { balance: 0n, nonce: 0 } })).toBe(false);
      }),
      { numRuns: 25, examples: [[everyObjectScenario, 7]] },
    );
  });

  it("the fixed scenario alone creates every object kind the proofs must cover", () => {
    const d = new Driver();
    d.run(everyObjectScenario);
    const present = new Set([...d.chain.state.objects.entries()].map((e) => e.value.ns));
    for (const ns of [
      Namespace.Account,
      Namespace.Collection,
      Namespace.Asset,
      Namespace.Token,
      Namespace.TokenBalance,
      Namespace.Identity,
      Namespace.Handle,
      Namespace.DataAsset,
      Namespace.AccessGrant,
    ]) {
      expect(present.has(ns), Namespace[ns]).toBe(true);
    }
  });

  it("the proof property covered accounts, collections, assets, tokens, identities and data assets", () => {
    for (const ns of [
      Namespace.Account,
      Namespace.Collection,
      Namespace.Asset,
      Namespace.Token,
      Namespace.TokenBalance,
      Namespace.Identity,
      Namespace.Handle,
      Namespace.DataAsset,
      Namespace.AccessGrant,
    ]) {
      expect(provenNamespaces.has(ns), Namespace[ns]).toBe(true);
    }
  });

  it("the sequencer address only earns fees", () => {
    const d = new Driver();
    d.run([{ ops: [{ type: 0, actor: 0, target: 1, amount: 9n, pick: 0 }], deposits: [[0, 10n ** 18n]] }]);
    expect(d.chain.balance(sequencer)).toBe(9n % 5n);
  });
});

function flip(bytes: Uint8Array, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out[seed % out.length] ^= 1 << (seed % 8);
  return out;
}
