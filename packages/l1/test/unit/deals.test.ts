/** Deal encodings and requests in TypeScript (no L1): piece CID v2 → v1, request checks, CBOR vectors. */

import { fromHex, toHex, utf8ToBytes } from "@filverse/utils";
import { Piece } from "@web3-storage/data-segment";
import fc from "fast-check";
import { CID } from "multiformats/cid";
import type { Address } from "viem";
import { describe, expect, it } from "vitest";
import {
  type DealProposal,
  decodeDealProposal,
  decodeExtraParamsV1,
  decodeFilecoinBigInt,
  delegatedAddressBytes,
  encodeDealProposal,
  encodeExtraParamsV1,
  encodeFilecoinBigInt,
  idAddressBytes,
  parseFilecoinAddress,
} from "../../src/dealCbor.js";
import { type DealRequest, dealProposalId, dealProposalOf, dealRequestToAbi, toPieceCidV1 } from "../../src/deals.js";
import { L1Error, L1ErrorCode } from "../../src/errors.js";
import { makePiece, makeRequest, PAYLOAD_CID } from "./dealFixture.js";

const CLIENT: Address = "0x1234567890AbcdEF1234567890aBcdef12345678";

function expectL1Error(fn: () => unknown, code: L1ErrorCode): L1Error {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(L1Error);
  expect((caught as L1Error).code).toBe(code);
  return caught as L1Error;
}

describe("toPieceCidV1", () => {
  it("keeps a v1 piece CID (no size in it)", () => {
    const { v1 } = makePiece();
    const out = toPieceCidV1(v1);
    expect(out.cid.toString()).toBe(v1);
    expect(toHex(out.bytes).slice(0, 16)).toBe("0x0181e203922020"); // v1, 0xf101, 0x1012, 32 bytes
    expect(out.bytes).toHaveLength(39);
    expect(out.pieceSize).toBeNull();
  });

  it("reduces a v2 piece CID to the v1 CID of its root, with the size it encodes (data-segment as oracle)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 65, max: 20_000 }), fc.integer({ min: 0, max: 255 }), (size, fill) => {
        const piece = Piece.fromPayload(new Uint8Array(size).fill(fill));
        const out = toPieceCidV1(piece.link.toString());
        expect(out.cid.toString()).toBe(Piece.toInfo(piece).link.toString());
        expect(out.pieceSize).toBe(BigInt(piece.size));
      }),
      { numRuns: 25 },
    );
  });

  it("refuses what is not a piece CID", () => {
    expectL1Error(() => toPieceCidV1("not a cid"), L1ErrorCode.INVALID_PIECE_CID);
    expectL1Error(() => toPieceCidV1(PAYLOAD_CID), L1ErrorCode.INVALID_PIECE_CID);
  });
});

describe("dealRequestToAbi", () => {
  it("gives the contract's tuple, the piece CID always in binary v1 form", () => {
    const piece = makePiece();
    const request = makeRequest(1_000n, { pieceCid: piece.v2 });
    const abi = dealRequestToAbi(request, 1_000n);
    expect(abi.piece_cid).toBe(toHex(CID.parse(piece.v1).bytes));
    expect(abi).toMatchObject({ piece_size: 2_048n, extra_params_version: 1n, label: PAYLOAD_CID });
    expect(abi.extra_params).toEqual({
      location_ref: request.extraParams.locationRef,
      car_size: 1_500n,
      skip_ipni_announce: true,
      remove_unsealed_copy: false,
    });
  });

  it("refuses a request the contract or Boost would refuse, with a typed error", () => {
    const base = makeRequest(1_000n);
    const piece = makePiece();
    const bad: [Partial<DealRequest>, string][] = [
      [{ pieceCid: piece.v2, pieceSize: 4_096n }, "v2 piece CID"],
      [{ pieceSize: 3_000n }, "power of two"],
      [{ pieceSize: 64n }, "power of two"],
      [{ endEpoch: base.startEpoch }, "after the start"],
      [{ label: "" }, "Label"],
      [{ label: "not-a-cid" }, "payload CID"],
      [{ label: `b${"a".repeat(256)}` }, "Label"],
      [{ extraParams: { ...base.extraParams, locationRef: "" } }, "location_ref"],
      [{ extraParams: { ...base.extraParams, carSize: 2_033n } }, "CAR size"],
      [{ extraParams: { ...base.extraParams, carSize: 0n } }, "CAR size"],
      [{ storagePricePerEpoch: -1n }, "uint256"],
      [{ clientCollateral: 1n << 256n }, "uint256"],
    ];
    for (const [patch, message] of bad) {
      const err = expectL1Error(() => dealRequestToAbi({ ...base, ...patch }), L1ErrorCode.INVALID_DEAL_REQUEST);
      expect(err.shortMessage).toContain(message);
    }
    expectL1Error(() => dealRequestToAbi(base, base.startEpoch), L1ErrorCode.INVALID_DEAL_REQUEST);
    expect(() => dealRequestToAbi(base, base.startEpoch - 1n)).not.toThrow();
  });
});

