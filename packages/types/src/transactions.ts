/**
 * Every user transaction kind, as an EIP-712 struct under the Filverse domain. Field order is the
 * EIP-712 member order (what a wallet shows) and the SSZ field order. Numbering is the wire `kind`
 * byte and never changes; docs/protocol.md lists both.
 */
import {
  HANDLE_MAX_LENGTH,
  MAX_ATTRIBUTE_KEY_BYTES,
  MAX_ATTRIBUTE_VALUE_BYTES,
  MAX_BATCH_MINT,
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
  signature65,
  stringField,
  stringListField,
  struct,
  uint8,
  uint16,
  uint64,
  uint256,
  uint256List,
  type ValueOf,
} from "./schema.js";

const cid = stringField(MAX_CID_BYTES);
const name = stringField(MAX_NAME_BYTES);
const symbol = stringField(MAX_SYMBOL_BYTES);
/** Identity handles are validated against HANDLE_PATTERN; the SSZ bound is the longest handle. */
const handle = stringField(HANDLE_MAX_LENGTH);

/** The wire `kind` byte of every transaction. 0 is the system deposit, never signed by a user. */
export enum TxKind {
  Deposit = 0,
  Transfer = 1,
  Withdraw = 2,
  CollectionCreate = 10,
  AssetMint = 11,
  AssetBatchMint = 12,
  AssetTransfer = 13,
  AssetBurn = 14,
  AssetMetadataUpdate = 15,
  AssetApprove = 16,
  OperatorSet = 17,
  TokenCreate = 20,
  TokenMint = 21,
  TokenTransfer = 22,
  TokenBurn = 23,
  IdentityCreate = 30,
  IdentityUpdate = 31,
  AttributeSet = 32,
  AttributeRemove = 33,
  DelegateAdd = 34,
  DelegateRevoke = 35,
  IdentityTransfer = 36,
  DataAssetRegister = 40,
  AccessGrant = 41,
  AccessRevoke = 42,
  TradeFill = 50,
  OrderCancel = 51,
  FeeAllowanceSet = 60,
  FeeAllowanceRevoke = 61,
  SessionGrant = 62,
  SessionRevoke = 63,
}

/** Delegate scopes: what a session key may sign for the identity's owner. */
export enum DelegateScope {
  /** Asset kinds: NFTs, social tokens, data assets (never FIL transfers, withdrawals or trades). */
  Assets = 1,
  /** Identity kinds: profile, attributes. Never delegates or owner transfer. */
  Identity = 2,
  All = 3,
}

/** Trade order sides. */
export enum OrderSide {
  /** The maker sells the asset for `price` FIL. */
  Sell = 0,
  /** The maker buys the asset for `price` FIL. */
  Buy = 1,
}

const fee = { nonce: uint64, fee: uint256 };
/**
 * Asset kinds may be signed by a session key for an identity's owner: `onBehalfOf` is that
 * identity's id, or zero to act as the signer.
 */
const delegable = { onBehalfOf: bytes32 };

export const Transfer = struct("Transfer", { to: address, amount: uint256, ...fee });
export const Withdraw = struct("Withdraw", { l1Recipient: address, amount: uint256, ...fee });

export const CollectionCreate = struct("CollectionCreate", {
  name,
  symbol,
  royaltyBps: uint16,
  maxSupply: uint64,
  metadataMutable: bool,
  ...fee,
});
export const AssetMint = struct("AssetMint", {
  collectionId: bytes32,
  tokenId: uint64,
  to: address,
  contentCid: cid,
  ...delegable,
  ...fee,
});
export const AssetBatchMint = struct("AssetBatchMint", {
  collectionId: bytes32,
  firstTokenId: uint64,
  to: address,
  contentCids: stringListField(MAX_CID_BYTES, MAX_BATCH_MINT),
  ...delegable,
  ...fee,
});
export const AssetTransfer = struct("AssetTransfer", {
  collectionId: bytes32,
  tokenId: uint64,
  to: address,
  ...delegable,
  ...fee,
});
export const AssetBurn = struct("AssetBurn", { collectionId: bytes32, tokenId: uint64, ...delegable, ...fee });
export const AssetMetadataUpdate = struct("AssetMetadataUpdate", {
  collectionId: bytes32,
  tokenId: uint64,
  contentCid: cid,
  ...delegable,
  ...fee,
});
export const AssetApprove = struct("AssetApprove", {
  collectionId: bytes32,
  tokenId: uint64,
  approved: address,
  ...delegable,
  ...fee,
});
export const OperatorSet = struct("OperatorSet", {
  collectionId: bytes32,
  operator: address,
  approved: bool,
  ...delegable,
  ...fee,
});

