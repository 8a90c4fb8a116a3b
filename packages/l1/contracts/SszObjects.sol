// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ssz} from "./Ssz.sol";

/// @title SszObjects
/// @notice hash_tree_root of every L2 state object (the valueHash of its leaf in the state tree) and
///         of the L2 block header (the block hash), field for field as docs/state.md and
///         docs/protocol.md define them. Strings are their UTF-8 bytes; a string longer than its
///         bound reverts (Ssz.SszListTooLong), as no valid state holds one.
/// @dev    Each function mirrors one container of packages/types/src/stateObjects.ts or chain.ts;
///         the differential test compares every one with ChainSafe's ssz on random values. uint64
///         fields are uint64 here, so a value outside the type cannot even be passed.
library SszObjects {
    // Byte bounds of the string fields (packages/params/src/limits.ts).
    uint256 internal constant HANDLE_MAX_LENGTH = 32;
    uint256 internal constant MAX_CID_BYTES = 128;
    uint256 internal constant MAX_NAME_BYTES = 64;
    uint256 internal constant MAX_SYMBOL_BYTES = 16;
    uint256 internal constant MAX_LICENSE_BYTES = 256;
    uint256 internal constant MAX_ATTRIBUTE_KEY_BYTES = 64;
    uint256 internal constant MAX_ATTRIBUTE_VALUE_BYTES = 1024;

    struct Globals {
        uint64 l1DepositNonce;
        uint64 withdrawalCount;
        uint256 totalDeposited;
        uint256 totalWithdrawn;
    }

    struct Account {
        uint256 balance;
        uint64 nonce;
    }

    struct Collection {
        address creator;
        bytes name;
        bytes symbol;
        uint16 royaltyBps;
        uint64 maxSupply;
        uint64 minted;
        uint64 burned;
        bool metadataMutable;
    }

    struct Asset {
        bytes32 collectionId;
        uint64 tokenId;
        address owner;
        address approved;
        bytes contentCid;
        bool burned;
    }

    struct Token {
        address issuer;
        bytes name;
        bytes symbol;
        uint8 decimals;
        uint256 cap;
        uint256 supply;
    }

    struct Identity {
        address owner;
        bytes handle;
        bytes profileCid;
        uint64 ownerEpoch;
    }

    struct Attribute {
        bytes key;
        bytes value;
        uint64 expiresAt;
    }

    struct Delegate {
        uint8 scope;
        uint64 expiresAt;
        uint64 ownerEpoch;
    }

    struct DataAsset {
        address owner;
        bytes contentCid;
        bytes pieceCid;
        uint64 size;
        bytes license;
    }

    /// 0x0e, id sponsor ‖ grantee ‖ target.
    struct FeeAllowance {
        uint256 totalBudget;
        uint256 spent;
        uint256 periodBudget;
        uint64 period;
        uint64 periodStart;
        uint256 periodSpent;
        uint256 maxFeePerTx;
        uint256 kinds;
        uint64 expiresAt;
    }

    /// 0x0f, id account ‖ sessionKey. Each list holds at most MAX_SESSION_LIST items.
    struct SessionGrantRecord {
        bytes32 app;
        uint256 kinds;
        uint256 filCap;
        uint256 filSpent;
        uint256 filPeriodCap;
        uint256 filPeriodSpent;
        uint64 period;
        uint64 periodStart;
        bytes32[] tokens;
        uint256[] tokenCaps;
        uint256[] tokenSpent;
        uint256[] tokenPeriodCaps;
        uint256[] tokenPeriodSpent;
        bytes32[] collections;
        address[] counterparties;
        uint64 expiresAt;
        bool revoked;
    }

    /// The bound of a SessionGrant's lists (MAX_SESSION_LIST).
    uint256 internal constant MAX_SESSION_LIST = 4;

    struct Receipt {
        bytes32 txHash;
        uint8 kind;
        address sender;
        uint8 status;
        uint16 code;
        uint256 feePaid;
    }

    /// An L1 message as the block carries it (forcedTx empty for a FIL deposit).
    struct Deposit {
        uint64 l1Nonce;
        uint64 l1BlockNumber;
        bytes32 l1TxHash;
        address from;
        address to;
        uint256 amount;
        bytes forcedTx;
    }

    /// Bound of Deposit.forcedTx (MAX_TX_BYTES, 40 KiB).
    uint256 internal constant MAX_TX_BYTES = 40_960;

    struct BlockHeader {
        uint64 chainId;
        uint64 number;
        bytes32 parentHash;
        uint64 timestamp;
        address proposer;
        bytes32 txRoot;
        bytes32 receiptsRoot;
        bytes32 stateRoot;
        bytes32 withdrawalsRoot;
        uint64 l1DepositNonce;
    }

    function globalsRoot(Globals memory g) internal view returns (bytes32) {
        bytes32[] memory f = new bytes32[](4);
        f[0] = Ssz.uintChunk(g.l1DepositNonce);
        f[1] = Ssz.uintChunk(g.withdrawalCount);
        f[2] = Ssz.uintChunk(g.totalDeposited);
        f[3] = Ssz.uintChunk(g.totalWithdrawn);
        return Ssz.merkleize(f, 4);
    }

    /// Two fields: sha256(uint256le(balance) ‖ uint256le(nonce)), without the array machinery.
    function accountRoot(Account memory a) internal view returns (bytes32) {
        return Ssz.hash64(Ssz.uintChunk(a.balance), Ssz.uintChunk(a.nonce));
    }

    function collectionRoot(Collection memory c) internal view returns (bytes32) {
        bytes32[] memory f = new bytes32[](8);
        f[0] = Ssz.addressChunk(c.creator);
        f[1] = Ssz.byteListRoot(c.name, MAX_NAME_BYTES);
        f[2] = Ssz.byteListRoot(c.symbol, MAX_SYMBOL_BYTES);
        f[3] = Ssz.uintChunk(c.royaltyBps);
        f[4] = Ssz.uintChunk(c.maxSupply);
        f[5] = Ssz.uintChunk(c.minted);
        f[6] = Ssz.uintChunk(c.burned);
        f[7] = Ssz.boolChunk(c.metadataMutable);
        return Ssz.merkleize(f, 8);
    }

    function assetRoot(Asset memory a) internal view returns (bytes32) {
        bytes32[] memory f = new bytes32[](6);
        f[0] = a.collectionId;
        f[1] = Ssz.uintChunk(a.tokenId);
        f[2] = Ssz.addressChunk(a.owner);
        f[3] = Ssz.addressChunk(a.approved);
        f[4] = Ssz.byteListRoot(a.contentCid, MAX_CID_BYTES);
        f[5] = Ssz.boolChunk(a.burned);
        return Ssz.merkleize(f, 6);
    }

    /// A one-field container's root is its field's chunk.
    function operatorApprovalRoot(bool approved) internal pure returns (bytes32) {
        return Ssz.boolChunk(approved);
    }

    function tokenRoot(Token memory t) internal view returns (bytes32) {
        bytes32[] memory f = new bytes32[](6);
        f[0] = Ssz.addressChunk(t.issuer);
        f[1] = Ssz.byteListRoot(t.name, MAX_NAME_BYTES);
        f[2] = Ssz.byteListRoot(t.symbol, MAX_SYMBOL_BYTES);
        f[3] = Ssz.uintChunk(t.decimals);
        f[4] = Ssz.uintChunk(t.cap);
        f[5] = Ssz.uintChunk(t.supply);
        return Ssz.merkleize(f, 6);
    }

    function tokenBalanceRoot(uint256 balance) internal pure returns (bytes32) {
        return Ssz.uintChunk(balance);
    }

    function identityRoot(Identity memory i) internal view returns (bytes32) {
        bytes32[] memory f = new bytes32[](4);
        f[0] = Ssz.addressChunk(i.owner);
        f[1] = Ssz.byteListRoot(i.handle, HANDLE_MAX_LENGTH);
        f[2] = Ssz.byteListRoot(i.profileCid, MAX_CID_BYTES);
        f[3] = Ssz.uintChunk(i.ownerEpoch);
        return Ssz.merkleize(f, 4);
    }

    function handleRecordRoot(bytes32 identityId) internal pure returns (bytes32) {
        return identityId;
    }

    function attributeRoot(Attribute memory a) internal view returns (bytes32) {
        bytes32[] memory f = new bytes32[](3);
        f[0] = Ssz.byteListRoot(a.key, MAX_ATTRIBUTE_KEY_BYTES);
        f[1] = Ssz.byteListRoot(a.value, MAX_ATTRIBUTE_VALUE_BYTES);
        f[2] = Ssz.uintChunk(a.expiresAt);
        return Ssz.merkleize(f, 3);
    }

    function delegateRoot(Delegate memory d) internal view returns (bytes32) {
        bytes32[] memory f = new bytes32[](3);
        f[0] = Ssz.uintChunk(d.scope);
        f[1] = Ssz.uintChunk(d.expiresAt);
        f[2] = Ssz.uintChunk(d.ownerEpoch);
        return Ssz.merkleize(f, 3);
    }

    function dataAssetRoot(DataAsset memory d) internal view returns (bytes32) {
        bytes32[] memory f = new bytes32[](5);
        f[0] = Ssz.addressChunk(d.owner);
        f[1] = Ssz.byteListRoot(d.contentCid, MAX_CID_BYTES);
        f[2] = Ssz.byteListRoot(d.pieceCid, MAX_CID_BYTES);
        f[3] = Ssz.uintChunk(d.size);
        f[4] = Ssz.byteListRoot(d.license, MAX_LICENSE_BYTES);
        return Ssz.merkleize(f, 5);
    }

    function accessGrantRoot(uint64 expiresAt) internal pure returns (bytes32) {
        return Ssz.uintChunk(expiresAt);
    }

    function orderStatusRoot(uint8 status) internal pure returns (bytes32) {
        return Ssz.uintChunk(status);
    }

    function feeAllowanceRoot(FeeAllowance memory a) internal view returns (bytes32) {
        bytes32[] memory f = new bytes32[](9);
        f[0] = Ssz.uintChunk(a.totalBudget);
        f[1] = Ssz.uintChunk(a.spent);
        f[2] = Ssz.uintChunk(a.periodBudget);
        f[3] = Ssz.uintChunk(a.period);
        f[4] = Ssz.uintChunk(a.periodStart);
        f[5] = Ssz.uintChunk(a.periodSpent);
        f[6] = Ssz.uintChunk(a.maxFeePerTx);
        f[7] = Ssz.uintChunk(a.kinds);
        f[8] = Ssz.uintChunk(a.expiresAt);
        return Ssz.merkleize(f, 9);
    }

    function sessionGrantRecordRoot(SessionGrantRecord memory s) internal view returns (bytes32) {
        bytes32[] memory f = new bytes32[](17);
        f[0] = s.app;
        f[1] = Ssz.uintChunk(s.kinds);
        f[2] = Ssz.uintChunk(s.filCap);
        f[3] = Ssz.uintChunk(s.filSpent);
        f[4] = Ssz.uintChunk(s.filPeriodCap);
        f[5] = Ssz.uintChunk(s.filPeriodSpent);
        f[6] = Ssz.uintChunk(s.period);
        f[7] = Ssz.uintChunk(s.periodStart);
        f[8] = bytes32ListRoot(s.tokens);
        f[9] = uint256ListRoot(s.tokenCaps);
        f[10] = uint256ListRoot(s.tokenSpent);
        f[11] = uint256ListRoot(s.tokenPeriodCaps);
        f[12] = uint256ListRoot(s.tokenPeriodSpent);
        f[13] = bytes32ListRoot(s.collections);
        f[14] = addressListRoot(s.counterparties);
        f[15] = Ssz.uintChunk(s.expiresAt);
        f[16] = Ssz.boolChunk(s.revoked);
        return Ssz.merkleize(f, 17);
    }

    /// hash_tree_root(List[Bytes32, 4]).
    function bytes32ListRoot(bytes32[] memory items) internal view returns (bytes32) {
        uint256 n = items.length;
        bytes32[] memory c = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) c[i] = items[i];
        return Ssz.mixInLength(Ssz.merkleize(c, MAX_SESSION_LIST), n);
    }

    /// hash_tree_root(List[uint256, 4]): one 32-byte little-endian chunk per item.
    function uint256ListRoot(uint256[] memory items) internal view returns (bytes32) {
        uint256 n = items.length;
        bytes32[] memory c = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) c[i] = Ssz.uintChunk(items[i]);
        return Ssz.mixInLength(Ssz.merkleize(c, MAX_SESSION_LIST), n);
    }

    /// hash_tree_root(List[Bytes20, 4]): each item's root is its 20 bytes right-padded.
    function addressListRoot(address[] memory items) internal view returns (bytes32) {
        uint256 n = items.length;
        bytes32[] memory c = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) c[i] = Ssz.addressChunk(items[i]);
        return Ssz.mixInLength(Ssz.merkleize(c, MAX_SESSION_LIST), n);
    }

    /// hash_tree_root(Receipt): the leaves of a block's receiptsRoot.
    function receiptRoot(Receipt memory r) internal view returns (bytes32) {
        bytes32[] memory f = new bytes32[](6);
        f[0] = r.txHash;
        f[1] = Ssz.uintChunk(r.kind);
        f[2] = Ssz.addressChunk(r.sender);
        f[3] = Ssz.uintChunk(r.status);
        f[4] = Ssz.uintChunk(r.code);
        f[5] = Ssz.uintChunk(r.feePaid);
        return Ssz.merkleize(f, 6);
    }

    /// The SSZ serialization of a Deposit: the fixed part (124 bytes: two uint64 and the uint256
    /// little-endian, the Bytes32 and the two Bytes20 as they are, then the uint32 offset of forcedTx,
    /// which is 124), then forcedTx.
    function serializeDeposit(Deposit memory d) internal pure returns (bytes memory) {
        if (d.forcedTx.length > MAX_TX_BYTES) revert Ssz.SszListTooLong(d.forcedTx.length, MAX_TX_BYTES);
        return abi.encodePacked(
            _le64(d.l1Nonce),
            _le64(d.l1BlockNumber),
            d.l1TxHash,
            d.from,
            d.to,
            Ssz.uintChunk(d.amount),
            bytes4(0x7c000000), // uint32le(124)
            d.forcedTx
        );
    }

    /// keccak256(SSZ(Deposit)): what the block's txRoot lists for an L1 message.
    function depositHash(Deposit memory d) internal pure returns (bytes32) {
        return keccak256(serializeDeposit(d));
    }

    function _le64(uint64 v) private pure returns (bytes8) {
        return bytes8(Ssz.uintChunk(v));
    }

    /// The block hash: hash_tree_root(BlockHeader), ten fields in a tree of sixteen leaves.
    function blockHeaderRoot(BlockHeader memory h) internal view returns (bytes32) {
        bytes32[] memory f = new bytes32[](10);
        f[0] = Ssz.uintChunk(h.chainId);
        f[1] = Ssz.uintChunk(h.number);
        f[2] = h.parentHash;
        f[3] = Ssz.uintChunk(h.timestamp);
        f[4] = Ssz.addressChunk(h.proposer);
        f[5] = h.txRoot;
        f[6] = h.receiptsRoot;
        f[7] = h.stateRoot;
        f[8] = h.withdrawalsRoot;
        f[9] = Ssz.uintChunk(h.l1DepositNonce);
        return Ssz.merkleize(f, 10);
    }
}
