import { arbitraryMessage } from "@filverse/test-utils";
import {
  Order,
  OrderCancel,
  SessionRequest,
  TradeFill,
  Transfer,
  TxKind,
  txStructs,
  USER_TX_KINDS,
  viaStruct,
} from "@filverse/types";
import { toHex } from "@filverse/utils";
import fc from "fast-check";
import { recoverTypedDataAddress, hashTypedData as viemHashTypedData } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { encodeType, filverseDomain, hashTypedData, typedData } from "../../src/eip712.js";
import { recoverAddress, SignatureError, SignatureErrorCode, signDigest } from "../../src/signature.js";
import { signTransaction, txSigningDigest, txTypedData, verifyTransaction } from "../../src/transaction.js";

const CHAIN_ID = 3_141_592_601;

/** viem wants hex strings for bytes; our values use Uint8Array. */
function toViem(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(toViem);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toViem(v)]));
  }
  return value;
}

describe("EIP-712", () => {
  it("encodes a nested type with its references", () => {
    expect(encodeType(TradeFill)).toBe(
      "TradeFill(Order order,bytes makerSignature,uint64 nonce,uint256 fee)" +
        "Order(address maker,uint8 side,bytes32 collectionId,uint64 tokenId,uint256 price,address taker,uint64 expiresAt,uint256 salt)",
    );
    expect(encodeType(Order)).toMatch(/^Order\(address maker,/);
  });

  it("equals viem's hashTypedData for random messages of every kind", () => {
    for (const kind of USER_TX_KINDS) {
      const struct = txStructs[kind];
      fc.assert(
        fc.property(arbitraryMessage(kind), (message) => {
          const ours = hashTypedData(CHAIN_ID, struct as never, message as never);
          const theirs = viemHashTypedData({
            domain: filverseDomain(CHAIN_ID),
            types: struct.eip712Types,
            primaryType: struct.name,
            message: toViem(message) as never,
          } as never);
          expect(toHex(ours)).toBe(theirs);
        }),
        { numRuns: 15 },
      );
    }
  });

  it("encodes Via<Name> with its inner struct and the inner struct's references sorted by name", () => {
    expect(encodeType(viaStruct(TxKind.Transfer))).toBe(
      "ViaTransfer(address sponsor,address account,Transfer tx)Transfer(address to,uint256 amount,uint64 nonce,uint256 fee)",
    );
    expect(encodeType(viaStruct(TxKind.TradeFill))).toMatch(
      /^ViaTradeFill\(address sponsor,address account,TradeFill tx\)Order\(address maker,.*\)TradeFill\(Order order,/,
    );
    expect(encodeType(viaStruct(TxKind.OrderCancel))).toBe(
      `ViaOrderCancel(address sponsor,address account,OrderCancel tx)${encodeType(Order)}OrderCancel(Order order,uint64 nonce,uint256 fee)`,
    );
    expect(encodeType(OrderCancel)).toMatch(/^OrderCancel\(Order order,/);
    expect(encodeType(SessionRequest)).toBe(
      "SessionRequest(address account,address sessionKey,bytes32 app,uint64 deadline)",
    );
    expect(encodeType(txStructs[TxKind.SessionGrant])).toBe(
      "SessionGrant(address sessionKey,bytes32 app,bytes appSignature,uint64 requestDeadline,uint256 kinds,uint256 filCap,uint256 filPeriodCap,uint64 period,bytes32[] tokens,uint256[] tokenCaps,uint256[] tokenPeriodCaps,bytes32[] collections,address[] counterparties,uint64 expiresAt,uint64 nonce,uint256 fee)",
    );
  });

  it("equals viem's hashTypedData for random Via<Name> messages of every kind", () => {
    for (const kind of USER_TX_KINDS) {
      const via = viaStruct(kind);
      const arb = fc.record({
        sponsor: fc.uint8Array({ minLength: 20, maxLength: 20 }),
        account: fc.uint8Array({ minLength: 20, maxLength: 20 }),
        tx: arbitraryMessage(kind),
      });
      fc.assert(
        fc.property(arb, (message) => {
          const ours = hashTypedData(CHAIN_ID, via as never, message as never);
          const theirs = viemHashTypedData({
            domain: filverseDomain(CHAIN_ID),
            types: via.eip712Types,
            primaryType: via.name,
            message: toViem(message) as never,
          } as never);
          expect(toHex(ours)).toBe(theirs);
          const tx = { chainId: CHAIN_ID, kind, message: message.tx, via: message } as never;
          expect(toHex(txSigningDigest(tx))).toBe(theirs);
        }),
        { numRuns: 5 },
      );
    }
  });

  it("recovers a Via transaction a stock wallet signed from txTypedData", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const message = { to: new Uint8Array(20).fill(7), amount: 5n, nonce: 0, fee: 1000n };
    const via = { sponsor: new Uint8Array(20).fill(9), account: new Uint8Array(20) };
    const td = txTypedData({ chainId: CHAIN_ID, kind: TxKind.Transfer, message, via });
    expect(td.primaryType).toBe("ViaTransfer");
    expect(Object.keys(td.types).sort()).toEqual(["Transfer", "ViaTransfer"]);
    const sigHex = await account.signTypedData(td as never);
    const signature = Buffer.from(sigHex.slice(2), "hex");
    const verified = verifyTransaction({ chainId: CHAIN_ID, kind: TxKind.Transfer, message, signature, via });
    expect(toHex(verified.sender)).toBe(account.address.toLowerCase());
    // The same signature over the plain Transfer recovers someone else: the Via is signed.
    const plain = verifyTransaction({ chainId: CHAIN_ID, kind: TxKind.Transfer, message, signature });
    expect(toHex(plain.sender)).not.toBe(account.address.toLowerCase());
  });

  it("verifies a transaction signed by viem's signTypedData with no other help", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const message = { to: new Uint8Array(20).fill(7), amount: 10n ** 18n, nonce: 0, fee: 1000n };
    // typedData() is wallet-ready: no conversion between it and viem.
    const sigHex = await account.signTypedData(typedData(CHAIN_ID, Transfer, message) as never);
    const signature = Buffer.from(sigHex.slice(2), "hex");
    const verified = verifyTransaction({ chainId: CHAIN_ID, kind: TxKind.Transfer, message, signature });
    expect(toHex(verified.sender)).toBe(account.address.toLowerCase());
  });

  it("our signer matches viem's recovery", async () => {
    const pk = generatePrivateKey();
    const key = Buffer.from(pk.slice(2), "hex");
    const message = { handle: "alice", profileCid: "bafkqaaa", nonce: 3, fee: 5n };
    const tx = signTransaction(CHAIN_ID, { kind: TxKind.IdentityCreate, message }, key);
    const recovered = await recoverTypedDataAddress({
      ...typedData(CHAIN_ID, txStructs[TxKind.IdentityCreate], message),
      signature: toHex(tx.signature),
    } as never);
    expect(recovered).toBe(privateKeyToAccount(pk).address);
  });

  it("rejects a signature made for another chain id (recovers someone else)", () => {
    const key = new Uint8Array(32).fill(1);
    const message = { to: new Uint8Array(20), amount: 1n, nonce: 0, fee: 0n };
    const tx = signTransaction(CHAIN_ID + 1, { kind: TxKind.Transfer, message }, key);
    const onOurChain = verifyTransaction({ ...tx, chainId: CHAIN_ID });
    const honest = verifyTransaction(tx);
    expect(toHex(onOurChain.sender)).not.toBe(toHex(honest.sender));
  });
});

describe("signatures", () => {
  const key = new Uint8Array(32).fill(9);
  const digest = new Uint8Array(32).fill(3);
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

  it("rejects high-s (the malleated twin of a valid signature)", () => {
    const sig = signDigest(digest, key);
    const s = BigInt(toHex(sig.subarray(32, 64)));
    const twin = new Uint8Array(sig);
    twin.set(Buffer.from((N - s).toString(16).padStart(64, "0"), "hex"), 32);
    twin[64] = sig[64] === 27 ? 28 : 27;
    expect(() => recoverAddress(digest, twin)).toThrowError(
      expect.objectContaining({ code: SignatureErrorCode.HIGH_S }) as never,
    );
  });

  it("rejects v outside {27, 28}, wrong lengths and zero r", () => {
    const sig = signDigest(digest, key);
    for (const v of [0, 1, 29, 35]) {
      const bad = new Uint8Array(sig);
      bad[64] = v;
      expect(() => recoverAddress(digest, bad)).toThrow(SignatureError);
    }
    expect(() => recoverAddress(digest, sig.subarray(0, 64))).toThrowError(/65 bytes/);
    const zeroR = new Uint8Array(sig);
    zeroR.fill(0, 0, 32);
    expect(() => recoverAddress(digest, zeroR)).toThrow(SignatureError);
  });

  it("signing digest covers every field", () => {
    const message = { to: new Uint8Array(20), amount: 1n, nonce: 0, fee: 0n };
    const a = txSigningDigest({ chainId: CHAIN_ID, kind: TxKind.Transfer, message });
    const b = txSigningDigest({ chainId: CHAIN_ID, kind: TxKind.Transfer, message: { ...message, fee: 1n } });
    expect(toHex(a)).not.toBe(toHex(b));
  });
});
