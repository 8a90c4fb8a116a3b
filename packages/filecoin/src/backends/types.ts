/**
 * The storage-backend seam: how a checkpoint's batch piece reaches Filecoin storage. The devnet
 * backend proposes deals through the FilverseDealClient contract (storage providers fetch the piece
 * from the node's `/piece/` URL); the PDP backend uploads through @filoz/synapse-sdk (Calibration and
 * mainnet). The node's deal tracker drives either one the same way: `store` once per wanted replica,
 * then `refresh` until each record is active, re-storing failed or expired ones.
 */

/** A batch piece: the CAR of one checkpoint's blocks, identified by its Piece CID. */
export type BatchPiece = {
  checkpointIndex: number;
  /** FRC-0069 v2 Piece CID (`bafkzcib…`). */
  pieceCid: string;
  /** The v1 form (`baga6ea4seaq…`), as Boost and the market actor expect it. */
  pieceCidV1: string;
  /** The padded piece size (a power of two, ≥ 128). */
  paddedSize: number;
  /** The CAR's root CID, the deal label. */
  payloadCid: string;
  /** The CAR's length in bytes. */
  carSize: number;
  /** Where a provider can fetch the bytes (`{node}/piece/{pieceCid}`). */
  locationRef: string;
};

export type DealState = "proposed" | "published" | "active" | "failed" | "expired";

/** One replica of a piece at one provider, as a backend reports it. */
export type DealRecord = {
  backend: string;
  pieceCid: string;
  /** The backend's handle for this replica (a DealClient proposal id, a PDP data set and piece id). */
  ref: string;
  /** The provider, when known (an f0/0x address or a PDP service URL). */
  provider: string | null;
  state: DealState;
  /** The on-chain deal id, once published. */
  dealId: string | null;
  /** Why it failed, for the operator. */
  reason: string | null;
  /** Unix ms of the last state change. */
  updatedAt: number;
};

export interface StorageBackend {
  readonly name: string;
  /**
   * Start storing one replica of `piece`; `bytes` reads the CAR (backends that upload call it,
   * backends whose providers fetch `locationRef` may not). Returns the new record (usually
   * "proposed"). Throws a FilecoinError on a refusal the caller should not simply retry.
   */
  store(piece: BatchPiece, bytes: () => Promise<Uint8Array>): Promise<DealRecord>;
  /** The record's current state, read from the chain or the provider. Never moves backwards. */
  refresh(record: DealRecord): Promise<DealRecord>;
  close(): Promise<void>;
}