export const TokenCreate = struct("TokenCreate", { name, symbol, decimals: uint8, cap: uint256, ...fee });
export const TokenMint = struct("TokenMint", { tokenId: bytes32, to: address, amount: uint256, ...delegable, ...fee });
export const TokenTransfer = struct("TokenTransfer", {
  tokenId: bytes32,
  to: address,
  amount: uint256,
  ...delegable,
  ...fee,
});
export const TokenBurn = struct("TokenBurn", { tokenId: bytes32, amount: uint256, ...delegable, ...fee });

export const IdentityCreate = struct("IdentityCreate", { handle, profileCid: cid, ...fee });
export const IdentityUpdate = struct("IdentityUpdate", { identityId: bytes32, profileCid: cid, ...fee });
export const AttributeSet = struct("AttributeSet", {
  identityId: bytes32,
  key: stringField(MAX_ATTRIBUTE_KEY_BYTES),
  value: stringField(MAX_ATTRIBUTE_VALUE_BYTES),
  expiresAt: uint64,
  ...fee,
});
export const AttributeRemove = struct("AttributeRemove", {
  identityId: bytes32,
  key: stringField(MAX_ATTRIBUTE_KEY_BYTES),
  ...fee,
});
export const DelegateAdd = struct("DelegateAdd", {
  identityId: bytes32,
  delegate: address,
  scope: uint8,
  expiresAt: uint64,
  ...fee,
});
export const DelegateRevoke = struct("DelegateRevoke", { identityId: bytes32, delegate: address, ...fee });
export const IdentityTransfer = struct("IdentityTransfer", { identityId: bytes32, newOwner: address, ...fee });

export const DataAssetRegister = struct("DataAssetRegister", {
  contentCid: cid,
  pieceCid: cid,
  size: uint64,
  license: stringField(MAX_LICENSE_BYTES),
  ...delegable,
  ...fee,
});
export const AccessGrant = struct("AccessGrant", {
  dataAssetId: bytes32,
  grantee: address,
  expiresAt: uint64,
  ...delegable,
  ...fee,
});
export const AccessRevoke = struct("AccessRevoke", { dataAssetId: bytes32, grantee: address, ...delegable, ...fee });

/** A maker's order, signed on its own as EIP-712 `Order` under the same domain. */
export const Order = struct("Order", {
  maker: address,
  side: uint8,
  collectionId: bytes32,
  tokenId: uint64,
  price: uint256,
  /** Zero lets anyone fill; otherwise only this taker. */
  taker: address,
  expiresAt: uint64,
  salt: uint256,
});
export const TradeFill = struct("TradeFill", { order: Order.asField(), makerSignature: signature65, ...fee });
/** Only the maker may cancel; the order is carried whole so the chain can check that. */
export const OrderCancel = struct("OrderCancel", { order: Order.asField(), ...fee });

/**
 * A sponsor's fee allowance for `grantee` (or, grantee zero, for anyone acting on the sponsor's
 * collection, token, identity or data asset `target`). Signed by the sponsor. Replaces any allowance
 * of the same (sponsor, grantee, target), counters reset.
 */
export const FeeAllowanceSet = struct("FeeAllowanceSet", {
  grantee: address,
  target: bytes32,
  totalBudget: uint256,
  /** 0: no per-period budget (then `period` is 0 too). */
  periodBudget: uint256,
  /** Seconds; 0 with periodBudget 0. */
  period: uint64,
  /** 0: any fee. */
  maxFeePerTx: uint256,
  /** Bit k set: TxKind k is covered. */
  kinds: uint256,
  /** Unix seconds; 0 never expires. */
  expiresAt: uint64,
  ...fee,
});
export const FeeAllowanceRevoke = struct("FeeAllowanceRevoke", { grantee: address, target: bytes32, ...fee });

/**
 * An account grants `sessionKey` the right to sign as it, within caps, as requested by the app
 * identity `app` (whose owner signed the SessionRequest: `appSignature`). Signed by the account.
 */
export const SessionGrant = struct("SessionGrant", {
  sessionKey: address,
  app: bytes32,
  appSignature: signature65,
  requestDeadline: uint64,
  kinds: uint256,
  filCap: uint256,
  filPeriodCap: uint256,
  period: uint64,
  tokens: bytes32List(MAX_SESSION_LIST),
  tokenCaps: uint256List(MAX_SESSION_LIST),
  tokenPeriodCaps: uint256List(MAX_SESSION_LIST),
  collections: bytes32List(MAX_SESSION_LIST),
  counterparties: addressList(MAX_SESSION_LIST),
  expiresAt: uint64,
  ...fee,
});
/** Signed by the account or by the session key itself; the record stays, revoked, for ever. */
export const SessionRevoke = struct("SessionRevoke", { account: address, sessionKey: address, ...fee });

