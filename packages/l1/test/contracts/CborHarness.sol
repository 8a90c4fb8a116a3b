// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Cbor} from "./Cbor.sol";
import {FilecoinDeal} from "./FilecoinDeal.sol";

/// Test only: exposes the CBOR and FilecoinDeal library functions to eth_call. Compiled by the test
/// next to copies of the libraries, never part of the build's artifacts.
contract CborHarness {
    function encodeUints(uint64[] calldata values) external pure returns (bytes[] memory out) {
        out = new bytes[](values.length);
        for (uint256 i = 0; i < values.length; i++) out[i] = Cbor.encodeUint(values[i]);
    }

    function encodeInts(int64[] calldata values) external pure returns (bytes[] memory out) {
        out = new bytes[](values.length);
        for (uint256 i = 0; i < values.length; i++) out[i] = Cbor.encodeInt(values[i]);
    }

    function encodeBytesList(bytes[] calldata values) external pure returns (bytes[] memory out) {
        out = new bytes[](values.length);
        for (uint256 i = 0; i < values.length; i++) out[i] = Cbor.encodeBytes(values[i]);
    }

    function encodeTexts(string[] calldata values) external pure returns (bytes[] memory out) {
        out = new bytes[](values.length);
        for (uint256 i = 0; i < values.length; i++) out[i] = Cbor.encodeText(values[i]);
    }

    function encodeBigInts(uint256[] calldata values) external pure returns (bytes[] memory out) {
        out = new bytes[](values.length);
        for (uint256 i = 0; i < values.length; i++) out[i] = FilecoinDeal.encodeBigInt(values[i]);
    }

    function encodeBool(bool value) external pure returns (bytes memory) {
        return Cbor.encodeBool(value);
    }

    function encodeNull() external pure returns (bytes memory) {
        return Cbor.encodeNull();
    }

    function arrayHeader(uint64 length) external pure returns (bytes memory) {
        return Cbor.arrayHeader(length);
    }

    function mapHeader(uint64 pairs) external pure returns (bytes memory) {
        return Cbor.mapHeader(pairs);
    }

    function tagHeader(uint64 tag) external pure returns (bytes memory) {
        return Cbor.tagHeader(tag);
    }

    function encodeCid(bytes calldata cid) external pure returns (bytes memory) {
        return Cbor.encodeCid(cid);
    }

    function readUint(bytes calldata data) external pure returns (uint64 value) {
        uint256 next;
        (value, next) = Cbor.readUint(data, 0);
        Cbor.requireEnd(data, next);
    }

    function readInt(bytes calldata data) external pure returns (int64 value) {
        uint256 next;
        (value, next) = Cbor.readInt(data, 0);
        Cbor.requireEnd(data, next);
    }

    function readBytes(bytes calldata data) external pure returns (bytes memory value) {
        uint256 next;
        (value, next) = Cbor.readBytes(data, 0);
        Cbor.requireEnd(data, next);
    }

    function readText(bytes calldata data) external pure returns (string memory value) {
        uint256 next;
        (value, next) = Cbor.readText(data, 0);
        Cbor.requireEnd(data, next);
    }

    function readBool(bytes calldata data) external pure returns (bool value) {
        uint256 next;
        (value, next) = Cbor.readBool(data, 0);
        Cbor.requireEnd(data, next);
    }

    function readCid(bytes calldata data) external pure returns (bytes memory value) {
        uint256 next;
        (value, next) = Cbor.readCid(data, 0);
        Cbor.requireEnd(data, next);
    }

    function readBigInt(bytes calldata data) external pure returns (uint256 value) {
        uint256 next;
        (value, next) = FilecoinDeal.readBigInt(data, 0);
        Cbor.requireEnd(data, next);
    }

    function encodeDealProposal(FilecoinDeal.DealProposal calldata p) external pure returns (bytes memory) {
        return FilecoinDeal.encodeDealProposal(p);
    }

    function decodeDealProposal(bytes calldata data) external pure returns (FilecoinDeal.DealProposal memory) {
        return FilecoinDeal.decodeDealProposal(data);
    }

    function decodeAuthenticateMessageParams(bytes calldata data)
        external
        pure
        returns (bytes memory signature, bytes memory message)
    {
        return FilecoinDeal.decodeAuthenticateMessageParams(data);
    }

    function decodeMarketNotifyDealParams(bytes calldata data)
        external
        pure
        returns (bytes memory proposal, uint64 dealId)
    {
        return FilecoinDeal.decodeMarketNotifyDealParams(data);
    }

    function delegatedAddress(address account) external pure returns (bytes memory) {
        return FilecoinDeal.delegatedAddress(account);
    }

    function ethAddressOf(bytes calldata filAddress) external pure returns (bool ok, address account) {
        return FilecoinDeal.ethAddressOf(filAddress);
    }

    function idAddress(uint64 id) external pure returns (bytes memory) {
        return FilecoinDeal.idAddress(id);
    }

    function isValidPieceSize(uint64 size) external pure returns (bool) {
        return FilecoinDeal.isValidPieceSize(size);
    }

    function isPieceCidV1(bytes calldata cid) external pure returns (bool) {
        return FilecoinDeal.isPieceCidV1(cid);
    }
}
