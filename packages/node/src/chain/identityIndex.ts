/**
 * Which delegates and attributes each identity has. State keys are hashes, so they cannot be
 * listed by identity; this index is rebuilt from the state at start and updated from each block's
 * changes. It serves DID documents and identity reads.
 */
import type { State, StateChange } from "@filverse/state";
import { Namespace } from "@filverse/types";
import { toHex } from "@filverse/utils";

export class IdentityIndex {
  /** identityId hex → delegate address hex. */
  private readonly delegates = new Map<string, Set<string>>();
  /** identityId hex → attribute object id hex. */
  private readonly attributes = new Map<string, Set<string>>();

  rebuild(state: State): void {
    this.delegates.clear();
    this.attributes.clear();
    for (const { value: e } of state.objects.entries()) this.put(e.ns, e.id, true);
  }

  apply(changes: Iterable<StateChange>): void {
    for (const c of changes) this.put(c.ns, c.id, c.value !== null);
  }

  private put(ns: Namespace, id: Uint8Array, present: boolean): void {
    if (ns !== Namespace.Delegate && ns !== Namespace.Attribute) return;
    const identity = toHex(id.subarray(0, 32));
    const member = toHex(ns === Namespace.Delegate ? id.subarray(32) : id);
    const map = ns === Namespace.Delegate ? this.delegates : this.attributes;
    let set = map.get(identity);
    if (present) {
      if (!set) map.set(identity, (set = new Set()));
      set.add(member);
    } else if (set) {
      set.delete(member);
      if (set.size === 0) map.delete(identity);
    }
  }

  /** Delegate addresses of the identity (hex), whatever their expiry. */
  delegatesOf(identityId: string): string[] {
    return [...(this.delegates.get(identityId) ?? [])].sort();
  }

  /** Attribute object ids of the identity (hex). */
  attributeIdsOf(identityId: string): string[] {
    return [...(this.attributes.get(identityId) ?? [])].sort();
  }
}
