/** @filverse/rpc: the JSON-RPC 2.0 server (HTTP and WebSocket on one port) and parameter validators. */
export type { RpcContext, RpcHandler, WsConnection } from "./context.js";
export { RpcError, type RpcErrorObject, type RpcErrorOptions, toRpcErrorObject } from "./errors.js";
export {
  expectParamCount,
  type OptionalParam,
  paramBlockTag,
  paramBool,
  paramHex,
  paramObject,
  paramString,
  paramUint,
} from "./params.js";
export { MAX_RATE_LIMITED_CLIENTS, RateLimiter } from "./rateLimiter.js";
export {
  defaultRpcServerOpts,
  RpcServer,
  type RpcServerAddress,
  type RpcServerModules,
  type RpcServerOpts,
} from "./server.js";
export { SUBSCRIPTION_METHOD } from "./wsConnection.js";
