// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Eip712Tx
/// @notice The EIP-712 digest, the hash and the sender of an L2 transaction, as docs/protocol.md
///         defines them, for the one-step proof (docs/fault-proofs.md):
///           domainSeparator = keccak256(DOMAIN_TYPEHASH ‖ keccak256("Filverse") ‖ keccak256("1") ‖ chainId)
///           signingDigest   = keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message))
///           txHash          = keccak256(signingDigest ‖ signature)      (32 + 65 bytes)
///         and the sender recovered with ecrecover, low-s and v ∈ {27, 28} only.
/// @dev    A kind costs one TYPEHASH constant (keccak256 of its encodeType string, listed in
///         docs/protocol.md) and one hashStruct function over its fields in member order; `string`
///         and `bytes` enter as keccak256 of their bytes (hashBytes), `string[]` as hashStringArray.
///         Mirrors packages/crypto/src/eip712.ts and transaction.ts; differentially tested.
library Eip712Tx {
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256("EIP712Domain(string name,string version,uint256 chainId)");
    bytes32 internal constant NAME_HASH = keccak256("Filverse");
    bytes32 internal constant VERSION_HASH = keccak256("1");

    bytes32 internal constant TRANSFER_TYPEHASH = keccak256("Transfer(address to,uint256 amount,uint64 nonce,uint256 fee)");
    bytes32 internal constant WITHDRAW_TYPEHASH =
        keccak256("Withdraw(address l1Recipient,uint256 amount,uint64 nonce,uint256 fee)");
    bytes32 internal constant IDENTITY_CREATE_TYPEHASH =
        keccak256("IdentityCreate(string handle,string profileCid,uint64 nonce,uint256 fee)");
    bytes32 internal constant ASSET_BATCH_MINT_TYPEHASH = keccak256(
        "AssetBatchMint(bytes32 collectionId,uint64 firstTokenId,address to,string[] contentCids,bytes32 onBehalfOf,uint64 nonce,uint256 fee)"
    );
    bytes32 internal constant ORDER_TYPEHASH = keccak256(
        "Order(address maker,uint8 side,bytes32 collectionId,uint64 tokenId,uint256 price,address taker,uint64 expiresAt,uint256 salt)"
    );
    bytes32 internal constant TRADE_FILL_TYPEHASH = keccak256(
        "TradeFill(Order order,bytes makerSignature,uint64 nonce,uint256 fee)Order(address maker,uint8 side,bytes32 collectionId,uint64 tokenId,uint256 price,address taker,uint64 expiresAt,uint256 salt)"
    );

    /// secp256k1n / 2: a larger s is the malleated twin of a valid signature (EIP-2).
    uint256 internal constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    error BadSignatureLength(uint256 length);
    error SignatureHighS();
    error BadSignatureV(uint8 v);
    /// ecrecover found no key (r or s out of range, or not a point).
    error SignatureUnrecoverable();

    struct Transfer {
        address to;
        uint256 amount;
        uint64 nonce;
        uint256 fee;
    }

    struct Withdraw {
        address l1Recipient;
        uint256 amount;
        uint64 nonce;
        uint256 fee;
    }

    struct IdentityCreate {
        bytes handle;
        bytes profileCid;
        uint64 nonce;
        uint256 fee;
    }

    struct AssetBatchMint {
        bytes32 collectionId;
        uint64 firstTokenId;
        address to;
        bytes[] contentCids;
        bytes32 onBehalfOf;
        uint64 nonce;
        uint256 fee;
    }

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

    struct TradeFill {
        Order order;
        bytes makerSignature;
        uint64 nonce;
        uint256 fee;
    }

    function domainSeparator(uint256 chainId) internal pure returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, chainId));
    }

    /// keccak256(0x1901 ‖ domainSeparator(chainId) ‖ structHash): what the wallet signed.
    function signingDigest(uint256 chainId, bytes32 structHash) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", domainSeparator(chainId), structHash));
    }

    /// How `string` and `bytes` fields enter encodeData.
    function hashBytes(bytes memory b) internal pure returns (bytes32) {
        return keccak256(b);
    }

    /// How a `string[]` field enters encodeData: keccak256 of the concatenated keccak256 of each item.
    function hashStringArray(bytes[] memory items) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](items.length);
        for (uint256 i = 0; i < items.length; i++) {
            hashes[i] = keccak256(items[i]);
        }
        return keccak256(abi.encodePacked(hashes));
    }

    function hashTransfer(Transfer memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(TRANSFER_TYPEHASH, m.to, m.amount, m.nonce, m.fee));
    }

    function hashWithdraw(Withdraw memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(WITHDRAW_TYPEHASH, m.l1Recipient, m.amount, m.nonce, m.fee));
    }

    function hashIdentityCreate(IdentityCreate memory m) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(IDENTITY_CREATE_TYPEHASH, hashBytes(m.handle), hashBytes(m.profileCid), m.nonce, m.fee)
        );
    }

    function hashAssetBatchMint(AssetBatchMint memory m) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                ASSET_BATCH_MINT_TYPEHASH,
                m.collectionId,
                m.firstTokenId,
                m.to,
                hashStringArray(m.contentCids),
                m.onBehalfOf,
                m.nonce,
                m.fee
            )
        );
    }

    function hashOrder(Order memory o) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(ORDER_TYPEHASH, o.maker, o.side, o.collectionId, o.tokenId, o.price, o.taker, o.expiresAt, o.salt)
        );
    }

    function hashTradeFill(TradeFill memory m) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(TRADE_FILL_TYPEHASH, hashOrder(m.order), hashBytes(m.makerSignature), m.nonce, m.fee)
        );
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
