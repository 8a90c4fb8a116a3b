/**
 * Gossip topic and req/resp protocol names. Both are namespaced by the L2 chain id, so nodes of two
 * chains (a devnet and calibration, say) never mix traffic on one libp2p host.
 */

/** The gossip topics, by short name. */
export const GOSSIP_TOPICS = ["blocks", "txs", "checkpoint-signatures", "evidence"] as const;
export type GossipTopicName = (typeof GOSSIP_TOPICS)[number];

/** The req/resp protocols, by short name. Each id ends in a version that changes with its encoding. */
export const REQRESP_PROTOCOLS = ["status", "blocks_by_range", "checkpoint_signature"] as const;
export type ReqRespProtocolName = (typeof REQRESP_PROTOCOLS)[number];

/** `/filverse/<chainId>/<name>/ssz`: every topic carries SSZ bytes. */
export function gossipTopic(chainId: number, name: GossipTopicName): string {
  return `/filverse/${chainId}/${name}/ssz`;
}

/** `/filverse/<chainId>/req/<name>/1`. */
export function reqRespProtocolId(chainId: number, name: ReqRespProtocolName): string {
  return `/filverse/${chainId}/req/${name}/1`;
}

/** The short name of one of this chain's topics, or null for any other string. */
export function parseGossipTopic(chainId: number, topic: string): GossipTopicName | null {
  for (const name of GOSSIP_TOPICS) if (gossipTopic(chainId, name) === topic) return name;
  return null;
}
