/** Shared test inputs: real keys, valid CIDs, and a friendly input for every transaction kind. */
import { hashTypedData, signDigest } from "@filverse/crypto";
import { SessionRequest } from "@filverse/types";
import { fromHex, type Hex, toHex } from "@filverse/utils";
import type { LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Eip1193Provider } from "../../src/accounts.js";
import type { PrimaryType, TxParameters } from "../../src/types.js";

export const CHAIN_ID = 3_141_592_601;

export const alice = privateKeyToAccount(`0x${"11".repeat(32)}`);
export const bob = privateKeyToAccount(`0x${"22".repeat(32)}`);
export const carol = privateKeyToAccount(`0x${"33".repeat(32)}`);

/** CIDv1 raw sha256 of "a", "b", "c" and a Piece CID v1 (computed once with multiformats). */
export const CID_A = "bafkreigks6arfsq3xxfpvqrrwonchxcnu6do76auprhhfomao6c273sixm";
export const CID_B = "bafkreib6epubmabzlffdhckpmvsodmjuro6xuaei2qwevs3t52xnlhaatu";
export const CID_C = "bafkreibopuwahkkqplrgl3hvwu2wrbnfgoj2eau5eqjzjglsmwq2ewxpyy";
export const PIECE_CID = "baga6ea4seaqacaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcai";

export const COLLECTION_ID: Hex = `0x${"ab".repeat(32)}`;
export const TOKEN_ID: Hex = `0x${"cd".repeat(32)}`;
export const IDENTITY_ID: Hex = `0x${"ef".repeat(32)}`;
export const DATA_ASSET_ID: Hex = `0x${"12".repeat(32)}`;

/** The app's SessionRequest signature for alice's grant to carol (any signature that recovers passes validation). */
export const APP_SIGNATURE: Hex = toHex(
  signDigest(
    hashTypedData(CHAIN_ID, SessionRequest, {
      account: fromHex(alice.address),
      sessionKey: fromHex(carol.address),
      app: fromHex(IDENTITY_ID),
      deadline: 1_800_000_000,
    }),
    fromHex(`0x${"22".repeat(32)}`),
  ),
);

/** bob's address as wallets show it: EIP-55 mixed case, which the client must accept. */
export const BOB: Hex = bob.address;
export const CAROL: Hex = carol.address;

/** A friendly input for every kind but the two trade kinds (whose order comes from signOrder). */
export const inputs: { [P in Exclude<PrimaryType, "TradeFill" | "OrderCancel">]: TxParameters<P> } = {
  Transfer: { to: BOB, amount: 10n ** 18n },
  Withdraw: { l1Recipient: CAROL, amount: "5000" },
  CollectionCreate: { name: "Game Items", symbol: "GI", royaltyBps: 250, maxSupply: 1000, metadataMutable: true },
  AssetMint: { collectionId: COLLECTION_ID, tokenId: 1, to: BOB, contentCid: CID_A },
  AssetBatchMint: { collectionId: COLLECTION_ID, firstTokenId: 10n, to: BOB, contentCids: [CID_A, CID_B, CID_C] },
  AssetTransfer: { collectionId: COLLECTION_ID, tokenId: "1", to: CAROL },
  AssetBurn: { collectionId: COLLECTION_ID, tokenId: 1 },
  AssetMetadataUpdate: { collectionId: COLLECTION_ID, tokenId: 1, contentCid: CID_B },
  AssetApprove: { collectionId: COLLECTION_ID, tokenId: 2, approved: CAROL },
  OperatorSet: { collectionId: COLLECTION_ID, operator: CAROL, approved: true },
  TokenCreate: { name: "Guild Gold", symbol: "GOLD", decimals: 18, cap: 10n ** 24n },
  TokenMint: { tokenId: TOKEN_ID, to: BOB, amount: 1000 },
  TokenTransfer: { tokenId: TOKEN_ID, to: CAROL, amount: "1" },
  TokenBurn: { tokenId: TOKEN_ID, amount: 1n, onBehalfOf: IDENTITY_ID },
  IdentityCreate: { handle: "alice_1", profileCid: CID_A },
  IdentityUpdate: { identityId: IDENTITY_ID, profileCid: CID_B },
  AttributeSet: { identityId: IDENTITY_ID, key: "game.level", value: "42", expiresAt: 0 },
  AttributeRemove: { identityId: IDENTITY_ID, key: "game.level" },
  DelegateAdd: { identityId: IDENTITY_ID, delegate: CAROL, scope: 1, expiresAt: 1_800_000_000 },
  DelegateRevoke: { identityId: IDENTITY_ID, delegate: CAROL },
  IdentityTransfer: { identityId: IDENTITY_ID, newOwner: BOB },
  DataAssetRegister: { contentCid: CID_A, pieceCid: PIECE_CID, size: 1024, license: "CC-BY-4.0" },
  AccessGrant: { dataAssetId: DATA_ASSET_ID, grantee: BOB, expiresAt: 1_800_000_000n },
  AccessRevoke: { dataAssetId: DATA_ASSET_ID, grantee: BOB },
  FeeAllowanceSet: {
    grantee: BOB,
    target: COLLECTION_ID,
    totalBudget: 10n ** 18n,
    periodBudget: 10n ** 16n,
    period: 86_400,
    maxFeePerTx: 10n ** 12n,
    kinds: (1n << 11n) | (1n << 50n),
    expiresAt: 0,
  },
  FeeAllowanceRevoke: { grantee: BOB, target: COLLECTION_ID },
  SessionGrant: {
    sessionKey: CAROL,
    app: IDENTITY_ID,
    appSignature: APP_SIGNATURE,
    requestDeadline: 1_800_000_000,
    kinds: (1n << 1n) | (1n << 50n),
    filCap: 10n ** 18n,
    filPeriodCap: 0n,
    period: 0,
    tokens: [TOKEN_ID],
    tokenCaps: [100n],
    tokenPeriodCaps: [0n],
    collections: [COLLECTION_ID],
    counterparties: [BOB],
    expiresAt: 1_800_000_000,
  },
  SessionRevoke: { account: BOB, sessionKey: CAROL },
};

/**
 * An EIP-1193 provider as a browser wallet is: eth_signTypedData_v4 parses the JSON it is given and
 * signs it with a real viem account. `calls` counts signing requests.
 */
export function walletProvider(account: LocalAccount): Eip1193Provider & { calls: number; payloads: unknown[] } {
  const provider = {
    calls: 0,
    payloads: [] as unknown[],
    async request({ method, params }: { method: string; params?: unknown }): Promise<unknown> {
      if (method !== "eth_signTypedData_v4") throw new TypeError(`unsupported method ${method}`);
      const [address, json] = params as [string, string];
      if (address.toLowerCase() !== account.address.toLowerCase()) throw new TypeError("unknown account");
      provider.calls++;
      const typed = JSON.parse(json);
      provider.payloads.push(typed);
      return account.signTypedData(typed);
    },
  };
  return provider;
}
