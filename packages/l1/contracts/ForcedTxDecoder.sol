// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Utf8} from "./Utf8.sol";

/// @title ForcedTxDecoder
/// @notice The SSZ SignedTransaction of a forced transaction (FilverseBridge.forceTransaction), decoded
///         as the TypeScript decodes it (parseTransactionBytes and decodeSignedTx in packages/state
///         and packages/types): TOO_LARGE past MAX_TX_BYTES, MALFORMED for anything the SSZ codec
///         refuses, and otherwise the envelope with the message ABI-encoded as its Eip712Tx struct,
///         the form OneStepExecutor and the kind executors take a transaction in.
/// @dev    The envelope is Container{chainId: uint64, kind: uint8, body: ByteList[MAX_TX_BODY_BYTES],
///         signature: ByteVector[65]} and body the kind's message container, fields in EIP-712 member
///         order (packages/types/src/transactions.ts). MALFORMED, exactly as the chainsafe SSZ library and the
///         field codecs refuse: a fixed container of another size; a first offset other than the
///         fixed part's end, an offset past the end or below the one before; a ByteList past its
///         bound; a list's first offset 0, not a multiple of 4, or past the end, or more than its
///         bound's items; a bool other than 0 or 1; a uint64 above 2^53 − 1 (the chain id, every
///         message field, an order's); a string that is not strict UTF-8; a kind that is not a user
///         kind. Each of those is one code, so the order they are checked in does not matter.
///         Separate from OneStepExecutor for room (EIP-170).
contract ForcedTxDecoder {
    uint16 internal constant MALFORMED = 100;
    uint16 internal constant TOO_LARGE = 105;
    uint256 internal constant MAX_TX_BYTES = 40_960;
    uint256 internal constant MAX_TX_BODY_BYTES = MAX_TX_BYTES - 128;
    /// chainId (8) + kind (1) + body's offset (4) + signature (65).
    uint256 internal constant ENVELOPE_FIXED = 78;
    uint64 internal constant MAX_UINT64_SAFE = 2 ** 53 - 1;
    uint256 internal constant MAX_BATCH_MINT = 256;
    uint256 internal constant MAX_CID_BYTES = 128;
    uint256 internal constant ORDER_BYTES = 153;
    uint8 internal constant VIA = 0x80;
    uint256 internal constant VIA_PREFIX_BYTES = 40;
    /// MAX_SESSION_LIST: the bound of a SessionGrant's lists.
    uint256 internal constant MAX_SESSION_LIST = 4;

    struct Decoded {
        /// 0, MALFORMED (100) or TOO_LARGE (105); the other fields are set only for 0.
        uint16 code;
        uint64 chainId;
        uint8 kind;
        /// abi.encode of the kind's Eip712Tx struct.
        bytes message;
        bytes signature;
    }

    /// One field of the message: its type letter and where its bytes are in the body.
    struct Field {
        bytes1 t;
        uint256 start;
        uint256 end;
        /// A string list's item bounds (start, end), relative to the body.
        uint256[] items;
    }

    /// Decode `b` (the forced transaction's bytes, at most the bridge's 40,960).
    function decode(bytes calldata b) external pure returns (Decoded memory d) {
        if (b.length > MAX_TX_BYTES) {
            d.code = TOO_LARGE;
            return d;
        }
        d.code = MALFORMED;
        if (b.length < ENVELOPE_FIXED || _le(b, 9, 4) != ENVELOPE_FIXED) return d;
        if (b.length - ENVELOPE_FIXED > MAX_TX_BODY_BYTES) return d;
        uint256 chainId = _le(b, 0, 8);
        if (chainId > MAX_UINT64_SAFE) return d;
        uint8 kind = uint8(b[8]);
        // A Via (kind byte 0x80 | K): body = sponsor (20) ‖ account (20) ‖ K's container.
        bool via = kind >= VIA;
        bytes memory layout = _layout(via ? kind - VIA : kind);
        if (layout.length == 0) return d;
        bytes calldata body = b[ENVELOPE_FIXED:];
        if (via) {
            if (body.length < VIA_PREFIX_BYTES) return d;
            body = body[VIA_PREFIX_BYTES:];
        }
        (bool ok, Field[] memory fields) = _fields(body, layout);
        if (!ok) return d;
        d.code = 0;
        d.chainId = uint64(chainId);
        d.kind = kind;
        d.message = _abiEncode(body, fields);
        // A Via's message: sponsor ‖ account ‖ K's ABI message, as OneStepExecutor takes it.
        if (via) d.message = bytes.concat(b[ENVELOPE_FIXED:ENVELOPE_FIXED + VIA_PREFIX_BYTES], d.message);
        d.signature = b[13:ENVELOPE_FIXED];
    }

    /// The message's fields, one letter each, in SSZ (= EIP-712 member) order: a address, h bytes32,
    /// 1 uint8, 2 uint16, 8 uint64, w uint256, b bool, o Order, g a 65-byte signature; strings by
    /// bound: y 16, H 32 (a handle), n 64 (a name), k 64 (an attribute key), c 128 (a CID), L 256 (a
    /// license), v 1,024 (an attribute value); l a list of at most 256 CIDs; lists of at most 4
    /// fixed items: B bytes32, U uint256, A address. Empty: not a user kind.
    function _layout(uint8 kind) private pure returns (bytes memory) {
        if (kind == 1 || kind == 2) return "aw8w"; // Transfer, Withdraw
        if (kind == 10) return "ny28b8w"; // CollectionCreate
        if (kind == 11) return "h8ach8w"; // AssetMint
        if (kind == 12) return "h8alh8w"; // AssetBatchMint
        if (kind == 13 || kind == 16) return "h8ah8w"; // AssetTransfer, AssetApprove
        if (kind == 14) return "h8h8w"; // AssetBurn
        if (kind == 15) return "h8ch8w"; // AssetMetadataUpdate
        if (kind == 17) return "habh8w"; // OperatorSet
        if (kind == 20) return "ny1w8w"; // TokenCreate
        if (kind == 21 || kind == 22) return "hawh8w"; // TokenMint, TokenTransfer
        if (kind == 23) return "hwh8w"; // TokenBurn
        if (kind == 30) return "Hc8w"; // IdentityCreate
        if (kind == 31) return "hc8w"; // IdentityUpdate
        if (kind == 32) return "hkv88w"; // AttributeSet
        if (kind == 33) return "hk8w"; // AttributeRemove
        if (kind == 34) return "ha188w"; // DelegateAdd
        if (kind == 35 || kind == 36) return "ha8w"; // DelegateRevoke, IdentityTransfer
        if (kind == 40) return "cc8Lh8w"; // DataAssetRegister
        if (kind == 41) return "ha8h8w"; // AccessGrant
        if (kind == 42) return "hah8w"; // AccessRevoke
        if (kind == 50) return "og8w"; // TradeFill
        if (kind == 51) return "o8w"; // OrderCancel
        if (kind == 60) return "ahww8ww88w"; // FeeAllowanceSet
        if (kind == 61) return "ah8w"; // FeeAllowanceRevoke
        if (kind == 62) return "ahg8www8BUUBA88w"; // SessionGrant
        if (kind == 63) return "aa8w"; // SessionRevoke
        return "";
    }

    /// A fixed field's SSZ size; 0 for a variable one (its 4-byte offset in the fixed part).
    function _fixedSize(bytes1 t) private pure returns (uint256) {
        if (t == "a") return 20;
        if (t == "h" || t == "w") return 32;
        if (t == "1" || t == "b") return 1;
        if (t == "2") return 2;
        if (t == "8") return 8;
        if (t == "o") return ORDER_BYTES;
        if (t == "g") return 65;
        return 0;
    }

    function _stringBound(bytes1 t) private pure returns (uint256) {
        if (t == "y") return 16;
        if (t == "H") return 32;
        if (t == "n" || t == "k") return 64;
        if (t == "c") return MAX_CID_BYTES;
        if (t == "L") return 256;
        return 1024; // "v"
    }

    /// The container's field ranges (the SSZ offset rules) and every field's value rules.
    function _fields(bytes calldata body, bytes memory layout) private pure returns (bool, Field[] memory f) {
        uint256 n = layout.length;
        f = new Field[](n);
        uint256 fixedEnd = 0;
        bool variable = false;
        for (uint256 i = 0; i < n; i++) {
            uint256 size = _fixedSize(layout[i]);
            f[i].t = layout[i];
            f[i].start = fixedEnd;
            f[i].end = fixedEnd + size;
            if (size == 0) variable = true;
            fixedEnd += size == 0 ? 4 : size;
        }
        if (variable ? body.length < fixedEnd : body.length != fixedEnd) return (false, f);
        // Variable fields: their offsets, the first at the fixed part's end, none decreasing, none past the end.
        uint256 last = type(uint256).max;
        for (uint256 i = 0; i < n; i++) {
            if (f[i].end != f[i].start) continue;
            uint256 off = _le(body, f[i].start, 4);
            if (off > body.length) return (false, f);
            if (last == type(uint256).max ? off != fixedEnd : off < f[last].start) return (false, f);
            if (last != type(uint256).max) f[last].end = off;
            f[i].start = off;
            last = i;
        }
        if (last != type(uint256).max) f[last].end = body.length;
        for (uint256 i = 0; i < n; i++) {
            if (!_fieldValid(body, f[i])) return (false, f);
        }
        return (true, f);
    }

    function _fieldValid(bytes calldata body, Field memory x) private pure returns (bool) {
        bytes1 t = x.t;
        if (t == "8") return _le(body, x.start, 8) <= MAX_UINT64_SAFE;
        if (t == "b") return uint8(body[x.start]) <= 1;
        if (t == "o") {
            // Order: maker 20, side 1, collectionId 32, tokenId 8 (at 53), price 32, taker 20, expiresAt 8 (at 113), salt 32.
            return _le(body, x.start + 53, 8) <= MAX_UINT64_SAFE && _le(body, x.start + 113, 8) <= MAX_UINT64_SAFE;
        }
        if (t == "l") return _listValid(body, x);
        if (_fixedList(t) != 0) {
            uint256 size = x.end - x.start;
            return size % _fixedList(t) == 0 && size / _fixedList(t) <= MAX_SESSION_LIST;
        }
        if (_fixedSize(t) != 0) return true;
        return x.end - x.start <= _stringBound(t) && _utf8(body, x.start, x.end);
    }

    /// List[ByteList[128], 256] (contentCids): its offsets, then each CID's bound and UTF-8.
    function _listValid(bytes calldata body, Field memory x) private pure returns (bool) {
        uint256 size = x.end - x.start;
        if (size == 0) {
            x.items = new uint256[](0);
            return true;
        }
        if (size < 4) return false;
        uint256 first = _le(body, x.start, 4);
        if (first == 0 || first % 4 != 0 || first > size) return false;
        uint256 count = first / 4;
        if (count > MAX_BATCH_MINT) return false;
        uint256[] memory items = new uint256[](count + 1);
        items[0] = first;
        for (uint256 j = 1; j < count; j++) {
            uint256 off = _le(body, x.start + 4 * j, 4);
            if (off > size || off < items[j - 1]) return false;
            items[j] = off;
        }
        items[count] = size;
        for (uint256 j = 0; j < count; j++) {
            uint256 a = x.start + items[j];
            uint256 e = x.start + items[j + 1];
            if (e - a > MAX_CID_BYTES || !_utf8(body, a, e)) return false;
        }
        x.items = items;
        return true;
    }

    /// abi.encode of the Eip712Tx struct: a head word per field (an Order's eight inline), the
    /// strings, the signature bytes and the string list in the tail; a struct with any of those is
    /// dynamic, so its encoding starts with the offset 0x20.
    function _abiEncode(bytes calldata body, Field[] memory f) private pure returns (bytes memory out) {
        uint256 head = 0;
        uint256 tail = 0;
        for (uint256 i = 0; i < f.length; i++) {
            bytes1 t = f[i].t;
            head += t == "o" ? 8 * 32 : 32;
            if (t == "l") {
                uint256[] memory it = f[i].items;
                uint256 count = it.length == 0 ? 0 : it.length - 1;
                tail += 32 + 32 * count;
                for (uint256 j = 0; j < count; j++) tail += 32 + _ceil32(it[j + 1] - it[j]);
            } else if (_fixedList(t) != 0) {
                tail += 32 + 32 * ((f[i].end - f[i].start) / _fixedList(t));
            } else if (_dynamic(t)) {
                tail += 32 + _ceil32(f[i].end - f[i].start);
            }
        }
        bool dynamic = tail > 0;
        out = new bytes((dynamic ? 32 : 0) + head + tail);
        uint256 tuple;
        assembly ("memory-safe") {
            tuple := add(out, 0x20)
        }
        if (dynamic) {
            _store(tuple, 0x20);
            tuple += 32;
        }
        uint256 h = tuple;
        uint256 tp = tuple + head;
        for (uint256 i = 0; i < f.length; i++) {
            tp = _writeField(body, f[i], h, tp, tuple);
            h += f[i].t == "o" ? 8 * 32 : 32;
        }
    }

    /// One field's head at `h` (and its tail at `tp`, for a dynamic one); returns the tail's end.
    function _writeField(bytes calldata body, Field memory x, uint256 h, uint256 tp, uint256 tuple)
        private
        pure
        returns (uint256)
    {
        bytes1 t = x.t;
        if (t == "o") {
            _writeOrder(body, x.start, h);
        } else if (t == "l") {
            _store(h, tp - tuple);
            return _writeList(body, x, tp);
        } else if (_fixedList(t) != 0) {
            _store(h, tp - tuple);
            return _writeFixedList(body, x, tp);
        } else if (_dynamic(t)) {
            _store(h, tp - tuple);
            return _bytesAt(body, x.start, x.end, tp);
        } else if (t == "a") {
            _store(h, _be(body, x.start, 20) >> 96);
        } else if (t == "h") {
            _store(h, _be(body, x.start, 32));
        } else {
            _store(h, _le(body, x.start, x.end - x.start)); // 1, 2, 8, w, b
        }
        return tp;
    }

    /// An Order's eight fields as eight inline words at `h`.
    function _writeOrder(bytes calldata body, uint256 s, uint256 h) private pure {
        _store(h, _be(body, s, 20) >> 96); // maker
        _store(h + 32, uint8(body[s + 20])); // side
        _store(h + 64, _be(body, s + 21, 32)); // collectionId
        _store(h + 96, _le(body, s + 53, 8)); // tokenId
        _store(h + 128, _le(body, s + 61, 32)); // price
        _store(h + 160, _be(body, s + 93, 20) >> 96); // taker
        _store(h + 192, _le(body, s + 113, 8)); // expiresAt
        _store(h + 224, _le(body, s + 121, 32)); // salt
    }

    /// A string[] at `tp`: its length, an offset per item (from after the length), then the items.
    function _writeList(bytes calldata body, Field memory x, uint256 tp) private pure returns (uint256 ep) {
        uint256[] memory it = x.items;
        uint256 count = it.length == 0 ? 0 : it.length - 1;
        _store(tp, count);
        uint256 items = tp + 32;
        ep = items + 32 * count;
        for (uint256 j = 0; j < count; j++) {
            _store(items + 32 * j, ep - items);
            ep = _bytesAt(body, x.start + it[j], x.start + it[j + 1], ep);
        }
    }

    /// body[a:e] is strict UTF-8: ASCII a word at a time, else Utf8.isValid.
    function _utf8(bytes calldata body, uint256 a, uint256 e) private pure returns (bool) {
        uint256 high = 0;
        for (uint256 i = a; i < e; i += 32) {
            uint256 w;
            assembly ("memory-safe") {
                w := calldataload(add(body.offset, i))
            }
            // Only the bytes before e count: calldataload reads past it (zeros past the calldata).
            if (e - i < 32) w &= ~(type(uint256).max >> (8 * (e - i)));
            high |= w;
        }
        if (high & 0x8080808080808080808080808080808080808080808080808080808080808080 == 0) return true;
        return Utf8.isValid(body[a:e]);
    }

    /// A list of fixed items: the SSZ size of one item; 0 for any other field.
    function _fixedList(bytes1 t) private pure returns (uint256) {
        if (t == "B" || t == "U") return 32;
        if (t == "A") return 20;
        return 0;
    }

    /// A bytes32[], uint256[] or address[] at `tp`: its length, then one word per item.
    function _writeFixedList(bytes calldata body, Field memory x, uint256 tp) private pure returns (uint256) {
        uint256 item = _fixedList(x.t);
        uint256 count = (x.end - x.start) / item;
        _store(tp, count);
        for (uint256 j = 0; j < count; j++) {
            uint256 a = x.start + item * j;
            uint256 w = x.t == "U" ? _le(body, a, 32) : x.t == "A" ? _be(body, a, 20) >> 96 : _be(body, a, 32);
            _store(tp + 32 + 32 * j, w);
        }
        return tp + 32 + 32 * count;
    }

    function _dynamic(bytes1 t) private pure returns (bool) {
        return t == "g" || _fixedSize(t) == 0;
    }

    /// Write body[a:e] as ABI bytes (length, then the data, zero-padded) at `p`; returns the end.
    function _bytesAt(bytes calldata body, uint256 a, uint256 e, uint256 p) private pure returns (uint256) {
        uint256 len = e - a;
        _store(p, len);
        assembly ("memory-safe") {
            calldatacopy(add(p, 0x20), add(body.offset, a), len)
        }
        return p + 32 + _ceil32(len);
    }

    function _store(uint256 p, uint256 v) private pure {
        assembly ("memory-safe") {
            mstore(p, v)
        }
    }

    function _ceil32(uint256 n) private pure returns (uint256) {
        return (n + 31) & ~uint256(31);
    }

    /// `len` bytes at `at`, little-endian.
    function _le(bytes calldata b, uint256 at, uint256 len) private pure returns (uint256 v) {
        for (uint256 i = 0; i < len; i++) {
            v |= uint256(uint8(b[at + i])) << (8 * i);
        }
    }

    /// `len` (≤ 32) bytes at `at` as the high bytes of a word.
    function _be(bytes calldata b, uint256 at, uint256 len) private pure returns (uint256 v) {
        bytes calldata s = b[at:at + len];
        assembly ("memory-safe") {
            v := calldataload(s.offset)
        }
        if (len < 32) v &= ~(type(uint256).max >> (8 * len));
    }
}
