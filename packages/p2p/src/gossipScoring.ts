/**
 * gossipsub's own peer scoring (v1.1 score functions), tuned for Filverse's few, low-rate topics.
 * The local score (peerScore.ts) enters as the application-specific score, so a peer we penalize
 * also loses mesh slots and is graylisted by gossipsub before the ban disconnects it.
 */
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from "@libp2p/gossipsub/score";
import { GOSSIP_TOPICS, type GossipTopicName, gossipTopic } from "./topics.js";

/** How much each topic counts in a peer's score, and how hard an invalid message on it hits. */
const TOPIC_WEIGHTS: Record<GossipTopicName, { weight: number; invalidWeight: number }> = {
  blocks: { weight: 0.5, invalidWeight: -20 },
  txs: { weight: 0.2, invalidWeight: -10 },
  "checkpoint-signatures": { weight: 0.3, invalidWeight: -20 },
  evidence: { weight: 0.1, invalidWeight: -20 },
};

function topicParams(t: { weight: number; invalidWeight: number }): TopicScoreParams {
  return {
    topicWeight: t.weight,
    // Up to +3 (before the topic weight) for an hour in the mesh.
    timeInMeshWeight: 1 / 1200,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 3600,
    // Reward first deliveries a little, capped so a fast relay cannot buy immunity from penalties.
    firstMessageDeliveriesWeight: 0.5,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 20,
    // Off: block and transaction rates follow load (an idle sequencer publishes little), so a quota of
    // mesh deliveries would punish honest peers on a quiet chain.
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 100,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 60_000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    // The square of the count is weighted: with weight -20 on blocks (topic weight 0.5), one invalid
    // block costs 10, two cost 40, three cost 90 and graylist the peer. Decays by half in about a minute.
    invalidMessageDeliveriesWeight: t.invalidWeight,
    invalidMessageDeliveriesDecay: 0.99,
  };
}

export function gossipScoreParams(
  chainId: number,
  appSpecificScore: (peerId: string) => number,
): Partial<PeerScoreParams> {
  const topics: Record<string, TopicScoreParams> = {};
  for (const name of GOSSIP_TOPICS) topics[gossipTopic(chainId, name)] = topicParams(TOPIC_WEIGHTS[name]);
  return {
    topics,
    topicScoreCap: 10,
    appSpecificScore,
    appSpecificWeight: 1,
    // More than 10 peers from one IP start to cost (sybils on one host); loopback tests use 3.
    IPColocationFactorWeight: -5,
    IPColocationFactorThreshold: 10,
    behaviourPenaltyWeight: -10,
    behaviourPenaltyThreshold: 0,
    behaviourPenaltyDecay: 0.9,
    decayInterval: 1000,
    decayToZero: 0.01,
    retainScore: 10 * 60_000,
  };
}

/**
 * Below gossipThreshold no gossip (IHAVE/IWANT) is exchanged with the peer, below publishThreshold
 * our own messages skip it, below graylistThreshold its RPCs are dropped unread. The local ban
 * (default -50) sits between publish and graylist, so a banned peer is also ignored by gossipsub.
 */
export const GOSSIP_SCORE_THRESHOLDS: PeerScoreThresholds = {
  gossipThreshold: -20,
  publishThreshold: -40,
  graylistThreshold: -60,
  acceptPXThreshold: 100,
  opportunisticGraftThreshold: 5,
};
