/**
 * The objects of the committed state. Each lives in the state tree under
 * key = sha256(namespace ‖ id) with value hash = its SSZ hash tree root (docs/state.md).
 */
import {
  HANDLE_MAX_LENGTH,
  MAX_ATTRIBUTE_KEY_BYTES,
  MAX_ATTRIBUTE_VALUE_BYTES,
  MAX_CID_BYTES,
  MAX_LICENSE_BYTES,
  MAX_NAME_BYTES,
  MAX_SESSION_LIST,
  MAX_SYMBOL_BYTES,
} from "@filverse/params";
import {
  address,
  addressList,
  bool,
  bytes32,
  bytes32List,
  type StructType,
  stringField,
  struct,
  uint8,
  uint16,
  uint64,
  uint256,
  uint256List,
  type ValueOf,
} from "./schema.js";

/** The namespace byte that prefixes an object's id in its state key. */
export enum Namespace {
  Globals = 0x00,
  Account = 0x01,
  Collection = 0x02,
  Asset = 0x03,
  OperatorApproval = 0x04,
  Token = 0x05,
  TokenBalance = 0x06,
  Identity = 0x07,
  Handle = 0x08,
  Attribute = 0x09,
  Delegate = 0x0a,
  DataAsset = 0x0b,
  AccessGrant = 0x0c,
  OrderStatus = 0x0d,
  FeeAllowance = 0x0e,
  SessionGrant = 0x0f,
}

/** Chain-wide counters. id: empty. */
export const Globals = struct("Globals", {
  /** The last L1 deposit nonce credited; the next deposit must be this + 1. */
  l1DepositNonce: uint64,
  /** Withdrawals recorded so far; the next withdrawal's index. */
  withdrawalCount: uint64,
  totalDeposited: uint256,
  totalWithdrawn: uint256,
});

/** id: address (20). */
export const Account = struct("Account", { balance: uint256, nonce: uint64 });

/** id: collectionId (32) = sha256("filverse:collection" ‖ creator ‖ nonce). */
export const Collection = struct("Collection", {
  creator: address,
  name: stringField(MAX_NAME_BYTES),
  symbol: stringField(MAX_SYMBOL_BYTES),
  royaltyBps: uint16,
  maxSupply: uint64,
  /** Tokens ever minted; burning does not free supply. */
  minted: uint64,
  burned: uint64,
  metadataMutable: bool,
});

/** id: collectionId (32) ‖ tokenId (8, big-endian). A burned asset stays, owner zero, so its id is never reused. */
export const Asset = struct("Asset", {
  collectionId: bytes32,
  tokenId: uint64,
  owner: address,
  /** One address allowed to transfer this asset; cleared on transfer. */
  approved: address,
  contentCid: stringField(MAX_CID_BYTES),
  burned: bool,
});

/** id: owner (20) ‖ collectionId (32) ‖ operator (20). Present only while approved. */
export const OperatorApproval = struct("OperatorApproval", { approved: bool });

/** id: tokenId (32) = sha256("filverse:token" ‖ issuer ‖ nonce). */
export const Token = struct("Token", {
  issuer: address,
  name: stringField(MAX_NAME_BYTES),
  symbol: stringField(MAX_SYMBOL_BYTES),
  decimals: uint8,
  cap: uint256,
  supply: uint256,
});

/** id: tokenId (32) ‖ holder (20). Removed when it reaches zero. */
export const TokenBalance = struct("TokenBalance", { balance: uint256 });

/** id: identityId (32) = sha256("filverse:identity" ‖ creator ‖ nonce). */
export const Identity = struct("Identity", {
  owner: address,
  handle: stringField(HANDLE_MAX_LENGTH),
  profileCid: stringField(MAX_CID_BYTES),
  /** Bumped by every owner transfer; delegates added under an older epoch are void. */
  ownerEpoch: uint64,
});

/** id: sha256(handle). Makes handle uniqueness provable: a non-membership proof shows a handle is free. */
export const HandleRecord = struct("HandleRecord", { identityId: bytes32 });

/** id: identityId (32) ‖ sha256(key). */
export const Attribute = struct("Attribute", {
  key: stringField(MAX_ATTRIBUTE_KEY_BYTES),
  value: stringField(MAX_ATTRIBUTE_VALUE_BYTES),
  /** Unix seconds; 0 never expires. */
  expiresAt: uint64,
});

/** id: identityId (32) ‖ delegate (20). */
export const Delegate = struct("Delegate", {
  scope: uint8,
  /** Unix seconds; a delegate is void at and after this time. */
  expiresAt: uint64,
  ownerEpoch: uint64,
});

/** id: dataAssetId (32) = sha256("filverse:data" ‖ registrant ‖ nonce). */
export const DataAsset = struct("DataAsset", {
  owner: address,
  contentCid: stringField(MAX_CID_BYTES),
  pieceCid: stringField(MAX_CID_BYTES),
  size: uint64,
  license: stringField(MAX_LICENSE_BYTES),
});

