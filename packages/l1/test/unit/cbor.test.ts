/**
 * The Solidity CBOR library (contracts/Cbor.sol, FilecoinDeal.sol) against @ipld/dag-cbor: the same
 * values give the same bytes, the decoder reads them back, and malformed input is refused.
 */

import { fromHex, toHex } from "@filverse/utils";
import * as dagCbor from "@ipld/dag-cbor";
import fc from "fast-check";
import { CID } from "multiformats/cid";
import type { Abi, Address, Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createL1Clients, type L1Clients } from "../../src/clients.js";
import {
  type DealProposal,
  delegatedAddressBytes,
  encodeDealProposal,
  encodeFilecoinBigInt,
  idAddressBytes,
} from "../../src/dealCbor.js";
import { type LocalL1, startLocalL1 } from "../../src/devL1.js";
import { compileHarness, makePiece, PAYLOAD_CID } from "./dealFixture.js";
import { expectRevert } from "./fixture.js";

let l1: LocalL1;
let clients: L1Clients;
let harness: Address;
let abi: Abi;

beforeAll(async () => {
  const [artifact, node] = await Promise.all([compileHarness(), startLocalL1()]);
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
}, 90_000);
afterAll(async () => {
  await l1?.stop();
});

const call = async <T>(functionName: string, args: readonly unknown[] = []): Promise<T> =>
  (await clients.publicClient.readContract({ address: harness, abi, functionName, args } as never)) as T;
const cbor = (value: unknown): Hex => toHex(dagCbor.encode(value));
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

describe("Cbor encoding equals @ipld/dag-cbor", () => {
  it("unsigned integers at every header boundary", async () => {
    const values = [0n, 1n, 23n, 24n, 255n, 256n, 65_535n, 65_536n, 2n ** 32n - 1n, 2n ** 32n, U64_MAX];
    expect(await call<Hex[]>("encodeUints", [values])).toEqual(values.map(cbor));
    // The shortest header, byte for byte.
    expect(await call<Hex[]>("encodeUints", [[23n, 24n, 256n, 2n ** 32n, U64_MAX]])).toEqual([
      "0x17",
      "0x1818",
      "0x190100",
      "0x1b0000000100000000",
      "0x1bffffffffffffffff",
    ]);
  });

  it("int64, negatives included, at every boundary", async () => {
    const values = [
      0n,
      -1n,
      -24n,
      -25n,
      -256n,
      -257n,
      -65_536n,
      -65_537n,
      -(2n ** 32n),
      -(2n ** 32n) - 1n,
      I64_MIN,
      I64_MAX,
    ];
    expect(await call<Hex[]>("encodeInts", [values])).toEqual(values.map(cbor));
    expect(await call<Hex[]>("encodeInts", [[-1n, -25n, I64_MIN]])).toEqual(["0x20", "0x3818", "0x3b7fffffffffffffff"]);
  });

  it("random uint64 and int64 values (fast-check)", async () => {
    const [u, i] = [
      fc.sample(fc.bigInt({ min: 0n, max: U64_MAX }), 200),
      fc.sample(fc.bigInt({ min: I64_MIN, max: I64_MAX }), 200),
    ];
    expect(await call<Hex[]>("encodeUints", [u])).toEqual(u.map(cbor));
    expect(await call<Hex[]>("encodeInts", [i])).toEqual(i.map(cbor));
  });

  it("byte strings and text strings around the length boundaries", async () => {
    const byteValues = [0, 1, 23, 24, 255, 256, 1_000].map((n) => Uint8Array.from({ length: n }, (_, k) => k % 251));
    byteValues.push(...fc.sample(fc.uint8Array({ maxLength: 300 }), 30));
    expect(await call<Hex[]>("encodeBytesList", [byteValues.map(toHex)])).toEqual(byteValues.map(cbor));
    const texts = ["", "a", "é😀 multi-byte", "x".repeat(23), "y".repeat(24), "z".repeat(300)];
    texts.push(...fc.sample(fc.string({ unit: "grapheme", maxLength: 40 }), 30));
    expect(await call<Hex[]>("encodeTexts", [texts])).toEqual(texts.map(cbor));
  });

  it("booleans and null", async () => {
    expect(await call<Hex>("encodeBool", [true])).toBe(cbor(true));
    expect(await call<Hex>("encodeBool", [false])).toBe(cbor(false));
    expect(await call<Hex>("encodeNull")).toBe(cbor(null));
  });

  it("arrays and maps from headers and items", async () => {
    const items = await call<Hex[]>("encodeUints", [[1n, 2n]]);
    const text = await call<Hex[]>("encodeTexts", [["a", "bb"]]);
    const array = `${await call<Hex>("arrayHeader", [3n])}${items[0]!.slice(2)}${text[0]!.slice(2)}${(await call<Hex[]>("encodeBytesList", [["0x00"]]))[0]!.slice(2)}`;
    expect(array).toBe(cbor([1, "a", Uint8Array.of(0)]));
    // DAG-CBOR sorts map keys shorter first; the caller writes them in that order.
    const map = `${await call<Hex>("mapHeader", [2n])}${text[0]!.slice(2)}${items[0]!.slice(2)}${text[1]!.slice(2)}${items[1]!.slice(2)}`;
    expect(map).toBe(cbor({ bb: 2, a: 1 }));
    const zero = (await call<Hex[]>("encodeUints", [[0n]]))[0]!.slice(2);
    expect(`${await call<Hex>("arrayHeader", [24n])}${zero.repeat(24)}`).toBe(cbor(new Array(24).fill(0)));
    expect(await call<Hex>("arrayHeader", [65_536n])).toBe("0x9a00010000");
    expect(await call<Hex>("mapHeader", [24n])).toBe("0xb818");
  });

  it("tag 42 CIDs: the 0x00 prefix inside a byte string", async () => {
    const cids = [CID.parse(makePiece().v1), CID.parse(PAYLOAD_CID)];
    for (const cid of cids) expect(await call<Hex>("encodeCid", [toHex(cid.bytes)])).toBe(cbor(cid));
    expect(await call<Hex>("tagHeader", [42n])).toBe("0xd82a");
  });

  it("Filecoin big integers as sign-prefixed byte strings", async () => {
    const values = [0n, 1n, 255n, 256n, 10n ** 18n, (1n << 255n) + 1n, (1n << 256n) - 1n];
    expect(await call<Hex[]>("encodeBigInts", [values])).toEqual(values.map((v) => cbor(encodeFilecoinBigInt(v))));
    expect(await call<Hex[]>("encodeBigInts", [[0n, 1n, 256n]])).toEqual(["0x40", "0x420001", "0x43000100"]);
  });
});

