// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Eip712Tx} from "./Eip712Tx.sol";
import {IKindExecutor} from "./IKindExecutor.sol";
import {KindExecutorBase} from "./KindExecutorBase.sol";
import {SszObjects} from "./SszObjects.sol";

/// @title KindExecutorTrade
/// @notice Trades for OneStepExecutor: TradeFill (50) and OrderCancel (51), as
///         packages/state/src/execution/trade.ts executes them, with their field rules, the maker's
///         signature (BAD_ORDER_SIGNATURE) and execution codes 1000, 1100, 1101, 1107, 1500–1505.
contract KindExecutorTrade is KindExecutorBase {
    uint8 internal constant KIND_TRADE_FILL = 50;
    uint8 internal constant KIND_ORDER_CANCEL = 51;

    uint16 internal constant INSUFFICIENT_BALANCE = 1000;
    uint16 internal constant COLLECTION_NOT_FOUND = 1100;
    uint16 internal constant ASSET_NOT_FOUND = 1101;
    uint16 internal constant ASSET_BURNED = 1107;
    uint16 internal constant ORDER_EXPIRED = 1500;
    uint16 internal constant ORDER_CLOSED = 1501;
    uint16 internal constant ORDER_WRONG_TAKER = 1502;
    uint16 internal constant ORDER_SELF_FILL = 1503;
    uint16 internal constant ORDER_ASSET_NOT_OWNED = 1504;
    uint16 internal constant NOT_ORDER_MAKER = 1505;

    uint8 internal constant SIDE_SELL = 0;
    uint8 internal constant STATUS_FILLED = 1;
    uint8 internal constant STATUS_CANCELLED = 2;
    uint256 internal constant BPS_DENOMINATOR = 10_000;

    /// A collection whose royalty is past 100%: no transaction creates one (CollectionCreate's field
    /// rule), and the TypeScript would then debit the seller. Not executed rather than guessed.
    error RoyaltyOutOfBounds(uint16 royaltyBps);

    /// @inheritdoc IKindExecutor
    /// @dev Both trade kinds (50–51).
    function runs(uint8 kind) external pure returns (bool) {
        return kind == KIND_TRADE_FILL || kind == KIND_ORDER_CANCEL;
    }

    /// @inheritdoc IKindExecutor
    function prepare(uint8 kind, uint64 chainId, bytes calldata message)
        external
        pure
        returns (bytes32 structHash, uint64 nonce, uint256 fee, bool fieldsValid)
    {
        if (kind == KIND_TRADE_FILL) {
            Eip712Tx.TradeFill memory m = abi.decode(message, (Eip712Tx.TradeFill));
            // The maker's signature: 65 bytes (INVALID_FIELD) recovering to the maker (BAD_ORDER_SIGNATURE).
            fieldsValid = _orderValid(m.order) && m.makerSignature.length == 65
                && _tryRecover(_orderHash(chainId, m.order), m.makerSignature) == m.order.maker;
            return (Eip712Tx.hashTradeFill(m), m.nonce, m.fee, fieldsValid);
        }
        if (kind == KIND_TRADE_FILL | SECOND_SIGNATURE) {
            // The fill's rules without its maker's signature: the order's own.
            Eip712Tx.TradeFill memory m = abi.decode(message, (Eip712Tx.TradeFill));
            return (Eip712Tx.hashTradeFill(m), m.nonce, m.fee, _orderValid(m.order));
        }
        if (kind == KIND_ORDER_CANCEL) {
            Eip712Tx.OrderCancel memory m = abi.decode(message, (Eip712Tx.OrderCancel));
            return (Eip712Tx.hashOrderCancel(m), m.nonce, m.fee, _orderValid(m.order));
        }
        revert UnsupportedKind(kind);
    }

    /// The order's field rules: a nonzero maker, side 0 or 1, uint64 fields at most 2^53 − 1.
    function _orderValid(Eip712Tx.Order memory o) private pure returns (bool) {
        return o.maker != address(0) && o.side <= 1 && o.tokenId <= MAX_UINT64_SAFE && o.expiresAt <= MAX_UINT64_SAFE;
    }

    /// The order's id on chain: its EIP-712 signing digest under the transaction's chain.
    function _orderHash(uint64 chainId, Eip712Tx.Order memory o) private pure returns (bytes32) {
        return Eip712Tx.signingDigest(chainId, Eip712Tx.hashOrder(o));
    }

    function _run(Call calldata c, Obj[] memory objs) internal pure override returns (bool, uint16) {
        if (c.kind == KIND_TRADE_FILL) {
            Eip712Tx.TradeFill memory m = abi.decode(c.message, (Eip712Tx.TradeFill));
            return _tradeFill(c, objs, m.order);
        }
        if (c.kind == KIND_ORDER_CANCEL) {
            Eip712Tx.OrderCancel memory m = abi.decode(c.message, (Eip712Tx.OrderCancel));
            if (m.order.maker != c.sender) return (true, NOT_ORDER_MAKER);
            bytes memory id = abi.encodePacked(_orderHash(c.chainId, m.order));
            (bool closed,) = _get(objs, NS_ORDER_STATUS, id);
            if (closed) return (true, ORDER_CLOSED);
            _set(objs, NS_ORDER_STATUS, id, abi.encode(STATUS_CANCELLED));
            return (true, 0);
        }
        revert UnsupportedKind(c.kind);
    }

    function _valueHashMore(uint8 ns, bytes memory v) internal view override returns (bytes32) {
        if (ns == NS_COLLECTION) return SszObjects.collectionRoot(abi.decode(v, (SszObjects.Collection)));
        if (ns == NS_ASSET) return SszObjects.assetRoot(abi.decode(v, (SszObjects.Asset)));
        if (ns == NS_ORDER_STATUS) return SszObjects.orderStatusRoot(abi.decode(v, (uint8)));
        revert UnsupportedNamespace(ns);
    }

    /// What a fill reads before it moves anything.
    struct Fill {
        bytes statusId;
        bytes assetId;
        SszObjects.Asset asset;
        address creator;
        uint16 royaltyBps;
        address seller;
        address buyer;
    }

    /// tradeFill: the signer is the taker. The seller (the maker for side 0) must own the live asset;
    /// the buyer pays the price, the royalty goes to the collection's creator and the rest to the
    /// seller; the asset moves to the buyer and the order is filled.
    function _tradeFill(Call calldata c, Obj[] memory objs, Eip712Tx.Order memory o)
        private
        pure
        returns (bool, uint16)
    {
        (uint16 code, Fill memory f) = _fillChecks(c, objs, o);
        if (code != 0) return (true, code);
        if (f.royaltyBps > BPS_DENOMINATOR) revert RoyaltyOutOfBounds(f.royaltyBps);
        // floor(price × bps / 10000) without overflow: (q·10000 + r)·bps / 10000 = q·bps + r·bps / 10000.
        uint256 royalty = (o.price / BPS_DENOMINATOR) * f.royaltyBps
            + ((o.price % BPS_DENOMINATOR) * f.royaltyBps) / BPS_DENOMINATOR;
        if (!_debit(objs, f.buyer, o.price)) return (true, INSUFFICIENT_BALANCE);
        if (!_credit(objs, f.creator, royalty)) return (false, 0);
        if (!_credit(objs, f.seller, o.price - royalty)) return (false, 0);
        f.asset.owner = f.buyer;
        f.asset.approved = address(0);
        _set(objs, NS_ASSET, f.assetId, abi.encode(f.asset));
        _set(objs, NS_ORDER_STATUS, f.statusId, abi.encode(STATUS_FILLED));
        return (true, 0);
    }

    /// The checks of tradeFill, in the TypeScript's order, with what they read.
    function _fillChecks(Call calldata c, Obj[] memory objs, Eip712Tx.Order memory o)
        private
        pure
        returns (uint16, Fill memory f)
    {
        f.statusId = abi.encodePacked(_orderHash(c.chainId, o));
        (bool present, bytes memory v) = _get(objs, NS_ORDER_STATUS, f.statusId);
        if (present) return (ORDER_CLOSED, f);
        if (o.expiresAt != 0 && c.timestamp >= o.expiresAt) return (ORDER_EXPIRED, f);
        if (o.taker != address(0) && o.taker != c.sender) return (ORDER_WRONG_TAKER, f);
        if (o.maker == c.sender) return (ORDER_SELF_FILL, f);
        f.assetId = abi.encodePacked(o.collectionId, o.tokenId);
        (present, v) = _get(objs, NS_ASSET, f.assetId);
        if (!present) return (ASSET_NOT_FOUND, f);
        f.asset = abi.decode(v, (SszObjects.Asset));
        if (f.asset.burned) return (ASSET_BURNED, f);
        (present, v) = _get(objs, NS_COLLECTION, abi.encodePacked(o.collectionId));
        if (!present) return (COLLECTION_NOT_FOUND, f);
        SszObjects.Collection memory col = abi.decode(v, (SszObjects.Collection));
        (f.creator, f.royaltyBps) = (col.creator, col.royaltyBps);
        (f.seller, f.buyer) = o.side == SIDE_SELL ? (o.maker, c.sender) : (c.sender, o.maker);
        if (f.asset.owner != f.seller) return (ORDER_ASSET_NOT_OWNED, f);
        return (0, f);
    }

    /// WorkingState.debit: the account is read even for zero; false if the balance is short.
    function _debit(Obj[] memory objs, address from, uint256 amount) private pure returns (bool) {
        SszObjects.Account memory acc = _account(objs, from);
        if (acc.balance < amount) return false;
        if (amount == 0) return true;
        acc.balance -= amount;
        _set(objs, NS_ACCOUNT, abi.encodePacked(from), abi.encode(acc));
        return true;
    }

    /// WorkingState.credit: nothing (not even a read) for zero; false past 2^256 − 1 (EXECUTION_FAULT).
    function _credit(Obj[] memory objs, address to, uint256 amount) private pure returns (bool) {
        if (amount == 0) return true;
        SszObjects.Account memory acc = _account(objs, to);
        if (acc.balance > type(uint256).max - amount) return false;
        acc.balance += amount;
        _set(objs, NS_ACCOUNT, abi.encodePacked(to), abi.encode(acc));
        return true;
    }

    function _account(Obj[] memory objs, address a) private pure returns (SszObjects.Account memory acc) {
        (bool present, bytes memory v) = _get(objs, NS_ACCOUNT, abi.encodePacked(a));
        if (present) acc = abi.decode(v, (SszObjects.Account));
    }

    /// Eip712Tx.recoverSigner without the reverts: address(0) for a signature the TypeScript refuses.
    function _tryRecover(bytes32 digest, bytes memory signature) private pure returns (address) {
        if (signature.length != 65) return address(0);
        bytes32 r;
        bytes32 sv;
        uint8 v;
        assembly ("memory-safe") {
            r := mload(add(signature, 0x20))
            sv := mload(add(signature, 0x40))
            v := byte(0, mload(add(signature, 0x60)))
        }
        if (uint256(sv) > Eip712Tx.HALF_N || (v != 27 && v != 28)) return address(0);
        return ecrecover(digest, v, r, sv);
    }
}
