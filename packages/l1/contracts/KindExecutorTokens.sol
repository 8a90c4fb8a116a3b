// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Eip712Tx} from "./Eip712Tx.sol";
import {IKindExecutor} from "./IKindExecutor.sol";
import {KindExecutorBase} from "./KindExecutorBase.sol";
import {SszObjects} from "./SszObjects.sol";
import {Utf8} from "./Utf8.sol";

/// @title KindExecutorTokens
/// @notice Social tokens for OneStepExecutor: TokenCreate (20), TokenMint (21), TokenTransfer (22)
///         and TokenBurn (23), as packages/state/src/execution/tokens.ts executes them, with their
///         field rules (packages/state/src/validate.ts) and execution codes 1200–1203, 1300–1306.
contract KindExecutorTokens is KindExecutorBase {
    uint8 internal constant KIND_TOKEN_CREATE = 20;
    uint8 internal constant KIND_TOKEN_MINT = 21;
    uint8 internal constant KIND_TOKEN_TRANSFER = 22;
    uint8 internal constant KIND_TOKEN_BURN = 23;

    uint16 internal constant TOKEN_NOT_FOUND = 1200;
    uint16 internal constant NOT_TOKEN_ISSUER = 1201;
    uint16 internal constant TOKEN_CAP_EXCEEDED = 1202;
    uint16 internal constant INSUFFICIENT_TOKEN_BALANCE = 1203;

    uint256 internal constant MAX_TOKEN_DECIMALS = 18;

    /// @inheritdoc IKindExecutor
    /// @dev All four token kinds (20–23).
    function runs(uint8 kind) external pure returns (bool) {
        return kind == KIND_TOKEN_CREATE || kind == KIND_TOKEN_MINT || kind == KIND_TOKEN_TRANSFER || kind == KIND_TOKEN_BURN;
    }

    /// @inheritdoc IKindExecutor
    function prepare(uint8 kind, uint64, bytes calldata message)
        external
        pure
        returns (bytes32 structHash, uint64 nonce, uint256 fee, bool fieldsValid)
    {
        if (kind == KIND_TOKEN_CREATE) {
            Eip712Tx.TokenCreate memory m = abi.decode(message, (Eip712Tx.TokenCreate));
            fieldsValid = Utf8.isBounded(bytes(m.name), SszObjects.MAX_NAME_BYTES, false)
                && Utf8.isBounded(bytes(m.symbol), SszObjects.MAX_SYMBOL_BYTES, false)
                && m.decimals <= MAX_TOKEN_DECIMALS && m.cap > 0;
            return (Eip712Tx.hashTokenCreate(m), m.nonce, m.fee, fieldsValid);
        }
        if (kind == KIND_TOKEN_MINT || kind == KIND_TOKEN_TRANSFER) {
            // TokenMint and TokenTransfer share one layout and one field rule; only their type hash differs.
            Eip712Tx.TokenMint memory m = abi.decode(message, (Eip712Tx.TokenMint));
            structHash = kind == KIND_TOKEN_MINT
                ? Eip712Tx.hashTokenMint(m)
                : Eip712Tx.hashTokenTransfer(abi.decode(message, (Eip712Tx.TokenTransfer)));
            return (structHash, m.nonce, m.fee, m.to != address(0) && m.amount > 0);
        }
        if (kind == KIND_TOKEN_BURN) {
            Eip712Tx.TokenBurn memory m = abi.decode(message, (Eip712Tx.TokenBurn));
            return (Eip712Tx.hashTokenBurn(m), m.nonce, m.fee, m.amount > 0);
        }
        revert UnsupportedKind(kind);
    }

    function _run(Call calldata c, Obj[] memory objs) internal pure override returns (bool, uint16) {
        if (c.kind == KIND_TOKEN_CREATE) return _create(c, objs);
        if (c.kind == KIND_TOKEN_MINT) return _mint(c, objs);
        if (c.kind == KIND_TOKEN_TRANSFER) return _transfer(c, objs);
        if (c.kind == KIND_TOKEN_BURN) return _burn(c, objs);
        revert UnsupportedKind(c.kind);
    }

    /// tokenCreate: the id from the signer and its nonce, supply 0.
    function _create(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.TokenCreate memory m = abi.decode(c.message, (Eip712Tx.TokenCreate));
        bytes32 tokenId = sha256(abi.encodePacked("filverse:token", c.signer, m.nonce));
        SszObjects.Token memory t = SszObjects.Token({
            issuer: c.sender,
            name: bytes(m.name),
            symbol: bytes(m.symbol),
            decimals: m.decimals,
            cap: m.cap,
            supply: 0
        });
        _set(objs, NS_TOKEN, abi.encodePacked(tokenId), abi.encode(t));
        return (true, 0);
    }

    /// tokenMint: the issuer (or its delegate) only, up to the cap. A balance past 2^256 − 1 would
    /// not encode: EXECUTION_FAULT.
    function _mint(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.TokenMint memory m = abi.decode(c.message, (Eip712Tx.TokenMint));
        (uint16 code, address actor) = _resolveActor(objs, c.timestamp, c.sender, m.onBehalfOf);
        if (code != 0) return (true, code);
        SszObjects.Token memory t;
        (code, t) = _token(objs, m.tokenId);
        if (code != 0) return (true, code);
        if (t.issuer != actor) return (true, NOT_TOKEN_ISSUER);
        if (t.supply > t.cap || m.amount > t.cap - t.supply) return (true, TOKEN_CAP_EXCEEDED);
        t.supply += m.amount;
        _set(objs, NS_TOKEN, abi.encodePacked(m.tokenId), abi.encode(t));
        uint256 b = _balanceOf(objs, m.tokenId, m.to);
        if (b > type(uint256).max - m.amount) return (false, 0);
        _setBalance(objs, m.tokenId, m.to, b + m.amount);
        return (true, 0);
    }

    /// tokenTransfer: from the actor's balance. The token must exist.
    function _transfer(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.TokenMint memory m = abi.decode(c.message, (Eip712Tx.TokenMint));
        (uint16 code, address actor) = _resolveActor(objs, c.timestamp, c.sender, m.onBehalfOf);
        if (code != 0) return (true, code);
        (code,) = _token(objs, m.tokenId);
        if (code != 0) return (true, code);
        uint256 from = _balanceOf(objs, m.tokenId, actor);
        if (from < m.amount) return (true, INSUFFICIENT_TOKEN_BALANCE);
        _setBalance(objs, m.tokenId, actor, from - m.amount);
        // Read after the debit: a transfer to oneself credits the debited balance.
        uint256 b = _balanceOf(objs, m.tokenId, m.to);
        if (b > type(uint256).max - m.amount) return (false, 0);
        _setBalance(objs, m.tokenId, m.to, b + m.amount);
        return (true, 0);
    }

    /// tokenBurn: from the actor's balance and the supply. A supply below the amount (a state whose
    /// balances exceed its supply) would go negative: EXECUTION_FAULT.
    function _burn(Call calldata c, Obj[] memory objs) private pure returns (bool, uint16) {
        Eip712Tx.TokenBurn memory m = abi.decode(c.message, (Eip712Tx.TokenBurn));
        (uint16 code, address actor) = _resolveActor(objs, c.timestamp, c.sender, m.onBehalfOf);
        if (code != 0) return (true, code);
        SszObjects.Token memory t;
        (code, t) = _token(objs, m.tokenId);
        if (code != 0) return (true, code);
        uint256 from = _balanceOf(objs, m.tokenId, actor);
        if (from < m.amount) return (true, INSUFFICIENT_TOKEN_BALANCE);
        _setBalance(objs, m.tokenId, actor, from - m.amount);
        if (t.supply < m.amount) return (false, 0);
        t.supply -= m.amount;
        _set(objs, NS_TOKEN, abi.encodePacked(m.tokenId), abi.encode(t));
        return (true, 0);
    }

    function _token(Obj[] memory objs, bytes32 tokenId) private pure returns (uint16, SszObjects.Token memory t) {
        (bool present, bytes memory v) = _get(objs, NS_TOKEN, abi.encodePacked(tokenId));
        if (!present) return (TOKEN_NOT_FOUND, t);
        return (0, abi.decode(v, (SszObjects.Token)));
    }

    function _balanceOf(Obj[] memory objs, bytes32 tokenId, address holder) private pure returns (uint256) {
        (bool present, bytes memory v) = _get(objs, NS_TOKEN_BALANCE, abi.encodePacked(tokenId, holder));
        return present ? abi.decode(v, (uint256)) : 0;
    }

    /// A zero balance is removed, so the state holds only real holders.
    function _setBalance(Obj[] memory objs, bytes32 tokenId, address holder, uint256 balance) private pure {
        bytes memory id = abi.encodePacked(tokenId, holder);
        if (balance == 0) _delete(objs, NS_TOKEN_BALANCE, id);
        else _set(objs, NS_TOKEN_BALANCE, id, abi.encode(balance));
    }
}
