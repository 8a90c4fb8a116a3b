/**
 * FilverseDealClient on a local L1: proposals and the event Boost watches, the CBOR Boost reads, the
 * market's AuthenticateMessage and MarketNotifyDeal callbacks (the market is a test account here),
 * and every refusal.
 */

import { fromHex, toHex } from "@filverse/utils";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import {
  type Abi,
  type Address,
  type Hex,
  keccak256,
  parseEventLogs,
  toEventSelector,
  toFunctionSelector,
  zeroAddress,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import {
  ANY_PROVIDER_ADDRESS,
  type DealProposal,
  decodeDealProposal,
  delegatedAddressBytes,
  encodeAuthenticateMessageParams,
  encodeDealProposal,
  encodeMarketNotifyDealParams,
  idAddressBytes,
} from "../../src/dealCbor.js";
import {
  type DealRequest,
  dealProposalId,
  dealProposalOf,
  FILECOIN_MARKET_ACTOR_ADDRESS,
  getDealProposal,
  getDealStatus,
  getExtraParams,
  getProposalIdsByPiece,
  proposeDeal,
  toPieceCidV1,
} from "../../src/deals.js";
import { deployDealContracts } from "../../src/deploy.js";
import { makePiece, makeRequest, PAYLOAD_CID, rawRequest } from "./dealFixture.js";
import { type Env, expectRevert, makeKey, setupEnv } from "./fixture.js";

const AUTHENTICATE = 2_643_134_072n;
const NOTIFY = 4_186_741_094n;
const DATACAP_HOOK = 3_726_118_371n;
const CBOR = 0x51n;
const DATACAP_ACTOR: Address = "0xfF00000000000000000000000000000000000007";

const clientAbi: Abi = loadArtifact("FilverseDealClient").abi;
const market = makeKey(31); // stands in for the market actor f05
const node = makeKey(32); // the Filverse node: an authorised proposer
const stranger = makeKey(33);

let env: Env;
let dealClient: Address;

beforeAll(async () => {
  env = await setupEnv();
  for (const k of [market, node, stranger]) await env.fund(k.address);
  ({ dealClient } = await deployDealContracts(env, env.deployer, {
    market: { market: market.address, activationSource: null },
  }));
}, 60_000);
afterAll(async () => {
  await env?.l1.stop();
});

const epoch = () => env.publicClient.getBlockNumber();
const propose = (from: Env["deployer"] | (typeof node)["account"], args: unknown) =>
  env.send(from, dealClient, clientAbi, "makeDealProposal", [args]);

/** handle_filecoin_method as `from` would see it (eth_call), returning (exitCode, codec, ret). */
const handle = (method: bigint, params: Uint8Array | Hex, from: Address = market.address, codec = CBOR) =>
  env.publicClient
    .simulateContract({
      address: dealClient,
      abi: clientAbi,
      functionName: "handle_filecoin_method",
      args: [method, codec, typeof params === "string" ? params : toHex(params)],
      account: from,
    })
    .then((r) => r.result as readonly [number, bigint, Hex]);
const notify = (proposal: Uint8Array, dealId: bigint, from = market) =>
  env.send(from.account, dealClient, clientAbi, "handle_filecoin_method", [
    NOTIFY,
    CBOR,
    toHex(encodeMarketNotifyDealParams(proposal, dealId)),
  ]);

/** The proposal as a provider publishes it: the same terms with its own address (Boost sets its miner). */
const asPublished = (p: DealProposal, provider = idAddressBytes(1_001n)): DealProposal => ({ ...p, provider });
/** As the market passes it to MarketNotifyDeal: client and provider rewritten to ID addresses. */
const asNormalised = (p: DealProposal): DealProposal => ({
  ...p,
  client: idAddressBytes(1_000n),
  provider: idAddressBytes(1_001n),
});

async function proposeFresh(overrides: Partial<DealRequest> = {}, startIn?: bigint) {
  const request = makeRequest(await epoch(), overrides, startIn);
  const { id } = await proposeDeal(env, { dealClient, account: env.deployer, request });
  return { request, id, proposal: dealProposalOf(request, dealClient) };
}

describe("makeDealProposal", () => {
  it("emits DealProposalCreate(id, size, verified, price) with the signature Boost subscribes to", async () => {
    const request = makeRequest(await epoch(), { verifiedDeal: true, storagePricePerEpoch: 12_345n });
    const receipt = await propose(env.deployer, rawRequest(request));
    const [log] = parseEventLogs({ abi: clientAbi, logs: receipt.logs, eventName: "DealProposalCreate" });
    const id = dealProposalId(request, dealClient);
    expect(log!.args).toEqual({ id, size: request.pieceSize, verified: true, price: 12_345n });
    // Boost's contract-deal monitor: topic0 of this signature, the id as topic 1.
    expect(receipt.logs[0]!.topics[0]).toBe(toEventSelector("DealProposalCreate(bytes32,uint64,bool,uint256)"));
    expect(receipt.logs[0]!.topics[1]).toBe(id);
    // Boost calls these selectors directly.
    expect(toFunctionSelector("getDealProposal(bytes32)")).toBe("0xf4b2e4d8");
    expect(toFunctionSelector("getExtraParams(bytes32)")).toBe("0x4634aed5");
    expect(await getDealStatus(env.publicClient, { dealClient, id })).toEqual({
      status: "proposed",
      dealId: null,
      activatedEpoch: null,
    });
  });

  it("getDealProposal is the CBOR DealProposal: tag-42 v1 piece CID, f410 client, f00 provider", async () => {
    const piece = makePiece();
    // Proposed with the v2 CID: the proposal carries v1.
    const { request, id } = await proposeFresh({ pieceCid: piece.v2, clientCollateral: 7n, providerCollateral: 0n });
    const { bytes, proposal } = await getDealProposal(env.publicClient, { dealClient, id });
    expect(keccak256(bytes)).toBe(id);
    const raw = dagCbor.decode(bytes) as unknown[];
    expect(raw).toHaveLength(11);
    expect(toHex(bytes).slice(0, 8)).toBe("0x8bd82a"); // array(11), tag 42
    expect(CID.asCID(raw[0])?.toString()).toBe(piece.v1);
    expect(raw.slice(1)).toEqual([
      Number(request.pieceSize),
      false,
      Uint8Array.from([0x04, 0x0a, ...fromHex(dealClient)]),
      Uint8Array.of(0x00, 0x00),
      PAYLOAD_CID,
      Number(request.startEpoch),
      Number(request.endEpoch),
      Uint8Array.of(0x00, 0x3b, 0x9a, 0xca, 0x00), // 10^9 attoFIL
      new Uint8Array(0), // zero
      Uint8Array.of(0x00, 0x07),
    ]);
    expect(proposal).toEqual({ ...dealProposalOf(request, dealClient), pieceCid: CID.parse(piece.v1) });
    expect(proposal.client).toEqual(delegatedAddressBytes(dealClient));
    expect(proposal.provider).toEqual(ANY_PROVIDER_ADDRESS);
  });

  it("getExtraParams is the CBOR ExtraParamsV1 Boost reads", async () => {
    const { request, id } = await proposeFresh();
    const hex = (await env.read<Hex>(dealClient, clientAbi, "getExtraParams", [id])) as Hex;
    expect(dagCbor.decode(fromHex(hex))).toEqual([
      request.extraParams.locationRef,
      Number(request.extraParams.carSize),
      true,
      false,
    ]);
    expect(await getExtraParams(env.publicClient, { dealClient, id })).toEqual(request.extraParams);
    expect(await env.read(dealClient, clientAbi, "getDealRequest", [id])).toEqual(rawRequest(request));
  });

  it("lists the proposals made for a piece, oldest first, by v1 or v2 CID", async () => {
    const piece = makePiece(900, 9);
    const overrides = {
      pieceCid: piece.v1,
      pieceSize: piece.pieceSize,
      extraParams: { ...makeRequest(0n).extraParams, carSize: 900n },
    };
    const a = await proposeFresh(overrides, 100n);
    const b = await proposeFresh(overrides, 200n); // a re-proposal with other epochs
    expect(await getProposalIdsByPiece(env.publicClient, { dealClient, pieceCid: piece.v2 })).toEqual([a.id, b.id]);
    expect(
      await env.read(dealClient, clientAbi, "getProposalIdsByPiece", [toHex(toPieceCidV1(piece.v1).bytes)]),
    ).toEqual([a.id, b.id]);
    const count = await env.read<bigint>(dealClient, clientAbi, "proposalCount");
    expect(await env.read(dealClient, clientAbi, "proposalIdAt", [count - 1n])).toBe(b.id);
  });

  it("only the owner and authorised proposers propose; only the owner authorises", async () => {
    const request = makeRequest(await epoch(), { storagePricePerEpoch: 1n });
    await expectRevert(propose(node.account, rawRequest(request)), "NotProposer");
    await expectRevert(env.send(node.account, dealClient, clientAbi, "setProposer", [node.address, true]), "NotOwner");
    await expectRevert(
      env.send(env.deployer, dealClient, clientAbi, "setProposer", [zeroAddress, true]),
      "ZeroAddress",
    );
    await env.send(env.deployer, dealClient, clientAbi, "setProposer", [node.address, true]);
    expect(await env.read(dealClient, clientAbi, "isProposer", [node.address])).toBe(true);
    await propose(node.account, rawRequest(request));
    await env.send(env.deployer, dealClient, clientAbi, "setProposer", [node.address, false]);
    await expectRevert(propose(node.account, rawRequest(makeRequest(await epoch()))), "NotProposer");
  });

  it("refuses bad requests: piece CID, size, epochs, label, extra params, a duplicate", async () => {
    const request = makeRequest(await epoch(), { storagePricePerEpoch: 2n });
    const piece = makePiece();
    const now = await epoch();
    const cases: [unknown, string][] = [
      [rawRequest(request, { piece_cid: toHex(CID.parse(piece.v2).bytes) }), "InvalidPieceCid"],
      [rawRequest(request, { piece_cid: "0x" }), "InvalidPieceCid"],
      [rawRequest(request, { piece_size: 3_000n }), "InvalidPieceSize"],
      [rawRequest(request, { piece_size: 64n }), "InvalidPieceSize"],
      [rawRequest(request, { piece_size: 0n }), "InvalidPieceSize"],
      [rawRequest(request, { end_epoch: request.startEpoch }), "InvalidEpochs"],
      [rawRequest(request, { end_epoch: request.startEpoch - 1n }), "InvalidEpochs"],
      [rawRequest(request, { start_epoch: now + 1n }), "StartEpochPassed"], // mined at now + 1
      [rawRequest(request, { start_epoch: -5n }), "StartEpochPassed"],
      [rawRequest(request, { label: "" }), "InvalidLabel"],
      [rawRequest(request, { label: "x".repeat(257) }), "InvalidLabel"],
      [rawRequest(request, { extra_params_version: 2n }), "UnsupportedExtraParamsVersion"],
      [rawRequest(request, { extra_params: { location_ref: "" } }), "EmptyLocationRef"],
      [rawRequest(request, { extra_params: { car_size: 0n } }), "InvalidCarSize"],
      [rawRequest(request, { extra_params: { car_size: 2_048n - 15n } }), "InvalidCarSize"], // > 2048·127/128
    ];
    for (const [args, error] of cases) await expectRevert(propose(env.deployer, args), error);
    // The largest CAR that fits a 2 KiB piece is accepted.
    await propose(env.deployer, rawRequest(request, { extra_params: { car_size: 2_032n } }));
    await expectRevert(
      propose(env.deployer, rawRequest(request, { extra_params: { car_size: 2_032n } })),
      "DuplicateProposal",
    );
  });

  it("reads of an unknown proposal revert", async () => {
    const unknown = keccak256("0x01");
    for (const fn of ["getDealProposal", "getExtraParams", "getDealRequest", "getDealStatus"]) {
      await expectRevert(env.read(dealClient, clientAbi, fn, [unknown]), "UnknownProposal");
    }
  });
});

describe("handle_filecoin_method: AuthenticateMessage", () => {
  it("accepts its own proposal as a provider publishes it, with CBOR true", async () => {
    const { proposal } = await proposeFresh({ storagePricePerEpoch: 3n });
    const params = encodeAuthenticateMessageParams(
      Uint8Array.of(0xde, 0xad),
      encodeDealProposal(asPublished(proposal)),
    );
    expect(await handle(AUTHENTICATE, params)).toEqual([0, CBOR, "0xf5"]);
    // DAG-CBOR codec is accepted too.
    expect(await handle(AUTHENTICATE, params, market.address, 0x71n)).toEqual([0, CBOR, "0xf5"]);
  });

  it("rejects tampered terms, an unknown proposal, another client, malformed CBOR, other callers", async () => {
    const { proposal } = await proposeFresh({ storagePricePerEpoch: 4n });
    const auth = (p: DealProposal) =>
      encodeAuthenticateMessageParams(Uint8Array.of(0xde, 0xad), encodeDealProposal(asPublished(p)));
    for (const tampered of [
      { ...proposal, storagePricePerEpoch: 5n },
      { ...proposal, label: "bafkqaaa" },
      { ...proposal, endEpoch: proposal.endEpoch + 1n },
      { ...proposal, verifiedDeal: true },
      { ...proposal, clientCollateral: 1n },
      { ...proposal, pieceSize: proposal.pieceSize * 2n },
    ]) {
      await expectRevert(handle(AUTHENTICATE, auth(tampered)), "UnknownProposal");
    }
    await expectRevert(
      handle(AUTHENTICATE, auth({ ...proposal, client: delegatedAddressBytes(stranger.address) })),
      "WrongClient",
    );
    await expectRevert(handle(AUTHENTICATE, auth({ ...proposal, client: idAddressBytes(1_000n) })), "WrongClient");
    const message = encodeDealProposal(proposal);
    await expectRevert(handle(AUTHENTICATE, dagCbor.encode([message])), "CborMalformed");
    await expectRevert(
      handle(AUTHENTICATE, encodeAuthenticateMessageParams(new Uint8Array(0), message.subarray(0, 50))),
      "CborMalformed",
    );
    await expectRevert(handle(AUTHENTICATE, auth(proposal), stranger.address), "NotMarket");
    await expectRevert(handle(AUTHENTICATE, auth(proposal), market.address, 0x55n), "UnsupportedCodec");
  });
});

describe("handle_filecoin_method: MarketNotifyDeal", () => {
  it("records the deal id and provider; the proposal is then no longer authenticated", async () => {
    const { id, proposal } = await proposeFresh({ storagePricePerEpoch: 6n });
    const normalised = encodeDealProposal(asNormalised(proposal));
    const receipt = await notify(normalised, 0n); // deal id 0 is a real id
    const [log] = parseEventLogs({ abi: clientAbi, logs: receipt.logs, eventName: "DealPublished" });
    expect(log!.args).toEqual({ id, dealId: 0n, provider: toHex(idAddressBytes(1_001n)) });
    expect(await env.read(dealClient, clientAbi, "getDealState", [id])).toEqual({
      status: 2,
      published: true,
      dealId: 0n,
      activatedEpoch: -1n,
      provider: toHex(idAddressBytes(1_001n)),
    });
    expect(await env.read(dealClient, clientAbi, "getProposalIdByDealId", [0n])).toBe(id);
    expect(await getDealStatus(env.publicClient, { dealClient, id })).toEqual({
      status: "published",
      dealId: 0n,
      activatedEpoch: null,
    });
    const auth = encodeAuthenticateMessageParams(Uint8Array.of(0), encodeDealProposal(asPublished(proposal)));
    await expectRevert(handle(AUTHENTICATE, auth), "NotProposed");
    await expectRevert(notify(normalised, 1n), "NotProposed"); // a second notify
    // No activation source here: the status cannot move on from the market's side.
    expect((await getDealStatus(env.publicClient, { dealClient, id })).status).toBe("published");
  });

  it("refuses an unknown proposal, a deal id in use, malformed params and other callers", async () => {
    const { proposal } = await proposeFresh({ storagePricePerEpoch: 7n });
    const { proposal: other } = await proposeFresh({ storagePricePerEpoch: 8n });
    await expectRevert(notify(encodeDealProposal({ ...proposal, storagePricePerEpoch: 70n }), 5n), "UnknownProposal");
    await notify(encodeDealProposal(asNormalised(proposal)), 5n);
    await expectRevert(notify(encodeDealProposal(asNormalised(other)), 5n), "DealIdInUse");
    await expectRevert(notify(encodeDealProposal(other), 6n, stranger), "NotMarket");
    await expectRevert(
      env.send(market.account, dealClient, clientAbi, "handle_filecoin_method", [
        NOTIFY,
        CBOR,
        toHex(dagCbor.encode([1, 2])),
      ]),
      "CborUnexpectedType",
    );
  });

  it("updateActivationStatus needs a published deal", async () => {
    const { id } = await proposeFresh({ storagePricePerEpoch: 9n });
    await expectRevert(env.send(env.deployer, dealClient, clientAbi, "updateActivationStatus", [id]), "NotPublished");
    await expectRevert(
      env.send(env.deployer, dealClient, clientAbi, "updateActivationStatus", [keccak256("0x02")]),
      "NotPublished",
    );
  });
});

describe("handle_filecoin_method: other methods", () => {
  it("reverts on an unknown method", async () => {
    await expectRevert(handle(1n, "0x"), "UnsupportedMethod");
    await expectRevert(handle(0n, "0x"), "UnsupportedMethod");
  });

  it("takes the datacap receiver hook from the datacap actor only", async () => {
    await expectRevert(handle(DATACAP_HOOK, "0x80"), "NotDataCapActor");
    await env.testClient.impersonateAccount({ address: DATACAP_ACTOR });
    await env.fund(DATACAP_ACTOR);
    const receipt = await env.send(DATACAP_ACTOR, dealClient, clientAbi, "handle_filecoin_method", [
      DATACAP_HOOK,
      CBOR,
      "0x80",
    ]);
    await env.testClient.stopImpersonatingAccount({ address: DATACAP_ACTOR });
    const [log] = parseEventLogs({ abi: clientAbi, logs: receipt.logs, eventName: "DataCapReceived" });
    expect(log!.args).toEqual({ params: "0x80" });
  });

  it("as deployed for Filecoin, only f05 (0xff…05) may call the market methods", async () => {
    const {
      dealClient: fevmClient,
      market: f05,
      activationSource,
    } = await deployDealContracts(env, env.deployer, {
      market: "filecoin",
      proposers: [node.address],
    });
    expect([f05, activationSource]).toEqual([FILECOIN_MARKET_ACTOR_ADDRESS, null]);
    expect(await env.read(fevmClient, clientAbi, "activationSource")).toBe(zeroAddress);
    const request = makeRequest(await epoch());
    const { id } = await proposeDeal(env, { dealClient: fevmClient, account: node.account, request });
    const bytes = (await getDealProposal(env.publicClient, { dealClient: fevmClient, id })).bytes;
    const params = toHex(encodeAuthenticateMessageParams(Uint8Array.of(0xde, 0xad), bytes));
    const call = (from: Address) =>
      env.publicClient.simulateContract({
        address: fevmClient,
        abi: clientAbi,
        functionName: "handle_filecoin_method",
        args: [AUTHENTICATE, CBOR, params],
        account: from,
      });
    expect((await call(FILECOIN_MARKET_ACTOR_ADDRESS)).result).toEqual([0, CBOR, "0xf5"]);
    await expectRevert(call(market.address), "NotMarket");
    expect(decodeDealProposal(bytes).client).toEqual(delegatedAddressBytes(fevmClient));
  });

  it("the constructor refuses a zero owner or market", async () => {
    const { abi, bytecode } = loadArtifact("FilverseDealClient");
    for (const args of [
      [zeroAddress, market.address, zeroAddress],
      [env.deployer, zeroAddress, zeroAddress],
    ]) {
      // A constructor's revert is not decoded by viem: look for ZeroAddress()'s selector in the data.
      await expect(
        env.walletClient.deployContract({ abi, bytecode, args, account: env.deployer, chain: env.walletClient.chain }),
      ).rejects.toThrow(toFunctionSelector("ZeroAddress()"));
    }
  });
});
