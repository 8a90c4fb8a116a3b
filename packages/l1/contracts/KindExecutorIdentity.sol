// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Eip712Tx} from "./Eip712Tx.sol";
import {IKindExecutor} from "./IKindExecutor.sol";
import {KindExecutorBase} from "./KindExecutorBase.sol";
import {SszObjects} from "./SszObjects.sol";
import {Utf8} from "./Utf8.sol";

/// @title KindExecutorIdentity
/// @notice Identities for OneStepExecutor: AttributeSet (32), AttributeRemove (33), DelegateAdd (34),
///         DelegateRevoke (35) and IdentityTransfer (36), as packages/state/src/execution/identity.ts
///         executes them, with their field rules and execution codes 1300–1307. IdentityCreate (30)
///         and IdentityUpdate (31) revert UnsupportedKind: their field rules parse a CID
///         (profileCid), which no contract here does yet.
contract KindExecutorIdentity is KindExecutorBase {
    uint8 internal constant KIND_ATTRIBUTE_SET = 32;
    uint8 internal constant KIND_ATTRIBUTE_REMOVE = 33;
    uint8 internal constant KIND_DELEGATE_ADD = 34;
    uint8 internal constant KIND_DELEGATE_REVOKE = 35;
    uint8 internal constant KIND_IDENTITY_TRANSFER = 36;

    uint16 internal constant ATTRIBUTE_NOT_FOUND = 1303;

    /// @inheritdoc IKindExecutor
    /// @dev IdentityCreate (30) and IdentityUpdate (31) answer false: not executed yet.
    function runs(uint8 kind) external pure returns (bool) {
        return kind == KIND_ATTRIBUTE_SET || kind == KIND_ATTRIBUTE_REMOVE || kind == KIND_DELEGATE_ADD
            || kind == KIND_DELEGATE_REVOKE || kind == KIND_IDENTITY_TRANSFER;
    }

    /// @inheritdoc IKindExecutor
    function prepare(uint8 kind, uint64, bytes calldata message)
        external
        pure
        returns (bytes32 structHash, uint64 nonce, uint256 fee, bool fieldsValid)
    {
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

    function _run(Call calldata c, Obj[] memory objs) internal pure override returns (bool, uint16) {
        if (c.kind == KIND_ATTRIBUTE_SET) return _attributeSet(c, objs);
        if (c.kind == KIND_ATTRIBUTE_REMOVE) return _attributeRemove(c, objs);
        if (c.kind == KIND_DELEGATE_ADD) return _delegateAdd(c, objs);
        if (c.kind == KIND_DELEGATE_REVOKE) return _delegateRevoke(c, objs);
        if (c.kind == KIND_IDENTITY_TRANSFER) return _identityTransfer(c, objs);
        revert UnsupportedKind(c.kind);
    }

    /// requireIdentityWriter: the owner, or a delegate with the identity scope.
    function _requireWriter(Call calldata c, Obj[] memory objs, bytes32 identityId) private pure returns (uint16) {
        (uint16 code, SszObjects.Identity memory identity) = _identity(objs, identityId);
        if (code != 0) return code;
        if (identity.owner != c.sender) {
            return _requireDelegate(objs, c.timestamp, identityId, identity, c.sender, SCOPE_IDENTITY);
        }
        return 0;
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

    /// attributeSet: expiresAt 0 never expires; otherwise it must lie after the block's timestamp.
    function _attributeSet(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.AttributeSet memory m = abi.decode(c.message, (Eip712Tx.AttributeSet));
        uint16 code = _requireWriter(c, objs, m.identityId);
        if (code != 0) return (true, code);
        if (m.expiresAt != 0 && m.expiresAt <= c.timestamp) return (true, EXPIRY_IN_PAST);
        SszObjects.Attribute memory a =
            SszObjects.Attribute({key: bytes(m.key), value: bytes(m.value), expiresAt: m.expiresAt});
        _set(objs, NS_ATTRIBUTE, _attributeId(m.identityId, bytes(m.key)), abi.encode(a));
        return (true, 0);
    }

    function _attributeRemove(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.AttributeRemove memory m = abi.decode(c.message, (Eip712Tx.AttributeRemove));
        uint16 code = _requireWriter(c, objs, m.identityId);
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
