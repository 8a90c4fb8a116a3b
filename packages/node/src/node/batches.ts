/**
 * A node's batch pieces, the same on a sequencer and a verifier: the piece store (`pieces/` in the
 * data dir, or `storage.pieceDir`), the batch builder over the node's chain database (pack a
 * checkpoint's blocks, CommP on the pool, keep the piece), and the `/piece/*` route serving them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { resolve } from "node:path";
import type { ChainDb } from "@filverse/db";
import {
  type BatchBuilder,
  createBatchBuilder,
  createPieceRequestHandler,
  createPieceStore,
  type PieceCommitter,
  type PieceStore,
} from "@filverse/filecoin";
import type { Logger } from "@filverse/utils";
import { NodeError, NodeErrorCode } from "../errors.js";

export class NodeBatches {
  /** Open once `open` has run. */
  store: PieceStore | null = null;
  private builder: BatchBuilder | null = null;
  private handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;

  async open(
    opts: { dataDir: string; pieceDir?: string | undefined },
    modules: { db: () => ChainDb; committer: PieceCommitter; logger: Logger },
  ): Promise<void> {
    const store = await createPieceStore({ dir: resolve(opts.dataDir, opts.pieceDir ?? "pieces") });
    this.handler = createPieceRequestHandler({ store, logger: modules.logger });
    this.builder = createBatchBuilder({
      source: { getBlockBytes: (n) => modules.db().getBlockBytes(n) },
      store,
      committer: modules.committer,
      logger: modules.logger,
    });
    this.store = store;
  }

  /** Checkpoint `index`'s batch over blocks [first, last]; throws before `open`. */
  readonly build: BatchBuilder = (index, first, last) => {
    if (!this.builder) throw new NodeError(NodeErrorCode.NOT_STARTED, "The batch builder is not started");
    return this.builder(index, first, last);
  };

  /** The RPC server's "/piece/*" route: 404 until the store is open. */
  readonly route = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.handler) this.handler(req, res);
    else res.writeHead(404, { "content-type": "application/json" }).end('{"message":"No pieces here"}');
  };
}