/** What an app identity's owner signs (EIP-712, Filverse domain) to ask `account` for a session key. */
export const SessionRequest = struct("SessionRequest", {
  account: address,
  sessionKey: address,
  app: bytes32,
  deadline: uint64,
});
export type SessionRequestMessage = ValueOf<typeof SessionRequest.fields>;

export type TransferMessage = ValueOf<typeof Transfer.fields>;
export type WithdrawMessage = ValueOf<typeof Withdraw.fields>;
export type OrderMessage = ValueOf<typeof Order.fields>;

/** Message types by kind, for typed handlers. */
export type TxMessages = {
  [TxKind.Transfer]: ValueOf<typeof Transfer.fields>;
  [TxKind.Withdraw]: ValueOf<typeof Withdraw.fields>;
  [TxKind.CollectionCreate]: ValueOf<typeof CollectionCreate.fields>;
  [TxKind.AssetMint]: ValueOf<typeof AssetMint.fields>;
  [TxKind.AssetBatchMint]: ValueOf<typeof AssetBatchMint.fields>;
  [TxKind.AssetTransfer]: ValueOf<typeof AssetTransfer.fields>;
  [TxKind.AssetBurn]: ValueOf<typeof AssetBurn.fields>;
  [TxKind.AssetMetadataUpdate]: ValueOf<typeof AssetMetadataUpdate.fields>;
  [TxKind.AssetApprove]: ValueOf<typeof AssetApprove.fields>;
  [TxKind.OperatorSet]: ValueOf<typeof OperatorSet.fields>;
  [TxKind.TokenCreate]: ValueOf<typeof TokenCreate.fields>;
  [TxKind.TokenMint]: ValueOf<typeof TokenMint.fields>;
  [TxKind.TokenTransfer]: ValueOf<typeof TokenTransfer.fields>;
  [TxKind.TokenBurn]: ValueOf<typeof TokenBurn.fields>;
  [TxKind.IdentityCreate]: ValueOf<typeof IdentityCreate.fields>;
  [TxKind.IdentityUpdate]: ValueOf<typeof IdentityUpdate.fields>;
  [TxKind.AttributeSet]: ValueOf<typeof AttributeSet.fields>;
  [TxKind.AttributeRemove]: ValueOf<typeof AttributeRemove.fields>;
  [TxKind.DelegateAdd]: ValueOf<typeof DelegateAdd.fields>;
  [TxKind.DelegateRevoke]: ValueOf<typeof DelegateRevoke.fields>;
  [TxKind.IdentityTransfer]: ValueOf<typeof IdentityTransfer.fields>;
  [TxKind.DataAssetRegister]: ValueOf<typeof DataAssetRegister.fields>;
  [TxKind.AccessGrant]: ValueOf<typeof AccessGrant.fields>;
  [TxKind.AccessRevoke]: ValueOf<typeof AccessRevoke.fields>;
  [TxKind.TradeFill]: ValueOf<typeof TradeFill.fields>;
  [TxKind.OrderCancel]: ValueOf<typeof OrderCancel.fields>;
  [TxKind.FeeAllowanceSet]: ValueOf<typeof FeeAllowanceSet.fields>;
  [TxKind.FeeAllowanceRevoke]: ValueOf<typeof FeeAllowanceRevoke.fields>;
  [TxKind.SessionGrant]: ValueOf<typeof SessionGrant.fields>;
  [TxKind.SessionRevoke]: ValueOf<typeof SessionRevoke.fields>;
};

export type UserTxKind = keyof TxMessages;

export const txStructs: { [K in UserTxKind]: StructType<TxMessages[K]> } = {
  [TxKind.Transfer]: Transfer,
  [TxKind.Withdraw]: Withdraw,
  [TxKind.CollectionCreate]: CollectionCreate,
  [TxKind.AssetMint]: AssetMint,
  [TxKind.AssetBatchMint]: AssetBatchMint,
  [TxKind.AssetTransfer]: AssetTransfer,
  [TxKind.AssetBurn]: AssetBurn,
  [TxKind.AssetMetadataUpdate]: AssetMetadataUpdate,
  [TxKind.AssetApprove]: AssetApprove,
  [TxKind.OperatorSet]: OperatorSet,
  [TxKind.TokenCreate]: TokenCreate,
  [TxKind.TokenMint]: TokenMint,
  [TxKind.TokenTransfer]: TokenTransfer,
  [TxKind.TokenBurn]: TokenBurn,
  [TxKind.IdentityCreate]: IdentityCreate,
  [TxKind.IdentityUpdate]: IdentityUpdate,
  [TxKind.AttributeSet]: AttributeSet,
  [TxKind.AttributeRemove]: AttributeRemove,
  [TxKind.DelegateAdd]: DelegateAdd,
  [TxKind.DelegateRevoke]: DelegateRevoke,
  [TxKind.IdentityTransfer]: IdentityTransfer,
  [TxKind.DataAssetRegister]: DataAssetRegister,
  [TxKind.AccessGrant]: AccessGrant,
  [TxKind.AccessRevoke]: AccessRevoke,
  [TxKind.TradeFill]: TradeFill,
  [TxKind.OrderCancel]: OrderCancel,
  [TxKind.FeeAllowanceSet]: FeeAllowanceSet,
  [TxKind.FeeAllowanceRevoke]: FeeAllowanceRevoke,
  [TxKind.SessionGrant]: SessionGrant,
  [TxKind.SessionRevoke]: SessionRevoke,
};

