// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Eip712Tx
/// @notice The EIP-712 digest, the hash and the sender of an L2 transaction, as docs/protocol.md
///         defines them, for the one-step proof (docs/fault-proofs.md):
///           domainSeparator = keccak256(DOMAIN_TYPEHASH ‖ keccak256("Filverse") ‖ keccak256("1") ‖ chainId)
///           signingDigest   = keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message))
///           txHash          = keccak256(signingDigest ‖ signature)      (32 + 65 bytes)
///         and the sender recovered with ecrecover, low-s and v ∈ {27, 28} only.
/// @dev    Every user kind has its message struct (fields in EIP-712 member order, the order of
///         docs/protocol.md), its TYPEHASH (keccak256 of its encodeType string) and its hashStruct.
///         `string` and `bytes` enter encodeData as keccak256 of their bytes, `string[]` as
///         hashStringArray, the nested Order as hashOrder. structHash(kind, message) takes the
///         message ABI-encoded as its struct, which is how a one-step proof will pass it. Mirrors
///         packages/crypto/src/eip712.ts and transaction.ts; differentially tested, and checked
///         against the golden vectors of every kind.
library Eip712Tx {
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256("EIP712Domain(string name,string version,uint256 chainId)");
    bytes32 internal constant NAME_HASH = keccak256("Filverse");
    bytes32 internal constant VERSION_HASH = keccak256("1");

    bytes32 internal constant TRANSFER_TYPEHASH =
        keccak256("Transfer(address to,uint256 amount,uint64 nonce,uint256 fee)");
    bytes32 internal constant WITHDRAW_TYPEHASH =
        keccak256("Withdraw(address l1Recipient,uint256 amount,uint64 nonce,uint256 fee)");
    bytes32 internal constant COLLECTION_CREATE_TYPEHASH =
        keccak256("CollectionCreate(string name,string symbol,uint16 royaltyBps,uint64 maxSupply,bool metadataMutable,uint64 nonce,uint256 fee)");
    bytes32 internal constant ASSET_MINT_TYPEHASH =
        keccak256("AssetMint(bytes32 collectionId,uint64 tokenId,address to,string contentCid,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant ASSET_BATCH_MINT_TYPEHASH =
        keccak256("AssetBatchMint(bytes32 collectionId,uint64 firstTokenId,address to,string[] contentCids,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant ASSET_TRANSFER_TYPEHASH =
        keccak256("AssetTransfer(bytes32 collectionId,uint64 tokenId,address to,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant ASSET_BURN_TYPEHASH =
        keccak256("AssetBurn(bytes32 collectionId,uint64 tokenId,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant ASSET_METADATA_UPDATE_TYPEHASH =
        keccak256("AssetMetadataUpdate(bytes32 collectionId,uint64 tokenId,string contentCid,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant ASSET_APPROVE_TYPEHASH =
        keccak256("AssetApprove(bytes32 collectionId,uint64 tokenId,address approved,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant OPERATOR_SET_TYPEHASH =
        keccak256("OperatorSet(bytes32 collectionId,address operator,bool approved,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant TOKEN_CREATE_TYPEHASH =
        keccak256("TokenCreate(string name,string symbol,uint8 decimals,uint256 cap,uint64 nonce,uint256 fee)");
    bytes32 internal constant TOKEN_MINT_TYPEHASH =
        keccak256("TokenMint(bytes32 tokenId,address to,uint256 amount,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant TOKEN_TRANSFER_TYPEHASH =
        keccak256("TokenTransfer(bytes32 tokenId,address to,uint256 amount,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant TOKEN_BURN_TYPEHASH =
        keccak256("TokenBurn(bytes32 tokenId,uint256 amount,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant IDENTITY_CREATE_TYPEHASH =
        keccak256("IdentityCreate(string handle,string profileCid,uint64 nonce,uint256 fee)");
    bytes32 internal constant IDENTITY_UPDATE_TYPEHASH =
        keccak256("IdentityUpdate(bytes32 identityId,string profileCid,uint64 nonce,uint256 fee)");
    bytes32 internal constant ATTRIBUTE_SET_TYPEHASH =
        keccak256("AttributeSet(bytes32 identityId,string key,string value,uint64 expiresAt,uint64 nonce,uint256 fee)");
    bytes32 internal constant ATTRIBUTE_REMOVE_TYPEHASH =
        keccak256("AttributeRemove(bytes32 identityId,string key,uint64 nonce,uint256 fee)");
    bytes32 internal constant DELEGATE_ADD_TYPEHASH =
        keccak256("DelegateAdd(bytes32 identityId,address delegate,uint8 scope,uint64 expiresAt,uint64 nonce,uint256 fee)");
    bytes32 internal constant DELEGATE_REVOKE_TYPEHASH =
        keccak256("DelegateRevoke(bytes32 identityId,address delegate,uint64 nonce,uint256 fee)");
    bytes32 internal constant IDENTITY_TRANSFER_TYPEHASH =
        keccak256("IdentityTransfer(bytes32 identityId,address newOwner,uint64 nonce,uint256 fee)");
    bytes32 internal constant DATA_ASSET_REGISTER_TYPEHASH =
        keccak256("DataAssetRegister(string contentCid,string pieceCid,uint64 size,string license,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant ACCESS_GRANT_TYPEHASH =
        keccak256("AccessGrant(bytes32 dataAssetId,address grantee,uint64 expiresAt,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant ACCESS_REVOKE_TYPEHASH =
        keccak256("AccessRevoke(bytes32 dataAssetId,address grantee,bytes32 onBehalfOf,uint64 nonce,uint256 fee)");
    bytes32 internal constant TRADE_FILL_TYPEHASH =
        keccak256("TradeFill(Order order,bytes makerSignature,uint64 nonce,uint256 fee)Order(address maker,uint8 side,bytes32 collectionId,uint64 tokenId,uint256 price,address taker,uint64 expiresAt,uint256 salt)");
    bytes32 internal constant ORDER_CANCEL_TYPEHASH =
        keccak256("OrderCancel(Order order,uint64 nonce,uint256 fee)Order(address maker,uint8 side,bytes32 collectionId,uint64 tokenId,uint256 price,address taker,uint64 expiresAt,uint256 salt)");
    bytes32 internal constant FEE_ALLOWANCE_SET_TYPEHASH =
        keccak256("FeeAllowanceSet(address grantee,bytes32 target,uint256 totalBudget,uint256 periodBudget,uint64 period,uint256 maxFeePerTx,uint256 kinds,uint64 expiresAt,uint64 nonce,uint256 fee)");
    bytes32 internal constant FEE_ALLOWANCE_REVOKE_TYPEHASH =
        keccak256("FeeAllowanceRevoke(address grantee,bytes32 target,uint64 nonce,uint256 fee)");
    bytes32 internal constant SESSION_GRANT_TYPEHASH =
        keccak256("SessionGrant(address sessionKey,bytes32 app,bytes appSignature,uint64 requestDeadline,uint256 kinds,uint256 filCap,uint256 filPeriodCap,uint64 period,bytes32[] tokens,uint256[] tokenCaps,uint256[] tokenPeriodCaps,bytes32[] collections,address[] counterparties,uint64 expiresAt,uint64 nonce,uint256 fee)");
    bytes32 internal constant SESSION_REVOKE_TYPEHASH =
        keccak256("SessionRevoke(address account,address sessionKey,uint64 nonce,uint256 fee)");
    /// What an app identity's owner signs to ask for a session key (SessionGrant.appSignature), as its own primary type.
    bytes32 internal constant SESSION_REQUEST_TYPEHASH =
        keccak256("SessionRequest(address account,address sessionKey,bytes32 app,uint64 deadline)");
    bytes32 internal constant ORDER_TYPEHASH = keccak256(
        "Order(address maker,uint8 side,bytes32 collectionId,uint64 tokenId,uint256 price,address taker,uint64 expiresAt,uint256 salt)"
    );

    /// secp256k1n / 2: a larger s is the malleated twin of a valid signature (EIP-2).
    uint256 internal constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    error BadSignatureLength(uint256 length);
    error SignatureHighS();
    error BadSignatureV(uint8 v);
    /// ecrecover found no key (r or s out of range, or not a point).
    error SignatureUnrecoverable();
    /// Not a user transaction kind (0, the deposit, is never signed).
    error UnknownKind(uint8 kind);

    /// The maker's order inside TradeFill and OrderCancel; signed on its own as primary type Order.
    struct Order {
        address maker;
        uint8 side;
        bytes32 collectionId;
        uint64 tokenId;
        uint256 price;
        address taker;
        uint64 expiresAt;
        uint256 salt;
    }

    /// kind 1
    struct Transfer {
        address to;
        uint256 amount;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 2
    struct Withdraw {
        address l1Recipient;
        uint256 amount;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 10
    struct CollectionCreate {
        string name;
        string symbol;
        uint16 royaltyBps;
        uint64 maxSupply;
        bool metadataMutable;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 11
    struct AssetMint {
        bytes32 collectionId;
        uint64 tokenId;
        address to;
        string contentCid;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 12
    struct AssetBatchMint {
        bytes32 collectionId;
        uint64 firstTokenId;
        address to;
        string[] contentCids;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 13
    struct AssetTransfer {
        bytes32 collectionId;
        uint64 tokenId;
        address to;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 14
    struct AssetBurn {
        bytes32 collectionId;
        uint64 tokenId;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 15
    struct AssetMetadataUpdate {
        bytes32 collectionId;
        uint64 tokenId;
        string contentCid;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 16
    struct AssetApprove {
        bytes32 collectionId;
        uint64 tokenId;
        address approved;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 17
    struct OperatorSet {
        bytes32 collectionId;
        address operator;
        bool approved;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 20
    struct TokenCreate {
        string name;
        string symbol;
        uint8 decimals;
        uint256 cap;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 21
    struct TokenMint {
        bytes32 tokenId;
        address to;
        uint256 amount;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 22
    struct TokenTransfer {
        bytes32 tokenId;
        address to;
        uint256 amount;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 23
    struct TokenBurn {
        bytes32 tokenId;
        uint256 amount;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 30
    struct IdentityCreate {
        string handle;
        string profileCid;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 31
    struct IdentityUpdate {
        bytes32 identityId;
        string profileCid;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 32
    struct AttributeSet {
        bytes32 identityId;
        string key;
        string value;
        uint64 expiresAt;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 33
    struct AttributeRemove {
        bytes32 identityId;
        string key;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 34
    struct DelegateAdd {
        bytes32 identityId;
        address delegate;
        uint8 scope;
        uint64 expiresAt;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 35
    struct DelegateRevoke {
        bytes32 identityId;
        address delegate;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 36
    struct IdentityTransfer {
        bytes32 identityId;
        address newOwner;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 40
    struct DataAssetRegister {
        string contentCid;
        string pieceCid;
        uint64 size;
        string license;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 41
    struct AccessGrant {
        bytes32 dataAssetId;
        address grantee;
        uint64 expiresAt;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 42
    struct AccessRevoke {
        bytes32 dataAssetId;
        address grantee;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 50
    struct TradeFill {
        Order order;
        bytes makerSignature;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 51
    struct OrderCancel {
        Order order;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 60: a sponsor's fee allowance for `grantee` (or, grantee zero, for anyone acting on `target`).
    struct FeeAllowanceSet {
        address grantee;
        bytes32 target;
        uint256 totalBudget;
        uint256 periodBudget;
        uint64 period;
        uint256 maxFeePerTx;
        uint256 kinds;
        uint64 expiresAt;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 61
    struct FeeAllowanceRevoke {
        address grantee;
        bytes32 target;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 62: an account grants `sessionKey` the right to sign as it, as the app identity `app` requested.
    struct SessionGrant {
        address sessionKey;
        bytes32 app;
        bytes appSignature;
        uint64 requestDeadline;
        uint256 kinds;
        uint256 filCap;
        uint256 filPeriodCap;
        uint64 period;
        bytes32[] tokens;
        uint256[] tokenCaps;
        uint256[] tokenPeriodCaps;
        bytes32[] collections;
        address[] counterparties;
        uint64 expiresAt;
        uint64 nonce;
        uint256 fee;
    }

    /// kind 63
    struct SessionRevoke {
        address account;
        address sessionKey;
        uint64 nonce;
        uint256 fee;
    }

    function domainSeparator(uint256 chainId) internal pure returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, chainId));
    }

    /// keccak256(0x1901 ‖ domainSeparator(chainId) ‖ structHash): what the wallet signed.
    function signingDigest(uint256 chainId, bytes32 structHash_) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", domainSeparator(chainId), structHash_));
    }

    /// How a `string[]` field enters encodeData: keccak256 of the concatenated keccak256 of each item.
    function hashStringArray(string[] memory items) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](items.length);
        for (uint256 i = 0; i < items.length; i++) {
            hashes[i] = keccak256(bytes(items[i]));
        }
        return keccak256(abi.encodePacked(hashes));
    }

    function hashOrder(Order memory m) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(ORDER_TYPEHASH, m.maker, m.side, m.collectionId, m.tokenId, m.price, m.taker, m.expiresAt, m.salt)
        );
    }

    function hashTransfer(Transfer memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(TRANSFER_TYPEHASH, m.to, m.amount, m.nonce, m.fee));
    }

    function hashWithdraw(Withdraw memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(WITHDRAW_TYPEHASH, m.l1Recipient, m.amount, m.nonce, m.fee));
    }

    function hashCollectionCreate(CollectionCreate memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(COLLECTION_CREATE_TYPEHASH, keccak256(bytes(m.name)), keccak256(bytes(m.symbol)), m.royaltyBps, m.maxSupply, m.metadataMutable, m.nonce, m.fee));
    }

    function hashAssetMint(AssetMint memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(ASSET_MINT_TYPEHASH, m.collectionId, m.tokenId, m.to, keccak256(bytes(m.contentCid)), m.onBehalfOf, m.nonce, m.fee));
    }

    function hashAssetBatchMint(AssetBatchMint memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(ASSET_BATCH_MINT_TYPEHASH, m.collectionId, m.firstTokenId, m.to, hashStringArray(m.contentCids), m.onBehalfOf, m.nonce, m.fee));
    }

    function hashAssetTransfer(AssetTransfer memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(ASSET_TRANSFER_TYPEHASH, m.collectionId, m.tokenId, m.to, m.onBehalfOf, m.nonce, m.fee));
    }

    function hashAssetBurn(AssetBurn memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(ASSET_BURN_TYPEHASH, m.collectionId, m.tokenId, m.onBehalfOf, m.nonce, m.fee));
    }

    function hashAssetMetadataUpdate(AssetMetadataUpdate memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(ASSET_METADATA_UPDATE_TYPEHASH, m.collectionId, m.tokenId, keccak256(bytes(m.contentCid)), m.onBehalfOf, m.nonce, m.fee));
    }

    function hashAssetApprove(AssetApprove memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(ASSET_APPROVE_TYPEHASH, m.collectionId, m.tokenId, m.approved, m.onBehalfOf, m.nonce, m.fee));
    }

    function hashOperatorSet(OperatorSet memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(OPERATOR_SET_TYPEHASH, m.collectionId, m.operator, m.approved, m.onBehalfOf, m.nonce, m.fee));
    }

    function hashTokenCreate(TokenCreate memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(TOKEN_CREATE_TYPEHASH, keccak256(bytes(m.name)), keccak256(bytes(m.symbol)), m.decimals, m.cap, m.nonce, m.fee));
    }

    function hashTokenMint(TokenMint memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(TOKEN_MINT_TYPEHASH, m.tokenId, m.to, m.amount, m.onBehalfOf, m.nonce, m.fee));
    }

    function hashTokenTransfer(TokenTransfer memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(TOKEN_TRANSFER_TYPEHASH, m.tokenId, m.to, m.amount, m.onBehalfOf, m.nonce, m.fee));
    }

    function hashTokenBurn(TokenBurn memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(TOKEN_BURN_TYPEHASH, m.tokenId, m.amount, m.onBehalfOf, m.nonce, m.fee));
    }

    function hashIdentityCreate(IdentityCreate memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(IDENTITY_CREATE_TYPEHASH, keccak256(bytes(m.handle)), keccak256(bytes(m.profileCid)), m.nonce, m.fee));
    }

    function hashIdentityUpdate(IdentityUpdate memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(IDENTITY_UPDATE_TYPEHASH, m.identityId, keccak256(bytes(m.profileCid)), m.nonce, m.fee));
    }

    function hashAttributeSet(AttributeSet memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(ATTRIBUTE_SET_TYPEHASH, m.identityId, keccak256(bytes(m.key)), keccak256(bytes(m.value)), m.expiresAt, m.nonce, m.fee));
    }

    function hashAttributeRemove(AttributeRemove memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(ATTRIBUTE_REMOVE_TYPEHASH, m.identityId, keccak256(bytes(m.key)), m.nonce, m.fee));
    }

    function hashDelegateAdd(DelegateAdd memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(DELEGATE_ADD_TYPEHASH, m.identityId, m.delegate, m.scope, m.expiresAt, m.nonce, m.fee));
    }

    function hashDelegateRevoke(DelegateRevoke memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(DELEGATE_REVOKE_TYPEHASH, m.identityId, m.delegate, m.nonce, m.fee));
    }

    function hashIdentityTransfer(IdentityTransfer memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(IDENTITY_TRANSFER_TYPEHASH, m.identityId, m.newOwner, m.nonce, m.fee));
    }

    function hashDataAssetRegister(DataAssetRegister memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(DATA_ASSET_REGISTER_TYPEHASH, keccak256(bytes(m.contentCid)), keccak256(bytes(m.pieceCid)), m.size, keccak256(bytes(m.license)), m.onBehalfOf, m.nonce, m.fee));
    }

    function hashAccessGrant(AccessGrant memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(ACCESS_GRANT_TYPEHASH, m.dataAssetId, m.grantee, m.expiresAt, m.onBehalfOf, m.nonce, m.fee));
    }

    function hashAccessRevoke(AccessRevoke memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(ACCESS_REVOKE_TYPEHASH, m.dataAssetId, m.grantee, m.onBehalfOf, m.nonce, m.fee));
    }

    function hashTradeFill(TradeFill memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(TRADE_FILL_TYPEHASH, hashOrder(m.order), keccak256(m.makerSignature), m.nonce, m.fee));
    }

    function hashOrderCancel(OrderCancel memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(ORDER_CANCEL_TYPEHASH, hashOrder(m.order), m.nonce, m.fee));
    }

    function hashFeeAllowanceSet(FeeAllowanceSet memory m) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                FEE_ALLOWANCE_SET_TYPEHASH,
                m.grantee,
                m.target,
                m.totalBudget,
                m.periodBudget,
                m.period,
                m.maxFeePerTx,
                m.kinds,
                m.expiresAt,
                m.nonce,
                m.fee
            )
        );
    }

    function hashFeeAllowanceRevoke(FeeAllowanceRevoke memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(FEE_ALLOWANCE_REVOKE_TYPEHASH, m.grantee, m.target, m.nonce, m.fee));
    }

    /// Sixteen fields: encodeData in two halves (words concatenate), for the stack.
    function hashSessionGrant(SessionGrant memory m) internal pure returns (bytes32) {
        bytes memory a = abi.encode(
            SESSION_GRANT_TYPEHASH,
            m.sessionKey,
            m.app,
            keccak256(m.appSignature),
            m.requestDeadline,
            m.kinds,
            m.filCap,
            m.filPeriodCap,
            m.period
        );
        bytes memory b = abi.encode(
            keccak256(abi.encodePacked(m.tokens)),
            keccak256(abi.encodePacked(m.tokenCaps)),
            keccak256(abi.encodePacked(m.tokenPeriodCaps)),
            keccak256(abi.encodePacked(m.collections)),
            keccak256(abi.encodePacked(m.counterparties)),
            m.expiresAt,
            m.nonce,
            m.fee
        );
        return keccak256(bytes.concat(a, b));
    }

    function hashSessionRevoke(SessionRevoke memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(SESSION_REVOKE_TYPEHASH, m.account, m.sessionKey, m.nonce, m.fee));
    }

    /// hashStruct(SessionRequest(account, sessionKey, app, deadline)).
    function hashSessionRequest(address account, address sessionKey, bytes32 app, uint64 deadline)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(SESSION_REQUEST_TYPEHASH, account, sessionKey, app, deadline));
    }

    /// hashStruct of a message of `kind`, ABI-encoded as the kind's struct.
    function structHash(uint8 kind, bytes memory message) internal pure returns (bytes32) {
        if (kind == 1) return hashTransfer(abi.decode(message, (Transfer)));
        if (kind == 2) return hashWithdraw(abi.decode(message, (Withdraw)));
        if (kind == 10) return hashCollectionCreate(abi.decode(message, (CollectionCreate)));
        if (kind == 11) return hashAssetMint(abi.decode(message, (AssetMint)));
        if (kind == 12) return hashAssetBatchMint(abi.decode(message, (AssetBatchMint)));
        if (kind == 13) return hashAssetTransfer(abi.decode(message, (AssetTransfer)));
        if (kind == 14) return hashAssetBurn(abi.decode(message, (AssetBurn)));
        if (kind == 15) return hashAssetMetadataUpdate(abi.decode(message, (AssetMetadataUpdate)));
        if (kind == 16) return hashAssetApprove(abi.decode(message, (AssetApprove)));
        if (kind == 17) return hashOperatorSet(abi.decode(message, (OperatorSet)));
        if (kind == 20) return hashTokenCreate(abi.decode(message, (TokenCreate)));
        if (kind == 21) return hashTokenMint(abi.decode(message, (TokenMint)));
        if (kind == 22) return hashTokenTransfer(abi.decode(message, (TokenTransfer)));
        if (kind == 23) return hashTokenBurn(abi.decode(message, (TokenBurn)));
        if (kind == 30) return hashIdentityCreate(abi.decode(message, (IdentityCreate)));
        if (kind == 31) return hashIdentityUpdate(abi.decode(message, (IdentityUpdate)));
        if (kind == 32) return hashAttributeSet(abi.decode(message, (AttributeSet)));
        if (kind == 33) return hashAttributeRemove(abi.decode(message, (AttributeRemove)));
        if (kind == 34) return hashDelegateAdd(abi.decode(message, (DelegateAdd)));
        if (kind == 35) return hashDelegateRevoke(abi.decode(message, (DelegateRevoke)));
        if (kind == 36) return hashIdentityTransfer(abi.decode(message, (IdentityTransfer)));
        if (kind == 40) return hashDataAssetRegister(abi.decode(message, (DataAssetRegister)));
        if (kind == 41) return hashAccessGrant(abi.decode(message, (AccessGrant)));
        if (kind == 42) return hashAccessRevoke(abi.decode(message, (AccessRevoke)));
        if (kind == 50) return hashTradeFill(abi.decode(message, (TradeFill)));
        if (kind == 51) return hashOrderCancel(abi.decode(message, (OrderCancel)));
        if (kind == 60) return hashFeeAllowanceSet(abi.decode(message, (FeeAllowanceSet)));
        if (kind == 61) return hashFeeAllowanceRevoke(abi.decode(message, (FeeAllowanceRevoke)));
        if (kind == 62) return hashSessionGrant(abi.decode(message, (SessionGrant)));
        if (kind == 63) return hashSessionRevoke(abi.decode(message, (SessionRevoke)));
        revert UnknownKind(kind);
    }

    /// txHash = keccak256(signingDigest ‖ signature): the hash a block's txRoot lists.
    function txHash(bytes32 digest, bytes memory signature) internal pure returns (bytes32) {
        if (signature.length != 65) revert BadSignatureLength(signature.length);
        return keccak256(abi.encodePacked(digest, signature));
    }

    /// The signer of a 65-byte r ‖ s ‖ v signature: v ∈ {27, 28}, s ≤ n/2, else a typed revert.
    function recoverSigner(bytes32 digest, bytes memory signature) internal pure returns (address signer) {
        if (signature.length != 65) revert BadSignatureLength(signature.length);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := mload(add(signature, 0x20))
            s := mload(add(signature, 0x40))
            v := byte(0, mload(add(signature, 0x60)))
        }
        if (uint256(s) > HALF_N) revert SignatureHighS();
        if (v != 27 && v != 28) revert BadSignatureV(v);
        signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert SignatureUnrecoverable();
    }
}
