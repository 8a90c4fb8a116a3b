/**
 * Properties of fee allowances and session grants over random transaction sequences:
 * - no transaction makes an allowance's spent pass its budget or a grant's spending pass its caps;
 * - a sponsor's balance only decreases by fees its allowances covered (and their spent grows by as much);
 * - admission (planFee on the snapshot, as the node asks) agrees with execution (the executor's
 *   includability), code for code, and the payer it names is the one charged.
 */
import { hashTypedData, identityIdOf, signDigest, signTransaction, tokenIdOf } from "@filverse/crypto";
import { CHAIN_ID, type Key, makeKey, sequencer, TestChain, ZERO_ADDRESS, ZERO_ID } from "@filverse/test-utils";
import { kindsMask, Namespace, ReceiptStatus, SessionRequest, type SignedTransaction, TxKind } from "@filverse/types";
import { bytesEqual } from "@filverse/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TxValidationError } from "../../src/errors.js";
import { planFee } from "../../src/execution/sponsorship.js";
import { BlockExecutor } from "../../src/executor.js";
import { feeAllowanceObjectId, sessionGrantObjectId } from "../../src/keys.js";
import type { State as StateSnapshot } from "../../src/state.js";
import { validateTransaction } from "../../src/validate.js";

const RUNS = Number(process.env.FILVERSE_FUZZ_RUNS ?? 30);

const S = makeKey(41, "sponsor");
const A1 = makeKey(42, "a1");
const A2 = makeKey(43, "a2");
const K1 = makeKey(44, "k1");
const K2 = makeKey(45, "k2");
const G = makeKey(46, "game");
const KEYS = [A1, A2, K1, K2];
const OWNER = new Map([
  [K1.name, A1],
  [K2.name, A2],
]);

type World = { chain: TestChain; tokenT: Uint8Array; tokenU: Uint8Array };

function ok(r: { code: number }) {
  if (r.code !== 0) throw new Error(`setup failed with ${r.code}`);
}

/** The setup: allowances of S for A1 and A2, grants A1→K1 and A2→K2 with FIL and token caps. */
function world(): World {
  const chain = new TestChain();
  chain.fund([S, G], 10n ** 6n);
  chain.fund([A1], 40n);
  chain.fund([A2], 1000n);
  ok(
    chain.exec(G, TxKind.IdentityCreate, {
      handle: "game",
      profileCid: "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
    }),
  );
  const app = identityIdOf(G.address, 0);
  const tokenT = tokenIdOf(A1.address, chain.nextNonce(A1));
  ok(chain.exec(A1, TxKind.TokenCreate, { name: "T", symbol: "T", decimals: 0, cap: 1000n, fee: 0n }));
  ok(chain.exec(A1, TxKind.TokenMint, { tokenId: tokenT, to: A1.address, amount: 500n, fee: 0n }));
  const tokenU = tokenIdOf(A2.address, chain.nextNonce(A2));
  ok(chain.exec(A2, TxKind.TokenCreate, { name: "U", symbol: "U", decimals: 0, cap: 1000n, fee: 0n }));
  ok(chain.exec(A2, TxKind.TokenMint, { tokenId: tokenU, to: A2.address, amount: 500n, fee: 0n }));
  const allowance = (grantee: Key, f: Record<string, unknown>) =>
    ok(
      chain.exec(S, TxKind.FeeAllowanceSet, {
        grantee: grantee.address,
        target: ZERO_ID,
        totalBudget: 60n,
        periodBudget: 0n,
        period: 0,
        maxFeePerTx: 0n,
        kinds: kindsMask(["Transfer", "TokenTransfer", "TokenBurn"]),
        expiresAt: 0,
        fee: 0n,
        ...f,
      }),
    );
  allowance(A1, { periodBudget: 20n, period: 100 });
  allowance(A2, { totalBudget: 30n, maxFeePerTx: 3n, kinds: kindsMask(["Transfer", "TokenTransfer"]) });
  const grant = (account: Key, key: Key, f: Record<string, unknown>) => {
    const requestDeadline = chain.timestamp + 100;
    const appSignature = signDigest(
      hashTypedData(CHAIN_ID, SessionRequest, {
        account: account.address,
        sessionKey: key.address,
        app,
        deadline: requestDeadline,
      }),
      G.priv,
    );
    ok(
      chain.exec(account, TxKind.SessionGrant, {
        sessionKey: key.address,
        app,
        appSignature,
        requestDeadline,
        kinds: kindsMask(["Transfer", "TokenTransfer", "TokenBurn"]),
        filCap: 40n,
        filPeriodCap: 0n,
        period: 0,
        tokens: [],
        tokenCaps: [],
        tokenPeriodCaps: [],
        collections: [],
        counterparties: [],
        expiresAt: chain.timestamp + 100_000,
        fee: 0n,
        ...f,
      }),
    );
  };
  grant(A1, K1, { filPeriodCap: 15n, period: 100, tokens: [tokenT], tokenCaps: [30n], tokenPeriodCaps: [10n] });
  grant(A2, K2, {
    filCap: 100n,
    tokens: [tokenU],
    tokenCaps: [50n],
    tokenPeriodCaps: [0n],
    counterparties: [A1.address, S.address],
  });
  return { chain, tokenT, tokenU };
}

