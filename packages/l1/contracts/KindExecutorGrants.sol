// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Eip712Tx} from "./Eip712Tx.sol";
import {IKindExecutor} from "./IKindExecutor.sol";
import {KindExecutorBase} from "./KindExecutorBase.sol";
import {SszObjects} from "./SszObjects.sol";

/// @title KindExecutorGrants
/// @notice Fee allowances and session grants for OneStepExecutor: FeeAllowanceSet (60),
///         FeeAllowanceRevoke (61), SessionGrant (62) and SessionRevoke (63), as the TypeScript state
///         machine executes them (docs/protocol.md, "Fee allowances and session grants"), with their
///         field rules (INVALID_FIELD, BAD_APP_SIGNATURE) and execution codes 1307, 1600–1607.
///         The Via envelope's rules (who pays, what a session key may do) are ViaExecutor's.
contract KindExecutorGrants is KindExecutorBase {
    uint8 internal constant KIND_FEE_ALLOWANCE_SET = 60;
    uint8 internal constant KIND_FEE_ALLOWANCE_REVOKE = 61;
    uint8 internal constant KIND_SESSION_GRANT = 62;
    uint8 internal constant KIND_SESSION_REVOKE = 63;

    uint16 internal constant FEE_ALLOWANCE_NOT_FOUND = 1600;
    uint16 internal constant SESSION_NOT_FOUND = 1601;
    uint16 internal constant SESSION_KEY_REVOKED = 1602;
    uint16 internal constant APP_NOT_FOUND = 1603;
    uint16 internal constant APP_NOT_AUTHORIZED = 1604;
    uint16 internal constant APP_REQUEST_EXPIRED = 1605;
    uint16 internal constant NOT_SPONSOR_TARGET = 1606;
    uint16 internal constant NOT_SESSION_PARTY = 1607;

    /// Bit k: TxKind k is a user kind (1, 2, 10–17, 20–23, 30–36, 40–42, 50, 51, 60–63).
    uint256 internal constant USER_KINDS = (1 << 1) | (1 << 2) | (0xff << 10) | (0xf << 20) | (0x7f << 30)
        | (0x7 << 40) | (0x3 << 50) | (0xf << 60);
    /// The kinds a session may never sign: Withdraw, DelegateAdd, DelegateRevoke, IdentityTransfer, 60–63.
    uint256 internal constant SESSION_FORBIDDEN = (1 << 2) | (0x7 << 34) | (0xf << 60);

    /// @inheritdoc IKindExecutor
    /// @dev All four grant kinds (60–63).
    function runs(uint8 kind) external pure returns (bool) {
        return kind >= KIND_FEE_ALLOWANCE_SET && kind <= KIND_SESSION_REVOKE;
    }

    /// @inheritdoc IKindExecutor
    /// @dev A SessionGrant whose app signature does not recover (BAD_APP_SIGNATURE) has fieldsValid false.
    function prepare(uint8 kind, uint64 chainId, bytes calldata message)
        external
        pure
        returns (bytes32 structHash, uint64 nonce, uint256 fee, bool fieldsValid)
    {
        if (kind == KIND_FEE_ALLOWANCE_SET) {
            Eip712Tx.FeeAllowanceSet memory m = abi.decode(message, (Eip712Tx.FeeAllowanceSet));
            fieldsValid = _kindsValid(m.kinds) && m.totalBudget > 0 && (m.grantee != address(0) || m.target != 0)
                && (m.periodBudget > 0) == (m.period > 0) && m.period <= MAX_UINT64_SAFE
                && m.expiresAt <= MAX_UINT64_SAFE;
            return (Eip712Tx.hashFeeAllowanceSet(m), m.nonce, m.fee, fieldsValid);
        }
        if (kind == KIND_FEE_ALLOWANCE_REVOKE) {
            Eip712Tx.FeeAllowanceRevoke memory m = abi.decode(message, (Eip712Tx.FeeAllowanceRevoke));
            return (
                Eip712Tx.hashFeeAllowanceRevoke(m), m.nonce, m.fee, m.grantee != address(0) || m.target != 0
            );
        }
        if (kind == KIND_SESSION_GRANT) {
            Eip712Tx.SessionGrant memory m = abi.decode(message, (Eip712Tx.SessionGrant));
            fieldsValid = sessionGrantFieldsValid(m) && appSignatureRecovers(chainId, m);
            return (Eip712Tx.hashSessionGrant(m), m.nonce, m.fee, fieldsValid);
        }
        if (kind == KIND_SESSION_GRANT | SECOND_SIGNATURE) {
            Eip712Tx.SessionGrant memory m = abi.decode(message, (Eip712Tx.SessionGrant));
            return (Eip712Tx.hashSessionGrant(m), m.nonce, m.fee, sessionGrantFieldsValid(m));
        }
        if (kind == KIND_SESSION_REVOKE) {
            Eip712Tx.SessionRevoke memory m = abi.decode(message, (Eip712Tx.SessionRevoke));
            return (
                Eip712Tx.hashSessionRevoke(m), m.nonce, m.fee, m.account != address(0) && m.sessionKey != address(0)
            );
        }
        revert UnsupportedKind(kind);
    }

    /// SessionGrant's field rules (INVALID_FIELD), without its app signature.
    function sessionGrantFieldsValid(Eip712Tx.SessionGrant memory m) public pure returns (bool) {
        uint256 n = m.tokens.length;
        if (
            m.sessionKey == address(0) || m.app == 0 || !_kindsValid(m.kinds) || m.kinds & SESSION_FORBIDDEN != 0
                || n > SszObjects.MAX_SESSION_LIST || m.tokenCaps.length != n || m.tokenPeriodCaps.length != n
                || m.collections.length > SszObjects.MAX_SESSION_LIST
                || m.counterparties.length > SszObjects.MAX_SESSION_LIST || m.requestDeadline > MAX_UINT64_SAFE
                || m.period > MAX_UINT64_SAFE || m.expiresAt > MAX_UINT64_SAFE
        ) return false;
        bool periodCap = m.filPeriodCap > 0;
        for (uint256 i = 0; i < n; i++) {
            if (m.tokens[i] == 0) return false;
            for (uint256 j = 0; j < i; j++) {
                if (m.tokens[j] == m.tokens[i]) return false;
            }
            if (m.tokenPeriodCaps[i] > 0) periodCap = true;
        }
        return periodCap == (m.period > 0);
    }

    /// BAD_APP_SIGNATURE's test: 65 bytes, v ∈ {27, 28}, low s, and a key recovers. Whether a key
    /// recovers depends on r and s only, not on the digest (ecrecover fails for r or s out of range or
    /// r not a curve point's x): the digest here names no account, which the signer supplies later.
    function appSignatureRecovers(uint64 chainId, Eip712Tx.SessionGrant memory m) public pure returns (bool) {
        bytes32 digest = Eip712Tx.signingDigest(
            chainId, Eip712Tx.hashSessionRequest(address(0), m.sessionKey, m.app, m.requestDeadline)
        );
        return _recover(digest, m.appSignature) != address(0);
    }

    function _kindsValid(uint256 kinds) private pure returns (bool) {
        return kinds != 0 && kinds & ~USER_KINDS == 0;
    }

    function _recover(bytes32 digest, bytes memory signature) private pure returns (address) {
        if (signature.length != 65) return address(0);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := mload(add(signature, 0x20))
            s := mload(add(signature, 0x40))
            v := byte(0, mload(add(signature, 0x60)))
        }
        if (uint256(s) > Eip712Tx.HALF_N || (v != 27 && v != 28)) return address(0);
        return ecrecover(digest, v, r, s);
    }

    function _hashes(uint8 ns) internal pure override returns (bool) {
        return ns > NS_ACCOUNT;
    }

    function _valueHashMore(uint8 ns, bytes memory v) internal view override returns (bytes32) {
        if (ns == NS_COLLECTION) return SszObjects.collectionRoot(abi.decode(v, (SszObjects.Collection)));
        if (ns == NS_FEE_ALLOWANCE) return SszObjects.feeAllowanceRoot(abi.decode(v, (SszObjects.FeeAllowance)));
        if (ns == NS_SESSION_GRANT) {
            return SszObjects.sessionGrantRecordRoot(abi.decode(v, (SszObjects.SessionGrantRecord)));
        }
        revert UnsupportedNamespace(ns);
    }

    function _run(Call calldata c, Obj[] memory objs) internal pure override returns (bool, uint16) {
        if (c.kind == KIND_FEE_ALLOWANCE_SET) return _allowanceSet(c, objs);
        if (c.kind == KIND_FEE_ALLOWANCE_REVOKE) return _allowanceRevoke(c, objs);
        if (c.kind == KIND_SESSION_GRANT) return _sessionGrant(c, objs);
        if (c.kind == KIND_SESSION_REVOKE) return _sessionRevoke(c, objs);
        revert UnsupportedKind(c.kind);
    }

    /// feeAllowanceSet: the sponsor is the actor. A grant to anyone (grantee zero) needs a target of the
    /// sponsor's: the first present of Collection (creator), Token (issuer), Identity (owner), DataAsset
    /// (owner) decides. Replaces any allowance of the same id, its counters reset.
    function _allowanceSet(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.FeeAllowanceSet memory m = abi.decode(c.message, (Eip712Tx.FeeAllowanceSet));
        if (m.expiresAt != 0 && m.expiresAt <= c.timestamp) return (true, EXPIRY_IN_PAST);
        if (m.grantee == address(0) && _targetOwner(objs, m.target) != c.sender) return (true, NOT_SPONSOR_TARGET);
        SszObjects.FeeAllowance memory a = SszObjects.FeeAllowance({
            totalBudget: m.totalBudget,
            spent: 0,
            periodBudget: m.periodBudget,
            period: m.period,
            periodStart: c.timestamp,
            periodSpent: 0,
            maxFeePerTx: m.maxFeePerTx,
            kinds: m.kinds,
            expiresAt: m.expiresAt
        });
        _set(objs, NS_FEE_ALLOWANCE, abi.encodePacked(c.sender, m.grantee, m.target), abi.encode(a));
        return (true, 0);
    }

    /// The owner of a sponsor's target, address(0) when none of the four objects is present.
    function _targetOwner(Obj[] memory objs, bytes32 target) private pure returns (address) {
        bytes memory id = abi.encodePacked(target);
        (bool present, bytes memory v) = _get(objs, NS_COLLECTION, id);
        if (present) return abi.decode(v, (SszObjects.Collection)).creator;
        (present, v) = _get(objs, NS_TOKEN, id);
        if (present) return abi.decode(v, (SszObjects.Token)).issuer;
        (present, v) = _get(objs, NS_IDENTITY, id);
        if (present) return abi.decode(v, (SszObjects.Identity)).owner;
        (present, v) = _get(objs, NS_DATA_ASSET, id);
        if (present) return abi.decode(v, (SszObjects.DataAsset)).owner;
        return address(0);
    }

    /// feeAllowanceRevoke: deleted at once.
    function _allowanceRevoke(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.FeeAllowanceRevoke memory m = abi.decode(c.message, (Eip712Tx.FeeAllowanceRevoke));
        bytes memory id = abi.encodePacked(c.sender, m.grantee, m.target);
        (bool present,) = _get(objs, NS_FEE_ALLOWANCE, id);
        if (!present) return (true, FEE_ALLOWANCE_NOT_FOUND);
        _delete(objs, NS_FEE_ALLOWANCE, id);
        return (true, 0);
    }

    /// sessionGrant: the account is the actor; the app identity's owner must have signed the request
    /// (account = the signer, sessionKey, app, requestDeadline). A revoked (account, key) is never granted again.
    function _sessionGrant(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.SessionGrant memory m = abi.decode(c.message, (Eip712Tx.SessionGrant));
        if (m.expiresAt <= c.timestamp) return (true, EXPIRY_IN_PAST);
        if (c.timestamp > m.requestDeadline) return (true, APP_REQUEST_EXPIRED);
        (bool present, bytes memory v) = _get(objs, NS_IDENTITY, abi.encodePacked(m.app));
        if (!present) return (true, APP_NOT_FOUND);
        bytes32 digest = Eip712Tx.signingDigest(
            c.chainId, Eip712Tx.hashSessionRequest(c.signer, m.sessionKey, m.app, m.requestDeadline)
        );
        if (abi.decode(v, (SszObjects.Identity)).owner != _recover(digest, m.appSignature)) {
            return (true, APP_NOT_AUTHORIZED);
        }
        bytes memory id = abi.encodePacked(c.sender, m.sessionKey);
        (present, v) = _get(objs, NS_SESSION_GRANT, id);
        if (present && abi.decode(v, (SszObjects.SessionGrantRecord)).revoked) return (true, SESSION_KEY_REVOKED);
        uint256 n = m.tokens.length;
        SszObjects.SessionGrantRecord memory g;
        g.app = m.app;
        g.kinds = m.kinds;
        g.filCap = m.filCap;
        g.filPeriodCap = m.filPeriodCap;
        g.period = m.period;
        g.periodStart = c.timestamp;
        g.tokens = m.tokens;
        g.tokenCaps = m.tokenCaps;
        g.tokenSpent = new uint256[](n);
        g.tokenPeriodCaps = m.tokenPeriodCaps;
        g.tokenPeriodSpent = new uint256[](n);
        g.collections = m.collections;
        g.counterparties = m.counterparties;
        g.expiresAt = m.expiresAt;
        _set(objs, NS_SESSION_GRANT, id, abi.encode(g));
        return (true, 0);
    }

    /// sessionRevoke: signed by the account or the key itself; the record stays, revoked, forever.
    function _sessionRevoke(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.SessionRevoke memory m = abi.decode(c.message, (Eip712Tx.SessionRevoke));
        if (c.signer != m.account && c.signer != m.sessionKey) return (true, NOT_SESSION_PARTY);
        bytes memory id = abi.encodePacked(m.account, m.sessionKey);
        (bool present, bytes memory v) = _get(objs, NS_SESSION_GRANT, id);
        if (!present) return (true, SESSION_NOT_FOUND);
        SszObjects.SessionGrantRecord memory g = abi.decode(v, (SszObjects.SessionGrantRecord));
        if (g.revoked) return (true, SESSION_KEY_REVOKED);
        g.revoked = true;
        _set(objs, NS_SESSION_GRANT, id, abi.encode(g));
        return (true, 0);
    }
}
