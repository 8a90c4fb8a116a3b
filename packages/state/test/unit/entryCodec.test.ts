/** The byte form of state objects: every namespace round-trips, bad bytes throw. */
import { Namespace, type StateObjects } from "@filverse/types";
import { describe, expect, it } from "vitest";
import { decodeStateEntry, encodeStateEntry } from "../../src/entryCodec.js";
import { State } from "../../src/state.js";

const b = (n: number, fill: number) => new Uint8Array(n).fill(fill);

const samples: { [N in Namespace]: { id: Uint8Array; value: StateObjects[N] } } = {
  [Namespace.Globals]: {
    id: new Uint8Array(0),
    value: { l1DepositNonce: 3, withdrawalCount: 2, totalDeposited: 10n ** 30n, totalWithdrawn: 5n },
  },
  [Namespace.Account]: { id: b(20, 1), value: { balance: 2n ** 255n + 1n, nonce: 2 ** 53 - 1 } },
  [Namespace.Collection]: {
    id: b(32, 2),
    value: {
      creator: b(20, 3),
      name: "Ünïcödé ✓",
      symbol: "SYM",
      royaltyBps: 250,
      maxSupply: 10,
      minted: 4,
      burned: 1,
      metadataMutable: true,
    },
  },
  [Namespace.Asset]: {
    id: b(40, 4),
    value: {
      collectionId: b(32, 2),
      tokenId: 7,
      owner: b(20, 5),
      approved: b(20, 0),
      contentCid: "bafkreiabc",
      burned: false,
    },
  },
  [Namespace.OperatorApproval]: { id: b(72, 6), value: { approved: true } },
  [Namespace.Token]: {
    id: b(32, 7),
    value: { issuer: b(20, 8), name: "Tok", symbol: "T", decimals: 18, cap: 10n ** 27n, supply: 0n },
  },
  [Namespace.TokenBalance]: { id: b(52, 9), value: { balance: 1n } },
  [Namespace.Identity]: {
    id: b(32, 10),
    value: { owner: b(20, 11), handle: "alice_1", profileCid: "", ownerEpoch: 0 },
  },
  [Namespace.Handle]: { id: b(32, 12), value: { identityId: b(32, 10) } },
  [Namespace.Attribute]: { id: b(64, 13), value: { key: "k", value: "v".repeat(300), expiresAt: 0 } },
  [Namespace.Delegate]: { id: b(52, 14), value: { scope: 3, expiresAt: 1_800_000_000, ownerEpoch: 1 } },
  [Namespace.DataAsset]: {
    id: b(32, 15),
    value: { owner: b(20, 16), contentCid: "c", pieceCid: "p", size: 1024, license: "CC-BY-4.0" },
  },
  [Namespace.AccessGrant]: { id: b(52, 17), value: { expiresAt: 99 } },
  [Namespace.OrderStatus]: { id: b(32, 18), value: { status: 1 } },
};

describe("state entry codec", () => {
  it("every namespace round-trips to an equal object sharing no memory with the bytes", () => {
    for (const [nsKey, { id, value }] of Object.entries(samples)) {
      const ns = Number(nsKey) as Namespace;
      const bytes = encodeStateEntry(ns, id, value);
      const back = decodeStateEntry(bytes);
      expect(back).toEqual({ ns, id, value });
      bytes.fill(0xee);
      expect(back).toEqual({ ns, id, value });
    }
  });

  it("a snapshot serves every namespace back as written, and the same root as before", () => {
    const writes = Object.entries(samples).map(([ns, s]) => ({ ns: Number(ns) as Namespace, ...s }));
    const state = State.fromEntries(writes, []);
    for (const w of writes) expect(state.get(w.ns, w.id)).toEqual(w.value);
    // Reads are fresh objects: mutating one does not reach the snapshot.
    const account = state.get(Namespace.Account, samples[Namespace.Account].id)!;
    account.nonce = 0;
    expect(state.get(Namespace.Account, samples[Namespace.Account].id)!.nonce).toBe(2 ** 53 - 1);
  });

  it("truncated or unknown bytes throw", () => {
    const good = encodeStateEntry(Namespace.Account, b(20, 1), { balance: 1n, nonce: 1 });
    expect(() => decodeStateEntry(good.subarray(0, 2))).toThrow(RangeError);
    expect(() => decodeStateEntry(good.subarray(0, 10))).toThrow(RangeError);
    expect(() => decodeStateEntry(good.subarray(0, good.length - 1))).toThrow();
    const unknown = good.slice();
    unknown[0] = 0x7f;
    expect(() => decodeStateEntry(unknown)).toThrow(RangeError);
  });
});
