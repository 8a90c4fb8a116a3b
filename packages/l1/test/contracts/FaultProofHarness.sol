// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Eip712Tx} from "./Eip712Tx.sol";
import {Ssz} from "./Ssz.sol";
import {SszObjects} from "./SszObjects.sol";
import {StateProofs} from "./StateProofs.sol";

/// Exposes the one-step proof primitives (StateProofs, Ssz, SszObjects, Eip712Tx) for the
/// differential tests; tests only, never deployed by the rollup.
contract FaultProofHarness {
    // --- StateProofs ---
    function smtLeafHash(bytes32 key, bytes32 valueHash) external view returns (bytes32) {
        return StateProofs.leafHash(key, valueHash);
    }

    function smtRootFromProof(bytes32 key, bytes32 valueHash, bool present, StateProofs.SmtProof memory proof)
        external
        view
        returns (bytes32)
    {
        return StateProofs.rootFromProof(key, valueHash, present, proof);
    }

    function smtVerify(
        bytes32 root,
        bytes32 key,
        bytes32 valueHash,
        bool present,
        StateProofs.SmtProof memory proof
    ) external view returns (bool) {
        return StateProofs.verify(root, key, valueHash, present, proof);
    }

    function smtUpdate(
        bytes32 root,
        bytes32 key,
        bytes32 newValueHash,
        bool present,
        StateProofs.SmtProof memory proof,
        StateProofs.SiblingPreimage memory sibling
    ) external view returns (bytes32) {
        return StateProofs.update(root, key, newValueHash, present, proof, sibling);
    }

    function stateRoot(bytes32 objectsRoot, bytes32 withdrawalsRoot) external view returns (bytes32) {
        return StateProofs.stateRoot(objectsRoot, withdrawalsRoot);
    }

    function appendWithdrawal(
        bytes32 withdrawalsRoot,
        uint256 index,
        address l2Sender,
        address l1Recipient,
        uint256 amount,
        bytes32[] memory siblings
    ) external view returns (bytes32) {
        bytes32 leaf = StateProofs.withdrawalLeaf(index, l2Sender, l1Recipient, amount);
        return StateProofs.appendWithdrawal(withdrawalsRoot, index, leaf, siblings);
    }

    // --- Ssz ---
    function byteListRoot(bytes memory data, uint256 limitBytes) external view returns (bytes32) {
        return Ssz.byteListRoot(data, limitBytes);
    }

    function listRootFromItem(bytes32 item, uint256 index, uint256 length, uint256 limit, bytes32[] memory siblings)
        external
        view
        returns (bytes32)
    {
        return Ssz.listRootFromItem(item, index, length, limit, siblings);
    }

    function globalsRoot(SszObjects.Globals memory v) external view returns (bytes32) {
        return SszObjects.globalsRoot(v);
    }

    function accountRoot(SszObjects.Account memory v) external view returns (bytes32) {
        return SszObjects.accountRoot(v);
    }

    function collectionRoot(SszObjects.Collection memory v) external view returns (bytes32) {
        return SszObjects.collectionRoot(v);
    }

    function assetRoot(SszObjects.Asset memory v) external view returns (bytes32) {
        return SszObjects.assetRoot(v);
    }

    function operatorApprovalRoot(bool approved) external pure returns (bytes32) {
        return SszObjects.operatorApprovalRoot(approved);
    }

    function tokenRoot(SszObjects.Token memory v) external view returns (bytes32) {
        return SszObjects.tokenRoot(v);
    }

    function tokenBalanceRoot(uint256 balance) external pure returns (bytes32) {
        return SszObjects.tokenBalanceRoot(balance);
    }

    function identityRoot(SszObjects.Identity memory v) external view returns (bytes32) {
        return SszObjects.identityRoot(v);
    }

    function handleRecordRoot(bytes32 identityId) external pure returns (bytes32) {
        return SszObjects.handleRecordRoot(identityId);
    }

    function attributeRoot(SszObjects.Attribute memory v) external view returns (bytes32) {
        return SszObjects.attributeRoot(v);
    }

    function delegateRoot(SszObjects.Delegate memory v) external view returns (bytes32) {
        return SszObjects.delegateRoot(v);
    }

    function dataAssetRoot(SszObjects.DataAsset memory v) external view returns (bytes32) {
        return SszObjects.dataAssetRoot(v);
    }

    function accessGrantRoot(uint64 expiresAt) external pure returns (bytes32) {
        return SszObjects.accessGrantRoot(expiresAt);
    }

    function orderStatusRoot(uint8 status) external pure returns (bytes32) {
        return SszObjects.orderStatusRoot(status);
    }

    function receiptRoot(SszObjects.Receipt memory v) external view returns (bytes32) {
        return SszObjects.receiptRoot(v);
    }

    function depositHash(SszObjects.Deposit memory v) external pure returns (bytes32) {
        return SszObjects.depositHash(v);
    }

    function listAppend(bytes32 listRoot, uint256 length, uint256 limit, bytes32 item, bytes32[] memory siblings)
        external
        view
        returns (bytes32)
    {
        return Ssz.listAppend(listRoot, length, limit, item, siblings);
    }

    function blockHeaderRoot(SszObjects.BlockHeader memory v) external view returns (bytes32) {
        return SszObjects.blockHeaderRoot(v);
    }

    // --- Eip712Tx: digest, hash and sender of each kind ---
    struct Signed {
        bytes32 digest;
        bytes32 txHash;
        address sender;
    }

    function _signed(uint256 chainId, bytes32 structHash, bytes memory signature) private pure returns (Signed memory) {
        bytes32 digest = Eip712Tx.signingDigest(chainId, structHash);
        return Signed(digest, Eip712Tx.txHash(digest, signature), Eip712Tx.recoverSigner(digest, signature));
    }

    /// Digest, hash and sender of a transaction of `kind` whose message is ABI-encoded as its struct.
    /// Eip712Tx.structHash alone: a Via transaction's inner hashStruct, which ViaExecutor wraps.
    function structHashOf(uint8 kind, bytes memory message) external pure returns (bytes32) {
        return Eip712Tx.structHash(kind, message);
    }

    function signedTx(uint256 chainId, uint8 kind, bytes memory message, bytes memory signature)
        external
        pure
        returns (Signed memory)
    {
        return _signed(chainId, Eip712Tx.structHash(kind, message), signature);
    }

    /// The same for a Transfer passed as its struct (what a typed one-step entry point takes).
    function signedTransfer(uint256 chainId, Eip712Tx.Transfer memory m, bytes memory signature)
        external
        pure
        returns (Signed memory)
    {
        return _signed(chainId, Eip712Tx.hashTransfer(m), signature);
    }

    function orderDigest(uint256 chainId, Eip712Tx.Order memory o) external pure returns (bytes32) {
        return Eip712Tx.signingDigest(chainId, Eip712Tx.hashOrder(o));
    }

    function recoverSigner(bytes32 digest, bytes memory signature) external pure returns (address) {
        return Eip712Tx.recoverSigner(digest, signature);
    }
}
