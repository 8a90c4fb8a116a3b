/** SSZ and JSON codecs of every wire object: round trips, and typed rejection of malformed input. */
import { MAX_TX_BYTES } from "@filverse/params";
import { arbitraryMessage, arbitraryStruct } from "@filverse/test-utils";
import { toHex } from "@filverse/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BlockHeader,
  decodeSignedBlock,
  encodeSignedBlock,
  encodeSignedBlockWithTxBytes,
  type SignedBlock,
} from "../../src/chain.js";
import {
  decodeSignedTx,
  encodeSignedTx,
  type SignedTransaction,
  SignedTransactionSsz,
  signedTxFromJson,
  signedTxToJson,
} from "../../src/envelope.js";
import { MAX_JSON_DEPTH } from "../../src/rpc.js";
import { CodecError, CodecErrorCode } from "../../src/schema.js";
import { Transfer, TxKind, txStructs, USER_TX_KINDS } from "../../src/transactions.js";

const sig = new Uint8Array(65).fill(7);
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return (err as CodecError).code;
  }
  return "no error";
};

describe("every transaction kind", () => {
  for (const kind of USER_TX_KINDS) {
    it(`${txStructs[kind].name} round-trips through SSZ, JSON and the signed envelope`, () => {
      fc.assert(
        fc.property(arbitraryMessage(kind), (message) => {
          const struct = txStructs[kind] as {
            serialize(v: unknown): Uint8Array;
            deserialize(b: Uint8Array): unknown;
            toJson(v: unknown): unknown;
            fromJson(j: unknown): unknown;
          };
          expect(struct.deserialize(struct.serialize(message))).toEqual(message);
          expect(struct.fromJson(JSON.parse(JSON.stringify(struct.toJson(message))))).toEqual(message);
          const tx = { chainId: 5, kind, message, signature: sig } as SignedTransaction;
          expect(decodeSignedTx(encodeSignedTx(tx))).toEqual(tx);
          expect(signedTxFromJson(JSON.parse(JSON.stringify(signedTxToJson(tx))))).toEqual(tx);
        }),
        { numRuns: 20 },
      );
    });
    it(`Via${txStructs[kind].name} round-trips through the envelope (wire kind 0x80|K, body sponsor ‖ account ‖ inner)`, () => {
      const bytes20 = fc.uint8Array({ minLength: 20, maxLength: 20 });
      fc.assert(
        fc.property(arbitraryMessage(kind), bytes20, bytes20, (message, sponsor, account) => {
          const tx = { chainId: 5, kind, message, signature: sig, via: { sponsor, account } } as SignedTransaction;
          const bytes = encodeSignedTx(tx);
          const env = SignedTransactionSsz.deserialize(bytes);
          expect(env.kind).toBe(0x80 | kind);
          const inner = (txStructs[kind] as { serialize(v: unknown): Uint8Array }).serialize(message);
          expect(toHex(env.body)).toBe(toHex(new Uint8Array([...sponsor, ...account, ...inner])));
          expect(decodeSignedTx(bytes)).toEqual(tx);
          const json = JSON.parse(JSON.stringify(signedTxToJson(tx)));
          expect(json.primaryType).toBe(`Via${txStructs[kind].name}`);
          expect(Object.keys(json.message)).toEqual(["sponsor", "account", "tx"]);
          expect(signedTxFromJson(json)).toEqual(tx);
        }),
        { numRuns: 5 },
      );
    });
  }
});

describe("the Via envelope", () => {
  const message = { to: new Uint8Array(20).fill(1), amount: 5n, nonce: 0, fee: 1n };
  it("never wraps a Via, a Deposit or an unknown kind, and needs its 40-byte prefix", () => {
    const tx = {
      chainId: 5,
      kind: TxKind.Transfer,
      message,
      signature: sig,
      via: { sponsor: new Uint8Array(20), account: new Uint8Array(20).fill(3) },
    } as SignedTransaction;
    const bytes = encodeSignedTx(tx);
    for (const kind of [0x80, 0x80 | 99, 0xff]) {
      const b = new Uint8Array(bytes);
      b[8] = kind;
      expect(codeOf(() => decodeSignedTx(b))).toBe(CodecErrorCode.INVALID_FIELD);
    }
    const short = SignedTransactionSsz.serialize({ chainId: 5, kind: 0x81, body: new Uint8Array(39), signature: sig });
    expect(codeOf(() => decodeSignedTx(short))).toBe(CodecErrorCode.INVALID_SSZ);
    expect(
      codeOf(() =>
        signedTxFromJson({ chainId: "5", primaryType: "ViaViaTransfer", message: {}, signature: toHex(sig) }),
      ),
    ).toBe(CodecErrorCode.INVALID_FIELD);
  });
});

