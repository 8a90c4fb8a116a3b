/** Identities: by handle or id with their delegates and attributes, and as W3C DID documents. */
import { expectParamCount, paramString, RpcError } from "@filverse/rpc";
import { handleObjectId, type State } from "@filverse/state";
import { Attribute, Delegate, Identity, Namespace, RpcErrorCode } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import type { ApiModules, RpcHandlers } from "./types.js";

export type IdentityApi = Pick<RpcHandlers, "filverse_getIdentity" | "filverse_resolveDid">;

/**
 * Delegates and attributes an identity answer lists, each (by key ascending). A DID document with
 * more is cut there, and says so (`truncated`).
 */
export const MAX_IDENTITY_ENTRIES = 500;

export function identityApi({ node }: ApiModules): IdentityApi {
  /** The identity, its delegates and its attributes, from one database snapshot (one block). */
  const identityJson = async (id: Uint8Array) => {
    const read = await node.db.getIdentityWithEntries(id, MAX_IDENTITY_ENTRIES);
    if (!read) return null;
    const { identity } = read;
    const now = Math.floor(Date.now() / 1000);
    const delegates = read.delegates.map(({ ref, value: d }) => ({
      address: toHex(ref),
      ...Delegate.toJson(d),
      active: d.ownerEpoch === identity.ownerEpoch && now < d.expiresAt,
    }));
    const attributes = read.attributes.map(({ value: a }) => ({
      ...Attribute.toJson(a),
      active: a.expiresAt === 0 || now < a.expiresAt,
    }));
    return {
      id: toHex(id),
      ...Identity.toJson(identity),
      delegates,
      attributes,
      ...(read.truncated ? { truncated: true } : {}),
    };
  };
  return {
    filverse_getIdentity: async (p) => {
      expectParamCount(p, 1, 1);
      const ref = paramString(p, 0, "handle or identity id");
      const id = resolveIdentityRef(node.state, ref);
      return id ? identityJson(id) : null;
    },
    filverse_resolveDid: async (p) => {
      expectParamCount(p, 1, 1);
      const did = paramString(p, 0, "did");
      const m = /^did:filverse:(\d+):([a-z0-9_]{3,32}|0x[0-9a-fA-F]{64})$/.exec(did);
      if (!m)
        throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
          message: "Expected did:filverse:<chainId>:<handle or 0x identity id>",
        });
      if (Number(m[1]) !== node.chainId) return null;
      const id = resolveIdentityRef(node.state, m[2]!);
      const identity = id ? await identityJson(id) : null;
      return identity ? didDocument(node.chainId, identity) : null;
    },
  };
}

const ID_RE = /^0x[0-9a-fA-F]{64}$/;

function resolveIdentityRef(state: State, ref: string): Uint8Array | null {
  if (ID_RE.test(ref)) return fromHex(ref);
  const record = state.get(Namespace.Handle, handleObjectId(ref));
  return record ? record.identityId : null;
}

/** A W3C DID document (https://www.w3.org/TR/did-core/) for a Filverse identity. */
export function didDocument(
  chainId: number,
  identity: Record<string, unknown> & { id: string },
): Record<string, unknown> {
  const did = `did:filverse:${chainId}:${identity.handle as string}`;
  const owner = identity.owner as string;
  const method = (name: string, address: string) => ({
    id: `${did}#${name}`,
    type: "EcdsaSecp256k1RecoveryMethod2020",
    controller: did,
    blockchainAccountId: `eip155:${chainId}:${address}`,
  });
  const delegates = (
    identity.delegates as { address: string; scope: number; expiresAt: string; active: boolean }[]
  ).filter((d) => d.active);
  return {
    "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/secp256k1recovery-2020/v2"],
    id: did,
    alsoKnownAs: [`did:filverse:${chainId}:${identity.id}`],
    controller: did,
    verificationMethod: [
      method("owner", owner),
      ...delegates.map((d, i) => ({ ...method(`delegate-${i}`, d.address), expires: d.expiresAt })),
    ],
    // Identity-scoped session keys (scope 2 or 3) may authenticate as the identity.
    authentication: [`${did}#owner`, ...delegates.flatMap((d, i) => (d.scope & 2 ? [`${did}#delegate-${i}`] : []))],
    assertionMethod: [`${did}#owner`],
    capabilityInvocation: [`${did}#owner`, ...delegates.map((_, i) => `${did}#delegate-${i}`)],
    service: [
      { id: `${did}#profile`, type: "FilverseProfile", serviceEndpoint: `ipfs://${identity.profileCid as string}` },
      ...(identity.attributes as { key: string; value: string; active: boolean }[])
        .filter((a) => a.active)
        .map((a) => ({ id: `${did}#attr-${a.key}`, type: "FilverseAttribute", serviceEndpoint: a.value })),
    ],
  };
}
