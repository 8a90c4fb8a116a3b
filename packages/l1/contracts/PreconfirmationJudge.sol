// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ssz} from "./Ssz.sol";
import {SszObjects} from "./SszObjects.sol";

/// @title PreconfirmationJudge
/// @notice Decides whether a sealed L2 block breaks a preconfirmation its sequencer signed. Stateless;
///         FilverseRollup calls `check` from `provePreconfirmationBreach` and burns the sequencer's
///         bond when it returns. Kept out of the rollup so that the rollup stays under the EIP-170
///         code size limit (the SSZ header root and the list proof are most of this contract).
/// @dev    A preconfirmation is EIP-712 `Preconfirmation(uint64 number, uint64 position, bytes32
///         receiptRoot, bytes32 touchedRoot)` under {"Filverse", "1", l2ChainId}, signed with the
///         block-sealing key (docs/protocol.md, Blocks).
contract PreconfirmationJudge {
    struct Preconfirmation {
        uint64 number;
        uint64 position;
        bytes32 receiptRoot;
        bytes32 touchedRoot;
    }

    bytes32 private constant EIP712_DOMAIN_TYPEHASH = keccak256("EIP712Domain(string name,string version,uint256 chainId)");
    bytes32 private constant SEALED_BLOCK_TYPEHASH = keccak256("SealedBlock(uint64 number,bytes32 blockHash)");
    bytes32 private constant PRECONFIRMATION_TYPEHASH =
        keccak256("Preconfirmation(uint64 number,uint64 position,bytes32 receiptRoot,bytes32 touchedRoot)");
    /// The SSZ list limit of a block's receipts: MAX_BLOCK_DEPOSITS + MAX_BLOCK_TXS.
    uint256 private constant MAX_BLOCK_RECEIPTS = (1 << 12) + (1 << 16);
    /// secp256k1 n / 2: signatures with a larger s are malleable copies and are refused (EIP-2).
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    uint64 public immutable l2ChainId;
    address public immutable sequencer;
    bytes32 public immutable l2DomainSeparator;

    error WrongL2Chain(uint64 chainId);
    error NotConflicting();
    error NotSequencer(address signer);
    error ReceiptProofMismatch(bytes32 receiptsRoot, bytes32 implied);
    error InvalidSignature();
    error SignatureHighS();

    constructor(uint64 l2ChainId_, address sequencer_) {
        l2ChainId = l2ChainId_;
        sequencer = sequencer_;
        l2DomainSeparator = keccak256(
            abi.encode(EIP712_DOMAIN_TYPEHASH, keccak256("Filverse"), keccak256("1"), uint256(l2ChainId_))
        );
    }

    /// Returns when the header of block `p.number`, sealed by the sequencer, has another receipt at
    /// `p.position` than the one the sequencer promised (`item`, with its `siblings` in the receipt list
    /// of `count` receipts), or only `count` ≤ position receipts (`item` is then the list's data root,
    /// whose length mix-in is the header's receiptsRoot). Reverts with why not otherwise.
    function check(
        Preconfirmation calldata p,
        bytes calldata preconfirmationSig,
        SszObjects.BlockHeader calldata header,
        bytes calldata sealSig,
        bytes32 item,
        uint256 count,
        bytes32[] calldata siblings
    ) external view {
        if (header.chainId != l2ChainId) revert WrongL2Chain(header.chainId);
        if (header.number != p.number) revert NotConflicting();
        address promiser = recoverSigner(preconfirmationDigest(p), preconfirmationSig);
        if (promiser != sequencer) revert NotSequencer(promiser);
        bytes32 sealStruct = keccak256(abi.encode(SEALED_BLOCK_TYPEHASH, header.number, SszObjects.blockHeaderRoot(header)));
        address sealer = recoverSigner(keccak256(abi.encodePacked(hex"1901", l2DomainSeparator, sealStruct)), sealSig);
        if (sealer != sequencer) revert NotSequencer(sealer);
        bytes32 implied;
        if (p.position < count) {
            if (item == p.receiptRoot) revert NotConflicting();
            implied = Ssz.listRootFromItem(item, p.position, count, MAX_BLOCK_RECEIPTS, siblings);
        } else {
            implied = Ssz.mixInLength(item, count);
        }
        if (implied != header.receiptsRoot) revert ReceiptProofMismatch(header.receiptsRoot, implied);
    }

    /// The EIP-712 digest of Preconfirmation(number, position, receiptRoot, touchedRoot) under the L2 domain.
    function preconfirmationDigest(Preconfirmation calldata p) public view returns (bytes32) {
        bytes32 structHash =
            keccak256(abi.encode(PRECONFIRMATION_TYPEHASH, p.number, p.position, p.receiptRoot, p.touchedRoot));
        return keccak256(abi.encodePacked(hex"1901", l2DomainSeparator, structHash));
    }

    /// ecrecover of a 65-byte r‖s‖v signature with v in {27, 28} and s <= n/2.
    function recoverSigner(bytes32 digest, bytes calldata sig) private pure returns (address signer) {
        if (sig.length != 65) revert InvalidSignature();
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        if (uint256(s) > HALF_N) revert SignatureHighS();
        if (v != 27 && v != 28) revert InvalidSignature();
        signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert InvalidSignature();
    }
}