describe("malformed input gets a typed error", () => {
  const message = { to: new Uint8Array(20).fill(1), amount: 5n, nonce: 3, fee: 1n };
  const json = () => ({
    chainId: "5",
    primaryType: "Transfer",
    message: Transfer.toJson(message),
    signature: toHex(sig),
  });

  it("rejects uint64 above 2^53-1 in SSZ and in JSON", () => {
    const bytes = Transfer.serialize(message);
    bytes[20 + 32 + 7] = 0xff; // the nonce's most significant byte
    expect(codeOf(() => Transfer.deserialize(bytes))).toBe(CodecErrorCode.OUT_OF_BOUNDS);
    const j = json();
    // A uint64 past the protocol's bound is OUT_OF_BOUNDS; not a uint64 at all is INVALID_FIELD.
    (j.message as Record<string, unknown>).nonce = "9007199254740992";
    expect(codeOf(() => signedTxFromJson(j))).toBe(CodecErrorCode.OUT_OF_BOUNDS);
    (j.message as Record<string, unknown>).nonce = -1;
    expect(codeOf(() => signedTxFromJson(j))).toBe(CodecErrorCode.INVALID_FIELD);
  });

  it("rejects extra, missing and mistyped JSON fields, bad hex and unknown types", () => {
    const extra = json();
    (extra.message as Record<string, unknown>).from = "0x00";
    expect(codeOf(() => signedTxFromJson(extra))).toBe(CodecErrorCode.INVALID_FIELD);
    const missing = json();
    delete (missing.message as Record<string, unknown>).fee;
    expect(codeOf(() => signedTxFromJson(missing))).toBe(CodecErrorCode.INVALID_FIELD);
    const shortAddress = json();
    (shortAddress.message as Record<string, unknown>).to = "0x1234";
    expect(codeOf(() => signedTxFromJson(shortAddress))).toBe(CodecErrorCode.INVALID_FIELD);
    const floaty = json();
    (floaty.message as Record<string, unknown>).amount = "1.5";
    expect(codeOf(() => signedTxFromJson(floaty))).toBe(CodecErrorCode.INVALID_FIELD);
    expect(codeOf(() => signedTxFromJson({ ...json(), primaryType: "Mint" }))).toBe(CodecErrorCode.INVALID_FIELD);
    expect(codeOf(() => signedTxFromJson({ ...json(), signature: "0x00" }))).toBe(CodecErrorCode.BAD_SIGNATURE_LENGTH);
    expect(codeOf(() => signedTxFromJson({ ...json(), signature: "0xzz" }))).toBe(CodecErrorCode.INVALID_FIELD);
    expect(codeOf(() => signedTxFromJson({ ...json(), signature: 5 }))).toBe(CodecErrorCode.INVALID_FIELD);
    expect(codeOf(() => signedTxFromJson(null))).toBe(CodecErrorCode.INVALID_FIELD);
  });

  it("rejects strings over their byte bound and invalid UTF-8", () => {
    const create = txStructs[TxKind.IdentityCreate];
    expect(codeOf(() => create.fromJson({ handle: "a".repeat(33), profileCid: "x", nonce: "0", fee: "0" }))).toBe(
      CodecErrorCode.OUT_OF_BOUNDS,
    );
    const bytes = create.serialize({ handle: "abc", profileCid: "x", nonce: 0, fee: 0n });
    const bad = new Uint8Array(bytes);
    bad[bad.length - 4] = 0xff; // inside "abc": not UTF-8
    expect(codeOf(() => create.deserialize(bad))).toBe(CodecErrorCode.INVALID_STRING);
  });

  it("rejects truncated, oversized and unknown-kind envelopes", () => {
    const tx = { chainId: 5, kind: TxKind.Transfer, message, signature: sig } as SignedTransaction;
    const bytes = encodeSignedTx(tx);
    expect(codeOf(() => decodeSignedTx(bytes.subarray(0, bytes.length - 1)))).toBe(CodecErrorCode.INVALID_SSZ);
    expect(codeOf(() => decodeSignedTx(new Uint8Array(MAX_TX_BYTES + 1)))).toBe(CodecErrorCode.INVALID_SSZ);
    const unknownKind = new Uint8Array(bytes);
    unknownKind[8] = 99;
    expect(codeOf(() => decodeSignedTx(unknownKind))).toBe(CodecErrorCode.INVALID_FIELD);
  });
});

