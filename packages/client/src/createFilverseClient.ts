/**
 * createFilverseClient: one object with every read, write and watch action bound to a transport, an
 * optional signer (viem local Account or EIP-1193 provider) and the chain id.
 */
import type { Account } from "viem";
import { type Eip1193Provider, toSigner, type ViaAccount } from "./accounts.js";
import { type AddDelegateParameters, addDelegate } from "./actions/addDelegate.js";
import { type ApproveAssetParameters, approveAsset } from "./actions/approveAsset.js";
import { type BatchMintAssetsParameters, batchMintAssets } from "./actions/batchMintAssets.js";
import { type BurnAssetParameters, burnAsset } from "./actions/burnAsset.js";
import { type BurnTokenParameters, burnToken } from "./actions/burnToken.js";
import { type CancelOrderParameters, cancelOrder } from "./actions/cancelOrder.js";
import { type CreateCollectionParameters, createCollection } from "./actions/createCollection.js";
import { type CreateIdentityParameters, createIdentity } from "./actions/createIdentity.js";
import { type CreateTokenParameters, createToken } from "./actions/createToken.js";
import { type EstimateFeeParameters, estimateFee } from "./actions/estimateFee.js";
import { type FillOrderParameters, fillOrder } from "./actions/fillOrder.js";
import { type FinalizeWithdrawalParameters, finalizeWithdrawal } from "./actions/finalizeWithdrawal.js";
import { type GetAccountParameters, getAccount } from "./actions/getAccount.js";
import { type GetAssetParameters, getAsset } from "./actions/getAsset.js";
import { type GetAssetsByCollectionParameters, getAssetsByCollection } from "./actions/getAssetsByCollection.js";
import { type GetAssetsByOwnerParameters, getAssetsByOwner } from "./actions/getAssetsByOwner.js";
import { type GetBlockByHashParameters, getBlockByHash } from "./actions/getBlockByHash.js";
import { type GetBlockByNumberParameters, getBlockByNumber } from "./actions/getBlockByNumber.js";
import { getBlockNumber } from "./actions/getBlockNumber.js";
import { getChainId } from "./actions/getChainId.js";
import { type GetCheckpointParameters, getCheckpoint } from "./actions/getCheckpoint.js";
import { type GetCheckpointsParameters, getCheckpoints } from "./actions/getCheckpoints.js";
import { type GetCollectionParameters, getCollection } from "./actions/getCollection.js";
import { type GetCollectionsByCreatorParameters, getCollectionsByCreator } from "./actions/getCollectionsByCreator.js";
import { type GetDataAssetParameters, getDataAsset } from "./actions/getDataAsset.js";
import { type GetDataAssetGranteesParameters, getDataAssetGrantees } from "./actions/getDataAssetGrantees.js";
import { type GetDisputeParameters, getDispute } from "./actions/getDispute.js";
import { type GetDisputesParameters, getDisputes } from "./actions/getDisputes.js";
import { type GetEvidenceParameters, getEvidence } from "./actions/getEvidence.js";
import { type GetFeeAllowanceParameters, getFeeAllowance } from "./actions/getFeeAllowance.js";
import { getGenesis } from "./actions/getGenesis.js";
import { type GetIdentitiesByOwnerParameters, getIdentitiesByOwner } from "./actions/getIdentitiesByOwner.js";
import { type GetIdentityParameters, getIdentity } from "./actions/getIdentity.js";
import { getNodeIdentity, getPeers } from "./actions/getNodeIdentity.js";
import { type GetPreconfirmationParameters, getPreconfirmation } from "./actions/getPreconfirmation.js";
import { type GetProofParameters, getProof } from "./actions/getProof.js";
import { type GetSessionGrantParameters, getSessionGrant } from "./actions/getSessionGrant.js";
import { getSyncStatus } from "./actions/getSyncStatus.js";
import { type GetTokenParameters, getToken } from "./actions/getToken.js";
import { type GetTokenBalanceParameters, getTokenBalance } from "./actions/getTokenBalance.js";
import { type GetTokensByHolderParameters, getTokensByHolder } from "./actions/getTokensByHolder.js";
import { type GetTransactionParameters, getTransaction } from "./actions/getTransaction.js";
import { type GetTransactionReceiptParameters, getTransactionReceipt } from "./actions/getTransactionReceipt.js";
import { type GetTransactionStatusParameters, getTransactionStatus } from "./actions/getTransactionStatus.js";
import {
  type GetTransactionsByAddressParameters,
  getTransactionsByAddress,
} from "./actions/getTransactionsByAddress.js";
import { type GetWithdrawalStatusParameters, getWithdrawalStatus } from "./actions/getWithdrawalStatus.js";
import { type GrantAccessParameters, grantAccess } from "./actions/grantAccess.js";
import { type GrantSessionOptions, type GrantSessionParameters, grantSession } from "./actions/grantSession.js";
import { type MintAssetParameters, mintAsset } from "./actions/mintAsset.js";
import { type MintTokenParameters, mintToken } from "./actions/mintToken.js";
import { type RegisterDataAssetParameters, registerDataAsset } from "./actions/registerDataAsset.js";
import { type RemoveAttributeParameters, removeAttribute } from "./actions/removeAttribute.js";
import { type ResolveDidParameters, resolveDid } from "./actions/resolveDid.js";
import { type RevokeAccessParameters, revokeAccess } from "./actions/revokeAccess.js";
import { type RevokeDelegateParameters, revokeDelegate } from "./actions/revokeDelegate.js";
import { type RevokeFeeAllowanceParameters, revokeFeeAllowance } from "./actions/revokeFeeAllowance.js";
import { type RevokeSessionParameters, revokeSession } from "./actions/revokeSession.js";
import { type SendRawTransactionParameters, sendRawTransaction } from "./actions/sendRawTransaction.js";
import { type SendSignedTransactionParameters, sendSignedTransaction } from "./actions/sendSignedTransaction.js";
import { type SendTransactionParameters, sendTransaction } from "./actions/sendTransaction.js";
import { type SendTransactionSyncParameters, sendTransactionSync } from "./actions/sendTransactionSync.js";
import { type SetAttributeParameters, setAttribute } from "./actions/setAttribute.js";
import { type SetOperatorParameters, setOperator } from "./actions/setOperator.js";
import { type SignOrderParameters, signOrder } from "./actions/signOrder.js";
import { type SignTransactionParameters, signTransaction } from "./actions/signTransaction.js";
import { type SponsorFeesParameters, sponsorFees } from "./actions/sponsorFees.js";
import { type SubmitPreconfirmationParameters, submitPreconfirmation } from "./actions/submitPreconfirmation.js";
import { type TransferParameters, transfer } from "./actions/transfer.js";
import { type TransferAssetParameters, transferAsset } from "./actions/transferAsset.js";
import { type TransferIdentityParameters, transferIdentity } from "./actions/transferIdentity.js";
import { type TransferTokenParameters, transferToken } from "./actions/transferToken.js";
import { type UpdateAssetMetadataParameters, updateAssetMetadata } from "./actions/updateAssetMetadata.js";
import { type UpdateIdentityParameters, updateIdentity } from "./actions/updateIdentity.js";
import { type WaitForTransactionParameters, waitForTransaction } from "./actions/waitForTransaction.js";
import { type WaitToFinalizeParameters, waitToFinalize } from "./actions/waitToFinalize.js";
import { type WatchBlocksParameters, watchBlocks } from "./actions/watchBlocks.js";
import { type WithdrawParameters, withdraw } from "./actions/withdraw.js";
import type { FilverseBaseClient } from "./baseClient.js";
import { ClientError, ClientErrorCode } from "./errors.js";
import { NonceManager } from "./nonceManager.js";
import { createTransport } from "./transport/createTransport.js";
import type { Hex, PrimaryType } from "./types.js";

