// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title StepProofStore
/// @notice One-step proofs too large for one Filecoin message (Lotus's message pool refuses messages
///         over 64 KiB; the proof of an AssetBatchMint of 256 tokens is about 334 KB), uploaded in
///         chunks and read back whole by FilverseDisputeGame's `stepStored` (docs/fault-proofs.md,
///         "The one-step proof").
/// @dev    The uploader declares the proof's keccak256 and length up front (`begin`); the upload's id
///         is keccak256(abi.encode(uploader, hash, length)), so no one can write into another's
///         upload, and beginning the same proof again is a no-op (an uploader that restarts goes on
///         from `filled`). Chunks are appended in order, each of 1..MAX_CHUNK bytes, every one but the
///         last a multiple of 32 bytes (whole storage words); a chunk past the declared length is
///         refused. `load` returns the proof only once it is complete and its keccak256 is the one
///         declared. The bytes are untrusted input like a `step`'s calldata: the executor checks them.
contract StepProofStore {
    /// 48 KiB: a chunk's message (calldata with its ABI head) stays well under 64 KiB.
    uint256 public constant MAX_CHUNK = 49_152;
    /// The data words of upload `id` are at keccak256(abi.encode(id, DATA_DOMAIN)) + i.
    uint256 private constant DATA_DOMAIN = uint256(keccak256("filverse.StepProofStore.data"));

    struct Upload {
        address uploader;
        uint32 length;
        uint32 filled;
        bytes32 hash;
    }

    mapping(bytes32 => Upload) public uploads;

    event UploadBegun(bytes32 indexed id, address indexed uploader, bytes32 hash, uint32 length);
    event ChunkStored(bytes32 indexed id, uint32 filled, uint32 length);

    error BadLength(uint256 length);
    error UnknownProof(bytes32 id);
    error NotUploader(bytes32 id, address uploader, address caller);
    error BadChunkSize(uint256 size);
    error UnalignedChunk(uint256 size);
    error ChunkOverflow(bytes32 id, uint256 filled, uint256 size, uint256 length);
    error IncompleteProof(bytes32 id, uint256 filled, uint256 length);
    error ProofHashMismatch(bytes32 id, bytes32 declared, bytes32 stored);

    function proofId(address uploader, bytes32 hash, uint32 length) public pure returns (bytes32) {
        return keccak256(abi.encode(uploader, hash, length));
    }

    /// Declare a proof of `length` bytes whose keccak256 is `hash`; returns its id. Again for the
    /// same proof: the same id, the upload so far kept.
    function begin(bytes32 hash, uint32 length) external returns (bytes32 id) {
        if (length == 0) revert BadLength(length);
        id = proofId(msg.sender, hash, length);
        Upload storage u = uploads[id];
        if (u.uploader != address(0)) return id;
        (u.uploader, u.length, u.hash) = (msg.sender, length, hash);
        emit UploadBegun(id, msg.sender, hash, length);
    }

    /// Append the next chunk of upload `id` (the caller's own).
    function append(bytes32 id, bytes calldata chunk) external {
        Upload storage u = uploads[id];
        address uploader = u.uploader;
        if (uploader == address(0)) revert UnknownProof(id);
        if (uploader != msg.sender) revert NotUploader(id, uploader, msg.sender);
        uint256 size = chunk.length;
        if (size == 0 || size > MAX_CHUNK) revert BadChunkSize(size);
        uint256 filled = u.filled;
        uint256 length = u.length;
        if (filled + size > length) revert ChunkOverflow(id, filled, size, length);
        if (filled + size < length && size % 32 != 0) revert UnalignedChunk(size);
        uint256 slot = dataSlot(id) + filled / 32;
        assembly {
            let end := add(chunk.offset, size)
            for { let p := chunk.offset } lt(p, end) { p := add(p, 32) } {
                let word := calldataload(p)
                let rest := sub(end, p)
                // The last word of the proof: only its own bytes, zero after them.
                if lt(rest, 32) { word := and(word, not(sub(shl(mul(8, sub(32, rest)), 1), 1))) }
                sstore(slot, word)
                slot := add(slot, 1)
            }
        }
        u.filled = uint32(filled + size);
        emit ChunkStored(id, uint32(filled + size), uint32(length));
    }

    /// The complete proof `id`, uploaded by `uploader`, whose keccak256 is the one declared.
    function load(bytes32 id, address uploader) external view returns (bytes memory proof) {
        Upload storage u = uploads[id];
        if (u.uploader == address(0)) revert UnknownProof(id);
        if (u.uploader != uploader) revert NotUploader(id, u.uploader, uploader);
        uint256 length = u.length;
        if (u.filled != length) revert IncompleteProof(id, u.filled, length);
        proof = new bytes(length);
        uint256 slot = dataSlot(id);
        assembly {
            let p := add(proof, 32)
            let end := add(p, length)
            for {} lt(p, end) { p := add(p, 32) } {
                mstore(p, sload(slot))
                slot := add(slot, 1)
            }
        }
        bytes32 stored = keccak256(proof);
        if (stored != u.hash) revert ProofHashMismatch(id, u.hash, stored);
    }

    function dataSlot(bytes32 id) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(id, DATA_DOMAIN)));
    }
}
