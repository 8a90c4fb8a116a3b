// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Cid} from "./Cid.sol";
import {Eip712Tx} from "./Eip712Tx.sol";
import {IKindExecutor} from "./IKindExecutor.sol";
import {KindExecutorBase} from "./KindExecutorBase.sol";
import {SszObjects} from "./SszObjects.sol";
import {Utf8} from "./Utf8.sol";

/// @title KindExecutorIdentity
/// @notice Identities for OneStepExecutor: IdentityCreate (30), IdentityUpdate (31), AttributeSet (32),
///         AttributeRemove (33), DelegateAdd (34), DelegateRevoke (35) and IdentityTransfer (36), as
///         packages/state/src/execution/identity.ts executes them, with their field rules and
///         execution codes 1300–1307.
contract KindExecutorIdentity is KindExecutorBase {
    uint8 internal constant KIND_IDENTITY_CREATE = 30;
    uint8 internal constant KIND_IDENTITY_UPDATE = 31;
    uint8 internal constant KIND_ATTRIBUTE_SET = 32;
    uint8 internal constant KIND_ATTRIBUTE_REMOVE = 33;
    uint8 internal constant KIND_DELEGATE_ADD = 34;
    uint8 internal constant KIND_DELEGATE_REVOKE = 35;
    uint8 internal constant KIND_IDENTITY_TRANSFER = 36;

    uint16 internal constant HANDLE_TAKEN = 1301;
    uint16 internal constant ATTRIBUTE_NOT_FOUND = 1303;

    /// @inheritdoc IKindExecutor
    /// @dev IdentityCreate (30) and IdentityUpdate (31) answer false: not executed yet.
    function runs(uint8 kind) external pure returns (bool) {
        return kind >= KIND_IDENTITY_CREATE && kind <= KIND_IDENTITY_TRANSFER;
    }

    /// @inheritdoc IKindExecutor
    function prepare(uint8 kind, uint64, bytes calldata message)
        external
        pure
        returns (bytes32 structHash, uint64 nonce, uint256 fee, bool fieldsValid)
    {
        if (kind == KIND_IDENTITY_CREATE) {
            Eip712Tx.IdentityCreate memory m = abi.decode(message, (Eip712Tx.IdentityCreate));
            fieldsValid = _isHandle(bytes(m.handle)) && _isProfileCid(bytes(m.profileCid));
            return (Eip712Tx.hashIdentityCreate(m), m.nonce, m.fee, fieldsValid);
        }
        if (kind == KIND_IDENTITY_UPDATE) {
            Eip712Tx.IdentityUpdate memory m = abi.decode(message, (Eip712Tx.IdentityUpdate));
            return (Eip712Tx.hashIdentityUpdate(m), m.nonce, m.fee, _isProfileCid(bytes(m.profileCid)));
        }
        if (kind == KIND_ATTRIBUTE_SET) {
            Eip712Tx.AttributeSet memory m = abi.decode(message, (Eip712Tx.AttributeSet));
            fieldsValid = _isAttributeKey(bytes(m.key))
                && Utf8.isBounded(bytes(m.value), SszObjects.MAX_ATTRIBUTE_VALUE_BYTES, true)
                && m.expiresAt <= MAX_UINT64_SAFE;
            return (Eip712Tx.hashAttributeSet(m), m.nonce, m.fee, fieldsValid);
        }
        if (kind == KIND_ATTRIBUTE_REMOVE) {
            Eip712Tx.AttributeRemove memory m = abi.decode(message, (Eip712Tx.AttributeRemove));
            return (Eip712Tx.hashAttributeRemove(m), m.nonce, m.fee, _isAttributeKey(bytes(m.key)));
        }
        if (kind == KIND_DELEGATE_ADD) {
            Eip712Tx.DelegateAdd memory m = abi.decode(message, (Eip712Tx.DelegateAdd));
            fieldsValid = m.delegate != address(0) && m.scope >= 1 && m.scope <= 3 && m.expiresAt <= MAX_UINT64_SAFE;
            return (Eip712Tx.hashDelegateAdd(m), m.nonce, m.fee, fieldsValid);
        }
        if (kind == KIND_DELEGATE_REVOKE) {
            Eip712Tx.DelegateRevoke memory m = abi.decode(message, (Eip712Tx.DelegateRevoke));
            return (Eip712Tx.hashDelegateRevoke(m), m.nonce, m.fee, true);
        }
        if (kind == KIND_IDENTITY_TRANSFER) {
            Eip712Tx.IdentityTransfer memory m = abi.decode(message, (Eip712Tx.IdentityTransfer));
            return (Eip712Tx.hashIdentityTransfer(m), m.nonce, m.fee, m.newOwner != address(0));
        }
        revert UnsupportedKind(kind);
    }

    /// HANDLE_PATTERN, ^[a-z0-9_]{3,32}$.
    function _isHandle(bytes memory h) private pure returns (bool) {
        if (h.length < 3 || h.length > SszObjects.HANDLE_MAX_LENGTH) return false;
        for (uint256 i = 0; i < h.length; i++) {
            bytes1 b = h[i];
            if (!((b >= "a" && b <= "z") || (b >= "0" && b <= "9") || b == "_")) return false;
        }
        return true;
    }

    /// checkCid: a string of at most MAX_CID_BYTES (the SSZ bound) that multiformats' CID.parse,
    /// given no base, accepts. The empty string is no CID (CID.parse finds no multibase prefix).
    function _isProfileCid(bytes memory s) private pure returns (bool) {
        return s.length <= SszObjects.MAX_CID_BYTES && Cid.isCid(s);
    }

    /// ATTRIBUTE_KEY_PATTERN, ^[a-z0-9_.:-]{1,64}$.
    function _isAttributeKey(bytes memory k) private pure returns (bool) {
        if (k.length == 0 || k.length > SszObjects.MAX_ATTRIBUTE_KEY_BYTES) return false;
        for (uint256 i = 0; i < k.length; i++) {
            bytes1 b = k[i];
            if (
                !((b >= "a" && b <= "z") || (b >= "0" && b <= "9") || b == "_" || b == "." || b == ":" || b == "-")
            ) return false;
        }
        return true;
    }

    /// The Handle record: one bytes32 field, its own hash_tree_root.
    function _valueHashMore(uint8 ns, bytes memory v) internal view override returns (bytes32) {
        if (ns == NS_HANDLE) return SszObjects.handleRecordRoot(abi.decode(v, (bytes32)));
        revert UnsupportedNamespace(ns);
    }

    function _run(Call calldata c, Obj[] memory objs) internal pure override returns (bool, uint16) {
        if (c.kind == KIND_IDENTITY_CREATE) return _identityCreate(c, objs);
        if (c.kind == KIND_IDENTITY_UPDATE) return _identityUpdate(c, objs);
        if (c.kind == KIND_ATTRIBUTE_SET) return _attributeSet(c, objs);
        if (c.kind == KIND_ATTRIBUTE_REMOVE) return _attributeRemove(c, objs);
        if (c.kind == KIND_DELEGATE_ADD) return _delegateAdd(c, objs);
        if (c.kind == KIND_DELEGATE_REVOKE) return _delegateRevoke(c, objs);
        if (c.kind == KIND_IDENTITY_TRANSFER) return _identityTransfer(c, objs);
        revert UnsupportedKind(c.kind);
    }

    /// requireIdentityWriter: the owner, or a delegate with the identity scope.
    function _requireWriter(Call calldata c, Obj[] memory objs, bytes32 identityId)
        private
        pure
        returns (uint16 code, SszObjects.Identity memory identity)
    {
        (code, identity) = _identity(objs, identityId);
        if (code == 0 && identity.owner != c.sender) {
            code = _requireDelegate(objs, c.timestamp, identityId, identity, c.sender, SCOPE_IDENTITY);
        }
    }

    /// requireIdentityOwner: the owner only (NOT_IDENTITY_OWNER).
    function _requireOwner(Call calldata c, Obj[] memory objs, bytes32 identityId)
        private
        pure
        returns (uint16 code, SszObjects.Identity memory identity)
    {
        (code, identity) = _identity(objs, identityId);
        if (code == 0 && identity.owner != c.sender) code = NOT_IDENTITY_OWNER;
    }

    function _attributeId(bytes32 identityId, bytes memory key) private pure returns (bytes memory) {
        return abi.encodePacked(identityId, sha256(key));
    }

    /// identityCreate: the handle must be free (HANDLE_TAKEN); the identity's id comes from the signer
    /// and its nonce, and the identity is written whether or not an object was there (as the
    /// TypeScript's set does), owned by the signer at owner epoch 0, with the handle's record.
    function _identityCreate(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.IdentityCreate memory m = abi.decode(c.message, (Eip712Tx.IdentityCreate));
        bytes memory handleId = abi.encodePacked(sha256(bytes(m.handle)));
        (bool taken,) = _get(objs, NS_HANDLE, handleId);
        if (taken) return (true, HANDLE_TAKEN);
        bytes32 id = sha256(abi.encodePacked("filverse:identity", c.signer, m.nonce));
        SszObjects.Identity memory identity = SszObjects.Identity({
            owner: c.sender,
            handle: bytes(m.handle),
            profileCid: bytes(m.profileCid),
            ownerEpoch: 0
        });
        _set(objs, NS_IDENTITY, abi.encodePacked(id), abi.encode(identity));
        _set(objs, NS_HANDLE, handleId, abi.encode(id));
        return (true, 0);
    }

    /// identityUpdate: the owner or a delegate with the identity scope replaces the profile CID; the
    /// handle stays.
    function _identityUpdate(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.IdentityUpdate memory m = abi.decode(c.message, (Eip712Tx.IdentityUpdate));
        (uint16 code, SszObjects.Identity memory identity) = _requireWriter(c, objs, m.identityId);
        if (code != 0) return (true, code);
        identity.profileCid = bytes(m.profileCid);
        _set(objs, NS_IDENTITY, abi.encodePacked(m.identityId), abi.encode(identity));
        return (true, 0);
    }

    /// attributeSet: expiresAt 0 never expires; otherwise it must lie after the block's timestamp.
    function _attributeSet(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.AttributeSet memory m = abi.decode(c.message, (Eip712Tx.AttributeSet));
        (uint16 code,) = _requireWriter(c, objs, m.identityId);
        if (code != 0) return (true, code);
        if (m.expiresAt != 0 && m.expiresAt <= c.timestamp) return (true, EXPIRY_IN_PAST);
        SszObjects.Attribute memory a =
            SszObjects.Attribute({key: bytes(m.key), value: bytes(m.value), expiresAt: m.expiresAt});
        _set(objs, NS_ATTRIBUTE, _attributeId(m.identityId, bytes(m.key)), abi.encode(a));
        return (true, 0);
    }

    function _attributeRemove(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.AttributeRemove memory m = abi.decode(c.message, (Eip712Tx.AttributeRemove));
        (uint16 code,) = _requireWriter(c, objs, m.identityId);
        if (code != 0) return (true, code);
        bytes memory id = _attributeId(m.identityId, bytes(m.key));
        (bool present,) = _get(objs, NS_ATTRIBUTE, id);
        if (!present) return (true, ATTRIBUTE_NOT_FOUND);
        _delete(objs, NS_ATTRIBUTE, id);
        return (true, 0);
    }

    /// delegateAdd: owner only; a session key always expires, after the block's timestamp.
    function _delegateAdd(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.DelegateAdd memory m = abi.decode(c.message, (Eip712Tx.DelegateAdd));
        (uint16 code, SszObjects.Identity memory identity) = _requireOwner(c, objs, m.identityId);
        if (code != 0) return (true, code);
        if (m.expiresAt <= c.timestamp) return (true, EXPIRY_IN_PAST);
        SszObjects.Delegate memory d =
            SszObjects.Delegate({scope: m.scope, expiresAt: m.expiresAt, ownerEpoch: identity.ownerEpoch});
        _set(objs, NS_DELEGATE, abi.encodePacked(m.identityId, m.delegate), abi.encode(d));
        return (true, 0);
    }

    /// delegateRevoke: the owner, or the delegate itself.
    function _delegateRevoke(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.DelegateRevoke memory m = abi.decode(c.message, (Eip712Tx.DelegateRevoke));
        (uint16 code, SszObjects.Identity memory identity) = _identity(objs, m.identityId);
        if (code != 0) return (true, code);
        if (identity.owner != c.sender && m.delegate != c.sender) return (true, NOT_IDENTITY_OWNER);
        bytes memory id = abi.encodePacked(m.identityId, m.delegate);
        (bool present,) = _get(objs, NS_DELEGATE, id);
        if (!present) return (true, DELEGATE_NOT_FOUND);
        _delete(objs, NS_DELEGATE, id);
        return (true, 0);
    }

    /// identityTransfer: owner only; bumping ownerEpoch voids every delegate the previous owner added.
    /// An epoch past 2^53 − 1 would not encode: EXECUTION_FAULT.
    function _identityTransfer(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.IdentityTransfer memory m = abi.decode(c.message, (Eip712Tx.IdentityTransfer));
        (uint16 code, SszObjects.Identity memory identity) = _requireOwner(c, objs, m.identityId);
        if (code != 0) return (true, code);
        if (identity.ownerEpoch >= MAX_UINT64_SAFE) return (false, 0);
        identity.owner = m.newOwner;
        identity.ownerEpoch += 1;
        _set(objs, NS_IDENTITY, abi.encodePacked(m.identityId), abi.encode(identity));
        return (true, 0);
    }
}
