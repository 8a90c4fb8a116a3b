/**
 * The devnet deal flow on a local L1: the node proposes through FilverseDealClient, a storage
 * provider publishes through DevnetMarket (AuthenticateMessage, then MarketNotifyDeal) and activates;
 * the status follows the market until the deal ends, and the DealWatcher sees every event once.
 */
import { toHex } from "@filverse/utils";
import { CID } from "multiformats/cid";
import { type Abi, type Address, decodeErrorResult, getAddress, type Hex, keccak256, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import { type DealProposal, delegatedAddressBytes, encodeDealProposal, idAddressBytes } from "../../src/dealCbor.js";
import { type DealRequest, getDealProposal, getDealStatus, proposeDeal } from "../../src/deals.js";
import { type DealEvent, DealWatcher } from "../../src/dealWatcher.js";
import { deployDealContracts } from "../../src/deploy.js";
import {
  activateDevnetDeal,
  CONTRACT_DEAL_SIGNATURE,
  getDevnetDeal,
  providerProposal,
  publishDevnetDeal,
} from "../../src/devnetMarket.js";
import { makePiece, makeRequest, PAYLOAD_CID } from "./dealFixture.js";
import { type Env, expectRevert, makeKey, setupEnv } from "./fixture.js";

const clientAbi: Abi = loadArtifact("FilverseDealClient").abi;
const marketAbi: Abi = loadArtifact("DevnetMarket").abi;
const node = makeKey(41);
const sp = makeKey(42);
const otherSp = makeKey(43);

let env: Env;
let dealClient: Address;
let market: Address;
let watcher: DealWatcher;
const events: DealEvent[] = [];

beforeAll(async () => {
  env = await setupEnv();
  for (const k of [node, sp, otherSp]) await env.fund(k.address);
  const deployment = await deployDealContracts(env, env.deployer, { market: "devnet", proposers: [node.address] });
  dealClient = deployment.dealClient;
  market = deployment.devnetMarket!;
  expect([deployment.market, deployment.activationSource]).toEqual([market, market]);
  // One block per eth_getLogs, as on Filecoin with its range cap; every block final (a local L1).
  watcher = new DealWatcher(
    { dealClient, startBlock: 0n, confirmations: 0, maxRange: 1, pollIntervalMs: 60_000 },
    { publicClient: env.publicClient, onEvent: (e) => events.push(e) },
  );
  await watcher.start();
}, 60_000);
afterAll(async () => {
  await watcher?.close();
  await env?.l1.stop();
});

const epoch = () => env.publicClient.getBlockNumber({ cacheTime: 0 });
const mineTo = async (target: bigint) => {
  const now = await epoch();
  if (target > now) await env.testClient.mine({ blocks: Number(target - now) });
};
const status = (id: Hex) => getDealStatus(env.publicClient, { dealClient, id });
const activation = (dealId: bigint) => env.read<[bigint, bigint]>(market, marketAbi, "getDealActivation", [dealId]);
const publishRaw = (proposal: DealProposal | Hex, from = sp) =>
  env.send(from.account, market, marketAbi, "publishDeal", [
    typeof proposal === "string" ? proposal : toHex(encodeDealProposal(proposal)),
    toHex(CONTRACT_DEAL_SIGNATURE),
  ]);

/** The node proposes; the provider reads the proposal and sets itself as the provider, as Boost does. */
async function proposeAndRead(overrides: Partial<DealRequest>, startIn: bigint, duration = 518_400n) {
  const now = await epoch();
  const request = makeRequest(now, { ...overrides, endEpoch: now + startIn + duration }, startIn);
  const { id } = await proposeDeal(env, { dealClient, account: node.account, request });
  const { proposal } = await getDealProposal(env.publicClient, { dealClient, id });
  return { id, request, proposal, published: providerProposal(proposal, sp.address) };
}

/** The client's revert reason inside the market's AuthenticationFailed / NotifyFailed. */
function innerError(err: { data?: { args?: readonly unknown[] } }): string {
  return decodeErrorResult({ abi: clientAbi, data: err.data!.args![0] as Hex }).errorName;
}

describe("DevnetMarket: publish → activate → end", () => {
  it("runs the market actor's callbacks, numbers deals from 0, and tracks activation to the end epoch", async () => {
    const { id, proposal, published } = await proposeAndRead({ storagePricePerEpoch: 11n }, 40n, 30n);
    const { dealId, txHash } = await publishDevnetDeal(env, { market, account: sp.account, proposal: published });
    expect(dealId).toBe(0n);

    // The market rewrote both addresses to ID addresses before notifying (client first seen → 1000).
    expect(await env.read(market, marketAbi, "actorIdOf", [dealClient])).toBe(1_000n);
    expect(await env.read(market, marketAbi, "actorIdOf", [sp.address])).toBe(1_001n);
    const normalised = encodeDealProposal({
      ...proposal,
      client: idAddressBytes(1_000n),
      provider: idAddressBytes(1_001n),
    });
    const receipt = await env.publicClient.getTransactionReceipt({ hash: txHash });
    const [notified] = parseEventLogs({ abi: clientAbi, logs: receipt.logs, eventName: "DealPublished" });
    expect(notified!.args).toEqual({ id, dealId: 0n, provider: toHex(idAddressBytes(1_001n)) });
    const [marketEvent] = parseEventLogs({ abi: marketAbi, logs: receipt.logs, eventName: "DealPublished" });
    expect(marketEvent!.args).toEqual({ dealId: 0n, client: getAddress(dealClient), provider: sp.address });
    expect(await getDevnetDeal(env.publicClient, { market, dealId })).toEqual({
      client: getAddress(dealClient),
      provider: sp.address,
      pieceSize: proposal.pieceSize,
      startEpoch: proposal.startEpoch,
      endEpoch: proposal.endEpoch,
      activatedEpoch: -1n,
      proposalHash: keccak256(normalised),
      pieceCid: toHex(proposal.pieceCid.bytes),
    });
    expect(await env.read(market, marketAbi, "isPublished", [keccak256(normalised)])).toBe(true);
    expect(await status(id)).toEqual({ status: "published", dealId: 0n, activatedEpoch: null });
    expect(await activation(dealId)).toEqual([-1n, -1n]);

    await expectRevert(env.send(otherSp.account, market, marketAbi, "activateDeal", [dealId]), "NotProvider");
    await activateDevnetDeal(env, { market, account: sp.account, dealId });
    const activatedAt = await epoch();
    await expectRevert(env.send(sp.account, market, marketAbi, "activateDeal", [dealId]), "AlreadyActivated");
    expect(await activation(dealId)).toEqual([activatedAt, -1n]);
    // The view follows the market at once; the stored state (and its event) on updateActivationStatus.
    expect(await status(id)).toEqual({ status: "active", dealId: 0n, activatedEpoch: activatedAt });
    const update = await env.send(env.deployer, dealClient, clientAbi, "updateActivationStatus", [id]);
    const [activated] = parseEventLogs({ abi: clientAbi, logs: update.logs, eventName: "DealActivated" });
    expect(activated!.args).toEqual({ id, dealId: 0n, activatedEpoch: activatedAt });
    const again = await env.send(env.deployer, dealClient, clientAbi, "updateActivationStatus", [id]);
    expect(again.logs).toEqual([]);

    await mineTo(proposal.endEpoch);
    expect((await status(id)).status).toBe("expired");
    await expectRevert(activation(dealId), "DealExpired");
    const end = await env.send(env.deployer, dealClient, clientAbi, "updateActivationStatus", [id]);
    const [expired] = parseEventLogs({ abi: clientAbi, logs: end.logs, eventName: "DealExpired" });
    expect(expired!.args).toEqual({ id, dealId: 0n });
    expect(await status(id)).toEqual({ status: "expired", dealId: 0n, activatedEpoch: activatedAt });

    await watcher.refresh();
    const mine = events.filter((e) => e.id === id);
    expect(mine.map((e) => e.kind)).toEqual(["proposed", "published", "activated", "expired"]);
    expect(watcher.get(id)).toMatchObject({
      status: "expired",
      dealId: 0n,
      provider: toHex(idAddressBytes(1_001n)),
      activatedEpoch: activatedAt,
      pieceSize: proposal.pieceSize,
      storagePricePerEpoch: 11n,
      verified: false,
    });
    await watcher.refresh(); // nothing new: no event twice
    expect(events.filter((e) => e.id === id)).toHaveLength(4);
  });

  it("a published deal not activated by its start epoch expires", async () => {
    const { id, published } = await proposeAndRead({ storagePricePerEpoch: 12n }, 10n);
    const { dealId } = await publishDevnetDeal(env, { market, account: sp.account, proposal: published });
    expect(dealId).toBe(1n);
    await mineTo(published.startEpoch + 1n);
    expect(await status(id)).toEqual({ status: "expired", dealId: 1n, activatedEpoch: null });
    await expectRevert(activation(dealId), "DealExpired");
    await expectRevert(env.send(sp.account, market, marketAbi, "activateDeal", [dealId]), "StartEpochPassed");
    const update = await env.send(env.deployer, dealClient, clientAbi, "updateActivationStatus", [id]);
    expect(parseEventLogs({ abi: clientAbi, logs: update.logs, eventName: "DealExpired" })).toHaveLength(1);
    await expectRevert(env.send(env.deployer, dealClient, clientAbi, "updateActivationStatus", [id]), "NotPublished");
  });

  it("a proposal nobody publishes by its start epoch expires, and the market then refuses it", async () => {
    const { id, published } = await proposeAndRead({ storagePricePerEpoch: 13n }, 5n);
    await mineTo(published.startEpoch + 1n);
    expect(await status(id)).toEqual({ status: "expired", dealId: null, activatedEpoch: null });
    await expectRevert(publishRaw(published), "StartEpochPassed");
    await watcher.refresh();
    expect(watcher.get(id)?.status).toBe("proposed"); // events only: nothing happened on chain
  });
});

describe("DevnetMarket refusals", () => {
  it("the client refuses tampered terms and a second publication (AuthenticationFailed)", async () => {
    const { published } = await proposeAndRead({ storagePricePerEpoch: 14n }, 100n);
    const tampered = await expectRevert(
      publishRaw({ ...published, storagePricePerEpoch: 15n }),
      "AuthenticationFailed",
    );
    expect(innerError(tampered)).toBe("UnknownProposal");
    await publishDevnetDeal(env, { market, account: sp.account, proposal: published });
    const twice = await expectRevert(publishRaw(published), "AuthenticationFailed");
    expect(innerError(twice)).toBe("NotProposed");
  });

  it("checks the proposal as the market actor does before calling the client", async () => {
    const { published } = await proposeAndRead({ storagePricePerEpoch: 16n }, 100n);
    await expectRevert(publishRaw(published, otherSp), "ProviderMismatch");
    await expectRevert(
      publishRaw({ ...published, client: delegatedAddressBytes(otherSp.address) }),
      "ClientNotContract",
    );
    await expectRevert(publishRaw({ ...published, client: idAddressBytes(1_000n) }), "ClientNotContract");
    await expectRevert(publishRaw({ ...published, label: "x".repeat(257) }), "InvalidLabel");
    await expectRevert(publishRaw({ ...published, pieceSize: 3_000n }), "InvalidPieceSize");
    // A CID, but not a piece CID: the payload's, and a v2 piece CID (the market wants v1).
    await expectRevert(publishRaw({ ...published, pieceCid: CID.parse(PAYLOAD_CID) }), "InvalidPieceCid");
    await expectRevert(publishRaw({ ...published, pieceCid: CID.parse(makePiece().v2) }), "InvalidPieceCid");
    await expectRevert(publishRaw({ ...published, endEpoch: published.startEpoch }), "InvalidEpochs");
    await expectRevert(publishRaw(toHex(encodeDealProposal(published)).slice(0, 40) as Hex), "CborMalformed");
  });

  it("unknown deal ids", async () => {
    await expectRevert(env.send(sp.account, market, marketAbi, "activateDeal", [99n]), "NoSuchDeal");
    await expectRevert(activation(99n), "NoSuchDeal");
    await expectRevert(env.read(market, marketAbi, "getDeal", [99n]), "NoSuchDeal");
  });
});

describe("DealWatcher", () => {
  it("serves what it saw in chain order, and a confirmation depth hides blocks not final yet", async () => {
    await watcher.refresh();
    const all = watcher.deals();
    expect(all).toHaveLength(5);
    const blocks = all.map((d) => d.proposedAtBlock);
    expect([...blocks].sort((a, b) => (a < b ? -1 : 1))).toEqual(blocks);
    const deep = new DealWatcher(
      { dealClient, startBlock: 0n, confirmations: 1_000_000, pollIntervalMs: 60_000 },
      {
        publicClient: {
          ...env.publicClient,
          getBlock: async () => Promise.reject(new Error("no finalized tag")),
        } as never,
      },
    );
    await deep.start();
    expect(deep.deals()).toEqual([]);
    await deep.close();
  });

  it("never throws when the L1 fails", async () => {
    const broken = new DealWatcher(
      { dealClient, startBlock: 0n, confirmations: 0, pollIntervalMs: 60_000 },
      {
        publicClient: {
          getBlock: () => Promise.reject(new Error("down")),
          getBlockNumber: () => Promise.reject(new Error("down")),
        } as never,
      },
    );
    await expect(broken.start()).resolves.toBeUndefined();
    expect(broken.deals()).toEqual([]);
    await broken.close();
  });
});
