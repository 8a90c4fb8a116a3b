/** @filverse/p2p: gossip topics and req/resp sync between Filverse nodes, over libp2p 3. */
// First: libp2p needs Promise.withResolvers, which Node 20 lacks.
import "./polyfill.js";

export * from "./bootstrap.js";
export * from "./errors.js";
export * from "./filverseP2P.js";
export * from "./messages.js";
export * from "./options.js";
export * from "./peerKey.js";
export * from "./peerScore.js";
export * from "./rateLimiter.js";
export { type BlockWithBytes, type ReqRespServers, RespCode } from "./reqresp/reqResp.js";
export * from "./topics.js";