type Op = {
  signer: number;
  kind: TxKind.Transfer | TxKind.TokenTransfer | TxKind.TokenBurn;
  amount: bigint;
  token: 0 | 1;
  to: number;
  fee: bigint;
  sponsored: boolean;
  account: "self" | "owner" | "other";
  advance: number;
};

const op: fc.Arbitrary<Op> = fc.record({
  signer: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom(TxKind.Transfer, TxKind.TokenTransfer, TxKind.TokenBurn),
  amount: fc.bigInt({ min: 1n, max: 25n }),
  token: fc.constantFrom(0 as const, 1 as const),
  to: fc.integer({ min: 0, max: 2 }),
  fee: fc.bigInt({ min: 0n, max: 6n }),
  sponsored: fc.boolean(),
  account: fc.constantFrom("self" as const, "owner" as const, "owner" as const, "other" as const),
  advance: fc.constantFrom(0, 0, 0, 40, 120),
});

function sign(w: World, state: StateSnapshot, o: Op): SignedTransaction {
  const key = KEYS[o.signer]!;
  const nonce = state.get(Namespace.Account, key.address)?.nonce ?? 0;
  const to = [A1, A2, S][o.to]!.address;
  const tokenId = o.token === 0 ? w.tokenT : w.tokenU;
  const message =
    o.kind === TxKind.Transfer
      ? { to, amount: o.amount, nonce, fee: o.fee }
      : o.kind === TxKind.TokenTransfer
        ? { tokenId, to, amount: o.amount, onBehalfOf: ZERO_ID, nonce, fee: o.fee }
        : { tokenId, amount: o.amount, onBehalfOf: ZERO_ID, nonce, fee: o.fee };
  const account =
    o.account === "owner"
      ? (OWNER.get(key.name)?.address ?? ZERO_ADDRESS)
      : o.account === "other"
        ? A2.address
        : ZERO_ADDRESS;
  const sponsor = o.sponsored ? S.address : ZERO_ADDRESS;
  const via = bytesEqual(sponsor, ZERO_ADDRESS) && bytesEqual(account, ZERO_ADDRESS) ? undefined : { sponsor, account };
  return signTransaction(CHAIN_ID, { kind: o.kind, message } as never, key.priv, via);
}

function allowances(state: StateSnapshot) {
  return [A1, A2].map((k) => state.get(Namespace.FeeAllowance, feeAllowanceObjectId(S.address, k.address, ZERO_ID))!);
}
function grants(state: StateSnapshot) {
  return [
    [A1, K1],
    [A2, K2],
  ].map(([a, k]) => state.get(Namespace.SessionGrant, sessionGrantObjectId(a!.address, k!.address))!);
}

