// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Ssz
/// @notice SSZ hash_tree_root building blocks with the sha256 precompile (0x02), for the one-step
///         proof (docs/fault-proofs.md): basic-type chunks, merkleization with zero-hash padding,
///         ByteList roots with their length mixed in, and SSZ list-element proofs.
/// @dev    Follows the consensus-specs SSZ merkleization rules, as ChainSafe's ssz implements them:
///         uintN little-endian, boolean one byte, ByteVector right-padded, lists mixed in with their
///         length as a uint256 little-endian chunk. Differentially tested against ChainSafe's ssz in
///         test/unit/faultProofPrimitives.test.ts.
library Ssz {
    /// A ByteList longer than its limit: its root is undefined, so a proof built on it is refused.
    error SszListTooLong(uint256 length, uint256 limit);
    /// A list proof with the wrong number of siblings, or an index outside the list.
    error SszBadListProof(uint256 index, uint256 length, uint256 siblings);
    /// A list proof that implies another root than the one it is checked against.
    error SszListRootMismatch(bytes32 expected, bytes32 implied);

    /// sha256(a ‖ b) through the precompile, in scratch space.
    function hash64(bytes32 a, bytes32 b) internal view returns (bytes32 r) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            if iszero(staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20)) { revert(0, 0) }
            r := mload(0x00)
        }
    }

    /// The chunk of any uintN (N ≤ 256): its little-endian bytes, zero-padded on the right. Reversing
    /// all 32 big-endian bytes does it for every N at once.
    function uintChunk(uint256 v) internal pure returns (bytes32) {
        v = ((v & 0xff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00) >> 8)
            | ((v & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff) << 8);
        v = ((v & 0xffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000) >> 16)
            | ((v & 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff) << 16);
        v = ((v & 0xffffffff00000000ffffffff00000000ffffffff00000000ffffffff00000000) >> 32)
            | ((v & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff) << 32);
        v = ((v & 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000) >> 64)
            | ((v & 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff) << 64);
        v = (v >> 128) | (v << 128);
        return bytes32(v);
    }

    function boolChunk(bool b) internal pure returns (bytes32) {
        return b ? bytes32(uint256(1) << 248) : bytes32(0);
    }

    /// Bytes20: the 20 bytes, zero-padded on the right.
    function addressChunk(address a) internal pure returns (bytes32) {
        return bytes32(bytes20(a));
    }

    /// sha256(root ‖ uint256le(length)): how a list's length enters its root.
    function mixInLength(bytes32 root, uint256 length) internal view returns (bytes32) {
        return hash64(root, uintChunk(length));
    }

    /// ceil(log2(n)) for n ≥ 1: the depth of a tree with n leaves rounded up to a power of two.
    function depthFor(uint256 n) internal pure returns (uint256 depth) {
        while ((uint256(1) << depth) < n) depth++;
    }

    /// The root of `chunks` as the first leaves of a tree of `limit` leaves (rounded up to a power of
    /// two), absent leaves zero. `chunks` is overwritten. Requires chunks.length ≤ limit.
    function merkleize(bytes32[] memory chunks, uint256 limit) internal view returns (bytes32) {
        uint256 n = chunks.length;
        if (n > limit) revert SszListTooLong(n, limit);
        uint256 depth = depthFor(limit == 0 ? 1 : limit);
        bytes32 zero; // the root of an empty subtree at the current height
        for (uint256 h = 0; h < depth; h++) {
            uint256 m = (n + 1) / 2;
            for (uint256 i = 0; i < m; i++) {
                bytes32 left = chunks[2 * i];
                bytes32 right = 2 * i + 1 < n ? chunks[2 * i + 1] : zero;
                chunks[i] = hash64(left, right);
            }
            n = m;
            zero = hash64(zero, zero);
        }
        return n == 0 ? zero : chunks[0];
    }

    /// hash_tree_root of a ByteList[limitBytes] holding `data`.
    function byteListRoot(bytes memory data, uint256 limitBytes) internal view returns (bytes32) {
        uint256 len = data.length;
        if (len > limitBytes) revert SszListTooLong(len, limitBytes);
        uint256 n = (len + 31) / 32;
        bytes32[] memory chunks = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            bytes32 c;
            assembly ("memory-safe") {
                c := mload(add(add(data, 0x20), mul(i, 0x20)))
            }
            uint256 tail = len - 32 * i;
            // The last chunk: keep its `tail` bytes, zero the rest (memory after `data` is not ours).
            if (tail < 32) c &= bytes32(~(type(uint256).max >> (8 * tail)));
            chunks[i] = c;
        }
        return mixInLength(merkleize(chunks, (limitBytes + 31) / 32), len);
    }

    /// The root implied by `leaf` at `index` of a tree of depth siblings.length, siblings leaf level
    /// first (bit i of the index set: the node is a right child at level i).
    function rootFromBranch(bytes32 leaf, uint256 index, bytes32[] memory siblings) internal view returns (bytes32 h) {
        h = leaf;
        for (uint256 i = 0; i < siblings.length; i++) {
            h = ((index >> i) & 1) == 1 ? hash64(siblings[i], h) : hash64(h, siblings[i]);
        }
    }

    /// The root of an SSZ list (of limit `limit`, whose items are 32-byte roots) after appending
    /// `item` at index `length`, given the ceil(log2(limit)) siblings of that index (leaf level first),
    /// checked against `listRoot`, the root before. How a step accumulates the block's receipts.
    function listAppend(bytes32 listRoot, uint256 length, uint256 limit, bytes32 item, bytes32[] memory siblings)
        internal
        view
        returns (bytes32)
    {
        if (length >= limit || siblings.length != depthFor(limit)) {
            revert SszBadListProof(length, length, siblings.length);
        }
        bytes32 implied = mixInLength(rootFromBranch(bytes32(0), length, siblings), length);
        if (implied != listRoot) revert SszListRootMismatch(listRoot, implied);
        return mixInLength(rootFromBranch(item, length, siblings), length + 1);
    }

    /// The root of an SSZ List[Bytes32, limit] of `length` items whose item `index` is `item`, from the
    /// ceil(log2(limit)) siblings of its merkleization (leaf level first). This is how a block's
    /// txRoot proves one transaction hash.
    function listRootFromItem(bytes32 item, uint256 index, uint256 length, uint256 limit, bytes32[] memory siblings)
        internal
        view
        returns (bytes32)
    {
        if (index >= length || length > limit || siblings.length != depthFor(limit)) {
            revert SszBadListProof(index, length, siblings.length);
        }
        return mixInLength(rootFromBranch(item, index, siblings), length);
    }
}
