// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IKindExecutor} from "./IKindExecutor.sol";
import {SszObjects} from "./SszObjects.sol";

/// @title ViaExecutor
/// @notice The Via envelope for OneStepExecutor (docs/protocol.md, "The Via envelope"): a user
///         transaction of kind K wrapped with a `sponsor` (whose fee allowance pays the fee) and an
///         `account` (that a session key acts for). Here are the Via type hashes (`Via<Name>`, EIP-712
///         encodeType with the dependencies sorted by name), and the whole inclusion of a Via
///         transaction as the TypeScript state machine runs it: the signer's nonce and the fee, the
///         session grant's checks (205–210), the fee payer and its allowance (211–214, 202), the fee
///         charged and recorded, the kind's rules with the actor as sender (the FIL kinds here, the
///         others in their kind executor), a session's spending recorded after rules that pass.
///         Separate from OneStepExecutor for room (EIP-170).
/// @dev    The objects come as IKindExecutor.Obj in strictly ascending key order (OneStepExecutor
///         checks it); a read of an object the step does not carry reverts ObjectMissing.
contract ViaExecutor {
    /// One Via transaction, its message the inner kind's Eip712Tx struct ABI-encoded.
    struct Call {
        uint8 kind;
        bytes message;
        address signer;
        address sponsor;
        address account;
        uint64 nonce;
        uint256 fee;
        uint256 minTxFee;
        uint64 chainId;
        uint64 timestamp;
        address proposer;
        /// The kind's executor; address(0) for the FIL kinds (Transfer, Withdraw), which run here.
        IKindExecutor group;
        IKindExecutor.Obj[] objects;
    }

    /// As OneStepExecutor's Included: includable false with its code (a TxValidationError, or
    /// EXECUTION_FAULT); else the execution code. The objects' values after the transaction, and the
    /// valueHashes of those past Account before and after it; the actor; a Withdraw's index.
    struct Result {
        bool includable;
        uint16 code;
        address actor;
        uint64 withdrawalIndex;
        bool[] present;
        bytes[] values;
        bytes32[] hashBefore;
        bytes32[] hashAfter;
    }

    /// What the session and allowance checks read of the inner message (docs/protocol.md).
    struct Facts {
        bool hasCollection;
        bytes32 collection;
        /// The object target T (zero: none).
        bytes32 target;
        bool hasCounterparty;
        address counterparty;
        uint256 filAmount;
        bool hasToken;
        bytes32 token;
        uint256 tokenAmount;
    }

    uint8 internal constant NS_GLOBALS = 0x00;
    uint8 internal constant NS_ACCOUNT = 0x01;
    uint8 internal constant NS_FEE_ALLOWANCE = 0x0e;
    uint8 internal constant NS_SESSION_GRANT = 0x0f;

    uint16 internal constant NONCE_TOO_LOW = 200;
    uint16 internal constant NONCE_TOO_HIGH = 201;
    uint16 internal constant INSUFFICIENT_FUNDS_FOR_FEE = 202;
    uint16 internal constant FEE_TOO_LOW = 203;
    uint16 internal constant EXECUTION_FAULT = 204;
    uint16 internal constant SESSION_NOT_FOUND = 205;
    uint16 internal constant SESSION_REVOKED = 206;
    uint16 internal constant SESSION_EXPIRED = 207;
    uint16 internal constant SESSION_KIND_NOT_ALLOWED = 208;
    uint16 internal constant SESSION_TARGET_NOT_ALLOWED = 209;
    uint16 internal constant SESSION_CAP_EXCEEDED = 210;
    uint16 internal constant FEE_ALLOWANCE_NOT_FOUND = 211;
    uint16 internal constant FEE_ALLOWANCE_EXPIRED = 212;
    uint16 internal constant FEE_ALLOWANCE_NOT_COVERED = 213;
    uint16 internal constant FEE_ALLOWANCE_EXCEEDED = 214;
    uint16 internal constant INSUFFICIENT_BALANCE = 1000;
    uint16 internal constant WITHDRAWALS_FULL = 1001;
    uint256 internal constant MAX_WITHDRAWALS = 2 ** 32;

    /// keccak256 of each Via<Name> encodeType (Via<Name> first, then the referenced types sorted by name).
    bytes32 internal constant VIA_TRANSFER_TYPEHASH =
        keccak256("ViaTransfer(address sponsor,address account,Transfer tx)Transfer(address to,uint256 amount,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_WITHDRAW_TYPEHASH =
        keccak256("ViaWithdraw(address sponsor,address account,Withdraw tx)Withdraw(address l1Recipient,uint256 amount,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_COLLECTION_CREATE_TYPEHASH =
        keccak256("ViaCollectionCreate(address sponsor,address account,CollectionCreate tx)CollectionCreate(string name,string symbol,uint16 royaltyBps,uint64 maxSupply,bool metadataMutable,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_ASSET_MINT_TYPEHASH =
        keccak256("ViaAssetMint(address sponsor,address account,AssetMint tx)AssetMint(bytes32 collectionId,uint64 tokenId,address to,string contentCid,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_ASSET_BATCH_MINT_TYPEHASH =
        keccak256("ViaAssetBatchMint(address sponsor,address account,AssetBatchMint tx)AssetBatchMint(bytes32 collectionId,uint64 firstTokenId,address to,string[] contentCids,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_ASSET_TRANSFER_TYPEHASH =
        keccak256("ViaAssetTransfer(address sponsor,address account,AssetTransfer tx)AssetTransfer(bytes32 collectionId,uint64 tokenId,address to,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_ASSET_BURN_TYPEHASH =
        keccak256("ViaAssetBurn(address sponsor,address account,AssetBurn tx)AssetBurn(bytes32 collectionId,uint64 tokenId,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_ASSET_METADATA_UPDATE_TYPEHASH =
        keccak256("ViaAssetMetadataUpdate(address sponsor,address account,AssetMetadataUpdate tx)AssetMetadataUpdate(bytes32 collectionId,uint64 tokenId,string contentCid,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_ASSET_APPROVE_TYPEHASH =
        keccak256("ViaAssetApprove(address sponsor,address account,AssetApprove tx)AssetApprove(bytes32 collectionId,uint64 tokenId,address approved,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_OPERATOR_SET_TYPEHASH =
        keccak256("ViaOperatorSet(address sponsor,address account,OperatorSet tx)OperatorSet(bytes32 collectionId,address operator,bool approved,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_TOKEN_CREATE_TYPEHASH =
        keccak256("ViaTokenCreate(address sponsor,address account,TokenCreate tx)TokenCreate(string name,string symbol,uint8 decimals,uint256 cap,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_TOKEN_MINT_TYPEHASH =
        keccak256("ViaTokenMint(address sponsor,address account,TokenMint tx)TokenMint(bytes32 tokenId,address to,uint256 amount,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_TOKEN_TRANSFER_TYPEHASH =
        keccak256("ViaTokenTransfer(address sponsor,address account,TokenTransfer tx)TokenTransfer(bytes32 tokenId,address to,uint256 amount,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_TOKEN_BURN_TYPEHASH =
        keccak256("ViaTokenBurn(address sponsor,address account,TokenBurn tx)TokenBurn(bytes32 tokenId,uint256 amount,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_IDENTITY_CREATE_TYPEHASH =
        keccak256("ViaIdentityCreate(address sponsor,address account,IdentityCreate tx)IdentityCreate(string handle,string profileCid,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_IDENTITY_UPDATE_TYPEHASH =
        keccak256("ViaIdentityUpdate(address sponsor,address account,IdentityUpdate tx)IdentityUpdate(bytes32 identityId,string profileCid,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_ATTRIBUTE_SET_TYPEHASH =
        keccak256("ViaAttributeSet(address sponsor,address account,AttributeSet tx)AttributeSet(bytes32 identityId,string key,string value,uint64 expiresAt,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_ATTRIBUTE_REMOVE_TYPEHASH =
        keccak256("ViaAttributeRemove(address sponsor,address account,AttributeRemove tx)AttributeRemove(bytes32 identityId,string key,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_DELEGATE_ADD_TYPEHASH =
        keccak256("ViaDelegateAdd(address sponsor,address account,DelegateAdd tx)DelegateAdd(bytes32 identityId,address delegate,uint8 scope,uint64 expiresAt,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_DELEGATE_REVOKE_TYPEHASH =
        keccak256("ViaDelegateRevoke(address sponsor,address account,DelegateRevoke tx)DelegateRevoke(bytes32 identityId,address delegate,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_IDENTITY_TRANSFER_TYPEHASH =
        keccak256("ViaIdentityTransfer(address sponsor,address account,IdentityTransfer tx)IdentityTransfer(bytes32 identityId,address newOwner,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_DATA_ASSET_REGISTER_TYPEHASH =
        keccak256("ViaDataAssetRegister(address sponsor,address account,DataAssetRegister tx)DataAssetRegister(string contentCid,string pieceCid,uint64 size,string license,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_ACCESS_GRANT_TYPEHASH =
        keccak256("ViaAccessGrant(address sponsor,address account,AccessGrant tx)AccessGrant(bytes32 dataAssetId,address grantee,uint64 expiresAt,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_ACCESS_REVOKE_TYPEHASH =
        keccak256("ViaAccessRevoke(address sponsor,address account,AccessRevoke tx)AccessRevoke(bytes32 dataAssetId,address grantee,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_TRADE_FILL_TYPEHASH =
        keccak256("ViaTradeFill(address sponsor,address account,TradeFill tx)Order(address maker,uint8 side,bytes32 collectionId,uint64 tokenId,uint256 price,address taker,uint64 expiresAt,uint256 salt)TradeFill(Order order,bytes makerSignature,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_ORDER_CANCEL_TYPEHASH =
        keccak256("ViaOrderCancel(address sponsor,address account,OrderCancel tx)Order(address maker,uint8 side,bytes32 collectionId,uint64 tokenId,uint256 price,address taker,uint64 expiresAt,uint256 salt)OrderCancel(Order order,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_FEE_ALLOWANCE_SET_TYPEHASH =
        keccak256("ViaFeeAllowanceSet(address sponsor,address account,FeeAllowanceSet tx)FeeAllowanceSet(address grantee,bytes32 target,uint256 totalBudget,uint256 periodBudget,uint64 period,uint256 maxFeePerTx,uint256 kinds,uint64 expiresAt,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_FEE_ALLOWANCE_REVOKE_TYPEHASH =
        keccak256("ViaFeeAllowanceRevoke(address sponsor,address account,FeeAllowanceRevoke tx)FeeAllowanceRevoke(address grantee,bytes32 target,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_SESSION_GRANT_TYPEHASH =
        keccak256("ViaSessionGrant(address sponsor,address account,SessionGrant tx)SessionGrant(address sessionKey,bytes32 app,bytes appSignature,uint64 requestDeadline,uint256 kinds,uint256 filCap,uint256 filPeriodCap,uint64 period,bytes32[] tokens,uint256[] tokenCaps,uint256[] tokenPeriodCaps,bytes32[] collections,address[] counterparties,uint64 expiresAt,uint64 nonce,uint256 fee)");
    bytes32 internal constant VIA_SESSION_REVOKE_TYPEHASH =
        keccak256("ViaSessionRevoke(address sponsor,address account,SessionRevoke tx)SessionRevoke(address account,address sessionKey,uint64 nonce,uint256 fee)");

    error UnknownKind(uint8 kind);
    /// The step needs an object the proof does not carry.
    error ObjectMissing(bytes32 key);


    // --- the Via type hashes ----------------------------------------------------------------------

    /// hashStruct(Via<Name>{sponsor, account, tx}) given K's own hashStruct.
    function structHash(uint8 kind, address sponsor, address account, bytes32 inner) external pure returns (bytes32) {
        return keccak256(abi.encode(viaTypeHash(kind), sponsor, account, inner));
    }

    /// keccak256 of Via<Name>'s encodeType; UnknownKind for a number that is no user kind.
    function viaTypeHash(uint8 kind) public pure returns (bytes32) {
        if (kind == 1) return VIA_TRANSFER_TYPEHASH;
        if (kind == 2) return VIA_WITHDRAW_TYPEHASH;
        if (kind == 10) return VIA_COLLECTION_CREATE_TYPEHASH;
        if (kind == 11) return VIA_ASSET_MINT_TYPEHASH;
        if (kind == 12) return VIA_ASSET_BATCH_MINT_TYPEHASH;
        if (kind == 13) return VIA_ASSET_TRANSFER_TYPEHASH;
        if (kind == 14) return VIA_ASSET_BURN_TYPEHASH;
        if (kind == 15) return VIA_ASSET_METADATA_UPDATE_TYPEHASH;
        if (kind == 16) return VIA_ASSET_APPROVE_TYPEHASH;
        if (kind == 17) return VIA_OPERATOR_SET_TYPEHASH;
        if (kind == 20) return VIA_TOKEN_CREATE_TYPEHASH;
        if (kind == 21) return VIA_TOKEN_MINT_TYPEHASH;
        if (kind == 22) return VIA_TOKEN_TRANSFER_TYPEHASH;
        if (kind == 23) return VIA_TOKEN_BURN_TYPEHASH;
        if (kind == 30) return VIA_IDENTITY_CREATE_TYPEHASH;
        if (kind == 31) return VIA_IDENTITY_UPDATE_TYPEHASH;
        if (kind == 32) return VIA_ATTRIBUTE_SET_TYPEHASH;
        if (kind == 33) return VIA_ATTRIBUTE_REMOVE_TYPEHASH;
        if (kind == 34) return VIA_DELEGATE_ADD_TYPEHASH;
        if (kind == 35) return VIA_DELEGATE_REVOKE_TYPEHASH;
        if (kind == 36) return VIA_IDENTITY_TRANSFER_TYPEHASH;
        if (kind == 40) return VIA_DATA_ASSET_REGISTER_TYPEHASH;
        if (kind == 41) return VIA_ACCESS_GRANT_TYPEHASH;
        if (kind == 42) return VIA_ACCESS_REVOKE_TYPEHASH;
        if (kind == 50) return VIA_TRADE_FILL_TYPEHASH;
        if (kind == 51) return VIA_ORDER_CANCEL_TYPEHASH;
        if (kind == 60) return VIA_FEE_ALLOWANCE_SET_TYPEHASH;
        if (kind == 61) return VIA_FEE_ALLOWANCE_REVOKE_TYPEHASH;
        if (kind == 62) return VIA_SESSION_GRANT_TYPEHASH;
        if (kind == 63) return VIA_SESSION_REVOKE_TYPEHASH;
        revert UnknownKind(kind);
    }

    // --- inclusion --------------------------------------------------------------------------------

    /// Where include keeps its working values (one memory struct, for the stack).
    struct Work {
        address actor;
        bool session;
        Facts f;
        SszObjects.SessionGrantRecord grant;
        /// The allowance that pays (sponsored), its id.
        SszObjects.FeeAllowance allowance;
        bytes allowanceId;
        bool feeCredited;
    }

    /// BlockExecutor.includeTransaction for a Via transaction: `k` as a kind executor gets it, with
    /// the signer as sender; the rest of the Via transaction and the block beside it. The result as
    /// a kind executor's (its code a TxValidationError when not includable), with the actor, and a
    /// Withdraw's index.
    function include(
        IKindExecutor.Call calldata k,
        address sponsor,
        address account,
        uint64 nonce,
        uint256 fee,
        uint256 minTxFee,
        address proposer,
        IKindExecutor group
    ) external view returns (IKindExecutor.Result memory, address, uint64) {
        Call memory c = Call({
            kind: k.kind,
            message: k.message,
            signer: k.sender,
            sponsor: sponsor,
            account: account,
            nonce: nonce,
            fee: fee,
            minTxFee: minTxFee,
            chainId: k.chainId,
            timestamp: k.timestamp,
            proposer: proposer,
            group: group,
            objects: k.objects
        });
        Result memory r = _include(c);
        return (
            IKindExecutor.Result({
                includable: r.includable,
                code: r.code,
                present: r.present,
                values: r.values,
                hashBefore: r.hashBefore,
                hashAfter: r.hashAfter
            }),
            r.actor,
            r.withdrawalIndex
        );
    }

    function _include(Call memory c) private view returns (Result memory r) {
        IKindExecutor.Obj[] memory objs = c.objects;
        uint256 n = objs.length;
        // The valueHashes before: the allowances and grants here, the kind's objects from its executor.
        r.hashBefore = new bytes32[](n);
        r.hashAfter = r.hashBefore;
        for (uint256 i = 0; i < n; i++) {
            if (objs[i].present && objs[i].ns >= NS_FEE_ALLOWANCE) r.hashBefore[i] = _valueHash(objs[i].ns, objs[i].value);
        }
        Work memory w;
        w.actor = c.account != address(0) && c.account != c.signer ? c.account : c.signer;
        w.session = w.actor != c.signer;
        r.actor = w.actor;
        w.f = facts(c.kind, c.message);
        r.code = _includable(c, objs, w);
        if (r.code != 0) return r;

        // The fee: the signer's nonce, the payer's debit, the proposer's credit, and its record.
        SszObjects.Account memory a = _account(objs, c.signer);
        a.nonce = c.nonce + 1;
        _setAccount(objs, c.signer, a);
        // The payer's account is written even for a zero fee (created when absent), as the TypeScript does.
        address payer = c.sponsor != address(0) ? c.sponsor : w.actor;
        a = _account(objs, payer);
        a.balance -= c.fee;
        _setAccount(objs, payer, a);
        w.feeCredited = _credit(objs, c.proposer, c.fee);
        if (c.sponsor != address(0)) {
            _roll(w.allowance, c.timestamp);
            w.allowance.spent += c.fee;
            w.allowance.periodSpent += c.fee;
            _set(objs, NS_FEE_ALLOWANCE, w.allowanceId, abi.encode(w.allowance));
        } else if (w.session) {
            _rollGrant(w.grant, c.timestamp);
            w.grant.filSpent += c.fee;
            w.grant.filPeriodSpent += c.fee;
            _set(objs, NS_SESSION_GRANT, abi.encodePacked(w.actor, c.signer), abi.encode(w.grant));
        }
        bool[] memory markPresent = new bool[](n);
        bytes[] memory markValues = new bytes[](n);
        for (uint256 i = 0; i < n; i++) {
            (markPresent[i], markValues[i]) = (objs[i].present, objs[i].value);
        }

        bytes32[] memory kindBefore;
        bytes32[] memory kindAfter;
        r.includable = true;
        if (address(c.group) == address(0)) {
            (r.includable, r.code, r.withdrawalIndex) = _fil(c, objs, w.actor);
        } else {
            IKindExecutor.Result memory k = c.group.execute(
                IKindExecutor.Call({
                    kind: c.kind,
                    chainId: c.chainId,
                    message: c.message,
                    sender: w.actor,
                    signer: c.signer,
                    timestamp: c.timestamp,
                    objects: objs
                })
            );
            (r.includable, r.code, kindBefore, kindAfter) = (k.includable, k.code, k.hashBefore, k.hashAfter);
            if (k.includable && k.code == 0) {
                for (uint256 i = 0; i < n; i++) {
                    (objs[i].present, objs[i].value) = (k.present[i], k.values[i]);
                }
            } else {
                kindAfter = k.hashBefore;
            }
        }
        if (r.includable && r.code == 0 && w.session) _recordSpending(c, objs, w);
        if (!w.feeCredited) r.includable = false;
        if (r.includable && r.code != 0) {
            for (uint256 i = 0; i < n; i++) {
                (objs[i].present, objs[i].value) = (markPresent[i], markValues[i]);
            }
        }
        r.present = new bool[](n);
        r.values = new bytes[](n);
        r.hashAfter = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            (r.present[i], r.values[i]) = (objs[i].present, objs[i].value);
            if (objs[i].ns >= NS_FEE_ALLOWANCE) {
                if (objs[i].present) r.hashAfter[i] = _valueHash(objs[i].ns, objs[i].value);
            } else if (kindBefore.length > 0 && objs[i].ns > NS_ACCOUNT) {
                (r.hashBefore[i], r.hashAfter[i]) = (kindBefore[i], kindAfter[i]);
            }
        }
        if (!r.includable) r.code = EXECUTION_FAULT;
    }

    /// checkIncludable of a Via transaction: the signer's nonce, the fee, the session, the fee payer.
    function _includable(Call memory c, IKindExecutor.Obj[] memory objs, Work memory w)
        private
        pure
        returns (uint16 code)
    {
        SszObjects.Account memory a = _account(objs, c.signer);
        if (c.nonce < a.nonce) return NONCE_TOO_LOW;
        if (c.nonce > a.nonce) return NONCE_TOO_HIGH;
        if (c.fee < c.minTxFee) return FEE_TOO_LOW;
        if (w.session) {
            code = _sessionCheck(c, objs, w);
            if (code != 0) return code;
        }
        address payer = w.actor;
        if (c.sponsor != address(0)) {
            code = _findAllowance(c, objs, w);
            if (code != 0) return code;
            payer = c.sponsor;
        }
        if (_account(objs, payer).balance < c.fee) return INSUFFICIENT_FUNDS_FOR_FEE;
        return 0;
    }

    /// The session grant (actor, signer): present, not revoked, not expired, the kind, the
    /// collection and counterparty, the FIL and token caps after the period roll.
    function _sessionCheck(Call memory c, IKindExecutor.Obj[] memory objs, Work memory w)
        private
        pure
        returns (uint16)
    {
        (bool present, bytes memory v) = _get(objs, NS_SESSION_GRANT, abi.encodePacked(w.actor, c.signer));
        if (!present) return SESSION_NOT_FOUND;
        SszObjects.SessionGrantRecord memory g = abi.decode(v, (SszObjects.SessionGrantRecord));
        w.grant = g;
        if (g.revoked) return SESSION_REVOKED;
        if (c.timestamp >= g.expiresAt) return SESSION_EXPIRED;
        if ((g.kinds >> c.kind) & 1 == 0) return SESSION_KIND_NOT_ALLOWED;
        Facts memory f = w.f;
        if (g.collections.length > 0 && f.hasCollection && !_hasBytes32(g.collections, f.collection)) {
            return SESSION_TARGET_NOT_ALLOWED;
        }
        if (g.counterparties.length > 0 && f.hasCounterparty) {
            bool found;
            for (uint256 i = 0; i < g.counterparties.length; i++) {
                if (g.counterparties[i] == f.counterparty) found = true;
            }
            if (!found) return SESSION_TARGET_NOT_ALLOWED;
        }
        _rollGrant(g, c.timestamp);
        uint256 fee = c.sponsor == address(0) ? c.fee : 0;
        if (
            _over(g.filSpent, f.filAmount, fee, g.filCap)
                || (g.filPeriodCap > 0 && _over(g.filPeriodSpent, f.filAmount, fee, g.filPeriodCap))
        ) return SESSION_CAP_EXCEEDED;
        if (f.hasToken) {
            uint256 i = 0;
            while (i < g.tokens.length && g.tokens[i] != f.token) i++;
            if (i == g.tokens.length) return SESSION_CAP_EXCEEDED;
            if (
                _over(g.tokenSpent[i], f.tokenAmount, 0, g.tokenCaps[i])
                    || (g.tokenPeriodCaps[i] > 0 && _over(g.tokenPeriodSpent[i], f.tokenAmount, 0, g.tokenPeriodCaps[i]))
            ) return SESSION_CAP_EXCEEDED;
        }
        return 0;
    }

    /// The sponsor's allowance that pays: the candidates (actor, 0), (actor, T), (actor, app), (0, T),
    /// (0, app) in order, a zero target (but the first's) and a repeat skipped; the first present that
    /// covers the fee. None present: FEE_ALLOWANCE_NOT_FOUND; none covers: the first present's code.
    function _findAllowance(Call memory c, IKindExecutor.Obj[] memory objs, Work memory w)
        private
        pure
        returns (uint16)
    {
        bytes32 t = w.f.target;
        bytes32 app = w.session ? w.grant.app : c.kind == 62 ? t : bytes32(0);
        address[5] memory grantees = [w.actor, w.actor, w.actor, address(0), address(0)];
        bytes32[5] memory targets = [bytes32(0), t, app, t, app];
        uint16 first = 0;
        for (uint256 i = 0; i < 5; i++) {
            if (i > 0 && (targets[i] == 0 || _repeat(grantees, targets, i))) continue;
            uint16 code = _candidate(c, objs, w, grantees[i], targets[i]);
            if (code == 0) return 0;
            if (first == 0 && code != FEE_ALLOWANCE_NOT_FOUND) first = code;
        }
        return first == 0 ? FEE_ALLOWANCE_NOT_FOUND : first;
    }

    function _repeat(address[5] memory grantees, bytes32[5] memory targets, uint256 i) private pure returns (bool) {
        for (uint256 j = 0; j < i; j++) {
            if (grantees[j] == grantees[i] && targets[j] == targets[i]) return true;
        }
        return false;
    }

    /// One candidate allowance: FEE_ALLOWANCE_NOT_FOUND when absent, 0 when it covers (kept in `w`),
    /// else why not.
    function _candidate(
        Call memory c,
        IKindExecutor.Obj[] memory objs,
        Work memory w,
        address grantee,
        bytes32 target
    ) private pure returns (uint16 code) {
        bytes memory id = abi.encodePacked(c.sponsor, grantee, target);
        (bool present, bytes memory v) = _get(objs, NS_FEE_ALLOWANCE, id);
        if (!present) return FEE_ALLOWANCE_NOT_FOUND;
        SszObjects.FeeAllowance memory a = abi.decode(v, (SszObjects.FeeAllowance));
        code = _covers(c, a);
        if (code == 0) (w.allowance, w.allowanceId) = (a, id);
    }

    /// Whether an allowance covers the transaction: not expired, the kind, the fee within its limits.
    function _covers(Call memory c, SszObjects.FeeAllowance memory a) private pure returns (uint16) {
        if (a.expiresAt != 0 && c.timestamp >= a.expiresAt) return FEE_ALLOWANCE_EXPIRED;
        if ((a.kinds >> c.kind) & 1 == 0) return FEE_ALLOWANCE_NOT_COVERED;
        SszObjects.FeeAllowance memory rolled = _copyAllowance(a);
        _roll(rolled, c.timestamp);
        if (
            (a.maxFeePerTx != 0 && c.fee > a.maxFeePerTx) || _over(a.spent, c.fee, 0, a.totalBudget)
                || (a.periodBudget != 0 && _over(rolled.periodSpent, c.fee, 0, a.periodBudget))
        ) return FEE_ALLOWANCE_EXCEEDED;
        return 0;
    }

    function _copyAllowance(SszObjects.FeeAllowance memory a) private pure returns (SszObjects.FeeAllowance memory) {
        return abi.decode(abi.encode(a), (SszObjects.FeeAllowance));
    }

    /// A session's FIL amount and token amount, recorded (rolled) once the kind's rules passed.
    function _recordSpending(Call memory c, IKindExecutor.Obj[] memory objs, Work memory w) private pure {
        // Written for every session transaction, even one that moved nothing (then only the roll).
        Facts memory f = w.f;
        bytes memory id = abi.encodePacked(w.actor, c.signer);
        (, bytes memory v) = _get(objs, NS_SESSION_GRANT, id);
        SszObjects.SessionGrantRecord memory g = abi.decode(v, (SszObjects.SessionGrantRecord));
        _rollGrant(g, c.timestamp);
        g.filSpent += f.filAmount;
        g.filPeriodSpent += f.filAmount;
        if (f.hasToken) {
            for (uint256 i = 0; i < g.tokens.length; i++) {
                if (g.tokens[i] == f.token) {
                    g.tokenSpent[i] += f.tokenAmount;
                    g.tokenPeriodSpent[i] += f.tokenAmount;
                }
            }
        }
        _set(objs, NS_SESSION_GRANT, id, abi.encode(g));
    }

    /// The period roll: a period that has passed starts again at the latest boundary, its spending zero.
    function _roll(SszObjects.FeeAllowance memory a, uint64 timestamp) private pure {
        if (a.period > 0 && uint256(timestamp) >= uint256(a.periodStart) + a.period) {
            a.periodStart = timestamp - ((timestamp - a.periodStart) % a.period);
            a.periodSpent = 0;
        }
    }

    function _rollGrant(SszObjects.SessionGrantRecord memory g, uint64 timestamp) private pure {
        if (g.period > 0 && uint256(timestamp) >= uint256(g.periodStart) + g.period) {
            g.periodStart = timestamp - ((timestamp - g.periodStart) % g.period);
            g.filPeriodSpent = 0;
            for (uint256 i = 0; i < g.tokenPeriodSpent.length; i++) {
                g.tokenPeriodSpent[i] = 0;
            }
        }
    }

    /// a + b + c > cap, without overflow.
    function _over(uint256 a, uint256 b, uint256 c, uint256 cap) private pure returns (bool) {
        if (a > cap) return true;
        cap -= a;
        if (b > cap) return true;
        return c > cap - b;
    }

    function _hasBytes32(bytes32[] memory list, bytes32 x) private pure returns (bool) {
        for (uint256 i = 0; i < list.length; i++) {
            if (list[i] == x) return true;
        }
        return false;
    }

    // --- what the checks read of a message -----------------------------------------------------

    /// The collection, object target, counterparty, FIL amount and token moved of a message of
    /// `kind` (docs/protocol.md), read from its ABI head words.
    function facts(uint8 kind, bytes memory m) public pure returns (Facts memory f) {
        // Structs with a string, bytes or array member are ABI-encoded behind a 0x20 offset.
        bool dyn = kind == 11 || kind == 12 || kind == 15 || kind == 31 || kind == 32 || kind == 33 || kind == 50
            || kind == 62;
        if (kind >= 11 && kind <= 17) {
            f.hasCollection = true;
            f.collection = _word(m, dyn, 0);
            f.target = f.collection;
        } else if (kind == 50 || kind == 51) {
            f.hasCollection = true;
            f.collection = _word(m, dyn, 2);
            f.target = f.collection;
        } else if ((kind >= 21 && kind <= 23) || (kind >= 31 && kind <= 33) || kind == 41 || kind == 42) {
            f.target = _word(m, dyn, 0);
        } else if (kind == 62) {
            f.target = _word(m, dyn, 1);
        }
        // The counterparty's head word: Transfer.to, AssetTransfer.to, AssetApprove.approved,
        // OperatorSet.operator, TokenTransfer.to, a fill's order.maker.
        uint256 cp = kind == 1 || kind == 50 ? 1 : kind == 13 || kind == 16 ? 3 : kind == 17 || kind == 22 ? 2 : 0;
        if (cp > 0) {
            f.hasCounterparty = true;
            f.counterparty = address(uint160(uint256(_word(m, dyn, cp - 1))));
        }
        if (kind == 1) f.filAmount = uint256(_word(m, dyn, 1));
        // A fill of a Sell order (side 0): the actor buys and pays the price.
        if (kind == 50 && _word(m, dyn, 1) == 0) f.filAmount = uint256(_word(m, dyn, 4));
        if (kind == 22 || kind == 23) {
            f.hasToken = true;
            f.token = _word(m, dyn, 0);
            f.tokenAmount = uint256(_word(m, dyn, kind == 22 ? 2 : 1));
        }
    }

    /// Head word `i` of an ABI-encoded struct (`dyn`: behind its 0x20 offset).
    function _word(bytes memory m, bool dyn, uint256 i) private pure returns (bytes32 w) {
        uint256 at = (dyn ? 64 : 32) + 32 * i;
        assembly ("memory-safe") {
            w := mload(add(m, at))
        }
    }

    // --- the FIL kinds --------------------------------------------------------------------------

    /// fil.transfer and fil.withdraw with the actor as sender (OneStepExecutor's _transfer, _withdraw).
    function _fil(Call memory c, IKindExecutor.Obj[] memory objs, address actor)
        private
        pure
        returns (bool, uint16, uint64)
    {
        (address to, uint256 amount) = abi.decode(c.message, (address, uint256));
        if (c.kind == 1) {
            if (!_debit(objs, actor, amount)) return (true, INSUFFICIENT_BALANCE, 0);
            if (!_credit(objs, to, amount)) return (false, 0, 0);
            return (true, 0, 0);
        }
        (bool present, bytes memory v) = _get(objs, NS_GLOBALS, "");
        SszObjects.Globals memory g;
        if (present) g = abi.decode(v, (SszObjects.Globals));
        if (g.withdrawalCount >= MAX_WITHDRAWALS) return (true, WITHDRAWALS_FULL, 0);
        if (!_debit(objs, actor, amount)) return (true, INSUFFICIENT_BALANCE, 0);
        uint64 index = g.withdrawalCount;
        unchecked {
            if (g.totalWithdrawn + amount < g.totalWithdrawn) return (false, 0, 0);
        }
        g.withdrawalCount = index + 1;
        g.totalWithdrawn += amount;
        _set(objs, NS_GLOBALS, "", abi.encode(g));
        return (true, 0, index);
    }

    /// WorkingState.debit: false if the balance is short; nothing written for zero.
    function _debit(IKindExecutor.Obj[] memory objs, address from, uint256 amount) private pure returns (bool) {
        SszObjects.Account memory a = _account(objs, from);
        if (a.balance < amount) return false;
        if (amount == 0) return true;
        a.balance -= amount;
        _setAccount(objs, from, a);
        return true;
    }

    /// WorkingState.credit: nothing (not even a read) for zero; false if the balance would pass uint256.
    function _credit(IKindExecutor.Obj[] memory objs, address to, uint256 amount) private pure returns (bool) {
        if (amount == 0) return true;
        SszObjects.Account memory a = _account(objs, to);
        unchecked {
            if (a.balance + amount < a.balance) return false;
        }
        a.balance += amount;
        _setAccount(objs, to, a);
        return true;
    }

    // --- objects --------------------------------------------------------------------------------

    function _account(IKindExecutor.Obj[] memory objs, address a) private pure returns (SszObjects.Account memory acc) {
        (bool present, bytes memory v) = _get(objs, NS_ACCOUNT, abi.encodePacked(a));
        if (present) acc = abi.decode(v, (SszObjects.Account));
    }

    function _setAccount(IKindExecutor.Obj[] memory objs, address a, SszObjects.Account memory acc) private pure {
        _set(objs, NS_ACCOUNT, abi.encodePacked(a), abi.encode(acc));
    }

    /// The object of (ns, id) by binary search over the keys.
    function _slot(IKindExecutor.Obj[] memory objs, uint8 ns, bytes memory id)
        private
        pure
        returns (IKindExecutor.Obj memory)
    {
        bytes32 k = sha256(abi.encodePacked(ns, id));
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

    function _get(IKindExecutor.Obj[] memory objs, uint8 ns, bytes memory id) private pure returns (bool, bytes memory) {
        IKindExecutor.Obj memory o = _slot(objs, ns, id);
        return (o.present, o.value);
    }

    function _set(IKindExecutor.Obj[] memory objs, uint8 ns, bytes memory id, bytes memory value) private pure {
        IKindExecutor.Obj memory o = _slot(objs, ns, id);
        o.present = true;
        o.value = value;
    }

    function _valueHash(uint8 ns, bytes memory v) private view returns (bytes32) {
        if (ns == NS_FEE_ALLOWANCE) return SszObjects.feeAllowanceRoot(abi.decode(v, (SszObjects.FeeAllowance)));
        return SszObjects.sessionGrantRecordRoot(abi.decode(v, (SszObjects.SessionGrantRecord)));
    }
}
