// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IKindExecutor} from "./IKindExecutor.sol";
import {SszObjects} from "./SszObjects.sol";

/// @title KindExecutorBase
/// @notice What every kind executor shares: the step's objects in memory (read, write, delete by
///         namespace and id), the valueHash of every namespace, and acting for an identity
///         (packages/state/src/execution/context.ts: resolveActor, requireDelegate). A group's
///         contract implements `_run` with its kinds' rules.
/// @dev    A handler reads exactly the objects the TypeScript reads, in the same order of checks:
///         the prover supplies only those, and a read of any other reverts ObjectMissing.
abstract contract KindExecutorBase is IKindExecutor {
    uint8 internal constant NS_GLOBALS = 0x00;
    uint8 internal constant NS_ACCOUNT = 0x01;
    uint8 internal constant NS_COLLECTION = 0x02;
    uint8 internal constant NS_ASSET = 0x03;
    uint8 internal constant NS_OPERATOR_APPROVAL = 0x04;
    uint8 internal constant NS_TOKEN = 0x05;
    uint8 internal constant NS_TOKEN_BALANCE = 0x06;
    uint8 internal constant NS_IDENTITY = 0x07;
    uint8 internal constant NS_HANDLE = 0x08;
    uint8 internal constant NS_ATTRIBUTE = 0x09;
    uint8 internal constant NS_DELEGATE = 0x0a;
    uint8 internal constant NS_DATA_ASSET = 0x0b;
    uint8 internal constant NS_ACCESS_GRANT = 0x0c;
    uint8 internal constant NS_ORDER_STATUS = 0x0d;
    uint8 internal constant NS_FEE_ALLOWANCE = 0x0e;
    uint8 internal constant NS_SESSION_GRANT = 0x0f;

    /// prepare(kind | SECOND_SIGNATURE): the field rules without a second signature (IKindExecutor.prepare).
    uint8 internal constant SECOND_SIGNATURE = 0x40;

    /// The largest uint64 a field or a state object may hold (MAX_UINT64_SAFE, 2^53 − 1).
    uint64 internal constant MAX_UINT64_SAFE = 2 ** 53 - 1;

    uint8 internal constant SCOPE_ASSETS = 1;
    uint8 internal constant SCOPE_IDENTITY = 2;

    uint16 internal constant IDENTITY_NOT_FOUND = 1300;
    uint16 internal constant NOT_IDENTITY_OWNER = 1302;
    uint16 internal constant DELEGATE_NOT_FOUND = 1304;
    uint16 internal constant DELEGATE_EXPIRED = 1305;
    uint16 internal constant DELEGATE_SCOPE = 1306;
    uint16 internal constant EXPIRY_IN_PAST = 1307;

    /// The step needs an object the proof does not carry (the same error as StepObjects').
    error ObjectMissing(bytes32 key);
    error UnsupportedNamespace(uint8 ns);

    /// @inheritdoc IKindExecutor
    function execute(Call calldata c) external view returns (Result memory r) {
        Obj[] memory objs = c.objects;
        uint256 n = objs.length;
        r.hashBefore = new bytes32[](n);
        r.hashAfter = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            if (_hashes(objs[i].ns) && objs[i].present) r.hashBefore[i] = valueHash(objs[i].ns, objs[i].value);
        }
        (r.includable, r.code) = _run(c, objs);
        r.present = new bool[](n);
        r.values = new bytes[](n);
        for (uint256 i = 0; i < n; i++) {
            r.present[i] = objs[i].present;
            r.values[i] = objs[i].value;
            if (_hashes(objs[i].ns) && objs[i].present) r.hashAfter[i] = valueHash(objs[i].ns, objs[i].value);
        }
    }

    /// The namespaces whose valueHashes `execute` gives: those past Account up to OrderStatus. A Via
    /// transaction's FeeAllowance and SessionGrantRecord objects (0x0e, 0x0f) are ViaExecutor's, which
    /// hashes them; the grants group, which writes them itself, hashes them too.
    function _hashes(uint8 ns) internal pure virtual returns (bool) {
        return ns > NS_ACCOUNT && ns <= NS_ORDER_STATUS;
    }

    /// The kind's rules over `objs`, changed in place. Returns includable false for EXECUTION_FAULT,
    /// else the execution code; on a nonzero code the caller discards every change.
    function _run(Call calldata c, Obj[] memory objs) internal view virtual returns (bool includable, uint16 code);

    // --- objects ----------------------------------------------------------------------------------

    function _key(uint8 ns, bytes memory id) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(ns, id));
    }

    /// The object of a key, by binary search: OneStepExecutor passes the objects in strictly
    /// ascending key order (it refuses others with ObjectsNotSorted), so a step of many objects (an
    /// AssetBatchMint of 256 tokens) finds each in a few reads.
    function _slot(Obj[] memory objs, uint8 ns, bytes memory id) internal pure returns (Obj memory) {
        bytes32 k = _key(ns, id);
        uint256 lo = 0;
        uint256 hi = objs.length;
        while (lo < hi) {
            uint256 mid = (lo + hi) >> 1;
            bytes32 km = objs[mid].key;
            if (km == k) return objs[mid];
            if (uint256(km) < uint256(k)) lo = mid + 1;
            else hi = mid;
        }
        revert ObjectMissing(k);
    }

    /// The object's current value, or present false.
    function _get(Obj[] memory objs, uint8 ns, bytes memory id) internal pure returns (bool, bytes memory) {
        Obj memory o = _slot(objs, ns, id);
        return (o.present, o.value);
    }

    function _set(Obj[] memory objs, uint8 ns, bytes memory id, bytes memory value) internal pure {
        Obj memory o = _slot(objs, ns, id);
        o.present = true;
        o.value = value;
    }

    function _delete(Obj[] memory objs, uint8 ns, bytes memory id) internal pure {
        Obj memory o = _slot(objs, ns, id);
        o.present = false;
        o.value = "";
    }

    /// hash_tree_root of an object's container, from its ABI value.
    function valueHash(uint8 ns, bytes memory v) internal view returns (bytes32) {
        if (ns == NS_GLOBALS) return SszObjects.globalsRoot(abi.decode(v, (SszObjects.Globals)));
        if (ns == NS_ACCOUNT) return SszObjects.accountRoot(abi.decode(v, (SszObjects.Account)));
        if (ns == NS_TOKEN) return SszObjects.tokenRoot(abi.decode(v, (SszObjects.Token)));
        if (ns == NS_TOKEN_BALANCE) return SszObjects.tokenBalanceRoot(abi.decode(v, (uint256)));
        if (ns == NS_IDENTITY) return SszObjects.identityRoot(abi.decode(v, (SszObjects.Identity)));
        if (ns == NS_ATTRIBUTE) return SszObjects.attributeRoot(abi.decode(v, (SszObjects.Attribute)));
        if (ns == NS_DELEGATE) return SszObjects.delegateRoot(abi.decode(v, (SszObjects.Delegate)));
        if (ns == NS_DATA_ASSET) return SszObjects.dataAssetRoot(abi.decode(v, (SszObjects.DataAsset)));
        if (ns == NS_ACCESS_GRANT) return SszObjects.accessGrantRoot(abi.decode(v, (uint64)));
        return _valueHashMore(ns, v);
    }

    /// The namespaces of the groups not built yet.
    function _valueHashMore(uint8 ns, bytes memory) internal view virtual returns (bytes32) {
        revert UnsupportedNamespace(ns);
    }

    // --- acting for an identity -------------------------------------------------------------------

    /// identityOrFail: the identity, or IDENTITY_NOT_FOUND.
    function _identity(Obj[] memory objs, bytes32 identityId)
        internal
        pure
        returns (uint16 code, SszObjects.Identity memory identity)
    {
        (bool present, bytes memory v) = _get(objs, NS_IDENTITY, abi.encodePacked(identityId));
        if (!present) return (IDENTITY_NOT_FOUND, identity);
        identity = abi.decode(v, (SszObjects.Identity));
    }

    /// requireDelegate: `signer` is an active delegate of the identity with `scope`, or the precise code.
    function _requireDelegate(
        Obj[] memory objs,
        uint64 timestamp,
        bytes32 identityId,
        SszObjects.Identity memory identity,
        address signer,
        uint8 scope
    ) internal pure returns (uint16) {
        (bool present, bytes memory v) = _get(objs, NS_DELEGATE, abi.encodePacked(identityId, signer));
        if (!present) return DELEGATE_NOT_FOUND;
        SszObjects.Delegate memory d = abi.decode(v, (SszObjects.Delegate));
        if (d.ownerEpoch != identity.ownerEpoch) return DELEGATE_NOT_FOUND;
        if (timestamp >= d.expiresAt) return DELEGATE_EXPIRED;
        if (d.scope & scope == 0) return DELEGATE_SCOPE;
        return 0;
    }

    /// resolveActor: the signer for a zero `onBehalfOf`, else the identity's owner, provided the signer
    /// is that owner or its active delegate with the assets scope.
    function _resolveActor(Obj[] memory objs, uint64 timestamp, address sender, bytes32 onBehalfOf)
        internal
        pure
        returns (uint16 code, address actor)
    {
        if (onBehalfOf == bytes32(0)) return (0, sender);
        SszObjects.Identity memory identity;
        (code, identity) = _identity(objs, onBehalfOf);
        if (code != 0) return (code, address(0));
        if (identity.owner != sender) {
            code = _requireDelegate(objs, timestamp, onBehalfOf, identity, sender, SCOPE_ASSETS);
            if (code != 0) return (code, address(0));
        }
        return (0, identity.owner);
    }
}
