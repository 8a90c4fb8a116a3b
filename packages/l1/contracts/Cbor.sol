// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Cbor
/// @notice A small CBOR (RFC 8949) encoder and strict decoder for the subset Filecoin's actors speak:
///         integers up to 64 bits (major types 0 and 1), byte strings, text strings, arrays, maps,
///         tags, and the simple values false, true and null.
/// @dev    Encoding always uses the shortest header (RFC 8949 §4.2.1), as DAG-CBOR requires, so the
///         bytes equal what Filecoin's Go and Rust encoders produce for the same values. Map keys are
///         written in the order the caller gives; DAG-CBOR wants them sorted (shorter key first, then
///         bytewise). The decoder accepts only what DAG-CBOR accepts: definite lengths, shortest
///         headers, no floats. Every read is bounds-checked and reverts with the offset it failed at.
library Cbor {
    uint8 internal constant MAJOR_UINT = 0;
    uint8 internal constant MAJOR_NEGATIVE = 1;
    uint8 internal constant MAJOR_BYTES = 2;
    uint8 internal constant MAJOR_TEXT = 3;
    uint8 internal constant MAJOR_ARRAY = 4;
    uint8 internal constant MAJOR_MAP = 5;
    uint8 internal constant MAJOR_TAG = 6;
    uint8 internal constant MAJOR_SIMPLE = 7;

    /// The IPLD link tag (https://github.com/ipld/cid-cbor/).
    uint64 internal constant TAG_CID = 42;

    uint8 private constant SIMPLE_FALSE = 20;
    uint8 private constant SIMPLE_TRUE = 21;
    uint8 private constant SIMPLE_NULL = 22;

    /// The item at `offset` is truncated, uses an indefinite length, a non-shortest header, a float
    /// or a reserved value.
    error CborMalformed(uint256 offset);
    /// The item at `offset` has major type `actual`, not `expected`.
    error CborUnexpectedType(uint256 offset, uint8 expected, uint8 actual);
    /// The integer at `offset` does not fit the type asked for.
    error CborOverflow(uint256 offset);
    /// Bytes remain after the top-level item, which ends at `offset`.
    error CborTrailingBytes(uint256 offset);

    // ---------------------------------------------------------------- encoding

    /// The shortest header for major type `major` with argument `value`.
    function header(uint8 major, uint64 value) internal pure returns (bytes memory) {
        uint8 m = major << 5;
        if (value < 24) return abi.encodePacked(m | uint8(value));
        if (value <= type(uint8).max) return abi.encodePacked(m | 24, uint8(value));
        if (value <= type(uint16).max) return abi.encodePacked(m | 25, uint16(value));
        if (value <= type(uint32).max) return abi.encodePacked(m | 26, uint32(value));
        return abi.encodePacked(m | 27, value);
    }

    function encodeUint(uint64 value) internal pure returns (bytes memory) {
        return header(MAJOR_UINT, value);
    }

    /// Negative n is major type 1 with argument -1 - n (so int64's minimum is 0x3b 7fff…ff).
    function encodeInt(int64 value) internal pure returns (bytes memory) {
        if (value >= 0) return header(MAJOR_UINT, uint64(value));
        return header(MAJOR_NEGATIVE, uint64(-(value + 1)));
    }

    function encodeBytes(bytes memory value) internal pure returns (bytes memory) {
        return bytes.concat(header(MAJOR_BYTES, uint64(value.length)), value);
    }

    /// `value` must be UTF-8; like the Go and Rust encoders, this does not check it.
    function encodeText(string memory value) internal pure returns (bytes memory) {
        return bytes.concat(header(MAJOR_TEXT, uint64(bytes(value).length)), bytes(value));
    }

    function encodeBool(bool value) internal pure returns (bytes memory) {
        return abi.encodePacked((MAJOR_SIMPLE << 5) | (value ? SIMPLE_TRUE : SIMPLE_FALSE));
    }

    function encodeNull() internal pure returns (bytes memory) {
        return abi.encodePacked((MAJOR_SIMPLE << 5) | SIMPLE_NULL);
    }

    /// The header of an array of `length` items; the items follow it.
    function arrayHeader(uint64 length) internal pure returns (bytes memory) {
        return header(MAJOR_ARRAY, length);
    }

    /// The header of a map of `pairs` key/value pairs; key, value, key, value … follow it.
    function mapHeader(uint64 pairs) internal pure returns (bytes memory) {
        return header(MAJOR_MAP, pairs);
    }

    function tagHeader(uint64 tag) internal pure returns (bytes memory) {
        return header(MAJOR_TAG, tag);
    }

    /// A CID as DAG-CBOR links it: tag 42 around a byte string of 0x00 (the identity multibase
    /// prefix) followed by the binary CID.
    function encodeCid(bytes memory binaryCid) internal pure returns (bytes memory) {
        return bytes.concat(tagHeader(TAG_CID), encodeBytes(bytes.concat(hex"00", binaryCid)));
    }

    // ---------------------------------------------------------------- decoding
    // Every reader takes the data and the offset of an item and returns the value and the offset
    // just after the item.

    /// The major type and argument of the item at `offset`. For major type 7 the argument is the
    /// simple value (20 false, 21 true, 22 null; anything else is refused).
    function readHeader(bytes memory data, uint256 offset)
        internal
        pure
        returns (uint8 major, uint64 value, uint256 next)
    {
        if (offset >= data.length) revert CborMalformed(offset);
        uint8 initial = uint8(data[offset]);
        major = initial >> 5;
        uint8 info = initial & 0x1f;
        if (major == MAJOR_SIMPLE) {
            if (info < SIMPLE_FALSE || info > SIMPLE_NULL) revert CborMalformed(offset);
            return (major, info, offset + 1);
        }
        if (info < 24) return (major, info, offset + 1);
        if (info > 27) revert CborMalformed(offset); // reserved, or indefinite length (31)
        uint256 size = 1 << (info - 24); // 1, 2, 4 or 8 bytes
        if (offset + 1 + size > data.length) revert CborMalformed(offset);
        for (uint256 i = 0; i < size; i++) {
            value = (value << 8) | uint8(data[offset + 1 + i]);
        }
        // Shortest form only: 1 byte holds 24 and up, 2 bytes 2^8 and up, 4 bytes 2^16, 8 bytes 2^32.
        uint64 floor = info == 24 ? 24 : uint64(uint256(1) << (4 * size));
        if (value < floor) revert CborMalformed(offset);
        next = offset + 1 + size;
    }

    function readUint(bytes memory data, uint256 offset) internal pure returns (uint64 value, uint256 next) {
        uint8 major;
        (major, value, next) = readHeader(data, offset);
        if (major != MAJOR_UINT) revert CborUnexpectedType(offset, MAJOR_UINT, major);
    }

    function readInt(bytes memory data, uint256 offset) internal pure returns (int64 value, uint256 next) {
        (uint8 major, uint64 arg, uint256 after_) = readHeader(data, offset);
        if (major != MAJOR_UINT && major != MAJOR_NEGATIVE) revert CborUnexpectedType(offset, MAJOR_UINT, major);
        if (arg > uint64(type(int64).max)) revert CborOverflow(offset);
        value = major == MAJOR_UINT ? int64(arg) : -1 - int64(arg);
        next = after_;
    }

    function readBool(bytes memory data, uint256 offset) internal pure returns (bool value, uint256 next) {
        (uint8 major, uint64 arg, uint256 after_) = readHeader(data, offset);
        if (major != MAJOR_SIMPLE || arg == SIMPLE_NULL) revert CborUnexpectedType(offset, MAJOR_SIMPLE, major);
        return (arg == SIMPLE_TRUE, after_);
    }

    function readBytes(bytes memory data, uint256 offset) internal pure returns (bytes memory value, uint256 next) {
        return readString(data, offset, MAJOR_BYTES);
    }

    function readText(bytes memory data, uint256 offset) internal pure returns (string memory value, uint256 next) {
        bytes memory raw;
        (raw, next) = readString(data, offset, MAJOR_TEXT);
        value = string(raw);
    }

    function readArrayHeader(bytes memory data, uint256 offset) internal pure returns (uint64 length, uint256 next) {
        uint8 major;
        (major, length, next) = readHeader(data, offset);
        if (major != MAJOR_ARRAY) revert CborUnexpectedType(offset, MAJOR_ARRAY, major);
    }

    /// A tag-42 link; returns the binary CID without the 0x00 multibase prefix.
    function readCid(bytes memory data, uint256 offset) internal pure returns (bytes memory binaryCid, uint256 next) {
        (uint8 major, uint64 tag, uint256 pos) = readHeader(data, offset);
        if (major != MAJOR_TAG) revert CborUnexpectedType(offset, MAJOR_TAG, major);
        if (tag != TAG_CID) revert CborMalformed(offset);
        bytes memory prefixed;
        (prefixed, next) = readBytes(data, pos);
        if (prefixed.length < 2 || prefixed[0] != 0x00) revert CborMalformed(pos);
        binaryCid = slice(prefixed, 1, prefixed.length - 1);
    }

    /// Revert unless the top-level item ended exactly at the end of the data.
    function requireEnd(bytes memory data, uint256 offset) internal pure {
        if (offset != data.length) revert CborTrailingBytes(offset);
    }

    function readString(bytes memory data, uint256 offset, uint8 expected)
        private
        pure
        returns (bytes memory value, uint256 next)
    {
        (uint8 major, uint64 length, uint256 start) = readHeader(data, offset);
        if (major != expected) revert CborUnexpectedType(offset, expected, major);
        if (length > data.length - start) revert CborMalformed(offset);
        value = slice(data, start, length);
        next = start + length;
    }

    /// A copy of data[start : start + length] (the caller checked the bounds).
    function slice(bytes memory data, uint256 start, uint256 length) internal pure returns (bytes memory out) {
        out = new bytes(length);
        // Word copies: a byte loop would cost about 100 gas a byte.
        assembly ("memory-safe") {
            let src := add(add(data, 32), start)
            let dst := add(out, 32)
            for { let i := 0 } lt(i, length) { i := add(i, 32) } { mstore(add(dst, i), mload(add(src, i))) }
            // The last word may have copied bytes past `length`: zero them, so the padding is clean.
            mstore(add(dst, length), 0)
        }
    }
}
