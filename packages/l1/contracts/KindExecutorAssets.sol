// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Eip712Tx} from "./Eip712Tx.sol";
import {IKindExecutor} from "./IKindExecutor.sol";
import {KindExecutorBase} from "./KindExecutorBase.sol";
import {SszObjects} from "./SszObjects.sol";
import {Utf8} from "./Utf8.sol";

/// @title KindExecutorAssets
/// @notice NFT collections and assets for OneStepExecutor: CollectionCreate (10), AssetTransfer (13),
///         AssetBurn (14), AssetApprove (16) and OperatorSet (17), as
///         packages/state/src/execution/assets.ts executes them, with their field rules and
///         execution codes 1100–1107, 1300–1306. AssetMint (11), AssetBatchMint (12) and
///         AssetMetadataUpdate (15) revert UnsupportedKind: their field rules parse CIDs, which no
///         contract here does yet.
contract KindExecutorAssets is KindExecutorBase {
    uint8 internal constant KIND_COLLECTION_CREATE = 10;
    uint8 internal constant KIND_ASSET_TRANSFER = 13;
    uint8 internal constant KIND_ASSET_BURN = 14;
    uint8 internal constant KIND_ASSET_APPROVE = 16;
    uint8 internal constant KIND_OPERATOR_SET = 17;

    uint16 internal constant COLLECTION_NOT_FOUND = 1100;
    uint16 internal constant ASSET_NOT_FOUND = 1101;
    uint16 internal constant NOT_ASSET_AUTHORIZED = 1104;
    uint16 internal constant ASSET_BURNED = 1107;

    uint256 internal constant MAX_ROYALTY_BPS = 10_000;
    uint256 internal constant MAX_COLLECTION_SUPPLY = 2 ** 40;

    /// @inheritdoc IKindExecutor
    /// @dev AssetMint (11), AssetBatchMint (12) and AssetMetadataUpdate (15) answer false: not executed yet.
    function runs(uint8 kind) external pure returns (bool) {
        return kind == KIND_COLLECTION_CREATE || kind == KIND_ASSET_TRANSFER || kind == KIND_ASSET_BURN
            || kind == KIND_ASSET_APPROVE || kind == KIND_OPERATOR_SET;
    }

    /// @inheritdoc IKindExecutor
    function prepare(uint8 kind, uint64, bytes calldata message)
        external
        pure
        returns (bytes32 structHash, uint64 nonce, uint256 fee, bool fieldsValid)
    {
        if (kind == KIND_COLLECTION_CREATE) {
            Eip712Tx.CollectionCreate memory m = abi.decode(message, (Eip712Tx.CollectionCreate));
            fieldsValid = Utf8.isBounded(bytes(m.name), SszObjects.MAX_NAME_BYTES, false)
                && Utf8.isBounded(bytes(m.symbol), SszObjects.MAX_SYMBOL_BYTES, false)
                && m.royaltyBps <= MAX_ROYALTY_BPS && m.maxSupply >= 1 && m.maxSupply <= MAX_COLLECTION_SUPPLY;
            return (Eip712Tx.hashCollectionCreate(m), m.nonce, m.fee, fieldsValid);
        }
        if (kind == KIND_ASSET_TRANSFER) {
            Eip712Tx.AssetTransfer memory m = abi.decode(message, (Eip712Tx.AssetTransfer));
            fieldsValid = m.to != address(0) && m.tokenId <= MAX_UINT64_SAFE;
            return (Eip712Tx.hashAssetTransfer(m), m.nonce, m.fee, fieldsValid);
        }
        if (kind == KIND_ASSET_BURN) {
            Eip712Tx.AssetBurn memory m = abi.decode(message, (Eip712Tx.AssetBurn));
            return (Eip712Tx.hashAssetBurn(m), m.nonce, m.fee, m.tokenId <= MAX_UINT64_SAFE);
        }
        if (kind == KIND_ASSET_APPROVE) {
            Eip712Tx.AssetApprove memory m = abi.decode(message, (Eip712Tx.AssetApprove));
            return (Eip712Tx.hashAssetApprove(m), m.nonce, m.fee, m.tokenId <= MAX_UINT64_SAFE);
        }
        if (kind == KIND_OPERATOR_SET) {
            Eip712Tx.OperatorSet memory m = abi.decode(message, (Eip712Tx.OperatorSet));
            return (Eip712Tx.hashOperatorSet(m), m.nonce, m.fee, true);
        }
        revert UnsupportedKind(kind);
    }

    function _run(Call calldata c, Obj[] memory objs) internal pure override returns (bool, uint16) {
        if (c.kind == KIND_COLLECTION_CREATE) return _collectionCreate(c, objs);
        if (c.kind == KIND_ASSET_TRANSFER) return _assetTransfer(c, objs);
        if (c.kind == KIND_ASSET_BURN) return _assetBurn(c, objs);
        if (c.kind == KIND_ASSET_APPROVE) return _assetApprove(c, objs);
        if (c.kind == KIND_OPERATOR_SET) return _operatorSet(c, objs);
        revert UnsupportedKind(c.kind);
    }

    function _valueHashMore(uint8 ns, bytes memory v) internal view override returns (bytes32) {
        if (ns == NS_COLLECTION) return SszObjects.collectionRoot(abi.decode(v, (SszObjects.Collection)));
        if (ns == NS_ASSET) return SszObjects.assetRoot(abi.decode(v, (SszObjects.Asset)));
        if (ns == NS_OPERATOR_APPROVAL) return SszObjects.operatorApprovalRoot(abi.decode(v, (bool)));
        revert UnsupportedNamespace(ns);
    }

    /// collectionCreate: the id from the signer and its nonce, creator = signer.
    function _collectionCreate(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.CollectionCreate memory m = abi.decode(c.message, (Eip712Tx.CollectionCreate));
        bytes32 id = sha256(abi.encodePacked("filverse:collection", c.sender, m.nonce));
        SszObjects.Collection memory col = SszObjects.Collection({
            creator: c.sender,
            name: bytes(m.name),
            symbol: bytes(m.symbol),
            royaltyBps: m.royaltyBps,
            maxSupply: m.maxSupply,
            minted: 0,
            burned: 0,
            metadataMutable: m.metadataMutable
        });
        _set(objs, NS_COLLECTION, abi.encodePacked(id), abi.encode(col));
        return (true, 0);
    }

    /// assetTransfer: the owner, the approved address or an operator; clears the approval.
    function _assetTransfer(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.AssetTransfer memory m = abi.decode(c.message, (Eip712Tx.AssetTransfer));
        (uint16 code, address actor) = _resolveActor(objs, c.timestamp, c.sender, m.onBehalfOf);
        if (code != 0) return (true, code);
        SszObjects.Asset memory a;
        (code, a) = _liveAsset(objs, m.collectionId, m.tokenId);
        if (code != 0) return (true, code);
        code = _requireAuthority(objs, a, actor, true);
        if (code != 0) return (true, code);
        a.owner = m.to;
        a.approved = address(0);
        _set(objs, NS_ASSET, abi.encodePacked(m.collectionId, m.tokenId), abi.encode(a));
        return (true, 0);
    }

    /// assetBurn: the asset stays, burned and owner zero; the collection counts it. A count past
    /// 2^53 − 1 would not encode: EXECUTION_FAULT.
    function _assetBurn(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.AssetBurn memory m = abi.decode(c.message, (Eip712Tx.AssetBurn));
        (uint16 code, address actor) = _resolveActor(objs, c.timestamp, c.sender, m.onBehalfOf);
        if (code != 0) return (true, code);
        SszObjects.Asset memory a;
        (code, a) = _liveAsset(objs, m.collectionId, m.tokenId);
        if (code != 0) return (true, code);
        code = _requireAuthority(objs, a, actor, true);
        if (code != 0) return (true, code);
        SszObjects.Collection memory col;
        (code, col) = _collection(objs, m.collectionId);
        if (code != 0) return (true, code);
        a.owner = address(0);
        a.approved = address(0);
        a.burned = true;
        _set(objs, NS_ASSET, abi.encodePacked(m.collectionId, m.tokenId), abi.encode(a));
        if (col.burned >= MAX_UINT64_SAFE) return (false, 0);
        col.burned += 1;
        _set(objs, NS_COLLECTION, abi.encodePacked(m.collectionId), abi.encode(col));
        return (true, 0);
    }

    /// assetApprove: not delegable; the owner or an operator sets one approved address (zero clears).
    function _assetApprove(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.AssetApprove memory m = abi.decode(c.message, (Eip712Tx.AssetApprove));
        (uint16 code, address actor) = _resolveGrantor(c, objs, m.onBehalfOf);
        if (code != 0) return (true, code);
        SszObjects.Asset memory a;
        (code, a) = _liveAsset(objs, m.collectionId, m.tokenId);
        if (code != 0) return (true, code);
        code = _requireAuthority(objs, a, actor, false);
        if (code != 0) return (true, code);
        a.approved = m.approved;
        _set(objs, NS_ASSET, abi.encodePacked(m.collectionId, m.tokenId), abi.encode(a));
        return (true, 0);
    }

    /// operatorSet: not delegable; approves or revokes an operator of the actor's assets in a collection.
    function _operatorSet(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.OperatorSet memory m = abi.decode(c.message, (Eip712Tx.OperatorSet));
        (uint16 code, address actor) = _resolveGrantor(c, objs, m.onBehalfOf);
        if (code != 0) return (true, code);
        (code,) = _collection(objs, m.collectionId);
        if (code != 0) return (true, code);
        bytes memory id = abi.encodePacked(actor, m.collectionId, m.operator);
        if (m.approved) _set(objs, NS_OPERATOR_APPROVAL, id, abi.encode(true));
        else _delete(objs, NS_OPERATOR_APPROVAL, id);
        return (true, 0);
    }

    /// resolveGrantor: approvals outlive a session key, so a delegate acting for the owner is
    /// refused with DELEGATE_SCOPE.
    function _resolveGrantor(Call calldata c, Obj[] memory objs, bytes32 onBehalfOf)
        private
        pure
        returns (uint16 code, address actor)
    {
        (code, actor) = _resolveActor(objs, c.timestamp, c.sender, onBehalfOf);
        if (code == 0 && actor != c.sender) code = DELEGATE_SCOPE;
    }

    function _collection(Obj[] memory objs, bytes32 collectionId)
        private
        pure
        returns (uint16, SszObjects.Collection memory col)
    {
        (bool present, bytes memory v) = _get(objs, NS_COLLECTION, abi.encodePacked(collectionId));
        if (!present) return (COLLECTION_NOT_FOUND, col);
        return (0, abi.decode(v, (SszObjects.Collection)));
    }

    /// liveAssetOrFail: ASSET_NOT_FOUND, then ASSET_BURNED.
    function _liveAsset(Obj[] memory objs, bytes32 collectionId, uint64 tokenId)
        private
        pure
        returns (uint16, SszObjects.Asset memory a)
    {
        (bool present, bytes memory v) = _get(objs, NS_ASSET, abi.encodePacked(collectionId, tokenId));
        if (!present) return (ASSET_NOT_FOUND, a);
        a = abi.decode(v, (SszObjects.Asset));
        if (a.burned) return (ASSET_BURNED, a);
        return (0, a);
    }

    /// requireAssetAuthority: the owner, the approved address (when allowed), or an operator of the
    /// owner for the collection, read only when the first two fail.
    function _requireAuthority(Obj[] memory objs, SszObjects.Asset memory a, address actor, bool allowApproved)
        private
        pure
        returns (uint16)
    {
        if (a.owner == actor) return 0;
        if (allowApproved && a.approved == actor) return 0;
        (bool present, bytes memory v) = _get(objs, NS_OPERATOR_APPROVAL, abi.encodePacked(a.owner, a.collectionId, actor));
        if (present && abi.decode(v, (bool))) return 0;
        return NOT_ASSET_AUTHORIZED;
    }
}
