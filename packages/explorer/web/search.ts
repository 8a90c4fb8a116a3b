/**
 * What the search box accepts, and where each input leads: a block number, an address, a
 * transaction, block, collection, token, identity or data asset id (tried in that order), a
 * collection id with a token id ("0x…:7"), a DID, a Piece CID or a handle.
 */
import { isAddress, isBytes32 } from "./format.js";
import { batch } from "./rpc.js";

export type SearchResult = { route: (string | number)[] } | { piece: string } | { none: string };

/** A Piece CID, v1 (baga…) or FRC-0069 v2 (bafkzcib…). */
const PIECE_CID = /^(baga|bafkzcib)[a-z2-7]{20,}$/;
const HANDLE = /^[a-z0-9_]{3,32}$/;

export async function resolveSearch(input: string): Promise<SearchResult> {
  const q = input.trim();
  if (q === "") return { none: "Type a hash, an address, a handle, a DID, an id or a Piece CID." };
  if (/^\d{1,16}$/.test(q)) return { route: ["block", q] };
  if (isAddress(q)) return { route: ["address", q.toLowerCase()] };
  const asset = /^(0x[0-9a-fA-F]{64})[:/#](\d{1,16})$/.exec(q);
  if (asset) return { route: ["asset", asset[1]!.toLowerCase(), asset[2]!] };
  if (q.startsWith("did:")) return { route: ["identity", q] };
  if (PIECE_CID.test(q)) return { piece: q };
  if (isBytes32(q)) {
    const id = q.toLowerCase();
    // One round trip asks every kind of object the id could name.
    const [tx, block, collection, token, identity, data] = await batch<unknown>([
      ["filverse_getTransaction", [id]],
      ["filverse_getBlockByHash", [id]],
      ["filverse_getCollection", [id]],
      ["filverse_getToken", [id]],
      ["filverse_getIdentity", [id]],
      ["filverse_getDataAsset", [id]],
    ]);
    const found = (v: unknown): boolean => v !== null && v !== undefined && !(v instanceof Error);
    if (found(tx)) return { route: ["tx", id] };
    if (found(block)) return { route: ["block", id] };
    if (found(collection)) return { route: ["collection", id] };
    if (found(token)) return { route: ["token", id] };
    if (found(identity)) return { route: ["identity", id] };
    if (found(data)) return { route: ["data", id] };
    return { none: `Nothing on this node has the id ${id}.` };
  }
  const handle = q.replace(/^@/, "").toLowerCase();
  if (HANDLE.test(handle)) return { route: ["identity", handle] };
  return { none: `"${q}" is not a hash, address, handle, DID, id or Piece CID.` };
}
