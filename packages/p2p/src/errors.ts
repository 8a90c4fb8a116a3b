/** Typed errors of the p2p layer: configuration and lifecycle (`P2PError`) and req/resp (`ReqRespError`). */
import { FilverseError } from "@filverse/utils";

export enum P2PErrorCode {
  /** An option is out of range or malformed (a multiaddr, a limit). */
  INVALID_CONFIG = "P2P_INVALID_CONFIG",
  /** The peer key file cannot be read, parsed or written. */
  PEER_KEY = "P2P_PEER_KEY",
  /** The node is not running (not started yet, or stopped). */
  NOT_RUNNING = "P2P_NOT_RUNNING",
  /** A message to publish is larger than its topic's limit. */
  MESSAGE_TOO_LARGE = "P2P_MESSAGE_TOO_LARGE",
  /** A peer id string does not parse. */
  INVALID_PEER_ID = "P2P_INVALID_PEER_ID",
}

export class P2PError extends FilverseError<P2PErrorCode> {
  override name = "P2PError";
}

/**
 * Outcomes of a request, as the requester sees them. The first four mirror the responder's result
 * byte (`RespCode`); the rest are local.
 */
export enum ReqRespErrorCode {
  /** The responder refused the request as malformed (for example a count over the maximum). */
  INVALID_REQUEST = "REQRESP_INVALID_REQUEST",
  /** The responder failed while serving. */
  SERVER_ERROR = "REQRESP_SERVER_ERROR",
  /** The responder does not have what was asked (for example it will not sign that checkpoint). */
  RESOURCE_UNAVAILABLE = "REQRESP_RESOURCE_UNAVAILABLE",
  /** The responder's rate limit for us was exceeded. */
  RATE_LIMITED = "REQRESP_RATE_LIMITED",
  /** The responder sent a result byte we do not know. */
  UNKNOWN_ERROR_CODE = "REQRESP_UNKNOWN_ERROR_CODE",
  /** No connection or no stream could be opened, or the protocol is not supported by the peer. */
  DIAL_FAILED = "REQRESP_DIAL_FAILED",
  /** The whole exchange took longer than the request timeout. */
  TIMEOUT = "REQRESP_TIMEOUT",
  /** The response does not decode, is over its size bound, or does not answer the request. */
  INVALID_RESPONSE = "REQRESP_INVALID_RESPONSE",
  /** The stream was reset or closed mid-frame. */
  STREAM_ERROR = "REQRESP_STREAM_ERROR",
  /** The request was aborted because the node stopped. */
  ABORTED = "REQRESP_ABORTED",
}

export class ReqRespError extends FilverseError<ReqRespErrorCode> {
  override name = "ReqRespError";
}
