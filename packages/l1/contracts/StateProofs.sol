// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ssz} from "./Ssz.sol";

/// @title StateProofs
/// @notice Proofs against the L2 state root, stateRoot = sha256(objectsRoot ‖ withdrawalsRoot)
///         (docs/state.md), for the one-step proof (docs/fault-proofs.md):
///         - the compact sparse Merkle tree of objects: verify a membership or non-membership proof,
///           and compute the root after setting, inserting or deleting the proven key;
///         - the append-only withdrawals tree: the root after appending at the next index.
/// @dev    Mirrors packages/crypto/src/smt.ts: leafHash = sha256(0x00 ‖ key ‖ valueHash) (65 bytes),
///         branch = sha256(left ‖ right) (64 bytes), an empty subtree is zero, a lone leaf sits at the
///         shallowest depth where it is alone. Key bits are read most significant first. Proofs are
///         what `SparseMerkleTree.prove` serves (siblings from the root down, then the leaf the walk
///         found, if any); a deletion also takes the preimage of the last sibling
///         (`proveLastSibling`), which decides whether a lone leaf is lifted.
library StateProofs {
    /// The depth of a key-path is at most its 256 bits.
    uint256 internal constant KEY_BITS = 256;
    /// Depth of the withdrawals tree (WITHDRAWALS_TREE_DEPTH in packages/params).
    uint256 internal constant WITHDRAWALS_TREE_DEPTH = 32;

    struct SmtProof {
        /// Sibling hashes from the root down to where the walk stopped (siblings[0]: the root's other child).
        bytes32[] siblings;
        /// The walk ended at a leaf (else at an empty subtree).
        bool hasLeaf;
        bytes32 leafKey;
        bytes32 leafValueHash;
    }

    /// The preimage of siblings[siblings.length - 1]: a leaf (a = key, b = valueHash) or a branch
    /// (a = left, b = right). Only a deletion reads it.
    struct SiblingPreimage {
        bool isLeaf;
        bytes32 a;
        bytes32 b;
    }

    error SmtProofTooDeep(uint256 depth);
    /// The proof's leaf is not on the key's path: it does not share the key's first `depth` bits.
    error SmtLeafOffPath(bytes32 key, bytes32 leafKey, uint256 depth);
    /// The proof shows another value (or presence where absence is claimed, or the reverse).
    error SmtClaimMismatch(bytes32 key);
    /// The proof implies another root than the one it is checked against.
    error SmtRootMismatch(bytes32 expected, bytes32 implied);
    /// A deletion's sibling preimage does not hash to the last sibling.
    error SmtBadSiblingPreimage(bytes32 sibling);
    /// A withdrawals-tree proof without exactly WITHDRAWALS_TREE_DEPTH siblings, or a full tree.
    error WithdrawalProofMalformed(uint256 index, uint256 siblings);

    function leafHash(bytes32 key, bytes32 valueHash) internal view returns (bytes32 r) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore8(p, 0x00)
            mstore(add(p, 1), key)
            mstore(add(p, 33), valueHash)
            if iszero(staticcall(gas(), 0x02, p, 65, 0x00, 0x20)) { revert(0, 0) }
            r := mload(0x00)
        }
    }

    function stateRoot(bytes32 objectsRoot, bytes32 withdrawalsRoot) internal view returns (bytes32) {
        return Ssz.hash64(objectsRoot, withdrawalsRoot);
    }

    /// Bit `depth` of `key`, most significant first.
    function bitAt(bytes32 key, uint256 depth) internal pure returns (uint256) {
        return (uint256(key) >> (255 - depth)) & 1;
    }

    /// The root a proof implies for (key, valueHash) when `present`, or for the key's absence.
    /// Reverts on a malformed proof or one that does not make that claim.
    function rootFromProof(bytes32 key, bytes32 valueHash, bool present, SmtProof memory proof)
        internal
        view
        returns (bytes32)
    {
        uint256 depth = proof.siblings.length;
        if (depth > KEY_BITS) revert SmtProofTooDeep(depth);
        if (proof.hasLeaf && !_sharesPrefix(proof.leafKey, key, depth)) {
            revert SmtLeafOffPath(key, proof.leafKey, depth);
        }
        if (present) {
            if (!proof.hasLeaf || proof.leafKey != key || proof.leafValueHash != valueHash) {
                revert SmtClaimMismatch(key);
            }
        } else if (proof.hasLeaf && proof.leafKey == key) {
            revert SmtClaimMismatch(key);
        }
        bytes32 h = proof.hasLeaf ? leafHash(proof.leafKey, proof.leafValueHash) : bytes32(0);
        return _foldUp(key, h, proof.siblings, depth);
    }

    /// True iff the proof shows (key, valueHash) (present) or the key's absence under `root`.
    /// Reverts, like rootFromProof, on a malformed proof.
    function verify(bytes32 root, bytes32 key, bytes32 valueHash, bool present, SmtProof memory proof)
        internal
        view
        returns (bool)
    {
        return rootFromProof(key, valueHash, present, proof) == root;
    }

    /// The objects root after setting `key` to `newValueHash` (`present`) or deleting it, given the
    /// key's proof (membership or not) under `root`. `sibling` is read only to delete a present key.
    function update(
        bytes32 root,
        bytes32 key,
        bytes32 newValueHash,
        bool present,
        SmtProof memory proof,
        SiblingPreimage memory sibling
    ) internal view returns (bytes32) {
        bool had = proof.hasLeaf && proof.leafKey == key;
        bytes32 implied = rootFromProof(key, had ? proof.leafValueHash : bytes32(0), had, proof);
        if (implied != root) revert SmtRootMismatch(root, implied);
        uint256 depth = proof.siblings.length;
        if (!present) {
            if (!had) return root;
            return _deleteFold(key, proof.siblings, sibling);
        }
        bytes32 h = leafHash(key, newValueHash);
        if (proof.hasLeaf && !had) {
            // Another leaf sits where the key's path ends: both go down to their first differing bit.
            h = _split(key, h, proof.leafKey, leafHash(proof.leafKey, proof.leafValueHash), depth);
        }
        return _foldUp(key, h, proof.siblings, depth);
    }

    /// The withdrawals root after appending `leaf` at `index` (the next free one), given the siblings
    /// of that index (leaf level first) under `withdrawalsRoot`, where its leaf is still zero.
    function appendWithdrawal(bytes32 withdrawalsRoot, uint256 index, bytes32 leaf, bytes32[] memory siblings)
        internal
        view
        returns (bytes32)
    {
        if (siblings.length != WITHDRAWALS_TREE_DEPTH || index >> WITHDRAWALS_TREE_DEPTH != 0) {
            revert WithdrawalProofMalformed(index, siblings.length);
        }
        bytes32 implied = Ssz.rootFromBranch(bytes32(0), index, siblings);
        if (implied != withdrawalsRoot) revert SmtRootMismatch(withdrawalsRoot, implied);
        return Ssz.rootFromBranch(leaf, index, siblings);
    }

    /// leaf = sha256(abi.encode(index, l2Sender, l1Recipient, amount)), what the bridge recomputes.
    function withdrawalLeaf(uint256 index, address l2Sender, address l1Recipient, uint256 amount)
        internal
        pure
        returns (bytes32)
    {
        return sha256(abi.encode(index, l2Sender, l1Recipient, amount));
    }

    /// Hash `h`, the node at depth `depth` on key's path, up to the root.
    function _foldUp(bytes32 key, bytes32 h, bytes32[] memory siblings, uint256 depth)
        private
        view
        returns (bytes32)
    {
        for (uint256 i = depth; i > 0; i--) {
            bytes32 s = siblings[i - 1];
            h = bitAt(key, i - 1) == 1 ? Ssz.hash64(s, h) : Ssz.hash64(h, s);
        }
        return h;
    }

    /// The subtree at `depth` holding the new leaf (hash `h`) and another leaf (key `other`, hash
    /// `otherHash`) that shares its first `depth` bits: a branch at their first differing bit, and a
    /// chain of branches with one empty side above it.
    function _split(bytes32 key, bytes32 h, bytes32 other, bytes32 otherHash, uint256 depth)
        private
        view
        returns (bytes32)
    {
        uint256 j = _firstDifferingBit(key, other);
        h = bitAt(key, j) == 1 ? Ssz.hash64(otherHash, h) : Ssz.hash64(h, otherHash);
        for (uint256 i = j; i > depth; i--) {
            h = bitAt(key, i - 1) == 1 ? Ssz.hash64(bytes32(0), h) : Ssz.hash64(h, bytes32(0));
        }
        return h;
    }

    /// The root after removing the leaf at the end of key's path (depth = siblings.length). Its
    /// sibling, if a lone leaf, is lifted past every empty sibling above (the compact rule).
    function _deleteFold(bytes32 key, bytes32[] memory siblings, SiblingPreimage memory sibling)
        private
        view
        returns (bytes32)
    {
        uint256 depth = siblings.length;
        if (depth == 0) return bytes32(0); // the tree held this leaf alone
        bytes32 s = siblings[depth - 1];
        bytes32 preimageHash = sibling.isLeaf ? leafHash(sibling.a, sibling.b) : Ssz.hash64(sibling.a, sibling.b);
        if (preimageHash != s) revert SmtBadSiblingPreimage(s);
        if (!sibling.isLeaf) return _foldUp(key, bytes32(0), siblings, depth);
        uint256 d = depth - 1; // the lone leaf now stands for the subtree at depth d
        while (d > 0 && siblings[d - 1] == bytes32(0)) d--;
        return _foldUp(key, s, siblings, d);
    }

    /// True iff a and b agree on their first `bits` bits (0 ≤ bits ≤ 256).
    function _sharesPrefix(bytes32 a, bytes32 b, uint256 bits) private pure returns (bool) {
        if (bits == 0) return true;
        return (uint256(a) ^ uint256(b)) >> (256 - bits) == 0;
    }

    /// The index, most significant first, of the first bit where a and b differ (a != b).
    function _firstDifferingBit(bytes32 a, bytes32 b) private pure returns (uint256 j) {
        uint256 x = uint256(a) ^ uint256(b);
        // 255 − floor(log2(x)), by halving.
        j = 255;
        for (uint256 s = 128; s > 0; s >>= 1) {
            if (x >> s != 0) {
                x >>= s;
                j -= s;
            }
        }
    }
}
