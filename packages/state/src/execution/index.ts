/** The handler of every user transaction kind. */
import { TxKind, type TxMessages, type UserTxKind } from "@filverse/types";
import * as assets from "./assets.js";
import type { ExecContext } from "./context.js";
import * as data from "./data.js";
import * as fil from "./fil.js";
import * as grants from "./grants.js";
import * as identity from "./identity.js";
import * as tokens from "./tokens.js";
import * as trade from "./trade.js";

export type Handler<K extends UserTxKind> = (ctx: ExecContext, message: TxMessages[K]) => void;

export const handlers: { [K in UserTxKind]: Handler<K> } = {
  [TxKind.Transfer]: fil.transfer,
  [TxKind.Withdraw]: fil.withdraw,
  [TxKind.CollectionCreate]: assets.collectionCreate,
  [TxKind.AssetMint]: assets.assetMint,
  [TxKind.AssetBatchMint]: assets.assetBatchMint,
  [TxKind.AssetTransfer]: assets.assetTransfer,
  [TxKind.AssetBurn]: assets.assetBurn,
  [TxKind.AssetMetadataUpdate]: assets.assetMetadataUpdate,
  [TxKind.AssetApprove]: assets.assetApprove,
  [TxKind.OperatorSet]: assets.operatorSet,
  [TxKind.TokenCreate]: tokens.tokenCreate,
  [TxKind.TokenMint]: tokens.tokenMint,
  [TxKind.TokenTransfer]: tokens.tokenTransfer,
  [TxKind.TokenBurn]: tokens.tokenBurn,
  [TxKind.IdentityCreate]: identity.identityCreate,
  [TxKind.IdentityUpdate]: identity.identityUpdate,
  [TxKind.AttributeSet]: identity.attributeSet,
  [TxKind.AttributeRemove]: identity.attributeRemove,
  [TxKind.DelegateAdd]: identity.delegateAdd,
  [TxKind.DelegateRevoke]: identity.delegateRevoke,
  [TxKind.IdentityTransfer]: identity.identityTransfer,
  [TxKind.DataAssetRegister]: data.dataAssetRegister,
  [TxKind.AccessGrant]: data.accessGrant,
  [TxKind.AccessRevoke]: data.accessRevoke,
  [TxKind.TradeFill]: trade.tradeFill,
  [TxKind.OrderCancel]: trade.orderCancel,
  [TxKind.FeeAllowanceSet]: grants.feeAllowanceSet,
  [TxKind.FeeAllowanceRevoke]: grants.feeAllowanceRevoke,
  [TxKind.SessionGrant]: grants.sessionGrant,
  [TxKind.SessionRevoke]: grants.sessionRevoke,
};
