// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Cid} from "./Cid.sol";
import {Eip712Tx} from "./Eip712Tx.sol";
import {IKindExecutor} from "./IKindExecutor.sol";
import {KindExecutorBase} from "./KindExecutorBase.sol";
import {SszObjects} from "./SszObjects.sol";
import {Utf8} from "./Utf8.sol";

/// @title KindExecutorAssets
/// @notice NFT collections and assets for OneStepExecutor: CollectionCreate (10), AssetMint (11),
///         AssetBatchMint (12), AssetTransfer (13), AssetBurn (14), AssetMetadataUpdate (15),
///         AssetApprove (16) and OperatorSet (17), as packages/state/src/execution/assets.ts
///         executes them, with their field rules (CIDs as Cid.isCid reads them) and execution codes
///         1100–1107, 1300–1306.
contract KindExecutorAssets is KindExecutorBase {
    uint8 internal constant KIND_COLLECTION_CREATE = 10;
    uint8 internal constant KIND_ASSET_MINT = 11;
    uint8 internal constant KIND_ASSET_BATCH_MINT = 12;
    uint8 internal constant KIND_ASSET_TRANSFER = 13;
    uint8 internal constant KIND_ASSET_BURN = 14;
    uint8 internal constant KIND_ASSET_METADATA_UPDATE = 15;
    uint8 internal constant KIND_ASSET_APPROVE = 16;
    uint8 internal constant KIND_OPERATOR_SET = 17;

    uint16 internal constant COLLECTION_NOT_FOUND = 1100;
    uint16 internal constant ASSET_NOT_FOUND = 1101;
    uint16 internal constant ASSET_EXISTS = 1102;
    uint16 internal constant SUPPLY_CAP_EXCEEDED = 1103;
    uint16 internal constant NOT_ASSET_AUTHORIZED = 1104;
    uint16 internal constant NOT_COLLECTION_CREATOR = 1105;
    uint16 internal constant METADATA_IMMUTABLE = 1106;
    uint16 internal constant ASSET_BURNED = 1107;

    uint256 internal constant MAX_ROYALTY_BPS = 10_000;
    uint256 internal constant MAX_COLLECTION_SUPPLY = 2 ** 40;
    /// MAX_CID_BYTES and MAX_BATCH_MINT: the SSZ bounds of a CID string and of a batch's list.
    uint256 internal constant MAX_CID_BYTES = 128;
    uint256 internal constant MAX_BATCH_MINT = 256;

    /// @inheritdoc IKindExecutor
    /// @dev AssetMint (11), AssetBatchMint (12) and AssetMetadataUpdate (15) answer false: not executed yet.
    function runs(uint8 kind) external pure returns (bool) {
        return kind >= KIND_COLLECTION_CREATE && kind <= KIND_OPERATOR_SET;
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
        if (kind == KIND_ASSET_MINT) {
            Eip712Tx.AssetMint memory m = abi.decode(message, (Eip712Tx.AssetMint));
            fieldsValid = m.tokenId <= MAX_UINT64_SAFE && m.to != address(0) && _isCidField(m.contentCid);
            return (Eip712Tx.hashAssetMint(m), m.nonce, m.fee, fieldsValid);
        }
        if (kind == KIND_ASSET_BATCH_MINT) {
            Eip712Tx.AssetBatchMint memory m = abi.decode(message, (Eip712Tx.AssetBatchMint));
            return (Eip712Tx.hashAssetBatchMint(m), m.nonce, m.fee, _batchMintFieldsValid(m));
        }
        if (kind == KIND_ASSET_METADATA_UPDATE) {
            Eip712Tx.AssetMetadataUpdate memory m = abi.decode(message, (Eip712Tx.AssetMetadataUpdate));
            fieldsValid = m.tokenId <= MAX_UINT64_SAFE && _isCidField(m.contentCid);
            return (Eip712Tx.hashAssetMetadataUpdate(m), m.nonce, m.fee, fieldsValid);
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
        if (c.kind == KIND_ASSET_MINT) {
            Eip712Tx.AssetMint memory m = abi.decode(c.message, (Eip712Tx.AssetMint));
            string[] memory cids = new string[](1);
            cids[0] = m.contentCid;
            return _mintMany(c, objs, m.collectionId, m.tokenId, m.to, cids, m.onBehalfOf);
        }
        if (c.kind == KIND_ASSET_BATCH_MINT) {
            Eip712Tx.AssetBatchMint memory m = abi.decode(c.message, (Eip712Tx.AssetBatchMint));
            return _mintMany(c, objs, m.collectionId, m.firstTokenId, m.to, m.contentCids, m.onBehalfOf);
        }
        if (c.kind == KIND_ASSET_METADATA_UPDATE) return _assetMetadataUpdate(c, objs);
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
        bytes32 id = sha256(abi.encodePacked("filverse:collection", c.signer, m.nonce));
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

    /// A CID field: 1 to MAX_CID_BYTES bytes (the SSZ codec's bound), then CID.parse. What isCid
    /// accepts is valid UTF-8, so the codec's UTF-8 rule needs no pass of its own.
    function _isCidField(string memory s) private pure returns (bool) {
        uint256 n = bytes(s).length;
        return n >= 1 && n <= MAX_CID_BYTES && Cid.isCid(bytes(s));
    }

    /// AssetBatchMint's field rules: a nonzero `to`; 1 to MAX_BATCH_MINT CIDs (more do not decode);
    /// the last token id, firstTokenId + n − 1, at most 2^53 − 1; then each CID.
    function _batchMintFieldsValid(Eip712Tx.AssetBatchMint memory m) private pure returns (bool) {
        uint256 n = m.contentCids.length;
        if (m.to == address(0) || n == 0 || n > MAX_BATCH_MINT) return false;
        if (uint256(m.firstTokenId) + n - 1 > MAX_UINT64_SAFE) return false;
        for (uint256 i = 0; i < n; i++) {
            if (!_isCidField(m.contentCids[i])) return false;
        }
        return true;
    }

    /// mintMany (AssetMint, AssetBatchMint): the actor, the collection, its creator, the supply cap,
    /// then each token id in turn, which must be new (ASSET_EXISTS stops at the first taken one).
    function _mintMany(
        Call calldata c,
        Obj[] memory objs,
        bytes32 collectionId,
        uint64 firstTokenId,
        address to,
        string[] memory cids,
        bytes32 onBehalfOf
    ) private pure returns (bool, uint16) {
        (uint16 code, address actor) = _resolveActor(objs, c.timestamp, c.sender, onBehalfOf);
        if (code != 0) return (true, code);
        SszObjects.Collection memory col;
        (code, col) = _collection(objs, collectionId);
        if (code != 0) return (true, code);
        if (col.creator != actor) return (true, NOT_COLLECTION_CREATOR);
        if (uint256(col.minted) + cids.length > col.maxSupply) return (true, SUPPLY_CAP_EXCEEDED);
        code = _insertAssets(objs, collectionId, firstTokenId, to, cids);
        if (code != 0) return (true, code);
        col.minted += uint64(cids.length);
        _set(objs, NS_COLLECTION, abi.encodePacked(collectionId), abi.encode(col));
        return (true, 0);
    }

    /// Each token id in turn must be new (ASSET_EXISTS stops at the first taken one); the asset is
    /// owned by `to`, with no approval.
    function _insertAssets(
        Obj[] memory objs,
        bytes32 collectionId,
        uint64 firstTokenId,
        address to,
        string[] memory cids
    ) private pure returns (uint16) {
        for (uint256 i = 0; i < cids.length; i++) {
            uint64 tokenId = firstTokenId + uint64(i);
            Obj memory o = _slot(objs, NS_ASSET, abi.encodePacked(collectionId, tokenId));
            if (o.present) return ASSET_EXISTS;
            o.present = true;
            o.value = abi.encode(
                SszObjects.Asset({
                    collectionId: collectionId,
                    tokenId: tokenId,
                    owner: to,
                    approved: address(0),
                    contentCid: bytes(cids[i]),
                    burned: false
                })
            );
        }
        return 0;
    }

    /// assetMetadataUpdate: the collection's creator, in a mutable collection, on a live asset.
    function _assetMetadataUpdate(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.AssetMetadataUpdate memory m = abi.decode(c.message, (Eip712Tx.AssetMetadataUpdate));
        (uint16 code, address actor) = _resolveActor(objs, c.timestamp, c.sender, m.onBehalfOf);
        if (code != 0) return (true, code);
        SszObjects.Collection memory col;
        (code, col) = _collection(objs, m.collectionId);
        if (code != 0) return (true, code);
        if (col.creator != actor) return (true, NOT_COLLECTION_CREATOR);
        if (!col.metadataMutable) return (true, METADATA_IMMUTABLE);
        SszObjects.Asset memory a;
        (code, a) = _liveAsset(objs, m.collectionId, m.tokenId);
        if (code != 0) return (true, code);
        a.contentCid = bytes(m.contentCid);
        _set(objs, NS_ASSET, abi.encodePacked(m.collectionId, m.tokenId), abi.encode(a));
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
