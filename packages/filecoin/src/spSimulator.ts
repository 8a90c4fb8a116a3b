/**
 * The storage-provider simulator, for the devnet: a separate process that plays Boost's part in a
 * contract deal. It watches FilverseDealClient's `DealProposalCreate`, reads the proposal and its
 * extra params as Boost does (`getDealProposal`, `getExtraParams`), downloads the CAR from
 * `location_ref`, checks its CommP against the proposal's piece CID and padded size and its length
 * against `car_size`, then publishes the deal on the DevnetMarket (which, like the market actor,
 * calls the client's `handle_filecoin_method` to authenticate and notify) and activates it. It keeps
 * each piece it accepted and serves it at `GET /piece/{cid}`, as Boost and Curio do.
 *
 * A proposal whose data does not match its piece CID is refused: nothing is published, and the
 * refusal (with the reason) shows in `GET /deals` and the log.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  activateDevnetDeal,
  type DealEvent,
  DealWatcher,
  getDealProposal,
  getExtraParams,
  type L1Clients,
  providerProposal,
  publishDevnetDeal,
} from "@filverse/l1";
import { type Logger, nullLogger } from "@filverse/utils";
import type { Account, Address, Hex } from "viem";
import { FilecoinError, FilecoinErrorCode } from "./errors.js";
import { pieceCidInfo } from "./piece/pieceCid.js";
import { createPieceRequestHandler, PIECE_PATH_PREFIX } from "./piece/pieceServer.js";
import type { PieceStore } from "./piece/pieceStore.js";
import { type PieceCommitter, retrievePiece } from "./retrieval/retrievePiece.js";

export type SpSimulatorOpts = {
  dealClient: Address;
  market: Address;
  /** The L1 block the deal client was deployed at. */
  startBlock: bigint;
  /** The devnet's L1 has no finality lag; a real provider waits for final blocks. */
  confirmations: number;
  pollIntervalMs: number;
  host: string;
  port: number;
  /** The longest a piece download may take. */
  retrievalTimeoutMs: number;
};

export const defaultSpSimulatorOpts = {
  startBlock: 0n,
  confirmations: 0,
  pollIntervalMs: 500,
  host: "127.0.0.1",
  port: 0,
  retrievalTimeoutMs: 120_000,
};

export type SpDealOutcome = {
  proposalId: Hex;
  pieceCid: string;
  state: "fetching" | "active" | "refused" | "failed";
  dealId: string | null;
  reason: string | null;
};

export type SpSimulatorModules = {
  clients: L1Clients;
  /** The provider's L1 account: it publishes and activates on the market. */
  account: Account;
  store: PieceStore;
  committer: PieceCommitter;
  logger?: Logger | null;
};

export class StorageProviderSimulator {
  private readonly opts: SpSimulatorOpts;
  private readonly m: SpSimulatorModules;
  private readonly logger: Logger;
  private readonly watcher: DealWatcher;
  private readonly outcomes = new Map<Hex, SpDealOutcome>();
  private readonly pieceHandler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Proposals are handled one at a time, in the order they were made (one L1 account, one nonce). */
  private queue: Promise<void> = Promise.resolve();
  private server: Server | null = null;
  private closed = false;
  url = "";

  constructor(
    opts: Partial<SpSimulatorOpts> & Pick<SpSimulatorOpts, "dealClient" | "market">,
    modules: SpSimulatorModules,
  ) {
    this.opts = { ...defaultSpSimulatorOpts, ...opts };
    this.m = modules;
    this.logger = (modules.logger ?? nullLogger).child({ module: "spSimulator" });
    this.pieceHandler = createPieceRequestHandler({ store: modules.store, logger: this.logger });
    this.watcher = new DealWatcher(
      {
        dealClient: this.opts.dealClient,
        startBlock: this.opts.startBlock,
        confirmations: this.opts.confirmations,
        pollIntervalMs: this.opts.pollIntervalMs,
      },
      {
        publicClient: modules.clients.publicClient,
        logger: this.logger,
        onEvent: (event) => this.onEvent(event),
      },
    );
  }

  /** Every proposal seen and what became of it. */
  deals(): SpDealOutcome[] {
    return [...this.outcomes.values()].map((o) => ({ ...o }));
  }

