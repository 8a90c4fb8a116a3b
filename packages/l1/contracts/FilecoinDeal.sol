// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Cbor} from "./Cbor.sol";

/// @title FilecoinDeal
/// @notice Filecoin's storage-market DealProposal and the values inside it, in the CBOR forms the
///         market actor (builtin-actors `market`) and Boost (go-state-types `market.DealProposal`) use.
/// @dev    DealProposal is a CBOR array of 11 items, in this order:
///           [piece_cid: tag 42 CID, piece_size: uint, verified_deal: bool, client: address bytes,
///            provider: address bytes, label: text, start_epoch: int, end_epoch: int,
///            storage_price_per_epoch: bigint, provider_collateral: bigint, client_collateral: bigint]
///         Filecoin address bytes: protocol byte ‖ payload. ID (f0): 0x00 ‖ uvarint(id).
///         Delegated (f4): 0x04 ‖ uvarint(namespace) ‖ subaddress; an EVM actor is f410: 0x04 0x0a ‖ 20 bytes.
///         Big integers (TokenAmount): a byte string, empty for zero, else a sign byte (0x00 positive,
///         0x01 negative) ‖ the big-endian magnitude without leading zeros.
library FilecoinDeal {
    struct DealProposal {
        /// The binary CID (v1, fil-commitment-unsealed, sha2-256-trunc254-padded), without the 0x00 prefix.
        bytes pieceCid;
        uint64 pieceSize;
        bool verifiedDeal;
        /// Filecoin address bytes.
        bytes client;
        bytes provider;
        /// A text label (Boost parses it as the payload CID).
        string label;
        int64 startEpoch;
        int64 endEpoch;
        uint256 storagePricePerEpoch;
        uint256 providerCollateral;
        uint256 clientCollateral;
    }

    /// FRC-42 method numbers (the hash of the method name) the market and datacap actors call on a client.
    uint64 internal constant AUTHENTICATE_MESSAGE_METHOD = 2643134072; // "AuthenticateMessage"
    uint64 internal constant MARKET_NOTIFY_DEAL_METHOD = 4186741094; // "MarketNotifyDeal"
    uint64 internal constant DATACAP_RECEIVER_HOOK_METHOD = 3726118371; // FRC-46 "Receive"

    /// IPLD codecs of handle_filecoin_method's params and return (raw CBOR and DAG-CBOR).
    uint64 internal constant CODEC_NONE = 0;
    uint64 internal constant CODEC_CBOR = 0x51;
    uint64 internal constant CODEC_DAG_CBOR = 0x71;

    uint8 private constant PROTOCOL_ID = 0;
    uint8 private constant PROTOCOL_DELEGATED = 4;
    uint8 private constant EAM_NAMESPACE = 10;

    /// The market actor refuses longer labels (builtin-actors market policy DEAL_MAX_LABEL_SIZE).
    uint256 internal constant MAX_LABEL_BYTES = 256;
    /// The smallest padded piece: one 128-byte quad (4 × 32-byte nodes).
    uint64 internal constant MIN_PIECE_SIZE = 128;

    /// The prefix of a v1 piece CID: version 1, codec 0xf101 (fil-commitment-unsealed), multihash
    /// 0x1012 (sha2-256-trunc254-padded) of 32 bytes. The 32-byte root (CommP) follows.
    bytes7 internal constant PIECE_CID_V1_PREFIX = 0x0181e203922020;
    uint256 internal constant PIECE_CID_V1_LENGTH = 39;

    error NegativeBigInt(uint256 offset);
    error BigIntTooLarge(uint256 offset);

    // ---------------------------------------------------------------- DealProposal

    function encodeDealProposal(DealProposal memory p) internal pure returns (bytes memory) {
        return bytes.concat(
            bytes.concat(
                Cbor.arrayHeader(11),
                Cbor.encodeCid(p.pieceCid),
                Cbor.encodeUint(p.pieceSize),
                Cbor.encodeBool(p.verifiedDeal),
                Cbor.encodeBytes(p.client),
                Cbor.encodeBytes(p.provider),
                Cbor.encodeText(p.label)
            ),
            Cbor.encodeInt(p.startEpoch),
            Cbor.encodeInt(p.endEpoch),
            encodeBigInt(p.storagePricePerEpoch),
            encodeBigInt(p.providerCollateral),
            encodeBigInt(p.clientCollateral)
        );
    }

    /// Decode a whole DealProposal; a byte-string label is refused (this contract family only makes
    /// text labels), and so are negative amounts.
    function decodeDealProposal(bytes memory data) internal pure returns (DealProposal memory p) {
        (uint64 length, uint256 pos) = Cbor.readArrayHeader(data, 0);
        if (length != 11) revert Cbor.CborMalformed(0);
        (p.pieceCid, pos) = Cbor.readCid(data, pos);
        (p.pieceSize, pos) = Cbor.readUint(data, pos);
        (p.verifiedDeal, pos) = Cbor.readBool(data, pos);
        (p.client, pos) = Cbor.readBytes(data, pos);
        (p.provider, pos) = Cbor.readBytes(data, pos);
        (p.label, pos) = Cbor.readText(data, pos);
        (p.startEpoch, pos) = Cbor.readInt(data, pos);
        (p.endEpoch, pos) = Cbor.readInt(data, pos);
        (p.storagePricePerEpoch, pos) = readBigInt(data, pos);
        (p.providerCollateral, pos) = readBigInt(data, pos);
        (p.clientCollateral, pos) = readBigInt(data, pos);
        Cbor.requireEnd(data, pos);
    }

    // ---------------------------------------------------------------- params of client methods

    /// AuthenticateMessageParams: [signature: bytes, message: bytes].
    function decodeAuthenticateMessageParams(bytes memory data)
        internal
        pure
        returns (bytes memory signature, bytes memory message)
    {
        (uint64 length, uint256 pos) = Cbor.readArrayHeader(data, 0);
        if (length != 2) revert Cbor.CborMalformed(0);
        (signature, pos) = Cbor.readBytes(data, pos);
        (message, pos) = Cbor.readBytes(data, pos);
        Cbor.requireEnd(data, pos);
    }

    function encodeAuthenticateMessageParams(bytes memory signature, bytes memory message)
        internal
        pure
        returns (bytes memory)
    {
        return bytes.concat(Cbor.arrayHeader(2), Cbor.encodeBytes(signature), Cbor.encodeBytes(message));
    }

    /// MarketNotifyDealParams: [proposal: bytes (the CBOR DealProposal), deal_id: uint].
    function decodeMarketNotifyDealParams(bytes memory data)
        internal
        pure
        returns (bytes memory proposal, uint64 dealId)
    {
        (uint64 length, uint256 pos) = Cbor.readArrayHeader(data, 0);
        if (length != 2) revert Cbor.CborMalformed(0);
        (proposal, pos) = Cbor.readBytes(data, pos);
        (dealId, pos) = Cbor.readUint(data, pos);
        Cbor.requireEnd(data, pos);
    }

    function encodeMarketNotifyDealParams(bytes memory proposal, uint64 dealId) internal pure returns (bytes memory) {
        return bytes.concat(Cbor.arrayHeader(2), Cbor.encodeBytes(proposal), Cbor.encodeUint(dealId));
    }

    // ---------------------------------------------------------------- big integers

    function encodeBigInt(uint256 value) internal pure returns (bytes memory) {
        if (value == 0) return Cbor.encodeBytes("");
        uint256 size = 32;
        while (value >> (8 * (size - 1)) == 0) size--;
        bytes memory magnitude = new bytes(size);
        for (uint256 i = 0; i < size; i++) {
            magnitude[i] = bytes1(uint8(value >> (8 * (size - 1 - i))));
        }
        return Cbor.encodeBytes(bytes.concat(hex"00", magnitude));
    }

    /// A non-negative big integer that fits 256 bits.
    function readBigInt(bytes memory data, uint256 offset) internal pure returns (uint256 value, uint256 next) {
        bytes memory raw;
        (raw, next) = Cbor.readBytes(data, offset);
        if (raw.length == 0) return (0, next);
        if (raw[0] != 0x00) revert NegativeBigInt(offset);
        if (raw.length > 33) revert BigIntTooLarge(offset);
        for (uint256 i = 1; i < raw.length; i++) {
            value = (value << 8) | uint8(raw[i]);
        }
    }

    // ---------------------------------------------------------------- addresses

    /// The f410 address of an EVM account or contract: 0x04 ‖ 0x0a ‖ the 20 bytes.
    function delegatedAddress(address account) internal pure returns (bytes memory) {
        return abi.encodePacked(PROTOCOL_DELEGATED, EAM_NAMESPACE, account);
    }

    /// The eth address inside an f410 address, or ok = false for any other address.
    function ethAddressOf(bytes memory filAddress) internal pure returns (bool ok, address account) {
        if (filAddress.length != 22 || uint8(filAddress[0]) != PROTOCOL_DELEGATED) return (false, address(0));
        if (uint8(filAddress[1]) != EAM_NAMESPACE) return (false, address(0));
        uint160 raw;
        for (uint256 i = 2; i < 22; i++) {
            raw = (raw << 8) | uint8(filAddress[i]);
        }
        return (true, address(raw));
    }

    /// An ID address: 0x00 ‖ uvarint(id) (unsigned LEB128).
    function idAddress(uint64 id) internal pure returns (bytes memory out) {
        out = abi.encodePacked(PROTOCOL_ID);
        do {
            uint8 low = uint8(id & 0x7f);
            id >>= 7;
            out = bytes.concat(out, bytes1(id == 0 ? low : low | 0x80));
        } while (id != 0);
    }

    // ---------------------------------------------------------------- checks the market makes

    /// A padded piece size: a power of two of at least 128 bytes.
    function isValidPieceSize(uint64 size) internal pure returns (bool) {
        return size >= MIN_PIECE_SIZE && size & (size - 1) == 0;
    }

    /// A v1 piece CID in binary form (what the market actor's is_piece_cid accepts).
    function isPieceCidV1(bytes memory cid) internal pure returns (bool) {
        if (cid.length != PIECE_CID_V1_LENGTH) return false;
        for (uint256 i = 0; i < 7; i++) {
            if (cid[i] != PIECE_CID_V1_PREFIX[i]) return false;
        }
        return true;
    }
}