/** A DealProposal with distinct, boundary-ish values in every field. */
function sampleProposal(): DealProposal {
  return {
    pieceCid: CID.parse(makePiece().v1),
    pieceSize: 2_048n,
    verifiedDeal: true,
    client: delegatedAddressBytes("0x1234567890AbcdEF1234567890aBcdef12345678"),
    provider: idAddressBytes(1_234n),
    label: PAYLOAD_CID,
    startEpoch: 4_000_000n,
    endEpoch: I64_MAX,
    storagePricePerEpoch: 0n,
    providerCollateral: 10n ** 18n,
    clientCollateral: (1n << 256n) - 1n,
  };
}

function proposalToAbi(p: DealProposal) {
  return {
    pieceCid: toHex(p.pieceCid.bytes),
    pieceSize: p.pieceSize,
    verifiedDeal: p.verifiedDeal,
    client: toHex(p.client),
    provider: toHex(p.provider),
    label: p.label,
    startEpoch: p.startEpoch,
    endEpoch: p.endEpoch,
    storagePricePerEpoch: p.storagePricePerEpoch,
    providerCollateral: p.providerCollateral,
    clientCollateral: p.clientCollateral,
  };
}

describe("FilecoinDeal.DealProposal", () => {
  it("encodes exactly as the TypeScript (dag-cbor) encoder does, and decodes back", async () => {
    const p = sampleProposal();
    const bytes = await call<Hex>("encodeDealProposal", [proposalToAbi(p)]);
    expect(bytes).toBe(toHex(encodeDealProposal(p)));
    expect(bytes.slice(0, 8)).toBe("0x8bd82a"); // an array of 11, then tag 42
    expect(await call("decodeDealProposal", [bytes])).toEqual(proposalToAbi(p));
    const negativeStart = { ...p, startEpoch: -5n };
    const encoded = toHex(encodeDealProposal(negativeStart));
    expect(await call<Hex>("encodeDealProposal", [proposalToAbi(negativeStart)])).toBe(encoded);
    expect(await call("decodeDealProposal", [encoded])).toEqual(proposalToAbi(negativeStart));
  });

  it("refuses a wrong shape, a byte-string label, a negative amount and trailing bytes", async () => {
    const p = sampleProposal();
    const items = dagCbor.decode(encodeDealProposal(p)) as unknown[];
    await expectRevert(call("decodeDealProposal", [cbor(items.slice(0, 10))]), "CborMalformed");
    await expectRevert(
      call("decodeDealProposal", [cbor(items.map((v, i) => (i === 5 ? new TextEncoder().encode(PAYLOAD_CID) : v)))]),
      "CborUnexpectedType",
    );
    await expectRevert(
      call("decodeDealProposal", [cbor(items.map((v, i) => (i === 10 ? Uint8Array.of(1, 5) : v)))]),
      "NegativeBigInt",
    );
    await expectRevert(call("decodeDealProposal", [`${cbor(items)}00`]), "CborTrailingBytes");
  });

  it("AuthenticateMessage and MarketNotifyDeal params", async () => {
    const message = encodeDealProposal(sampleProposal());
    const [signature, decoded] = await call<[Hex, Hex]>("decodeAuthenticateMessageParams", [
      cbor([Uint8Array.of(0xde, 0xad), message]),
    ]);
    expect([signature, decoded]).toEqual(["0xdead", toHex(message)]);
    expect(await call("decodeMarketNotifyDealParams", [cbor([message, 7])])).toEqual([toHex(message), 7n]);
    expect(await call("decodeMarketNotifyDealParams", [cbor([message, U64_MAX])])).toEqual([toHex(message), U64_MAX]);
    await expectRevert(call("decodeMarketNotifyDealParams", [cbor([message])]), "CborMalformed");
    await expectRevert(call("decodeMarketNotifyDealParams", [cbor([message, -1])]), "CborUnexpectedType");
  });
});

