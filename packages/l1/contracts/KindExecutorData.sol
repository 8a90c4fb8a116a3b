// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Cid} from "./Cid.sol";
import {Eip712Tx} from "./Eip712Tx.sol";
import {IKindExecutor} from "./IKindExecutor.sol";
import {KindExecutorBase} from "./KindExecutorBase.sol";
import {SszObjects} from "./SszObjects.sol";
import {Utf8} from "./Utf8.sol";

/// @title KindExecutorData
/// @notice Data assets for OneStepExecutor: DataAssetRegister (40), AccessGrant (41) and
///         AccessRevoke (42), as packages/state/src/execution/data.ts executes them, with their field
///         rules (contentCid as Cid.isCid reads it, pieceCid as Cid.isPieceCid) and execution codes
///         1300–1307, 1400–1402.
contract KindExecutorData is KindExecutorBase {
    uint8 internal constant KIND_DATA_ASSET_REGISTER = 40;
    uint8 internal constant KIND_ACCESS_GRANT = 41;
    uint8 internal constant KIND_ACCESS_REVOKE = 42;

    uint16 internal constant DATA_ASSET_NOT_FOUND = 1400;
    uint16 internal constant NOT_DATA_OWNER = 1401;
    uint16 internal constant GRANT_NOT_FOUND = 1402;

    /// MAX_CID_BYTES and MAX_LICENSE_BYTES: the SSZ bounds of the strings.
    uint256 internal constant MAX_CID_BYTES = 128;
    uint256 internal constant MAX_LICENSE_BYTES = 256;

    /// @inheritdoc IKindExecutor
    /// @dev DataAssetRegister (40) answers false: not executed yet.
    function runs(uint8 kind) external pure returns (bool) {
        return kind == KIND_DATA_ASSET_REGISTER || kind == KIND_ACCESS_GRANT || kind == KIND_ACCESS_REVOKE;
    }

    /// @inheritdoc IKindExecutor
    function prepare(uint8 kind, uint64, bytes calldata message)
        external
        pure
        returns (bytes32 structHash, uint64 nonce, uint256 fee, bool fieldsValid)
    {
        if (kind == KIND_DATA_ASSET_REGISTER) {
            Eip712Tx.DataAssetRegister memory m = abi.decode(message, (Eip712Tx.DataAssetRegister));
            bytes memory contentCid = bytes(m.contentCid);
            bytes memory pieceCid = bytes(m.pieceCid);
            // What isCid and isPieceCid accept is valid UTF-8 (the codec's rule for the strings).
            fieldsValid = contentCid.length >= 1 && contentCid.length <= MAX_CID_BYTES && pieceCid.length >= 1
                && pieceCid.length <= MAX_CID_BYTES && Utf8.isBounded(bytes(m.license), MAX_LICENSE_BYTES, false)
                && m.size > 0 && m.size <= MAX_UINT64_SAFE && Cid.isCid(contentCid) && Cid.isPieceCid(pieceCid);
            return (Eip712Tx.hashDataAssetRegister(m), m.nonce, m.fee, fieldsValid);
        }
        if (kind == KIND_ACCESS_GRANT) {
            Eip712Tx.AccessGrant memory m = abi.decode(message, (Eip712Tx.AccessGrant));
            fieldsValid = m.grantee != address(0) && m.expiresAt <= MAX_UINT64_SAFE;
            return (Eip712Tx.hashAccessGrant(m), m.nonce, m.fee, fieldsValid);
        }
        if (kind == KIND_ACCESS_REVOKE) {
            Eip712Tx.AccessRevoke memory m = abi.decode(message, (Eip712Tx.AccessRevoke));
            return (Eip712Tx.hashAccessRevoke(m), m.nonce, m.fee, true);
        }
        revert UnsupportedKind(kind);
    }

    function _run(Call calldata c, Obj[] memory objs) internal pure override returns (bool, uint16) {
        if (c.kind == KIND_DATA_ASSET_REGISTER) {
            // The id from the signer and its nonce; the owner is the actor.
            Eip712Tx.DataAssetRegister memory m = abi.decode(c.message, (Eip712Tx.DataAssetRegister));
            (uint16 code, address owner) = _resolveActor(objs, c.timestamp, c.sender, m.onBehalfOf);
            if (code != 0) return (true, code);
            bytes32 id = sha256(abi.encodePacked("filverse:data", c.signer, m.nonce));
            SszObjects.DataAsset memory d = SszObjects.DataAsset({
                owner: owner,
                contentCid: bytes(m.contentCid),
                pieceCid: bytes(m.pieceCid),
                size: m.size,
                license: bytes(m.license)
            });
            _set(objs, NS_DATA_ASSET, abi.encodePacked(id), abi.encode(d));
            return (true, 0);
        }
        if (c.kind == KIND_ACCESS_GRANT) {
            Eip712Tx.AccessGrant memory m = abi.decode(c.message, (Eip712Tx.AccessGrant));
            uint16 code = _ownedDataAsset(c, objs, m.dataAssetId, m.onBehalfOf);
            if (code != 0) return (true, code);
            if (m.expiresAt <= c.timestamp) return (true, EXPIRY_IN_PAST);
            _set(objs, NS_ACCESS_GRANT, abi.encodePacked(m.dataAssetId, m.grantee), abi.encode(m.expiresAt));
            return (true, 0);
        }
        if (c.kind == KIND_ACCESS_REVOKE) {
            Eip712Tx.AccessRevoke memory m = abi.decode(c.message, (Eip712Tx.AccessRevoke));
            uint16 code = _ownedDataAsset(c, objs, m.dataAssetId, m.onBehalfOf);
            if (code != 0) return (true, code);
            bytes memory id = abi.encodePacked(m.dataAssetId, m.grantee);
            (bool present,) = _get(objs, NS_ACCESS_GRANT, id);
            if (!present) return (true, GRANT_NOT_FOUND);
            _delete(objs, NS_ACCESS_GRANT, id);
            return (true, 0);
        }
        revert UnsupportedKind(c.kind);
    }

    /// ownedDataAsset: the actor first, then the data asset and its owner.
    function _ownedDataAsset(Call calldata c, Obj[] memory objs, bytes32 dataAssetId, bytes32 onBehalfOf)
        private
        pure
        returns (uint16)
    {
        (uint16 code, address actor) = _resolveActor(objs, c.timestamp, c.sender, onBehalfOf);
        if (code != 0) return code;
        (bool present, bytes memory v) = _get(objs, NS_DATA_ASSET, abi.encodePacked(dataAssetId));
        if (!present) return DATA_ASSET_NOT_FOUND;
        if (abi.decode(v, (SszObjects.DataAsset)).owner != actor) return NOT_DATA_OWNER;
        return 0;
    }
}
