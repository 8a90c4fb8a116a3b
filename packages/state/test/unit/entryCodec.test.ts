/** The byte form of state objects: every namespace round-trips, bad bytes throw. */
import { MAX_UINT256 } from "@filverse/params";
import { Namespace, type StateObjects, type StructType, stateObjectStructs } from "@filverse/types";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
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

  it("a snapshot serves every namespace back as written, as a fresh object on each read", () => {
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

// ---------- the direct codec against @chainsafe/ssz ----------

type AnyStruct = StructType<unknown>;

/** Values of every field kind state objects use, edge values included. */
function fieldArb(struct: AnyStruct, name: string): fc.Arbitrary<unknown> {
  const field = struct.fields[name]!;
  switch (field.encoding.kind) {
    case "uint8":
      return fc.integer({ min: 0, max: 255 });
    case "uint16":
      return fc.integer({ min: 0, max: 65535 });
    case "uint64":
      return fc.oneof(fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER), fc.maxSafeNat());
    case "uint256":
      return fc.oneof(
        fc.constantFrom(0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n, 10n ** 18n, 2n ** 255n, MAX_UINT256),
        fc.bigInt({ min: 0n, max: MAX_UINT256 }),
        fc.bigInt({ min: 0n, max: 2n ** 100n }),
      );
    case "bool":
      return fc.boolean();
    case "address":
      return fc.uint8Array({ minLength: 20, maxLength: 20 });
    case "bytes32":
      return fc.uint8Array({ minLength: 32, maxLength: 32 });
    case "string": {
      const max = field.bounds!.maxBytes!;
      return fc
        .oneof(fc.string({ maxLength: max }), fc.string({ unit: "binary", maxLength: Math.min(max, 40) }))
        .filter((s) => Buffer.byteLength(s, "utf8") <= max);
    }
    case "array": {
      // The session grant's lists: fixed-size items; such a struct always goes through SSZ.
      const item = field.encoding.item;
      const one =
        item === "uint256"
          ? fc.bigInt({ min: 0n, max: MAX_UINT256 })
          : fc.uint8Array({ minLength: item === "address" ? 20 : 32, maxLength: item === "address" ? 20 : 32 });
      return fc.array(one, { maxLength: field.bounds!.maxLength! });
    }
    default:
      throw new Error(`no generator for ${field.encoding.kind}`);
  }
}

function valueArb(struct: AnyStruct): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(struct.fieldNames.map((n) => [n, fieldArb(struct, n)])));
}

function outcome(fn: () => unknown): unknown {
  try {
    return { ok: fn() };
  } catch (error) {
    return { threw: (error as Error).constructor.name };
  }
}

describe("state entry codec: the direct path is SSZ", () => {
  const namespaces = Object.keys(stateObjectStructs).map(Number) as Namespace[];

  it("encodes to the struct's SSZ bytes and decodes them back, for every namespace", () => {
    for (const ns of namespaces) {
      const struct = stateObjectStructs[ns] as AnyStruct;
      fc.assert(
        fc.property(valueArb(struct), fc.uint8Array({ maxLength: 72 }), (value, id) => {
          // Valid values and bytes never reach the struct's own SSZ path.
          const serialize = vi.spyOn(struct, "serialize");
          const deserialize = vi.spyOn(struct, "deserialize");
          let bytes: Uint8Array;
          let back: unknown;
          try {
            bytes = encodeStateEntry(ns, id, value as StateObjects[Namespace]);
            back = decodeStateEntry(bytes);
            // A struct with list fields (the session grant) has no direct path: it always goes through SSZ.
            const direct = struct.fieldNames.every((n) => struct.fields[n]!.encoding.kind !== "array");
            expect(serialize).toHaveBeenCalledTimes(direct ? 0 : 1);
            expect(deserialize).toHaveBeenCalledTimes(direct ? 0 : 1);
          } finally {
            serialize.mockRestore();
            deserialize.mockRestore();
          }
          expect(bytes.subarray(3 + id.length)).toEqual(struct.serialize(value));
          expect(back).toEqual({ ns, id, value: struct.deserialize(struct.serialize(value)) });
        }),
        { numRuns: 200 },
      );
    }
  });

  it("accepts and rejects corrupted bytes exactly as SSZ does, with the same values", () => {
    for (const ns of namespaces) {
      const struct = stateObjectStructs[ns] as AnyStruct;
      const mutation = fc.oneof(
        fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ cut: fc.nat() }),
        fc.record({ append: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
      );
      fc.assert(
        fc.property(valueArb(struct), fc.array(mutation, { minLength: 1, maxLength: 3 }), (value, mutations) => {
          let ssz = struct.serialize(value);
          for (const m of mutations) {
            if ("at" in m && ssz.length > 0) {
              ssz = ssz.slice();
              ssz[m.at % ssz.length] = m.byte;
            } else if ("cut" in m) {
              ssz = ssz.slice(0, m.cut % (ssz.length + 1));
            } else if ("append" in m) {
              ssz = new Uint8Array([...ssz, ...m.append]);
            }
          }
          const bytes = new Uint8Array(3 + ssz.length);
          bytes[0] = ns;
          bytes.set(ssz, 3);
          const mine = outcome(() => decodeStateEntry(bytes).value);
          const theirs = outcome(() => struct.deserialize(ssz));
          expect(mine).toEqual(theirs);
        }),
        { numRuns: 300 },
      );
    }
  });

  it("rejects what the struct rejects, with the struct's error", () => {
    const bad: [Namespace, unknown][] = [
      [Namespace.Account, { balance: -1n, nonce: 0 }],
      [Namespace.Account, { balance: MAX_UINT256 + 1n, nonce: 0 }],
      [Namespace.Account, { balance: 1n, nonce: 2 ** 53 }],
      [Namespace.Account, { balance: 1n, nonce: 1.5 }],
      [Namespace.Account, { balance: 1, nonce: 1 }],
      [Namespace.Account, { nonce: 1 }],
      [Namespace.Delegate, { scope: 256, expiresAt: 0, ownerEpoch: 0 }],
      [Namespace.Identity, { owner: b(19, 1), handle: "abc", profileCid: "", ownerEpoch: 0 }],
      [Namespace.Identity, { owner: b(20, 1), handle: "a".repeat(33), profileCid: "", ownerEpoch: 0 }],
      [Namespace.Identity, { owner: b(20, 1), handle: "\ud800", profileCid: "", ownerEpoch: 0 }],
      [Namespace.OperatorApproval, { approved: 1 }],
      [Namespace.Account, null],
    ];
    for (const [ns, value] of bad) {
      const struct = stateObjectStructs[ns] as AnyStruct;
      const theirs = outcome(() => struct.serialize(value));
      expect(theirs).toHaveProperty("threw");
      expect(outcome(() => encodeStateEntry(ns, b(1, 1), value as StateObjects[Namespace]))).toEqual(theirs);
    }
  });
});