describe("Cbor decoding", () => {
  it("reads back every encoding", async () => {
    for (const v of [0n, 23n, 24n, 256n, 65_536n, 2n ** 32n, U64_MAX])
      expect(await call("readUint", [cbor(v)])).toBe(v);
    for (const v of [I64_MIN, -65_537n, -1n, 0n, I64_MAX]) expect(await call("readInt", [cbor(v)])).toBe(v);
    expect(await call("readBytes", [cbor(Uint8Array.of(1, 2, 3))])).toBe("0x010203");
    expect(await call("readBytes", [cbor(new Uint8Array(0))])).toBe("0x");
    const long = Uint8Array.from({ length: 100 }, (_, i) => i);
    expect(await call("readBytes", [cbor(long)])).toBe(toHex(long));
    expect(await call("readText", [cbor("é😀")])).toBe("é😀");
    expect(await call("readBool", [cbor(true)])).toBe(true);
    expect(await call("readBool", [cbor(false)])).toBe(false);
    const cid = CID.parse(makePiece().v1);
    expect(await call("readCid", [cbor(cid)])).toBe(toHex(cid.bytes));
    for (const v of [0n, 1n, 10n ** 18n, (1n << 256n) - 1n]) {
      expect(await call("readBigInt", [cbor(encodeFilecoinBigInt(v))])).toBe(v);
    }
  });

  it("refuses what DAG-CBOR refuses: non-shortest headers, indefinite lengths, floats, truncation", async () => {
    for (const bad of ["0x1805", "0x1900ff", "0x1a0000ffff", "0x1b00000000ffffffff"]) {
      await expectRevert(call("readUint", [bad]), "CborMalformed");
    }
    await expectRevert(call("readBytes", ["0x5f4101ff"]), "CborMalformed"); // indefinite byte string
    await expectRevert(call("readUint", ["0x1c"]), "CborMalformed"); // reserved
    await expectRevert(call("readUint", ["0x1901"]), "CborMalformed"); // truncated header
    await expectRevert(call("readUint", ["0x"]), "CborMalformed"); // nothing
    await expectRevert(call("readBytes", ["0x450102"]), "CborMalformed"); // length past the end
    await expectRevert(call("readBool", ["0xf93c00"]), "CborMalformed"); // a float
    await expectRevert(call("readBool", ["0xf7"]), "CborMalformed"); // undefined
    await expectRevert(call("readBool", ["0xf6"]), "CborUnexpectedType"); // null is not a bool
  });

  it("refuses wrong types, overflow, bad links, bad big integers and trailing bytes", async () => {
    await expectRevert(call("readUint", [cbor("a")]), "CborUnexpectedType");
    await expectRevert(call("readUint", [cbor(-1)]), "CborUnexpectedType");
    await expectRevert(call("readInt", [cbor(1n << 63n)]), "CborOverflow");
    await expectRevert(call("readInt", [cbor(-(1n << 63n) - 1n)]), "CborOverflow");
    await expectRevert(call("readText", [cbor(Uint8Array.of(0x61))]), "CborUnexpectedType");
    await expectRevert(call("readUint", ["0x0102"]), "CborTrailingBytes");
    const cid = CID.parse(PAYLOAD_CID);
    await expectRevert(
      call("readCid", [`0xd82b${cbor(Uint8Array.from([0, ...cid.bytes])).slice(2)}`]),
      "CborMalformed",
    );
    await expectRevert(call("readCid", [`0xd82a${cbor(cid.bytes).slice(2)}`]), "CborMalformed"); // no 0x00 prefix
    await expectRevert(call("readCid", [cbor(cid.bytes)]), "CborUnexpectedType"); // not tagged
    await expectRevert(call("readBigInt", [cbor(Uint8Array.of(1, 1))]), "NegativeBigInt");
    await expectRevert(
      call("readBigInt", [cbor(Uint8Array.from([0, ...new Uint8Array(33).fill(1)]))]),
      "BigIntTooLarge",
    );
  });
});