export type FilverseClientOptions = {
  /** http(s)://host:port (fetch) or ws(s)://host:port (WebSocket; needed for subscriptions). */
  url: string;
  /**
   * A viem local account (privateKeyToAccount, mnemonicToAccount, ...), an EIP-1193 provider, or a
   * sessionAccount / sponsored account (every transaction signed as `Via<Name>`).
   */
  account?: Account | Eip1193Provider | ViaAccount;
  /** The address to sign with, required with an EIP-1193 provider. */
  address?: Hex;
  /** The L2 chain id; read once with filverse_chainId when absent. */
  chainId?: number;
  /** Per-request timeout. Default 10 000 ms. */
  timeoutMs?: number;
  /** Polling interval of waitForTransaction / watchBlocks over HTTP. Default 250 ms. */
  pollIntervalMs?: number;
  /** Extra HTTP headers (e.g. an API key). */
  headers?: Record<string, string>;
};

/** One devnet block (blockTimeMs = 250). */
export const DEFAULT_POLL_INTERVAL_MS = 250;

export type FilverseClient = ReturnType<typeof createFilverseClient>;

export function createFilverseClient(options: FilverseClientOptions) {
  if (options.chainId !== undefined && (!Number.isSafeInteger(options.chainId) || options.chainId <= 0)) {
    throw new ClientError(ClientErrorCode.INVALID_INPUT, `Invalid chainId ${options.chainId}`);
  }
  const transport = createTransport(options.url, {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  });
  let chainId: Promise<number> | null = options.chainId === undefined ? null : Promise.resolve(options.chainId);
  const base: FilverseBaseClient = {
    transport,
    request: transport.request,
    resolveChainId() {
      if (!chainId) {
        chainId = getChainId(base);
        // A failed read is retried by the next caller rather than cached.
        chainId.catch(() => {
          chainId = null;
        });
      }
      return chainId;
    },
    signer: options.account ? toSigner(options.account, options.address) : null,
    nonceManager: new NonceManager(),
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
  };

  return {
    ...base,
    /** The signing address, or null for a read-only client. */
    address: base.signer?.address ?? null,
    getChainId: () => getChainId(base),
    getBlockNumber: () => getBlockNumber(base),
    getAccount: (params: GetAccountParameters) => getAccount(base, params),
    getCollection: (params: GetCollectionParameters) => getCollection(base, params),
    getAsset: (params: GetAssetParameters) => getAsset(base, params),
    getAssetsByOwner: (params: GetAssetsByOwnerParameters) => getAssetsByOwner(base, params),
    getAssetsByCollection: (params: GetAssetsByCollectionParameters) => getAssetsByCollection(base, params),
    getToken: (params: GetTokenParameters) => getToken(base, params),
    getTokenBalance: (params: GetTokenBalanceParameters) => getTokenBalance(base, params),
    getTokensByHolder: (params: GetTokensByHolderParameters) => getTokensByHolder(base, params),
    getIdentity: (params: GetIdentityParameters) => getIdentity(base, params),
    resolveDid: (params: ResolveDidParameters) => resolveDid(base, params),
    getDataAsset: (params: GetDataAssetParameters) => getDataAsset(base, params),
    getDataAssetGrantees: (params: GetDataAssetGranteesParameters) => getDataAssetGrantees(base, params),
    getIdentitiesByOwner: (params: GetIdentitiesByOwnerParameters) => getIdentitiesByOwner(base, params),
    getCollectionsByCreator: (params: GetCollectionsByCreatorParameters) => getCollectionsByCreator(base, params),
    getTransactionsByAddress: (params: GetTransactionsByAddressParameters) => getTransactionsByAddress(base, params),
    getProof: (params: GetProofParameters) => getProof(base, params),
    /** A checkpoint on the L1 rollup (default: the latest) with its L1 transaction, signers, status and deals. */
    getCheckpoint: (params: GetCheckpointParameters = {}) => getCheckpoint(base, params),
    /** A page of the rollup's checkpoints, newest first; pass `next` back as `before` for older ones. */
    getCheckpoints: (params: GetCheckpointsParameters = {}) => getCheckpoints(base, params),
    getBlockByNumber: (params: GetBlockByNumberParameters = {}) => getBlockByNumber(base, params),
    getBlockByHash: (params: GetBlockByHashParameters) => getBlockByHash(base, params),
    getTransaction: (params: GetTransactionParameters) => getTransaction(base, params),
    getTransactionReceipt: (params: GetTransactionReceiptParameters) => getTransactionReceipt(base, params),
    getTransactionStatus: (params: GetTransactionStatusParameters) => getTransactionStatus(base, params),
    getPreconfirmation: (params: GetPreconfirmationParameters) => getPreconfirmation(base, params),
    estimateFee: (params: EstimateFeeParameters = {}) => estimateFee(base, params),
    getSyncStatus: () => getSyncStatus(base),
    /** The genesis header and the chain's consensus parameters. */
    getGenesis: () => getGenesis(base),
    /** Verifier nodes: the evidence recorded against the sequencer (a sequencer answers []). */
    getEvidence: (params: GetEvidenceParameters = {}) => getEvidence(base, params),
    /** A page of the fault-proof games on the node's dispute game; pass `next` back as `fromId`. */
    getDisputes: (params: GetDisputesParameters = {}) => getDisputes(base, params),
    /** One fault-proof game with its claim tree, or null. */
    getDispute: (params: GetDisputeParameters) => getDispute(base, params),
    /** The node's libp2p peer id and addresses (UnavailableError without p2p). */
    getNodeIdentity: () => getNodeIdentity(base),
    /** The node's connected peers with its local score of each. */
    getPeers: () => getPeers(base),
    /** Verifier nodes: hold the sequencer to a preconfirmation it signed. */
    submitPreconfirmation: (params: SubmitPreconfirmationParameters) => submitPreconfirmation(base, params),
    transfer: (params: TransferParameters) => transfer(base, params),
    withdraw: (params: WithdrawParameters) => withdraw(base, params),
    /** Where a withdrawal stands on its way to L1 (stage, covering checkpoint, ETA), read from the node and the L1. */
    getWithdrawalStatus: (params: GetWithdrawalStatusParameters) => getWithdrawalStatus(base, params),
    /** Resolve once the withdrawal can be finalized on L1 (or is). */
    waitToFinalize: (params: WaitToFinalizeParameters) => waitToFinalize(base, params),
    /** Send FilverseBridge.finalizeWithdrawal with a viem wallet client and the node's proof. */
    finalizeWithdrawal: (params: FinalizeWithdrawalParameters) => finalizeWithdrawal(base, params),
    createCollection: (params: CreateCollectionParameters) => createCollection(base, params),
    mintAsset: (params: MintAssetParameters) => mintAsset(base, params),
    batchMintAssets: (params: BatchMintAssetsParameters) => batchMintAssets(base, params),
    transferAsset: (params: TransferAssetParameters) => transferAsset(base, params),
    burnAsset: (params: BurnAssetParameters) => burnAsset(base, params),
    updateAssetMetadata: (params: UpdateAssetMetadataParameters) => updateAssetMetadata(base, params),
    approveAsset: (params: ApproveAssetParameters) => approveAsset(base, params),
    setOperator: (params: SetOperatorParameters) => setOperator(base, params),
    createToken: (params: CreateTokenParameters) => createToken(base, params),
    mintToken: (params: MintTokenParameters) => mintToken(base, params),
    transferToken: (params: TransferTokenParameters) => transferToken(base, params),
    burnToken: (params: BurnTokenParameters) => burnToken(base, params),
    createIdentity: (params: CreateIdentityParameters) => createIdentity(base, params),
    updateIdentity: (params: UpdateIdentityParameters) => updateIdentity(base, params),
    setAttribute: (params: SetAttributeParameters) => setAttribute(base, params),
    removeAttribute: (params: RemoveAttributeParameters) => removeAttribute(base, params),
    addDelegate: (params: AddDelegateParameters) => addDelegate(base, params),
    revokeDelegate: (params: RevokeDelegateParameters) => revokeDelegate(base, params),
    transferIdentity: (params: TransferIdentityParameters) => transferIdentity(base, params),
    registerDataAsset: (params: RegisterDataAssetParameters) => registerDataAsset(base, params),
    grantAccess: (params: GrantAccessParameters) => grantAccess(base, params),
    revokeAccess: (params: RevokeAccessParameters) => revokeAccess(base, params),
    fillOrder: (params: FillOrderParameters) => fillOrder(base, params),
    /** Grant a fee allowance as sponsor (FeeAllowanceSet). */
    sponsorFees: (params: SponsorFeesParameters) => sponsorFees(base, params),
    revokeFeeAllowance: (params: RevokeFeeAllowanceParameters) => revokeFeeAllowance(base, params),
    /** A sponsor's allowance for (grantee, target) and what remains of it, or null. */
    getFeeAllowance: (params: GetFeeAllowanceParameters) => getFeeAllowance(base, params),
    /** Let a session key sign for this account within exact permissions (SessionGrant), perhaps sponsored. */
    grantSession: (params: GrantSessionParameters, options?: GrantSessionOptions) =>
      grantSession(base, params, options),
    revokeSession: (params: RevokeSessionParameters = {}, options?: GrantSessionOptions) =>
      revokeSession(base, params, options),
    /** A session grant, what its key has spent and what remains, and its status, or null. */
    getSessionGrant: (params: GetSessionGrantParameters) => getSessionGrant(base, params),
    cancelOrder: (params: CancelOrderParameters) => cancelOrder(base, params),
    sendTransaction: <P extends PrimaryType>(params: SendTransactionParameters<P>) => sendTransaction(base, params),
    signTransaction: <P extends PrimaryType>(params: SignTransactionParameters<P>) => signTransaction(base, params),
    sendTransactionSync: <P extends PrimaryType>(params: SendTransactionSyncParameters<P>) =>
      sendTransactionSync(base, params),
    sendSignedTransaction: (params: SendSignedTransactionParameters) => sendSignedTransaction(base, params),
    sendRawTransaction: (params: SendRawTransactionParameters) => sendRawTransaction(base, params),
    signOrder: (params: SignOrderParameters) => signOrder(base, params),
    /** waitForTransaction(hash, { status, timeoutMs, pollIntervalMs }) or waitForTransaction({ hash, ... }). */
    waitForTransaction: (
      hash: Hex | WaitForTransactionParameters,
      opts: Omit<WaitForTransactionParameters, "hash"> = {},
    ) => waitForTransaction(base, typeof hash === "string" ? { ...opts, hash } : hash),
    /** watchBlocks(onBlock) or watchBlocks({ onBlock, onError }); returns the function that stops watching. */
    watchBlocks: (params: WatchBlocksParameters | WatchBlocksParameters["onBlock"]) =>
      watchBlocks(base, typeof params === "function" ? { onBlock: params } : params),
    /** Close the WebSocket, failing its pending requests and subscriptions. Idempotent. */
    close: () => transport.close(),
  };
}
