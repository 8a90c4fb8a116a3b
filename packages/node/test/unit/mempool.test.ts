/** Mempool ordering, replacement, bounds and eviction, over real signed and validated transactions. */
import { signTransaction } from "@filverse/crypto";
import { validateTransaction } from "@filverse/state";
import { CHAIN_ID, makeKey } from "@filverse/test-utils";
import { encodeSignedTx, RpcErrorCode, TxKind } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { describe, expect, it } from "vitest";
import { MempoolError } from "../../src/errors.js";
import { Mempool, type MempoolOpts } from "../../src/sequencer/mempool.js";

const keys = [1, 2, 3, 4].map((i) => makeKey(500 + i));
const rich = () => ({ nonce: 0, balance: 10n ** 20n });

function tx(key = keys[0]!, nonce = 0, fee = 10n, amount = 1n) {
  const signed = signTransaction(
    CHAIN_ID,
    { kind: TxKind.Transfer, message: { to: keys[3]!.address, amount, nonce, fee } },
    key.priv,
  );
  return { vtx: validateTransaction(signed, CHAIN_ID), bytes: encodeSignedTx(signed) };
}

function pool(opts: Partial<MempoolOpts> = {}) {
  return new Mempool({ maxTxs: 100, maxPerSender: 16, maxNonceGap: 8, replacementBumpPercent: 10, ...opts });
}

function add(m: Mempool, t: ReturnType<typeof tx>, account = rich) {
  const r = m.add(t.vtx, t.bytes, account);
  r.tx.durable = true;
  return r;
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return "ok";
  } catch (err) {
    expect(err).toBeInstanceOf(MempoolError);
    return RpcErrorCode[(err as MempoolError).code];
  }
};

describe("mempool", () => {
  it("orders each sender by nonce and senders by fee; holds future nonces until the gap fills", () => {
    const m = pool();
    add(m, tx(keys[0], 1, 50n));
    add(m, tx(keys[0], 0, 5n));
    add(m, tx(keys[1], 0, 20n));
    add(m, tx(keys[2], 2, 100n)); // gap: nonce 0 and 1 missing
    const order = m
      .select(10, () => 0)
      .map((t) => `${keys.findIndex((k) => toHex(k.address) === t.sender)}:${t.nonce}`);
    expect(order).toEqual(["1:0", "0:0", "0:1"]);
    expect(m.pendingNonce(keys[0]!.address, 0)).toBe(2);
    expect(m.pendingNonce(keys[2]!.address, 0)).toBe(0);
  });

  it("skips transactions whose journal write has not synced", () => {
    const m = pool();
    const t = tx();
    m.add(t.vtx, t.bytes, rich);
    expect(m.select(10, () => 0)).toEqual([]);
  });

  it("replaces by nonce only with a fee at least 10% higher", () => {
    const m = pool();
    add(m, tx(keys[0], 0, 100n));
    expect(codeOf(() => add(m, tx(keys[0], 0, 109n)))).toBe("REPLACEMENT_UNDERPRICED");
    const r = add(m, tx(keys[0], 0, 110n));
    expect(r.replaced?.fee).toBe(100n);
    expect(m.size).toBe(1);
  });

  it("rejects past nonces, far-future nonces, sender floods and unpaid fees", () => {
    const m = pool({ maxPerSender: 2 });
    expect(codeOf(() => add(m, tx(keys[0], 0), () => ({ nonce: 3, balance: 10n ** 20n })))).toBe("NONCE_TOO_LOW");
    expect(codeOf(() => add(m, tx(keys[0], 9)))).toBe("NONCE_GAP");
    add(m, tx(keys[0], 0));
    add(m, tx(keys[0], 1));
    expect(codeOf(() => add(m, tx(keys[0], 2)))).toBe("SENDER_LIMIT");
    const poor = () => ({ nonce: 0, balance: 15n });
    add(m, tx(keys[1], 0, 10n), poor);
    expect(codeOf(() => add(m, tx(keys[1], 1, 10n), poor))).toBe("INSUFFICIENT_FUNDS");
  });

  it("is idempotent for a known transaction", () => {
    const m = pool();
    const t = tx();
    add(m, t);
    expect(add(m, t).known).toBe(true);
    expect(m.size).toBe(1);
  });

  it("when full, evicts the lowest fee (a sender's last nonce) or refuses a lower one", () => {
    const m = pool({ maxTxs: 3 });
    add(m, tx(keys[0], 0, 5n));
    add(m, tx(keys[0], 1, 50n));
    add(m, tx(keys[1], 0, 20n));
    expect(codeOf(() => add(m, tx(keys[2], 0, 20n)))).toBe("MEMPOOL_FULL");
    const r = add(m, tx(keys[2], 0, 30n));
    // keys[0]'s last nonce (fee 50) is not the cheapest tail: keys[1] (20) is evicted.
    expect(r.evicted?.fee).toBe(20n);
    expect(m.size).toBe(3);
  });

  it("prunes what the head has passed", () => {
    const m = pool();
    add(m, tx(keys[0], 0));
    add(m, tx(keys[0], 1));
    add(m, tx(keys[0], 2));
    const dropped = m.prune(() => 2, [toHex(keys[0]!.address)]);
    expect(dropped.map((t) => t.nonce)).toEqual([0, 1]);
    expect(m.select(10, () => 2).map((t) => t.nonce)).toEqual([2]);
  });

  it("restore re-admits journaled transactions without admission policy, keeping the higher fee", () => {
    const m = pool({ maxNonceGap: 2, maxPerSender: 2 });
    // Far past the gap and the per-sender bound, unfunded: restored all the same.
    for (const n of [5, 6, 7])
      expect(m.restore(tx(keys[0], n, 10n).vtx, tx(keys[0], n, 10n).bytes, 0).tx).not.toBeNull();
    expect(m.size).toBe(3);
    // Below the committed nonce: can never be included.
    expect(m.restore(tx(keys[1], 0).vtx, tx(keys[1], 0).bytes, 1).tx).toBeNull();
    // A replacement and its original: the higher fee stays.
    const low = tx(keys[2], 0, 10n);
    const high = tx(keys[2], 0, 20n);
    m.restore(low.vtx, low.bytes, 0);
    const r = m.restore(high.vtx, high.bytes, 0);
    expect(r.displaced?.fee).toBe(10n);
    expect(m.restore(low.vtx, low.bytes, 0).tx).toBeNull();
    expect(m.select(10, () => 0).map((t) => t.fee)).toEqual([20n]);
  });
});