  async start(): Promise<{ url: string }> {
    const server = createServer((req, res) => this.onRequest(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.server = server;
    const { address, port } = server.address() as AddressInfo;
    this.url = `http://${address}:${port}`;
    await this.watcher.start();
    this.logger.info("storage provider simulator ready", {
      url: this.url,
      provider: this.m.account.address,
      dealClient: this.opts.dealClient,
      market: this.opts.market,
    });
    return { url: this.url };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watcher.close();
    await this.queue;
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path.startsWith(PIECE_PATH_PREFIX)) {
      this.pieceHandler(req, res);
      return;
    }
    if (path === "/deals" && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(this.deals()));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "Not found" }));
  }

  private onEvent(event: DealEvent): void {
    if (event.kind !== "proposed" || this.closed || this.outcomes.has(event.id)) return;
    this.outcomes.set(event.id, { proposalId: event.id, pieceCid: "", state: "fetching", dealId: null, reason: null });
    this.queue = this.queue.then(() =>
      this.handle(event.id).catch((err) => {
        const outcome = this.outcomes.get(event.id)!;
        const refused = err instanceof FilecoinError && REFUSALS.has(err.code);
        outcome.state = refused ? "refused" : "failed";
        outcome.reason = err instanceof Error ? ((err as FilecoinError).shortMessage ?? err.message) : String(err);
        this.logger.warn(refused ? "deal refused" : "deal failed", { proposalId: event.id, reason: outcome.reason });
      }),
    );
  }

  /** What Boost does with a contract deal proposal, on the devnet market. */
  private async handle(id: Hex): Promise<void> {
    const { clients, account, committer } = this.m;
    const { proposal } = await getDealProposal(clients.publicClient, { dealClient: this.opts.dealClient, id });
    const extra = await getExtraParams(clients.publicClient, { dealClient: this.opts.dealClient, id });
    const outcome = this.outcomes.get(id)!;
    outcome.pieceCid = proposal.pieceCid.toString();

    // location_ref must be a piece URL; its CID must be the proposal's piece (same CommP root).
    const match = /^(https?:\/\/[^?#]+?)\/piece\/([^/?#]+)$/.exec(extra.locationRef);
    if (!match) {
      throw new FilecoinError(FilecoinErrorCode.PIECE_MISMATCH, "location_ref is not a /piece/{cid} URL", {
        details: { locationRef: extra.locationRef },
      });
    }
    const [, baseUrl, urlCid] = match as unknown as [string, string, string];
    const fromUrl = pieceCidInfo(urlCid);
    const fromProposal = pieceCidInfo(proposal.pieceCid.toString());
    if (fromUrl.v1 !== fromProposal.v1) {
      throw new FilecoinError(FilecoinErrorCode.PIECE_MISMATCH, "location_ref names another piece", {
        details: { locationRef: extra.locationRef, proposalPieceCid: fromProposal.v1 },
      });
    }
    // Downloads, then checks CommP and the padded size before any byte is kept (PIECE_CORRUPTED).
    const piece = await retrievePiece(
      {
        baseUrl,
        pieceCid: fromProposal.v1,
        paddedSize: Number(proposal.pieceSize),
        payloadSize: Number(extra.carSize),
        timeoutMs: this.opts.retrievalTimeoutMs,
      },
      { committer, logger: this.logger },
    );
    if (piece.bytes.length !== Number(extra.carSize)) {
      throw new FilecoinError(FilecoinErrorCode.PIECE_MISMATCH, "The piece is not car_size bytes long", {
        details: { carSize: String(extra.carSize), got: piece.bytes.length },
      });
    }
    await this.m.store.put(piece.pieceCid, piece.bytes);
    const { dealId } = await publishDevnetDeal(clients, {
      market: this.opts.market,
      account,
      proposal: providerProposal(proposal, account.address),
    });
    outcome.dealId = String(dealId);
    await activateDevnetDeal(clients, { market: this.opts.market, account, dealId });
    outcome.state = "active";
    this.logger.info("deal active", { proposalId: id, dealId: String(dealId), pieceCid: piece.pieceCid });
  }
}

/** Errors that mean "this data is not what the proposal says": refused, never published. */
const REFUSALS = new Set<string>([
  FilecoinErrorCode.PIECE_CORRUPTED,
  FilecoinErrorCode.PIECE_MISMATCH,
  FilecoinErrorCode.PIECE_TOO_LARGE,
  FilecoinErrorCode.PIECE_SIZE_INVALID,
  FilecoinErrorCode.PIECE_CID_INVALID,
]);