describe("FilecoinDeal addresses and checks", () => {
  it("f410 and ID address bytes", async () => {
    const account: Address = "0x1234567890AbcdEF1234567890aBcdef12345678";
    expect(await call("delegatedAddress", [account])).toBe(`0x040a${account.slice(2).toLowerCase()}`);
    expect(await call("delegatedAddress", [account])).toBe(toHex(delegatedAddressBytes(account)));
    expect(await call("ethAddressOf", [toHex(delegatedAddressBytes(account))])).toEqual([true, account]);
    expect(await call("ethAddressOf", [toHex(idAddressBytes(5n))])).toEqual([
      false,
      "0x0000000000000000000000000000000000000000",
    ]);
    expect(await call("ethAddressOf", [`0x040b${account.slice(2)}`])).toEqual([
      false,
      "0x0000000000000000000000000000000000000000",
    ]);
    for (const [id, hex] of [
      [0n, "0x0000"],
      [127n, "0x007f"],
      [128n, "0x008001"],
      [1_000n, "0x00e807"],
      [U64_MAX, "0x00ffffffffffffffffff01"],
    ] as const) {
      expect(await call("idAddress", [id])).toBe(hex);
      expect(toHex(idAddressBytes(id))).toBe(hex);
    }
  });

  it("piece sizes and piece CIDs the market accepts", async () => {
    for (const [size, ok] of [
      [128n, true],
      [2_048n, true],
      [1n << 63n, true],
      [0n, false],
      [64n, false],
      [3_000n, false],
      [U64_MAX, false],
    ] as const) {
      expect(await call("isValidPieceSize", [size]), String(size)).toBe(ok);
    }
    const piece = makePiece();
    expect(await call("isPieceCidV1", [toHex(CID.parse(piece.v1).bytes)])).toBe(true);
    expect(await call("isPieceCidV1", [toHex(CID.parse(piece.v2).bytes)])).toBe(false);
    expect(await call("isPieceCidV1", [toHex(CID.parse(piece.v1).bytes.subarray(0, 38))])).toBe(false);
    expect(await call("isPieceCidV1", [toHex(fromHex(toHex(CID.parse(PAYLOAD_CID).bytes)))])).toBe(false);
  });
});
