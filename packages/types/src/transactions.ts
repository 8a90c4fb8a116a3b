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
  MAX_SYMBOL_BYTES,
} from "@filverse/params";
import {
  address,
  bool,
  bytes32,
  type StructType,
  signature65,
  stringField,
  stringListField,
  struct,
  uint8,
  uint16,
  uint64,
  uint256,
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
