/** @filverse/explorer: the web explorer's bundle and the HTTP routes that serve it on a node's RPC port. */
export { ExplorerError, ExplorerErrorCode } from "./errors.js";
export {
  createExplorerRoutes,
  defaultExplorerRoutesOpts,
  EXPLORER_ASSET_PREFIX,
  type ExplorerRoute,
  type ExplorerRoutesOpts,
} from "./routes.js";