function checkCaps(state: StateSnapshot): void {
  for (const a of allowances(state)) {
    expect(a.spent <= a.totalBudget).toBe(true);
    if (a.periodBudget > 0n) expect(a.periodSpent <= a.periodBudget).toBe(true);
  }
  for (const g of grants(state)) {
    expect(g.filSpent <= g.filCap).toBe(true);
    if (g.filPeriodCap > 0n) expect(g.filPeriodSpent <= g.filPeriodCap).toBe(true);
    g.tokens.forEach((_, i) => {
      expect(g.tokenSpent[i]! <= g.tokenCaps[i]!).toBe(true);
      if (g.tokenPeriodCaps[i]! > 0n) expect(g.tokenPeriodSpent[i]! <= g.tokenPeriodCaps[i]!).toBe(true);
    });
  }
}

const balance = (state: StateSnapshot, k: Key | Uint8Array) =>
  state.get(Namespace.Account, k instanceof Uint8Array ? k : k.address)?.balance ?? 0n;

describe("fee allowances and session grants: properties", () => {
  it("no transaction passes a cap or budget; the sponsor pays only fees its allowances cover; admission agrees with execution", () => {
    const base = world();
    let codes = 0;
    const seen = new Set<number>();
    let included = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
        let state = base.chain.state as unknown as StateSnapshot;
        let now = base.chain.timestamp;
        for (const o of ops) {
          now += 1 + o.advance;
          const tx = sign(base, state, o);
          const vtx = validateTransaction(tx, CHAIN_ID);
          // Admission: the node's check on the snapshot.
          let admitted: { code: number } | { payer: Uint8Array };
          try {
            admitted = { payer: planFee(state, vtx, now).payer };
          } catch (err) {
            if (!(err instanceof TxValidationError)) throw err;
            admitted = { code: err.code };
          }
          const executor = new BlockExecutor(state, {
            chainId: CHAIN_ID,
            timestamp: now,
            proposer: sequencer.address,
            minTxFee: 0n,
          });
          let executed: { code: number } | { receipt: true };
          let success = false;
          try {
            success = executor.applyTransaction(vtx).status === ReceiptStatus.Success;
            executed = { receipt: true };
          } catch (err) {
            if (!(err instanceof TxValidationError)) throw err;
            executed = { code: err.code };
          }
          if ("code" in admitted) {
            expect(executed).toEqual(admitted);
            codes++;
            seen.add(admitted.code);
            continue;
          }
          expect(executed).toEqual({ receipt: true });
          included++;
          const after = executor.finish().state;
          // The sponsor's balance moves by the fee of what it sponsored, and by nothing else but a
          // successful transfer to it.
          const sponsored = tx.via !== undefined && bytesEqual(tx.via.sponsor, S.address);
          const fee = tx.message.fee;
          const received = success && o.kind === TxKind.Transfer && o.to === 2 ? o.amount : 0n;
          expect(balance(after, S) - balance(state, S)).toBe(received - (sponsored ? fee : 0n));
          const spent = (st: StateSnapshot) => allowances(st).reduce((x, a) => x + a.spent, 0n);
          expect(spent(after) - spent(state)).toBe(sponsored ? fee : 0n);
          if (!sponsored) expect(bytesEqual(admitted.payer, S.address)).toBe(false);
          checkCaps(after);
          state = after;
        }
      }),
      { numRuns: RUNS },
    );
    // The sequences reach both outcomes, and refusals of several kinds (202, 205, 209–211, 213, 214 at 100 runs).
    expect(codes).toBeGreaterThan(0);
    expect(included).toBeGreaterThan(0);
    if (RUNS >= 30) expect(seen.size).toBeGreaterThanOrEqual(4);
  });
});
