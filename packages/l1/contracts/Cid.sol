// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Utf8} from "./Utf8.sol";

/// @title Cid
/// @notice The two CID field rules of packages/state, byte for byte:
///         - isCid: what multiformats 13.4.2's `CID.parse(s)` (no base given) accepts, the rule of
///           contentCid and profileCid;
///         - isPieceCid: what packages/crypto's `parsePieceCid(s)` accepts, the rule of pieceCid.
///         `s` is the field's UTF-8 bytes, which the SSZ codec keeps to MAX_CID_BYTES (128) valid
///         UTF-8 bytes; invalid UTF-8 is rejected here too.
///
///         CID.parse, as the library does it (not as the CID specification reads):
///         - the multibase: `Q…` base58btc of the whole string (CIDv0), `z…` base58btc, `b…` base32
///           (lowercase RFC 4648; any number of trailing `=` is dropped; the leftover bits must be
///           fewer than 5 and zero), `k…` base36 (lowercase), nothing else. The base58 and base36
///           decoders (base-x) turn each leading `1` (`0` for base36) into a zero byte and read the
///           rest as a big-endian number; a character outside the alphabet is rejected, except a
///           UTF-16 code unit above U+00FF, which base-x does not reject: its table lookup gives
///           undefined, which becomes NaN in the lowest byte, so the number N becomes
///           base·(N − N mod 256). A character outside the BMP is two such units.
///         - the bytes: unsigned varints that need not be minimal (a value is the sum of its 7-bit
///           groups). The first is the version: 18 (a sha2-256 multihash code) means CIDv0 and is
///           re-read as the multihash code, then the digest length; 0 or 1 is followed by the codec
///           (any), the multihash code (any) and the digest length; anything else is rejected. The
///           digest length must equal the bytes left exactly. A CIDv0 (version 18 or 0) must come
///           from a `Q…` string. Nothing checks the codec, the hash code or the digest size further.
///         Within 128 bytes no varint reaches the 147 groups where JavaScript's arithmetic turns to
///         NaN or Infinity; the varint reader still treats a varint of 148 bytes or more as no small
///         number, as JavaScript does.
library Cid {
    /// Multibase and multicodec numbers.
    uint256 private constant SHA2_256 = 0x12;
    uint256 private constant FIL_COMMITMENT_UNSEALED = 0xf101;
    uint256 private constant SHA2_256_TRUNC254_PADDED = 0x1012;
    uint256 private constant RAW = 0x55;
    uint256 private constant FR32_SHA256_TRUNC254_PADBINTREE = 0x1011;
    uint256 private constant MIN_PIECE_HEIGHT = 2;
    uint256 private constant MAX_PIECE_HEIGHT = 31;
    /// A varint value too large to equal any length (also JavaScript's NaN and Infinity).
    uint256 private constant HUGE = type(uint256).max;

    /// True iff multiformats' CID.parse(s) (no base given) accepts s. What it accepts is valid
    /// UTF-8: a non-ASCII byte is refused in base32, and in base58 and base36 it is read only
    /// once Utf8.isValid(s) holds.
    function isCid(bytes memory s) internal pure returns (bool) {
        if (s.length == 0) return false;
        bytes1 prefix = s[0];
        bool ok;
        bytes memory b;
        if (prefix == "Q") (ok, b) = _baseX(s, 0, 58);
        else if (prefix == "z") (ok, b) = _baseX(s, 1, 58);
        else if (prefix == "b") (ok, b) = _base32(s, true);
        else if (prefix == "k") (ok, b) = _baseX(s, 1, 36);
        else return false;
        if (!ok) return false;
        return _cidBytes(b, prefix == "Q");
    }

    /// True iff packages/crypto's parsePieceCid(s) accepts s: a v1 (`baga6ea4seaq…`) or v2
    /// (`bafkzcib…`, FRC-0069) Piece CID in lowercase unpadded base32 with minimal varints, a trunc254
    /// root, a v2 height from 2 to 31 and a padding that leaves the payload more than half the piece.
    function isPieceCid(bytes memory s) internal pure returns (bool) {
        if (s.length == 0 || s[0] != "b") return false;
        (bool ok, bytes memory b) = _base32(s, false);
        if (!ok) return false;
        uint256 o;
        uint256 version;
        uint256 codec;
        uint256 hashCode;
        uint256 digestLength;
        (ok, version, o) = _strictVarint(b, 0);
        if (!ok || version != 1) return false;
        (ok, codec, o) = _strictVarint(b, o);
        if (!ok) return false;
        (ok, hashCode, o) = _strictVarint(b, o);
        if (!ok) return false;
        (ok, digestLength, o) = _strictVarint(b, o);
        if (!ok || digestLength != b.length - o) return false;
        if (codec == FIL_COMMITMENT_UNSEALED && hashCode == SHA2_256_TRUNC254_PADDED) {
            return digestLength == 32 && _isTrunc254(b);
        }
        if (codec == RAW && hashCode == FR32_SHA256_TRUNC254_PADBINTREE) {
            uint256 padding;
            (ok, padding, o) = _strictVarint(b, o);
            if (!ok || b.length - o != 33) return false;
            uint256 height = uint8(b[o]);
            if (!_isTrunc254(b) || height < MIN_PIECE_HEIGHT || height > MAX_PIECE_HEIGHT) return false;
            // 127·2^(height−2) payload bytes at most; above the smallest height the payload must need
            // this height, i.e. be more than half of that (padding < 127·2^(height−3)).
            uint256 unpadded = 127 << (height - MIN_PIECE_HEIGHT);
            if (height == MIN_PIECE_HEIGHT) return padding <= unpadded;
            return padding < unpadded / 2;
        }
        return false;
    }

    /// The byte rules of CID.parse after the multibase (see the library's notice).
    function _cidBytes(bytes memory b, bool fromQ) private pure returns (bool) {
        (bool ok, uint256 version, uint256 o) = _looseVarint(b, 0);
        if (!ok) return false;
        uint256 digestLength;
        if (version == SHA2_256) {
            // CIDv0: the bytes are a multihash; the version varint is its code.
            (ok, digestLength, o) = _looseVarint(b, o);
            return ok && fromQ && digestLength == b.length - o;
        }
        if (version > 1 || (version == 0 && !fromQ)) return false;
        (ok,, o) = _looseVarint(b, o); // codec
        if (!ok) return false;
        (ok,, o) = _looseVarint(b, o); // multihash code
        if (!ok) return false;
        (ok, digestLength, o) = _looseVarint(b, o);
        return ok && digestLength == b.length - o;
    }

    /// multiformats' varint reader: 7-bit groups, least significant first, until a byte below 0x80;
    /// false if the bytes end first. Not minimal; a value of 64 bits or more, or of 148 bytes or
    /// more (NaN or Infinity in JavaScript), is HUGE. Returns the offset after it.
    function _looseVarint(bytes memory b, uint256 o) private pure returns (bool, uint256, uint256) {
        uint256 n = b.length;
        uint256 value;
        bool huge;
        unchecked {
            for (uint256 k = 0;; k++) {
                if (o + k >= n) return (false, 0, 0);
                uint256 c = uint8(b[o + k]);
                uint256 group = c & 0x7f;
                if (k >= 147) huge = true;
                else if (group != 0) {
                    if (k >= 9) huge = true;
                    else value |= group << (7 * k);
                }
                if (c < 0x80) return (true, huge || value >= 1 << 63 ? HUGE : value, o + k + 1);
            }
        }
    }

    /// packages/crypto's Piece CID varint reader: at most 8 bytes, minimal (no final zero byte after
    /// the first).
    function _strictVarint(bytes memory b, uint256 o) private pure returns (bool, uint256, uint256) {
        uint256 n = b.length;
        uint256 value;
        unchecked {
            for (uint256 k = 0; k < 8; k++) {
                if (o + k >= n) return (false, 0, 0);
                uint256 c = uint8(b[o + k]);
                value |= (c & 0x7f) << (7 * k);
                if (c < 0x80) {
                    if (c == 0 && k > 0) return (false, 0, 0);
                    return (true, value, o + k + 1);
                }
            }
        }
        return (false, 0, 0);
    }

    /// The last byte of `b` (the root's) has its top two bits clear.
    function _isTrunc254(bytes memory b) private pure returns (bool) {
        return uint8(b[b.length - 1]) & 0xc0 == 0;
    }

    /// Lowercase base32 (RFC 4648 alphabet) of s[1:]. With `dropPadding`, trailing `=` are ignored
    /// first (multiformats). The leftover bits must be fewer than five and zero.
    function _base32(bytes memory s, bool dropPadding) private pure returns (bool, bytes memory) {
        uint256 end = s.length;
        if (dropPadding) {
            while (end > 1 && s[end - 1] == "=") end--;
        }
        uint256 chars = end - 1;
        uint256 bits = (chars * 5) % 8;
        bytes memory out = new bytes((chars * 5) / 8);
        if (bits >= 5) return (false, out);
        uint256 buffer;
        uint256 have;
        uint256 j;
        unchecked {
            for (uint256 i = 1; i < end; i++) {
                uint256 c;
                assembly ("memory-safe") {
                    c := byte(0, mload(add(add(s, 32), i)))
                }
                // a-z, then 2-7 (an unsigned difference wraps past the range for smaller bytes)
                uint256 v = c - 0x61;
                if (v >= 26) {
                    v = c - 0x32;
                    if (v >= 6) return (false, out);
                    v += 26;
                }
                buffer = (buffer << 5) | v;
                have += 5;
                if (have >= 8) {
                    have -= 8;
                    uint256 byteValue = (buffer >> have) & 0xff;
                    assembly ("memory-safe") {
                        mstore8(add(add(out, 32), j), byteValue)
                    }
                    j++;
                    buffer &= (1 << have) - 1;
                }
            }
        }
        // `have` == bits: what is left must be zero.
        return (buffer == 0, out);
    }

    /// A base58btc (base 58) or base36 (base 36) digit, or 255.
    function _digit(uint256 c, uint256 base) private pure returns (uint256) {
        if (base == 58) {
            if (c >= 0x31 && c <= 0x39) return c - 0x31; // 1-9
            if (c >= 0x41 && c <= 0x48) return c - 0x41 + 9; // A-H
            if (c >= 0x4a && c <= 0x4e) return c - 0x4a + 17; // J-N
            if (c >= 0x50 && c <= 0x5a) return c - 0x50 + 22; // P-Z
            if (c >= 0x61 && c <= 0x6b) return c - 0x61 + 33; // a-k
            if (c >= 0x6d && c <= 0x7a) return c - 0x6d + 44; // m-z
            return 255;
        }
        if (c >= 0x30 && c <= 0x39) return c - 0x30; // 0-9
        if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 10; // a-z
        return 255;
    }

    /// A big number in 128-bit limbs, least significant first, with the digits not yet multiplied in.
    struct Num {
        uint256[] limbs;
        uint256 used; // limbs in use
        uint256 run; // digits gathered, not yet multiplied in
        uint256 weight; // base^(digits in run)
    }

    /// base-x (base58btc, base36) of s[start:]: a zero byte per leading leader (`1`, `0`), then the
    /// number the other digits make, big-endian without leading zeros. Digits are gathered in runs
    /// whose weight stays below 2^128 and multiplied in once per run, so the work is about
    /// (digits/21)·limbs.
    function _baseX(bytes memory s, uint256 start, uint256 base) private pure returns (bool, bytes memory) {
        uint256 n = s.length;
        uint256 i = start;
        {
            bytes1 leader = base == 58 ? bytes1("1") : bytes1("0");
            while (i < n && s[i] == leader) i++;
        }
        uint256 zeroes = i - start;
        // Each UTF-16 unit adds under 6 bits (58 < 64) and takes at least one byte.
        Num memory num = Num(new uint256[](((n - i) * 6) / 128 + 1), 0, 0, 1);
        bool checkedUtf8;
        unchecked {
            while (i < n) {
                uint256 c;
                assembly ("memory-safe") {
                    c := byte(0, mload(add(add(s, 32), i)))
                }
                if (c < 0x80) {
                    uint256 d = _digit(c, base);
                    if (d == 255) return (false, "");
                    num.run = num.run * base + d;
                    num.weight *= base;
                    i++;
                    if (num.weight * base >= 1 << 128) _flush(num);
                    continue;
                }
                // Not ASCII: a code point from U+0080 to U+00FF is outside the table (rejected);
                // above it, each UTF-16 unit is base-x's undefined digit.
                if (!checkedUtf8) {
                    if (!Utf8.isValid(s)) return (false, "");
                    checkedUtf8 = true;
                }
                if (c < 0xc4) return (false, ""); // U+0080–U+00FF (or not a lead byte)
                _flush(num);
                if (c < 0xe0) {
                    _undefinedDigit(num, base);
                    i += 2;
                } else if (c < 0xf0) {
                    _undefinedDigit(num, base);
                    i += 3;
                } else {
                    // Outside the BMP: two surrogates, two undefined digits.
                    _undefinedDigit(num, base);
                    _undefinedDigit(num, base);
                    i += 4;
                }
            }
        }
        _flush(num);
        return (true, _toBytes(num.limbs, num.used, zeroes));
    }

    /// Multiplies the gathered run in.
    function _flush(Num memory num) private pure {
        num.used = _mulAdd(num.limbs, num.used, num.weight, num.run);
        num.run = 0;
        num.weight = 1;
    }

    /// base-x's undefined digit: NaN in the lowest byte, which becomes 0 with no carry, so
    /// N → base·(N − N mod 256).
    function _undefinedDigit(Num memory num, uint256 base) private pure {
        if (num.used > 0) num.limbs[0] &= ~uint256(0xff);
        num.used = _mulAdd(num.limbs, num.used, base, 0);
    }

    /// limbs = limbs·m + a (m, a < 2^128); returns the limbs in use.
    function _mulAdd(uint256[] memory limbs, uint256 used, uint256 m, uint256 a) private pure returns (uint256) {
        if (m == 1 && a == 0) return used;
        uint256 carry = a;
        unchecked {
            for (uint256 k = 0; k < used; k++) {
                uint256 t = limbs[k] * m + carry;
                limbs[k] = t & type(uint128).max;
                carry = t >> 128;
            }
            while (carry != 0) {
                limbs[used++] = carry & type(uint128).max;
                carry >>= 128;
            }
            // Trim limbs that became zero at the top (only a weird digit can lower the number).
            while (used > 0 && limbs[used - 1] == 0) used--;
        }
        return used;
    }

    /// `zeroes` zero bytes, then the number big-endian without leading zeros.
    function _toBytes(uint256[] memory limbs, uint256 used, uint256 zeroes) private pure returns (bytes memory out) {
        uint256 topBytes;
        if (used > 0) {
            uint256 top = limbs[used - 1];
            while (top != 0) {
                topBytes++;
                top >>= 8;
            }
        }
        uint256 len = used == 0 ? 0 : (used - 1) * 16 + topBytes;
        out = new bytes(zeroes + len);
        unchecked {
            uint256 j = zeroes + len;
            for (uint256 k = 0; k < used; k++) {
                uint256 limb = limbs[k];
                uint256 count = k + 1 == used ? topBytes : 16;
                for (uint256 q = 0; q < count; q++) {
                    j--;
                    uint256 byteValue = limb & 0xff;
                    assembly ("memory-safe") {
                        mstore8(add(add(out, 32), j), byteValue)
                    }
                    limb >>= 8;
                }
            }
        }
    }
}