/** id: dataAssetId (32) ‖ grantee (20). */
export const AccessGrantRecord = struct("AccessGrantRecord", { expiresAt: uint64 });

/** id: orderHash (32). Present once an order is filled or cancelled. */
export const OrderStatus = struct("OrderStatus", {
  /** 1 filled, 2 cancelled. */
  status: uint8,
});

/** id: sponsor (20) ‖ grantee (20) ‖ target (32). A sponsor's fee allowance (FeeAllowanceSet). */
export const FeeAllowance = struct("FeeAllowance", {
  totalBudget: uint256,
  spent: uint256,
  periodBudget: uint256,
  /** Seconds; 0: no period budget. */
  period: uint64,
  periodStart: uint64,
  periodSpent: uint256,
  maxFeePerTx: uint256,
  kinds: uint256,
  /** Unix seconds; 0 never expires. */
  expiresAt: uint64,
});

/**
 * id: account (20) ‖ sessionKey (20). A session grant; kept with `revoked` true after a SessionRevoke,
 * so the key can never be granted again under this account.
 */
export const SessionGrantRecord = struct("SessionGrantRecord", {
  app: bytes32,
  kinds: uint256,
  filCap: uint256,
  filSpent: uint256,
  filPeriodCap: uint256,
  filPeriodSpent: uint256,
  period: uint64,
  periodStart: uint64,
  tokens: bytes32List(MAX_SESSION_LIST),
  tokenCaps: uint256List(MAX_SESSION_LIST),
  tokenSpent: uint256List(MAX_SESSION_LIST),
  tokenPeriodCaps: uint256List(MAX_SESSION_LIST),
  tokenPeriodSpent: uint256List(MAX_SESSION_LIST),
  collections: bytes32List(MAX_SESSION_LIST),
  counterparties: addressList(MAX_SESSION_LIST),
  expiresAt: uint64,
  revoked: bool,
});

export enum OrderState {
  Filled = 1,
  Cancelled = 2,
}

export type Globals = ValueOf<typeof Globals.fields>;
export type Account = ValueOf<typeof Account.fields>;
export type Collection = ValueOf<typeof Collection.fields>;
export type Asset = ValueOf<typeof Asset.fields>;
export type OperatorApproval = ValueOf<typeof OperatorApproval.fields>;
export type Token = ValueOf<typeof Token.fields>;
export type TokenBalance = ValueOf<typeof TokenBalance.fields>;
export type Identity = ValueOf<typeof Identity.fields>;
export type HandleRecord = ValueOf<typeof HandleRecord.fields>;
export type Attribute = ValueOf<typeof Attribute.fields>;
export type Delegate = ValueOf<typeof Delegate.fields>;
export type DataAsset = ValueOf<typeof DataAsset.fields>;
export type AccessGrantRecord = ValueOf<typeof AccessGrantRecord.fields>;
export type OrderStatus = ValueOf<typeof OrderStatus.fields>;
export type FeeAllowance = ValueOf<typeof FeeAllowance.fields>;
export type SessionGrantRecord = ValueOf<typeof SessionGrantRecord.fields>;

export type StateObjects = {
  [Namespace.Globals]: Globals;
  [Namespace.Account]: Account;
  [Namespace.Collection]: Collection;
  [Namespace.Asset]: Asset;
  [Namespace.OperatorApproval]: OperatorApproval;
  [Namespace.Token]: Token;
  [Namespace.TokenBalance]: TokenBalance;
  [Namespace.Identity]: Identity;
  [Namespace.Handle]: HandleRecord;
  [Namespace.Attribute]: Attribute;
  [Namespace.Delegate]: Delegate;
  [Namespace.DataAsset]: DataAsset;
  [Namespace.AccessGrant]: AccessGrantRecord;
  [Namespace.OrderStatus]: OrderStatus;
  [Namespace.FeeAllowance]: FeeAllowance;
  [Namespace.SessionGrant]: SessionGrantRecord;
};

export const stateObjectStructs: { [N in Namespace]: StructType<StateObjects[N]> } = {
  [Namespace.Globals]: Globals,
  [Namespace.Account]: Account,
  [Namespace.Collection]: Collection,
  [Namespace.Asset]: Asset,
  [Namespace.OperatorApproval]: OperatorApproval,
  [Namespace.Token]: Token,
  [Namespace.TokenBalance]: TokenBalance,
  [Namespace.Identity]: Identity,
  [Namespace.Handle]: HandleRecord,
  [Namespace.Attribute]: Attribute,
  [Namespace.Delegate]: Delegate,
  [Namespace.DataAsset]: DataAsset,
  [Namespace.AccessGrant]: AccessGrantRecord,
  [Namespace.OrderStatus]: OrderStatus,
  [Namespace.FeeAllowance]: FeeAllowance,
  [Namespace.SessionGrant]: SessionGrantRecord,
};
