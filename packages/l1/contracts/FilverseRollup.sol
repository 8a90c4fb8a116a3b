// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// The part of FilverseBridge the rollup reads: the L1 message queue (deposits and forced transactions).
interface IFilverseBridgeQueue {
    function rollup() external view returns (address);
    function depositCount() external view returns (uint64);
    function firstForcedAfter(uint64 cursor) external view returns (uint64 nonce, uint64 deadline);
}

/// @title FilverseRollup
/// @notice The Filverse L2's settlement contract on Filecoin: the validator set, the co-signed
///         checkpoints, their challenge window, and the equivocation evidence that slashes and freezes.
/// @dev    Weights: a validator's weight is its collateral (in attoFIL). A checkpoint needs signatures
///         from validators holding at least 2/3 of the total active weight: 3 * signed >= 2 * total.
///         Slashed collateral is burned (kept in this contract forever, counted in `burnedCollateral`);
///         no reporter reward, so a validator cannot recover its own stake by reporting itself.
///         Unfreezing is out of scope: governance is to be defined.
contract FilverseRollup {
    struct Checkpoint {
        uint64 index;
        uint64 firstBlock;
        uint64 lastBlock;
        bytes32 lastBlockHash;
        bytes32 stateRoot;
        bytes32 withdrawalsRoot;
        string pieceCid;
        string payloadCid;
        uint64 pieceSize;
        uint64 carSize;
        uint64 lastBlockTimestamp;
        uint64 depositCursor;
        uint64 validatorSetId;
    }

    struct StoredCheckpoint {
        bytes32 stateRoot;
        bytes32 lastBlockHash;
        bytes32 withdrawalsRoot;
        uint64 lastBlock;
        uint64 depositCursor;
        uint64 acceptedAt;
        string pieceCid;
    }

    struct Validator {
        uint256 collateral;
        /// 0 while active (or never registered); the time requestExit was called otherwise.
        uint64 exitRequestedAt;
        bool active;
    }

    enum Status {
        Unknown,
        Pending,
        Final,
        Frozen
    }

    /// Domain tag of the checkpoint digest; see checkpointDigest.
    bytes32 public constant CHECKPOINT_TAG = keccak256("FilverseCheckpoint.v1");
    bytes32 private constant EIP712_DOMAIN_TYPEHASH = keccak256("EIP712Domain(string name,string version,uint256 chainId)");
    bytes32 private constant SEALED_BLOCK_TYPEHASH = keccak256("SealedBlock(uint64 number,bytes32 blockHash)");
    /// secp256k1 n / 2: signatures with a larger s are malleable copies and are refused (EIP-2).
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    uint64 public immutable l2ChainId;
    address public immutable sequencer;
    uint256 public immutable minCollateral;
    uint64 public immutable challengeWindow;
    uint64 public immutable exitDelay;
    bytes32 public immutable l2DomainSeparator;
    /// The bridge whose message queue checkpoints consume; deployed right after this contract.
    IFilverseBridgeQueue public immutable bridge;

    mapping(address => Validator) public validators;
    uint256 public totalWeight;
    uint256 public validatorCount;
    uint64 public validatorSetId;

    mapping(uint64 => StoredCheckpoint) private checkpoints;
    uint64 public nextCheckpointIndex;

    bool public frozen;
    uint256 public burnedCollateral;

    event ValidatorRegistered(address indexed validator, uint256 collateral, uint64 validatorSetId);
    event ValidatorExitRequested(address indexed validator, uint64 validatorSetId);
    event CollateralWithdrawn(address indexed validator, uint256 amount);
    event CheckpointSubmitted(
        uint64 indexed index, bytes32 stateRoot, bytes32 withdrawalsRoot, uint64 lastBlock, string pieceCid
    );
    event ValidatorSlashed(address indexed validator, uint256 amount, uint64 validatorSetId);
    event Frozen(address indexed reporter, bytes32 reason);

    error ZeroAddress();
    error InvalidWindow();
    error AlreadyRegistered(address validator);
    error InsufficientCollateral(uint256 sent, uint256 minimum);
    error NotValidator(address account);
    error NotExiting(address validator);
    error ExitDelayNotPassed(uint64 availableAt);
    error TransferFailed();
    error WrongIndex(uint64 expected, uint64 got);
    error WrongValidatorSet(uint64 expected, uint64 got);
    error InvalidSignature();
    error SignatureHighS();
    error UnsortedOrDuplicateSigners();
    error NoQuorum(uint256 signedWeight, uint256 totalWeight);
    error RollupFrozen();
    error UnknownCheckpoint(uint64 index);
    error NotFinal(uint64 index, uint64 finalAt);
    error NotConflicting();
    error SignerMismatch(address a, address b);
    error NotSequencer(address signer);
    error NothingToSlash(address signer);
    error CheckpointFromFuture(uint64 lastBlockTimestamp, uint256 now);
    error UnknownMessages(uint64 depositCursor, uint64 depositCount);
    error CursorWentBack(uint64 previous, uint64 got);
    error ForcedInclusionMissed(uint64 nonce, uint64 deadline);

    constructor(
        uint64 l2ChainId_,
        address sequencer_,
        uint256 minCollateral_,
        uint64 challengeWindow_,
        uint64 exitDelay_,
        address bridge_
    ) {
        if (sequencer_ == address(0) || bridge_ == address(0)) revert ZeroAddress();
        if (minCollateral_ == 0) revert InsufficientCollateral(0, 1);
        // An exit must outlast the challenge window, or a validator could sign, leave and take its
        // collateral out before the evidence of its equivocation arrives.
        if (exitDelay_ < challengeWindow_) revert InvalidWindow();
        l2ChainId = l2ChainId_;
        sequencer = sequencer_;
        minCollateral = minCollateral_;
        challengeWindow = challengeWindow_;
        exitDelay = exitDelay_;
        bridge = IFilverseBridgeQueue(bridge_);
        l2DomainSeparator = keccak256(
            abi.encode(EIP712_DOMAIN_TYPEHASH, keccak256("Filverse"), keccak256("1"), uint256(l2ChainId_))
        );
    }

    // ---------------------------------------------------------------- validators

    /// Join the validator set with msg.value as collateral (and weight).
    function register() external payable {
        Validator storage v = validators[msg.sender];
        if (v.active || v.collateral != 0) revert AlreadyRegistered(msg.sender);
        if (msg.value < minCollateral) revert InsufficientCollateral(msg.value, minCollateral);
        v.collateral = msg.value;
        v.active = true;
        v.exitRequestedAt = 0;
        totalWeight += msg.value;
        validatorCount += 1;
        validatorSetId += 1;
        emit ValidatorRegistered(msg.sender, msg.value, validatorSetId);
    }

    /// Leave the active set now; the collateral stays slashable for `exitDelay` seconds.
    function requestExit() external {
        Validator storage v = validators[msg.sender];
        if (!v.active) revert NotValidator(msg.sender);
        v.active = false;
        v.exitRequestedAt = uint64(block.timestamp);
        totalWeight -= v.collateral;
        validatorCount -= 1;
        validatorSetId += 1;
        emit ValidatorExitRequested(msg.sender, validatorSetId);
    }

    function withdrawCollateral() external {
        Validator storage v = validators[msg.sender];
        if (v.active || v.exitRequestedAt == 0 || v.collateral == 0) revert NotExiting(msg.sender);
        uint64 availableAt = v.exitRequestedAt + exitDelay;
        if (block.timestamp < availableAt) revert ExitDelayNotPassed(availableAt);
        uint256 amount = v.collateral;
        v.collateral = 0;
        v.exitRequestedAt = 0;
        emit CollateralWithdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    // ---------------------------------------------------------------- checkpoints

    /// The digest validators sign:
    ///   body   = keccak256(abi.encode(index, firstBlock, lastBlock, lastBlockHash, stateRoot,
    ///              withdrawalsRoot, keccak256(bytes(pieceCid)), keccak256(bytes(payloadCid)),
    ///              pieceSize, carSize, lastBlockTimestamp, depositCursor, validatorSetId))
    ///   digest = keccak256(abi.encode(CHECKPOINT_TAG, block.chainid, address(this), l2ChainId, body))
    function checkpointDigest(Checkpoint calldata cp) public view returns (bytes32) {
        bytes32 body = keccak256(bytes.concat(checkpointContent(cp), abi.encode(cp.validatorSetId)));
        return keccak256(abi.encode(CHECKPOINT_TAG, block.chainid, address(this), l2ChainId, body));
    }

    /// What a checkpoint claims, without the validator set id it was signed under: keccak256 of
    /// the abi.encode of its first twelve body words (the CIDs as their keccak256).
    function checkpointContentHash(Checkpoint calldata cp) public pure returns (bytes32) {
        return keccak256(checkpointContent(cp));
    }

    /// The abi.encode of the body's first twelve words. abi.encode of static words concatenates, so
    /// two halves (which keep the stack shallow without via-IR) and the set id appended make the one
    /// abi.encode of all thirteen.
    function checkpointContent(Checkpoint calldata cp) private pure returns (bytes memory) {
        return bytes.concat(
            abi.encode(cp.index, cp.firstBlock, cp.lastBlock, cp.lastBlockHash, cp.stateRoot, cp.withdrawalsRoot),
            abi.encode(
                keccak256(bytes(cp.pieceCid)),
                keccak256(bytes(cp.payloadCid)),
                cp.pieceSize,
                cp.carSize,
                cp.lastBlockTimestamp,
                cp.depositCursor
            )
        );
    }

    /// Accept the next checkpoint with signatures (65-byte r‖s‖v, low-s) from distinct active
    /// validators, sorted by address ascending, holding at least 2/3 of the total weight.
    /// Forced inclusion: a checkpoint whose last block is later than the deadline of a forced
    /// transaction it has not consumed (its depositCursor is below the forced message's nonce) is
    /// rejected. Checkpoints of blocks made before a deadline are unaffected, so a backlog can settle.
    function submitCheckpoint(Checkpoint calldata cp, bytes[] calldata signatures) external {
        if (frozen) revert RollupFrozen();
        if (cp.index != nextCheckpointIndex) revert WrongIndex(nextCheckpointIndex, cp.index);
        if (cp.validatorSetId != validatorSetId) revert WrongValidatorSet(validatorSetId, cp.validatorSetId);
        checkMessages(cp);
        bytes32 digest = checkpointDigest(cp);
        uint256 signed;
        address previous;
        for (uint256 i = 0; i < signatures.length; i++) {
            address signer = recoverSigner(digest, signatures[i]);
            if (signer <= previous) revert UnsortedOrDuplicateSigners();
            Validator storage v = validators[signer];
            if (!v.active) revert NotValidator(signer);
            signed += v.collateral;
            previous = signer;
        }
        if (signed * 3 < totalWeight * 2 || signed == 0) revert NoQuorum(signed, totalWeight);

        StoredCheckpoint storage s = checkpoints[cp.index];
        s.stateRoot = cp.stateRoot;
        s.lastBlockHash = cp.lastBlockHash;
        s.withdrawalsRoot = cp.withdrawalsRoot;
        s.lastBlock = cp.lastBlock;
        s.depositCursor = cp.depositCursor;
        s.acceptedAt = uint64(block.timestamp);
        s.pieceCid = cp.pieceCid;
        nextCheckpointIndex = cp.index + 1;
        emit CheckpointSubmitted(cp.index, cp.stateRoot, cp.withdrawalsRoot, cp.lastBlock, cp.pieceCid);
    }

    /// The L1-message rules: the cursor never goes back nor past the bridge's queue, and every
    /// forced transaction whose deadline the checkpoint's last block is past has been consumed.
    function checkMessages(Checkpoint calldata cp) private view {
        if (cp.lastBlockTimestamp > block.timestamp) revert CheckpointFromFuture(cp.lastBlockTimestamp, block.timestamp);
        uint64 queued = bridge.depositCount();
        if (cp.depositCursor > queued) revert UnknownMessages(cp.depositCursor, queued);
        if (cp.index > 0) {
            uint64 previous = checkpoints[cp.index - 1].depositCursor;
            if (cp.depositCursor < previous) revert CursorWentBack(previous, cp.depositCursor);
        }
        (uint64 forcedNonce, uint64 deadline) = bridge.firstForcedAfter(cp.depositCursor);
        if (forcedNonce != 0 && deadline < cp.lastBlockTimestamp) revert ForcedInclusionMissed(forcedNonce, deadline);
    }

    function getCheckpoint(uint64 index) external view returns (StoredCheckpoint memory) {
        if (index >= nextCheckpointIndex) revert UnknownCheckpoint(index);
        return checkpoints[index];
    }

    /// Status and withdrawals root of a checkpoint, without reverting (the bridge maps it to its errors).
    function checkpointStatus(uint64 index) public view returns (Status status, bytes32 withdrawalsRoot) {
        if (index >= nextCheckpointIndex) return (Status.Unknown, bytes32(0));
        StoredCheckpoint storage s = checkpoints[index];
        if (frozen) return (Status.Frozen, s.withdrawalsRoot);
        if (block.timestamp < uint256(s.acceptedAt) + challengeWindow) return (Status.Pending, s.withdrawalsRoot);
        return (Status.Final, s.withdrawalsRoot);
    }

    function isFinal(uint64 index) external view returns (bool) {
        (Status status,) = checkpointStatus(index);
        return status == Status.Final;
    }

    function withdrawalsRootIfFinal(uint64 index) external view returns (bytes32) {
        (Status status, bytes32 root) = checkpointStatus(index);
        if (status == Status.Unknown) revert UnknownCheckpoint(index);
        if (status == Status.Frozen) revert RollupFrozen();
        if (status == Status.Pending) revert NotFinal(index, checkpoints[index].acceptedAt + challengeWindow);
        return root;
    }

    // ---------------------------------------------------------------- evidence

    /// Two checkpoints at one index with different content signed by one validator: slash it and
    /// freeze. The same content under two validator set ids is not a conflict: a checkpoint whose
    /// submission met a changed set (WrongValidatorSet) is signed again with the new id.
    function proveCheckpointEquivocation(
        Checkpoint calldata a,
        bytes calldata sigA,
        Checkpoint calldata b,
        bytes calldata sigB
    ) external {
        if (a.index != b.index) revert NotConflicting();
        if (checkpointContentHash(a) == checkpointContentHash(b)) revert NotConflicting();
        address signerA = recoverSigner(checkpointDigest(a), sigA);
        address signerB = recoverSigner(checkpointDigest(b), sigB);
        if (signerA != signerB) revert SignerMismatch(signerA, signerB);
        if (validators[signerA].collateral == 0) revert NothingToSlash(signerA);
        slash(signerA);
        freeze(keccak256("checkpoint-equivocation"));
    }

    /// Two sequencer seals (EIP-712 SealedBlock under the L2 domain) for different hashes at one
    /// height: freeze, and slash the sequencer if it holds collateral here.
    function proveBlockEquivocation(
        uint64 number,
        bytes32 hashA,
        bytes calldata sigA,
        bytes32 hashB,
        bytes calldata sigB
    ) external {
        if (hashA == hashB) revert NotConflicting();
        address signerA = recoverSigner(sealDigest(number, hashA), sigA);
        address signerB = recoverSigner(sealDigest(number, hashB), sigB);
        if (signerA != sequencer) revert NotSequencer(signerA);
        if (signerB != sequencer) revert NotSequencer(signerB);
        if (validators[sequencer].collateral != 0) slash(sequencer);
        freeze(keccak256("block-equivocation"));
    }

    /// The EIP-712 digest of SealedBlock(number, blockHash) under {"Filverse", "1", l2ChainId}.
    function sealDigest(uint64 number, bytes32 blockHash) public view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(SEALED_BLOCK_TYPEHASH, number, blockHash));
        return keccak256(abi.encodePacked(hex"1901", l2DomainSeparator, structHash));
    }

    // ---------------------------------------------------------------- internals

    function slash(address validator) private {
        Validator storage v = validators[validator];
        uint256 amount = v.collateral;
        if (v.active) {
            v.active = false;
            totalWeight -= amount;
            validatorCount -= 1;
            validatorSetId += 1;
        }
        v.collateral = 0;
        v.exitRequestedAt = 0;
        burnedCollateral += amount;
        emit ValidatorSlashed(validator, amount, validatorSetId);
    }

    function freeze(bytes32 reason) private {
        frozen = true;
        emit Frozen(msg.sender, reason);
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
