// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SszObjects} from "./SszObjects.sol";
import {StateProofs} from "./StateProofs.sol";

/// @title StepObjects
/// @notice The objects one step of the one-step executor reads and writes (docs/fault-proofs.md):
///         each comes with its value before the step and a proof of its key, in strictly increasing
///         key order. Handlers read and write them in memory; `commit` then applies every final
///         value to the objects root in key order, each proof checked against the root the previous
///         update left, which also proves every value read (the earlier updates touched other keys).
/// @dev    Mirrors the working state of packages/state/src/execution/context.ts. OneStepExecutor
///         reads and hashes Globals (0x00) and Account (0x01) itself; the objects of the other
///         namespaces (up to SessionGrantRecord, 0x0f) are read by a kind executor or by ViaExecutor,
///         which give their valueHashes to `commit`. A handler that needs an object the proof lacks reverts
///         (ObjectMissing): the prover must supply it.
library StepObjects {
    uint8 internal constant NS_GLOBALS = 0x00;
    uint8 internal constant NS_ACCOUNT = 0x01;
    uint8 internal constant NS_LAST = 0x0f;

    /// One object the step touches, as the prover supplies it.
    struct ObjectProof {
        uint8 ns;
        /// The object's id (docs/state.md): empty for Globals, the address for an Account.
        bytes id;
        /// The object exists before the step.
        bool present;
        /// abi.encode of its SszObjects struct (Globals, Account) when present.
        bytes value;
        /// The key's proof against the root the previous object's update left.
        StateProofs.SmtProof proof;
        /// The preimage of the proof's last sibling: read only when the step deletes the object.
        StateProofs.SiblingPreimage sibling;
    }

    /// The objects of a step with their current values.
    struct Set {
        ObjectProof[] proofs;
        bytes32[] keys;
        bool[] present;
        bytes[] values;
    }

    error ObjectsNotSorted(uint256 index);
    error UnsupportedNamespace(uint8 ns);
    /// The step needs an object the proof does not carry.
    error ObjectMissing(bytes32 key);
    /// The supplied value before the step is not what the objects root holds.
    error ObjectValueMismatch(bytes32 key);

    function key(uint8 ns, bytes memory id) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(ns, id));
    }

    /// Checks the order and namespaces; the values are checked by `commit`.
    function load(ObjectProof[] memory proofs) internal pure returns (Set memory s) {
        uint256 n = proofs.length;
        s.proofs = proofs;
        s.keys = new bytes32[](n);
        s.present = new bool[](n);
        s.values = new bytes[](n);
        for (uint256 i = 0; i < n; i++) {
            ObjectProof memory p = proofs[i];
            if (p.ns > NS_LAST) revert UnsupportedNamespace(p.ns);
            bytes32 k = key(p.ns, p.id);
            if (i > 0 && uint256(k) <= uint256(s.keys[i - 1])) revert ObjectsNotSorted(i);
            s.keys[i] = k;
            s.present[i] = p.present;
            s.values[i] = p.value;
        }
    }

    function indexOf(Set memory s, bytes32 k) internal pure returns (uint256) {
        for (uint256 i = 0; i < s.keys.length; i++) {
            if (s.keys[i] == k) return i;
        }
        revert ObjectMissing(k);
    }

    /// A copy of the current values, to roll a failed transaction's rules back to.
    function mark(Set memory s) internal pure returns (bool[] memory present, bytes[] memory values) {
        uint256 n = s.keys.length;
        present = new bool[](n);
        values = new bytes[](n);
        for (uint256 i = 0; i < n; i++) {
            present[i] = s.present[i];
            values[i] = s.values[i]; // values are replaced, never mutated, so sharing is safe
        }
    }

    function revertTo(Set memory s, bool[] memory present, bytes[] memory values) internal pure {
        s.present = present;
        s.values = values;
    }

    function globals(Set memory s) internal pure returns (SszObjects.Globals memory g) {
        uint256 i = indexOf(s, key(NS_GLOBALS, ""));
        if (s.present[i]) g = abi.decode(s.values[i], (SszObjects.Globals));
    }

    function setGlobals(Set memory s, SszObjects.Globals memory g) internal pure {
        uint256 i = indexOf(s, key(NS_GLOBALS, ""));
        s.present[i] = true;
        s.values[i] = abi.encode(g);
    }

    /// An absent account reads as balance 0, nonce 0.
    function account(Set memory s, address a) internal pure returns (SszObjects.Account memory acc) {
        uint256 i = indexOf(s, key(NS_ACCOUNT, abi.encodePacked(a)));
        if (s.present[i]) acc = abi.decode(s.values[i], (SszObjects.Account));
    }

    function setAccount(Set memory s, address a, SszObjects.Account memory acc) internal pure {
        uint256 i = indexOf(s, key(NS_ACCOUNT, abi.encodePacked(a)));
        s.present[i] = true;
        s.values[i] = abi.encode(acc);
    }

    /// The valueHash of an object: hash_tree_root of its container.
    function valueHash(uint8 ns, bytes memory value) internal view returns (bytes32) {
        if (ns == NS_GLOBALS) return SszObjects.globalsRoot(abi.decode(value, (SszObjects.Globals)));
        if (ns == NS_ACCOUNT) return SszObjects.accountRoot(abi.decode(value, (SszObjects.Account)));
        revert UnsupportedNamespace(ns);
    }

    /// The objects root after writing every final value, in key order, from `root`. Each proof must
    /// show the supplied value before the step (or its absence) under the root the previous update
    /// left, else ObjectValueMismatch or a StateProofs revert. `hashBefore` and `hashAfter` carry
    /// the valueHashes of the objects past Account, from the kind executor that read them; they are
    /// empty for a step that touches Globals and Accounts only (UnsupportedNamespace otherwise).
    function commit(Set memory s, bytes32 root, bytes32[] memory hashBefore, bytes32[] memory hashAfter)
        internal
        view
        returns (bytes32)
    {
        for (uint256 i = 0; i < s.keys.length; i++) {
            ObjectProof memory p = s.proofs[i];
            bytes32 k = s.keys[i];
            bool had = p.proof.hasLeaf && p.proof.leafKey == k;
            bool own = p.ns <= NS_ACCOUNT;
            if (!own && hashBefore.length == 0) revert UnsupportedNamespace(p.ns);
            if (
                had != p.present
                    || (had && p.proof.leafValueHash != (own ? valueHash(p.ns, p.value) : hashBefore[i]))
            ) {
                revert ObjectValueMismatch(k);
            }
            bytes32 h = !s.present[i] ? bytes32(0) : own ? valueHash(p.ns, s.values[i]) : hashAfter[i];
            root = StateProofs.update(root, k, h, s.present[i], p.proof, p.sibling);
        }
        return root;
    }
}