describe("DealProposal CBOR", () => {
  it("matches a vector assembled by hand from the field encodings", () => {
    const piece = toPieceCidV1(makePiece().v1);
    const p: DealProposal = {
      pieceCid: piece.cid,
      pieceSize: 2_048n,
      verifiedDeal: true,
      client: delegatedAddressBytes(CLIENT),
      provider: idAddressBytes(0n),
      label: PAYLOAD_CID,
      startEpoch: 100n,
      endEpoch: 70_000n,
      storagePricePerEpoch: 0n,
      providerCollateral: 256n,
      clientCollateral: 1n,
    };
    const hex = [
      "8b", // array(11)
      "d82a", // tag 42
      "5828", // bytes(40)
      "00", // identity multibase prefix
      toHex(piece.bytes).slice(2), // the binary v1 CID (39 bytes)
      "190800", // 2048
      "f5", // true
      "56", // bytes(22)
      "040a",
      CLIENT.slice(2).toLowerCase(),
      "42", // bytes(2)
      "0000", // f00
      "783b", // text(59)
      toHex(utf8ToBytes(PAYLOAD_CID)).slice(2),
      "1864", // 100
      "1a00011170", // 70000
      "40", // bytes(0): zero
      "43000100", // bytes(3): +256
      "420001", // bytes(2): +1
    ].join("");
    expect(toHex(encodeDealProposal(p))).toBe(`0x${hex}`);
    expect(decodeDealProposal(fromHex(`0x${hex}`))).toEqual(p);
  });

  it("round-trips any values, negative epochs and 256-bit amounts included (fast-check)", () => {
    const cid = toPieceCidV1(makePiece().v1).cid;
    const amount = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });
    const epoch = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
    fc.assert(
      fc.property(
        fc.record({
          pieceSize: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          verifiedDeal: fc.boolean(),
          client: fc.uint8Array({ maxLength: 30 }),
          provider: fc.uint8Array({ maxLength: 30 }),
          label: fc.string({ maxLength: 80 }),
          startEpoch: epoch,
          endEpoch: epoch,
          storagePricePerEpoch: amount,
          providerCollateral: amount,
          clientCollateral: amount,
        }),
        (fields) => {
          const p = { pieceCid: cid, ...fields };
          expect(decodeDealProposal(encodeDealProposal(p))).toEqual(p);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("refuses malformed proposals with a typed error", () => {
    const bytes = encodeDealProposal(dealProposalOf(makeRequest(0n), CLIENT));
    expectL1Error(() => decodeDealProposal(bytes.subarray(0, 30)), L1ErrorCode.CBOR_DECODE_FAILED);
    expectL1Error(() => decodeDealProposal(Uint8Array.of(0x80)), L1ErrorCode.CBOR_DECODE_FAILED);
    const withByteLabel = Uint8Array.from(bytes);
    const at = toHex(bytes).indexOf("783b") / 2 - 1;
    withByteLabel[at] = 0x58; // text(59) → bytes(59)
    expectL1Error(() => decodeDealProposal(withByteLabel), L1ErrorCode.CBOR_DECODE_FAILED);
  });

  it("the proposal id is keccak256 of the proposal the contract serves", () => {
    const request = makeRequest(0n);
    expect(dealProposalId(request, CLIENT)).toMatch(/^0x[0-9a-f]{64}$/);
    expect(dealProposalId(request, CLIENT)).not.toBe(dealProposalId({ ...request, clientCollateral: 1n }, CLIENT));
    // v1 and v2 forms of the same piece name the same proposal.
    expect(dealProposalId({ ...request, pieceCid: makePiece().v2 }, CLIENT)).toBe(dealProposalId(request, CLIENT));
  });
});

describe("Filecoin values", () => {
  it("big integers: empty for zero, sign byte then magnitude", () => {
    for (const [v, hex] of [
      [0n, "0x"],
      [1n, "0x0001"],
      [255n, "0x00ff"],
      [256n, "0x000100"],
      [-1n, "0x0101"],
      [10n ** 18n, "0x000de0b6b3a7640000"],
    ] as const) {
      expect(toHex(encodeFilecoinBigInt(v))).toBe(hex);
      expect(decodeFilecoinBigInt(fromHex(hex))).toBe(v);
    }
    expectL1Error(() => decodeFilecoinBigInt(Uint8Array.of(2, 1)), L1ErrorCode.CBOR_DECODE_FAILED);
  });

  it("addresses: f410 and ID bytes parse back", () => {
    expect(parseFilecoinAddress(delegatedAddressBytes(CLIENT))).toEqual({
      protocol: 4,
      namespace: 10n,
      subaddress: fromHex(CLIENT),
      ethAddress: CLIENT,
    });
    expect(parseFilecoinAddress(idAddressBytes(1_000n))).toEqual({ protocol: 0, id: 1_000n });
    expect(parseFilecoinAddress(Uint8Array.of(1, 9, 9))).toEqual({ protocol: 1, payload: Uint8Array.of(9, 9) });
    expectL1Error(() => parseFilecoinAddress(Uint8Array.of(9)), L1ErrorCode.CBOR_DECODE_FAILED);
    expectL1Error(() => parseFilecoinAddress(Uint8Array.of(0, 0x80)), L1ErrorCode.CBOR_DECODE_FAILED);
  });

  it("ExtraParamsV1 round-trips; a wrong shape is refused", () => {
    const x = {
      locationRef: "http://127.0.0.1:8645/piece/baga…",
      carSize: 1_500n,
      skipIpniAnnounce: false,
      removeUnsealedCopy: true,
    };
    expect(toHex(encodeExtraParamsV1(x)).slice(0, 6)).toBe("0x8478"); // array(4), text
    expect(decodeExtraParamsV1(encodeExtraParamsV1(x))).toEqual(x);
    expectL1Error(() => decodeExtraParamsV1(Uint8Array.of(0x83, 0x60, 0x00, 0xf4)), L1ErrorCode.CBOR_DECODE_FAILED);
  });
});
