/** Node errors as the JSON-RPC errors a client gets: the one conversion, at the API boundary. */
import { RpcError } from "@filverse/rpc";
import { SubmitError } from "../errors.js";

/** A SubmitError becomes the RpcError with its code, message and details; anything else is returned as it is. */
export function toRpcError(err: unknown): unknown {
  if (err instanceof SubmitError)
    return new RpcError(err.code, { message: err.shortMessage, data: err.details, cause: err });
  return err;
}
