/** The state every action runs against: the transport, the chain id (read once), the signer and the nonce cursor. */
import type { Signer } from "./accounts.js";
import { ClientError, ClientErrorCode } from "./errors.js";
import type { NonceManager } from "./nonceManager.js";
import type { RequestFn, Transport } from "./transport/types.js";

export type FilverseBaseClient = {
  readonly transport: Transport;
  /** The typed JSON-RPC request function (RpcMethods from @filverse/types). */
  readonly request: RequestFn;
  /** The chain id: the `chainId` option, else filverse_chainId read once and cached. */
  resolveChainId(): Promise<number>;
  /** Null for a read-only client. */
  readonly signer: Signer | null;
  readonly nonceManager: NonceManager;
  /** Default polling interval of waitForTransaction and watchBlocks over HTTP. */
  readonly pollIntervalMs: number;
};

export function requireSigner(client: FilverseBaseClient, action: string): Signer {
  if (!client.signer) {
    throw new ClientError(ClientErrorCode.NO_ACCOUNT, `${action} needs an account`, {
      metaMessages: ["createFilverseClient({ url, account: privateKeyToAccount(key) })"],
    });
  }
  return client.signer;
}