export const USER_TX_KINDS = Object.keys(txStructs).map(Number) as UserTxKind[];

const kindByName = new Map<string, UserTxKind>(USER_TX_KINDS.map((k) => [txStructs[k].name, k]));

/** The user kind whose EIP-712 primary type is `name`, e.g. "Transfer". */
export function txKindByName(name: string): UserTxKind | undefined {
  return kindByName.get(name);
}

export function isUserTxKind(kind: number): kind is UserTxKind {
  return kind in txStructs;
}

/** A transaction message of some kind, discriminated by `kind`. */
export type TxMessage = { [K in UserTxKind]: { kind: K; message: TxMessages[K] } }[UserTxKind];

/**
 * The Via envelope: any user kind K signed as EIP-712 `Via<Name>(address sponsor,address account,<Name> tx)`.
 * `sponsor` (non-zero) pays the fee from its allowance; `account` (non-zero, not the signer) is the
 * account the signer, a session key, acts for.
 */
export type Via = { sponsor: Uint8Array; account: Uint8Array };
/** The high bit of the wire kind byte: `0x80 | K` is a Via wrapping kind K. */
export const VIA_KIND_FLAG = 0x80;
/** The 40 bytes `sponsor ‖ account` that precede the inner body of a Via on the wire. */
export const VIA_PREFIX_BYTES = 40;

export type ViaMessage<K extends UserTxKind = UserTxKind> = Via & { tx: TxMessages[K] };

const viaStructs = new Map<UserTxKind, StructType<ViaMessage>>();

/** The EIP-712 struct `Via<Name>` of user kind `kind`, e.g. `ViaTransfer(address sponsor,address account,Transfer tx)`. */
export function viaStruct<K extends UserTxKind>(kind: K): StructType<ViaMessage<K>> {
  let s = viaStructs.get(kind);
  if (!s) {
    const inner = txStructs[kind] as StructType<TxMessages[K]>;
    s = struct(`Via${inner.name}`, {
      sponsor: address,
      account: address,
      tx: inner.asField(),
    }) as unknown as StructType<ViaMessage>;
    viaStructs.set(kind, s);
  }
  return s as unknown as StructType<ViaMessage<K>>;
}

/** The inner user kind of a `Via<Name>` primary type ("ViaTransfer" → Transfer), else undefined. */
export function txKindByViaName(name: string): UserTxKind | undefined {
  return name.startsWith("Via") ? kindByName.get(name.slice(3)) : undefined;
}

/** Bit k of a `kinds` mask for every user kind: what FeeAllowanceSet and SessionGrant `kinds` may hold. */
export const USER_KINDS_MASK: bigint = USER_TX_KINDS.reduce((m, k) => m | (1n << BigInt(k)), 0n);

/** Kinds a session key may never sign: SessionGrant `kinds` must not include them. */
export const SESSION_FORBIDDEN_KINDS: readonly UserTxKind[] = [
  TxKind.Withdraw,
  TxKind.DelegateAdd,
  TxKind.DelegateRevoke,
  TxKind.IdentityTransfer,
  TxKind.FeeAllowanceSet,
  TxKind.FeeAllowanceRevoke,
  TxKind.SessionGrant,
  TxKind.SessionRevoke,
];
export const SESSION_FORBIDDEN_MASK: bigint = SESSION_FORBIDDEN_KINDS.reduce((m, k) => m | (1n << BigInt(k)), 0n);

/** The `kinds` mask of the named kinds: kindsMask(["AssetMint", "TradeFill"]). Throws RangeError on an unknown name. */
export function kindsMask(names: readonly (string | UserTxKind)[]): bigint {
  let m = 0n;
  for (const n of names) {
    const k = typeof n === "number" ? (isUserTxKind(n) ? n : undefined) : kindByName.get(n);
    if (k === undefined) throw new RangeError(`Unknown transaction kind ${String(n)}`);
    m |= 1n << BigInt(k);
  }
  return m;
}