describe("blocks", () => {
  it("a signed block round-trips through SSZ", () => {
    fc.assert(
      fc.property(
        arbitraryStruct(BlockHeader),
        fc.array(arbitraryMessage(TxKind.Transfer), { maxLength: 3 }),
        (header, msgs) => {
          const block: SignedBlock = {
            header,
            signature: sig,
            deposits: [
              {
                l1Nonce: 1,
                l1BlockNumber: 2,
                l1TxHash: new Uint8Array(32),
                from: new Uint8Array(20),
                to: new Uint8Array(20),
                amount: 9n,
                forcedTx: new Uint8Array(0),
              },
            ],
            transactions: msgs.map(
              (m) => ({ chainId: 5, kind: TxKind.Transfer, message: m, signature: sig }) as SignedTransaction,
            ),
          };
          expect(decodeSignedBlock(encodeSignedBlock(block))).toEqual(block);
          // The sequencer's path, from the transactions' own encodings: the same bytes.
          expect(
            encodeSignedBlockWithTxBytes(
              block,
              block.transactions.map((t) => encodeSignedTx(t)),
            ),
          ).toEqual(encodeSignedBlock(block));
        },
      ),
      { numRuns: 20 },
    );
    expect(codeOf(() => decodeSignedBlock(new Uint8Array(10)))).toBe(CodecErrorCode.INVALID_SSZ);
  });
});

describe("serialize checks bounds", () => {
  it("refuses to encode a value that could not be decoded", () => {
    const create = txStructs[TxKind.TokenCreate];
    const value = { name: "n", symbol: "x".repeat(17), decimals: 1, cap: 1n, nonce: 0, fee: 0n };
    expect(codeOf(() => create.serialize(value))).toBe(CodecErrorCode.OUT_OF_BOUNDS);
  });
});

describe("hostile JSON", () => {
  const sig = new Uint8Array(65).fill(1);
  const tx = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    chainId: "5",
    primaryType: "Transfer",
    message,
    signature: toHex(sig),
    ...extra,
  });
  const deep = (levels: number): unknown => {
    let v: unknown = "0x00";
    for (let i = 0; i < levels; i++) v = [v];
    return v;
  };
  const errorOf = (fn: () => unknown): CodecError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof CodecError) return e;
      throw e;
    }
    throw new TypeError("no error");
  };

  it("nesting thousands of levels deep is INVALID_FIELD, not a stack overflow", () => {
    for (const t of [tx({ to: deep(10_000) }), tx({}, { primaryType: deep(10_000) })]) {
      const e = errorOf(() => signedTxFromJson(t));
      expect(e.code).toBe(CodecErrorCode.INVALID_FIELD);
      expect(e.details).toEqual({ maxDepth: MAX_JSON_DEPTH });
    }
  });

  it("an echoed value is clipped, however large", () => {
    const huge = Array.from({ length: 200_000 }, (_, i) => i);
    const e = errorOf(() => signedTxFromJson(tx({ to: huge, amount: "1", nonce: "0", fee: "0" })));
    expect(e.details.path).toBe("message.to");
    expect(JSON.stringify(e.details).length).toBeLessThan(1_000);
    expect(e.message.length).toBeLessThan(2_000);
  });
});
