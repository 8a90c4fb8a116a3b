// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Utf8
/// @notice Strict UTF-8 (RFC 3629, the WHATWG decoder with fatal set, which the TypeScript string
///         fields use): no overlong forms, no surrogates (U+D800–U+DFFF), nothing past U+10FFFF, no
///         truncated sequence. A byte-order mark is an ordinary character.
library Utf8 {
    function isValid(bytes memory s) internal pure returns (bool) {
        uint256 n = s.length;
        uint256 i = 0;
        while (i < n) {
            uint8 c = uint8(s[i]);
            if (c < 0x80) {
                i += 1;
                continue;
            }
            uint256 extra;
            uint8 lo = 0x80;
            uint8 hi = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                extra = 1;
            } else if (c >= 0xe0 && c <= 0xef) {
                extra = 2;
                if (c == 0xe0) lo = 0xa0;
                else if (c == 0xed) hi = 0x9f;
            } else if (c >= 0xf0 && c <= 0xf4) {
                extra = 3;
                if (c == 0xf0) lo = 0x90;
                else if (c == 0xf4) hi = 0x8f;
            } else {
                return false;
            }
            if (i + extra >= n) return false; // truncated
            uint8 c1 = uint8(s[i + 1]);
            if (c1 < lo || c1 > hi) return false;
            for (uint256 k = 2; k <= extra; k++) {
                uint8 ck = uint8(s[i + k]);
                if (ck < 0x80 || ck > 0xbf) return false;
            }
            i += extra + 1;
        }
        return true;
    }

    /// Valid UTF-8 of 1 to `maxBytes` bytes (or 0 to, with `allowEmpty`).
    function isBounded(bytes memory s, uint256 maxBytes, bool allowEmpty) internal pure returns (bool) {
        if (s.length > maxBytes || (!allowEmpty && s.length == 0)) return false;
        return isValid(s);
    }
}
