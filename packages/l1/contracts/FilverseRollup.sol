// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PreconfirmationJudge} from "./PreconfirmationJudge.sol";
import {SszObjects} from "./SszObjects.sol";

/// The part of FilverseBridge the rollup reads: the L1 message queue (deposits and forced transactions).
interface IFilverseBridgeQueue {
    function rollup() external view returns (address);
    function depositCount() external view returns (uint64);
    function firstForcedAfter(uint64 cursor) external view returns (uint64 nonce, uint64 deadline);
}

/// The part of FilverseDisputeGame the rollup reads (docs/fault-proofs.md).
interface IFilverseDisputeGame {
    function checkpoints() external view returns (address);
    function executorComplete() external view returns (bool);
    /// The lowest checkpoint with an open game or still challengeable after an answered reveal.
    function lowestOpenCheckpoint() external view returns (bool any, uint64 index);
    function gameCount() external view returns (uint256);
    function executor() external view returns (address);
}

/// What the rollup asks of a game's one-step executor: the bridge whose message records it checks,
/// and the L2 chain whose transactions it executes.
interface IExecutorBinding {
    function bridge() external view returns (address);
    function chainId() external view returns (uint64);
}

/// @title FilverseRollup
/// @notice The Filverse L2's settlement contract on Filecoin: the validator set (changed by epoch,
///         delayed and capped), the co-signed linked checkpoints, their challenge window, the
///         sequencer's bond, and the equivocation evidence that slashes and halts (docs/checkpoints.md).
/// @dev    Weights: a validator's weight is its collateral (in attoFIL). A checkpoint needs signatures
///         from validators holding at least 2/3 of the epoch's total weight: 3 * signed >= 2 * total.
///         Set changes (joins, exits) are queued for the first epoch boundary at least one challenge
///         window after the request and applied lazily (`settle`); joins are capped per epoch.
///         Slashed collateral and bonds are burned (kept here, counted in `burnedCollateral`); no
///         reporter reward, so a validator cannot recover its own stake by reporting itself.
contract FilverseRollup {
    struct Checkpoint {
        uint64 index;
        uint64 firstBlock;
        uint64 lastBlock;
        bytes32 parentHash;
        bytes32 lastBlockHash;
        bytes32 stateRoot;
        bytes32 withdrawalsRoot;
        /// hash_tree_root(List[Bytes32, 16384]) of the hashes of blocks firstBlock-1..lastBlock.
        bytes32 blockHashesRoot;
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

    /// What the dispute game reads of a checkpoint (IDisputedCheckpoints in FilverseDisputeGame.sol).
    struct DisputedCheckpoint {
        bytes32 digest;
        bytes32 blockHashesRoot;
        bytes32 parentHash;
        bytes32 lastBlockHash;
        bytes32 stateRoot;
        bytes32 withdrawalsRoot;
        uint64 firstBlock;
        uint64 lastBlock;
        uint64 acceptedAt;
    }

    struct Validator {
        /// FIL held here for it, slashable until withdrawn.
        uint256 collateral;
        /// Its weight before `nextEpoch` (or now, when no change is scheduled).
        uint256 weight;
        /// Its weight from `nextEpoch` on.
        uint256 nextWeight;
        /// The epoch a scheduled join or exit takes effect; 0 when none is scheduled.
        uint64 nextEpoch;
        /// The time requestExit was called; 0 unless exiting.
        uint64 exitRequestedAt;
        /// The collateral stays until then: the acceptance time of the last checkpoint it signed
        /// plus the challenge window.
        uint64 lockedUntil;
        /// A slashed key never registers again.
        bool slashed;
    }

    enum Status {
        Unknown,
        Pending,
        Final
    }

    /// Domain tag of the checkpoint digest; see checkpointDigest.
    bytes32 public constant CHECKPOINT_TAG = keccak256("FilverseCheckpoint.v1");
    bytes32 private constant EIP712_DOMAIN_TYPEHASH = keccak256("EIP712Domain(string name,string version,uint256 chainId)");
    bytes32 private constant SEALED_BLOCK_TYPEHASH = keccak256("SealedBlock(uint64 number,bytes32 blockHash)");
    /// secp256k1 n / 2: signatures with a larger s are malleable copies and are refused (EIP-2).
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    /// Weight joining at one epoch boundary is at most 1/JOIN_CAP_DIVISOR of the total weight when
    /// it is requested (or minCollateral, if that is larger). With 3, one epoch's joiners hold at
    /// most 1/4 of the next set, too little to block a quorum (> 1/3); taking a quorum alone (2/3)
    /// takes four epochs of joins, each announced a challenge window ahead (docs/checkpoints.md).
    uint256 public constant JOIN_CAP_DIVISOR = 3;

    uint64 public immutable l2ChainId;
    address public immutable sequencer;
    uint256 public immutable minCollateral;
    uint64 public immutable challengeWindow;
    uint64 public immutable exitDelay;
    /// Seconds per epoch; epoch 0 starts at deployment (`genesisTime`).
    uint64 public immutable epochLength;
    uint64 public immutable genesisTime;
    /// The hash of the L2's genesis block (block 0): checkpoint 0's parent, which the game judges
    /// entry 0 of checkpoint 0's blockHashesRoot against (docs/fault-proofs.md, Level 1).
    bytes32 public immutable genesisBlockHash;
    /// The smallest sequencer bond under which checkpoints are accepted.
    uint256 public immutable minSequencerBond;
    /// May register the genesis set (before the first checkpoint) and runs the allowlist.
    address public immutable owner;
    bytes32 public immutable l2DomainSeparator;
    /// The bridge whose message queue checkpoints consume; deployed right after this contract.
    IFilverseBridgeQueue public immutable bridge;
    /// Judges broken preconfirmations for `provePreconfirmationBreach` (for this chain and sequencer).
    PreconfirmationJudge public immutable preconfirmationJudge;

    mapping(address => Validator) private validatorOf;
    /// Every address that ever registered, in order (`validatorAddresses`).
    address[] private validatorList;
    mapping(address => bool) private listed;
    /// The total weight of the settled epoch.
    uint256 private settledWeight;
    uint64 private settledSetId;
    /// Epochs with scheduled changes, ascending; entries below `changeHead` are applied.
    uint64[] private changeEpochs;
    uint256 private changeHead;
    mapping(uint64 => int256) private weightDeltaAt;
    /// Weight scheduled to join at an epoch (against JOIN_CAP_DIVISOR).
    mapping(uint64 => uint256) public joiningAt;

    /// Allowlist mode: only addresses the owner approved may register. `openAdmission` ends it.
    bool public allowlistMode;
    mapping(address => bool) public allowed;

    mapping(uint64 => StoredCheckpoint) private checkpoints;
    /// What the dispute game needs of each checkpoint besides StoredCheckpoint.
    struct Commitments {
        bytes32 blockHashesRoot;
        /// The digest its signers signed: a proven fault slashes whoever signed it.
        bytes32 digest;
    }

    mapping(uint64 => Commitments) private commitmentsOf;

    /// The fault-proof game (docs/fault-proofs.md). Unset (zero) by default: then no game holds a
    /// checkpoint back and no fault is accepted. The owner sets it once, only to a game that has a
    /// one-step executor and reads this rollup, and can never unset it.
    IFilverseDisputeGame public disputeGame;
    /// A proven-wrong checkpoint's digest → the challenger who proved it (rewarded per slash).
    mapping(bytes32 => address) public faultyDigest;
    /// The hash of a block proven wrong by bisection → its number + 1 (its seal slashes the sequencer).
    mapping(bytes32 => uint64) public faultyBlock;
    /// When the last fault was proven: collateral stays in for a challenge window after it, so
    /// that the signers can be slashed with their public signatures before they leave.
    uint64 public lastFaultAt;
    /// Share of a slashed signer's collateral paid to the challenger who proved its checkpoint wrong;
    /// the rest is burned, so a quorum that challenges its own checkpoint still loses most of it.
    uint256 public constant CHALLENGER_REWARD_BPS = 1_000;
    mapping(address => uint256) public rewards;
    uint64 public nextCheckpointIndex;

    /// Set by proven equivocation: non-final checkpoints were invalidated, deposits and forced
    /// transactions are refused; the next accepted checkpoint resumes.
    bool public halted;
    uint256 public sequencerBond;
    /// Sequencer evidence (block equivocation, a broken preconfirmation) is accepted only above the
    /// highest height already proven (`blockEvidenceFloor`): the signatures behind a slash stay
    /// public, and replaying them (or older ones) after someone bonds the sequencer again would burn
    /// each new bond and halt the rollup for good.
    bool public blockEvidenceProven;
    uint64 public blockEvidenceFloor;
    /// Set by the first accepted checkpoint and never cleared: a halt that invalidates checkpoint 0
    /// must not reopen the owner's instant, uncapped genesis registration.
    bool public genesisClosed;
    uint256 public burnedCollateral;

    event ValidatorRegistered(address indexed validator, uint256 collateral, uint64 effectiveEpoch);
    event ValidatorExitRequested(address indexed validator, uint64 effectiveEpoch);
    event CollateralWithdrawn(address indexed validator, uint256 amount);
    event ValidatorSetChanged(uint64 validatorSetId, uint64 epoch, uint256 totalWeight);
    event AllowlistChanged(address indexed account, bool allowed);
    event AdmissionOpened();
    event CheckpointSubmitted(
        uint64 indexed index, bytes32 stateRoot, bytes32 withdrawalsRoot, uint64 lastBlock, string pieceCid
    );
    /// The signatures a checkpoint was accepted with, and the digest they signed: what anyone needs to
    /// slash its signers once it is proven wrong, whichever contract the submission came through.
    event CheckpointSignatures(uint64 indexed index, bytes32 digest, bytes[] signatures);
    event CheckpointsInvalidated(uint64 fromIndex, uint64 toIndex);
    event ValidatorSlashed(address indexed validator, uint256 amount);
    event SequencerBonded(address indexed from, uint256 amount, uint256 bond);
    event SequencerSlashed(uint256 amount);
    event Halted(address indexed reporter, bytes32 reason);
    event Resumed(uint64 index);
    event DisputeGameSet(address game);
    event FaultProven(uint64 indexed index, bytes32 digest, uint64 blockNumber, address challenger);
    event RewardClaimed(address indexed account, uint256 amount);

    error ZeroAddress();
    error InvalidWindow();
    error UnknownGenesis();
    error NotOwner(address account);
    error AlreadyRegistered(address validator);
    error SlashedKey(address validator);
    error NotAllowed(address validator);
    error GenesisClosed();
    error JoinCapExceeded(uint256 joining, uint256 cap);
    error PendingChange(address validator, uint64 effectiveEpoch);
    error InsufficientCollateral(uint256 sent, uint256 minimum);
    error NotValidator(address account);
    error NotExiting(address validator);
    error ExitDelayNotPassed(uint64 availableAt);
    error CollateralLocked(uint64 until);
    error TransferFailed();
    error WrongIndex(uint64 expected, uint64 got);
    error NotLinked(uint64 expectedFirstBlock, uint64 firstBlock, uint64 lastBlock);
    error ParentHashMismatch(bytes32 expected, bytes32 parentHash);
    error WrongValidatorSet(uint64 expected, uint64 got);
    error InvalidSignature();
    error SignatureHighS();
    error UnsortedOrDuplicateSigners();
    error NoQuorum(uint256 signedWeight, uint256 totalWeight);
    error SequencerNotBonded(uint256 bond, uint256 minimum);
    error UnknownCheckpoint(uint64 index);
    error NotFinal(uint64 index, uint64 finalAt);
    error NotConflicting();
    error SignerMismatch(address a, address b);
    error NotSequencer(address signer);
    error NothingToSlash(address signer);
    error StaleBlockEvidence(uint64 number, uint64 floor);
    error WrongL2Chain(uint64 chainId);
    error JudgeMismatch(address judge);
    error ReceiptProofMismatch(bytes32 receiptsRoot, bytes32 implied);
    error CheckpointFromFuture(uint64 lastBlockTimestamp, uint256 now);
    error UnknownMessages(uint64 depositCursor, uint64 depositCount);
    error CursorWentBack(uint64 previous, uint64 got);
    error ForcedInclusionMissed(uint64 nonce, uint64 deadline);
    error DisputeGameAlreadySet(address game);
    error GameWithoutExecutor(address game);
    error GameOfAnotherRollup(address game, address checkpoints);
    /// The game's executor checks another bridge's L1 messages, or executes another L2 chain.
    error GameExecutorOfAnotherRollup(address game, address executor);
    error GameAlreadyPlayed(address game);
    error NotProvenFaulty(bytes32 digest);
    error GamesOpen(uint64 lowestIndex);
    error SlashingPeriod(uint64 until);
    error NothingToClaim(address account);

    /// msg.value is the sequencer's first bond.
    constructor(
        uint64 l2ChainId_,
        address sequencer_,
        bytes32 genesisBlockHash_,
        uint256 minCollateral_,
        uint64 challengeWindow_,
        uint64 exitDelay_,
        uint64 epochLength_,
        bool allowlistMode_,
        address bridge_,
        PreconfirmationJudge preconfirmationJudge_
    ) payable {
        if (sequencer_ == address(0) || bridge_ == address(0)) revert ZeroAddress();
        if (preconfirmationJudge_.l2ChainId() != l2ChainId_ || preconfirmationJudge_.sequencer() != sequencer_) {
            revert JudgeMismatch(address(preconfirmationJudge_));
        }
        if (minCollateral_ == 0) revert InsufficientCollateral(0, 1);
        if (genesisBlockHash_ == bytes32(0)) revert UnknownGenesis();
        // An exit must outlast the challenge window, or a validator could sign, leave and take its
        // collateral out before the evidence of its equivocation arrives.
        if (exitDelay_ < challengeWindow_ || epochLength_ == 0) revert InvalidWindow();
        l2ChainId = l2ChainId_;
        sequencer = sequencer_;
        genesisBlockHash = genesisBlockHash_;
        minCollateral = minCollateral_;
        minSequencerBond = minCollateral_;
        challengeWindow = challengeWindow_;
        exitDelay = exitDelay_;
        epochLength = epochLength_;
        genesisTime = uint64(block.timestamp);
        owner = msg.sender;
        allowlistMode = allowlistMode_;
        bridge = IFilverseBridgeQueue(bridge_);
        preconfirmationJudge = preconfirmationJudge_;
        l2DomainSeparator = keccak256(
            abi.encode(EIP712_DOMAIN_TYPEHASH, keccak256("Filverse"), keccak256("1"), uint256(l2ChainId_))
        );
        sequencerBond = msg.value;
        if (msg.value != 0) emit SequencerBonded(msg.sender, msg.value, msg.value);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- epochs and the set

    function currentEpoch() public view returns (uint64) {
        return (uint64(block.timestamp) - genesisTime) / epochLength;
    }

    /// The epoch a change requested now takes effect: the first boundary at least one challenge
    /// window away, and never the current epoch.
    function effectiveEpochOfRequest() public view returns (uint64) {
        uint64 epoch = (uint64(block.timestamp) + challengeWindow - genesisTime + epochLength - 1) / epochLength;
        uint64 next = currentEpoch() + 1;
        return epoch > next ? epoch : next;
    }

    /// The set in force now: its id (changes only at epoch boundaries) and total weight.
    function currentSet() public view returns (uint64 setId, uint256 weight) {
        setId = settledSetId;
        int256 w = int256(settledWeight);
        uint64 epoch = currentEpoch();
        for (uint256 i = changeHead; i < changeEpochs.length && changeEpochs[i] <= epoch; i++) {
            w += weightDeltaAt[changeEpochs[i]];
            setId += 1;
        }
        weight = uint256(w);
    }

    /// The set at a glance (for nodes' metrics and the CLI): the epoch, the set in force, and the
    /// weight scheduled to join and to leave at later boundaries.
    function setStatus()
        external
        view
        returns (uint64 epoch, uint64 setId, uint256 weight, uint256 joining, uint256 leaving)
    {
        epoch = currentEpoch();
        (setId, weight) = currentSet();
        for (uint256 i = changeHead; i < changeEpochs.length; i++) {
            uint64 e = changeEpochs[i];
            if (e <= epoch) continue;
            joining += joiningAt[e];
            leaving += uint256(int256(joiningAt[e]) - weightDeltaAt[e]);
        }
    }

    function validatorSetId() external view returns (uint64 setId) {
        (setId,) = currentSet();
    }

    function totalWeight() external view returns (uint256 weight) {
        (, weight) = currentSet();
    }

    /// A validator's weight in the current epoch.
    function weightOf(address validator) public view returns (uint256) {
        Validator storage v = validatorOf[validator];
        if (v.nextEpoch != 0 && currentEpoch() >= v.nextEpoch) return v.nextWeight;
        return v.weight;
    }

    /// Everything the CLI shows for one validator; withdrawableAt is 0 unless it is exiting.
    function validatorInfo(address validator)
        external
        view
        returns (
            uint256 collateral,
            uint256 weight,
            uint256 nextWeight,
            uint64 nextEpoch,
            uint64 exitRequestedAt,
            uint64 withdrawableAt,
            bool slashed
        )
    {
        Validator storage v = validatorOf[validator];
        collateral = v.collateral;
        weight = weightOf(validator);
        bool due = v.nextEpoch != 0 && currentEpoch() >= v.nextEpoch;
        nextWeight = v.nextEpoch != 0 ? v.nextWeight : v.weight;
        nextEpoch = due ? 0 : v.nextEpoch;
        exitRequestedAt = v.exitRequestedAt;
        slashed = v.slashed;
        if (v.exitRequestedAt != 0) {
            uint64 at = v.exitRequestedAt + exitDelay;
            uint64 exitAt = genesisTime + v.nextEpoch * epochLength;
            if (v.nextEpoch != 0 && exitAt > at) at = exitAt;
            if (v.lockedUntil > at) at = v.lockedUntil;
            withdrawableAt = at;
        }
    }

    function validatorAddresses() external view returns (address[] memory) {
        return validatorList;
    }

    /// Apply the changes due by the current epoch. Every state-changing entry point runs it first.
    function settle() public {
        uint64 epoch = currentEpoch();
        uint256 head = changeHead;
        if (head >= changeEpochs.length || changeEpochs[head] > epoch) return;
        int256 w = int256(settledWeight);
        uint64 setId = settledSetId;
        while (head < changeEpochs.length && changeEpochs[head] <= epoch) {
            uint64 e = changeEpochs[head];
            w += weightDeltaAt[e];
            setId += 1;
            head += 1;
            emit ValidatorSetChanged(setId, e, uint256(w));
        }
        settledWeight = uint256(w);
        settledSetId = setId;
        changeHead = head;
    }

    /// Fold a validator's scheduled change into its weight once due.
    function foldValidator(Validator storage v) private {
        if (v.nextEpoch != 0 && currentEpoch() >= v.nextEpoch) {
            v.weight = v.nextWeight;
            v.nextEpoch = 0;
        }
    }

    function schedule(uint64 epoch, int256 delta) private {
        uint256 n = changeEpochs.length;
        if (n == changeHead || changeEpochs[n - 1] != epoch) changeEpochs.push(epoch);
        weightDeltaAt[epoch] += delta;
    }

    // ---------------------------------------------------------------- validators

    /// Join the validator set with msg.value as collateral (and weight), from the first epoch
    /// boundary at least one challenge window away, within the epoch's join cap.
    function register() external payable {
        settle();
        if (allowlistMode && !allowed[msg.sender]) revert NotAllowed(msg.sender);
        Validator storage v = checkJoin(msg.sender, msg.value);
        uint64 epoch = effectiveEpochOfRequest();
        uint256 cap = joinCapAt(epoch);
        uint256 joining = joiningAt[epoch] + msg.value;
        if (joining > cap) revert JoinCapExceeded(joining, cap);
        joiningAt[epoch] = joining;
        v.nextWeight = msg.value;
        v.nextEpoch = epoch;
        schedule(epoch, int256(msg.value));
        emit ValidatorRegistered(msg.sender, msg.value, epoch);
    }

    /// The most weight that may join at `epoch`: 1/JOIN_CAP_DIVISOR of the weight the set will have
    /// then without that epoch's joiners (every change scheduled up to it applied, exits included, so
    /// exits at the same boundary cannot raise the joiners' share), and at least minCollateral.
    function joinCapAt(uint64 epoch) public view returns (uint256 cap) {
        int256 w = int256(settledWeight);
        for (uint256 i = changeHead; i < changeEpochs.length && changeEpochs[i] <= epoch; i++) {
            w += weightDeltaAt[changeEpochs[i]];
        }
        w -= int256(joiningAt[epoch]);
        cap = w > 0 ? uint256(w) / JOIN_CAP_DIVISOR : 0;
        if (cap < minCollateral) cap = minCollateral;
    }

    /// The genesis set: the owner registers (and pays for) validators effective at once, only
    /// before the first checkpoint. Later validators join through `register`.
    function registerGenesis(address validator) external payable onlyOwner {
        settle();
        if (genesisClosed || nextCheckpointIndex != 0 || settledSetId != 0) revert GenesisClosed();
        Validator storage v = checkJoin(validator, msg.value);
        v.weight = msg.value;
        settledWeight += msg.value;
        emit ValidatorRegistered(validator, msg.value, currentEpoch());
    }

    function checkJoin(address validator, uint256 amount) private returns (Validator storage v) {
        if (validator == address(0)) revert ZeroAddress();
        v = validatorOf[validator];
        if (v.slashed) revert SlashedKey(validator);
        if (v.collateral != 0) revert AlreadyRegistered(validator);
        if (amount < minCollateral) revert InsufficientCollateral(amount, minCollateral);
        v.collateral = amount;
        v.exitRequestedAt = 0;
        if (!listed[validator]) {
            listed[validator] = true;
            validatorList.push(validator);
        }
    }

    /// Leave the set from the first epoch boundary at least one challenge window away; the
    /// collateral stays slashable until the exit delay has passed and every checkpoint it signed is final.
    function requestExit() external {
        settle();
        Validator storage v = validatorOf[msg.sender];
        foldValidator(v);
        if (v.collateral == 0) revert NotValidator(msg.sender);
        if (v.nextEpoch != 0) revert PendingChange(msg.sender, v.nextEpoch);
        if (v.exitRequestedAt != 0) revert NotValidator(msg.sender);
        uint64 epoch = effectiveEpochOfRequest();
        v.nextWeight = 0;
        v.nextEpoch = epoch;
        v.exitRequestedAt = uint64(block.timestamp);
        schedule(epoch, -int256(v.weight));
        emit ValidatorExitRequested(msg.sender, epoch);
    }

    function withdrawCollateral() external {
        settle();
        Validator storage v = validatorOf[msg.sender];
        foldValidator(v);
        if (v.exitRequestedAt == 0 || v.collateral == 0) revert NotExiting(msg.sender);
        if (v.nextEpoch != 0) revert ExitDelayNotPassed(genesisTime + v.nextEpoch * epochLength);
        uint64 availableAt = v.exitRequestedAt + exitDelay;
        if (block.timestamp < availableAt) revert ExitDelayNotPassed(availableAt);
        if (block.timestamp < v.lockedUntil) revert CollateralLocked(v.lockedUntil);
        // While a game runs, or a checkpoint is still challengeable after an answered reveal, any
        // signer may be about to lose; after a fault, its signers are slashed with their public
        // signatures within a challenge window.
        if (address(disputeGame) != address(0)) {
            (bool any, uint64 lowest) = disputeGame.lowestOpenCheckpoint();
            if (any) revert GamesOpen(lowest);
            if (lastFaultAt != 0 && block.timestamp < uint256(lastFaultAt) + challengeWindow) {
                revert SlashingPeriod(lastFaultAt + challengeWindow);
            }
        }
        uint256 amount = v.collateral;
        v.collateral = 0;
        v.weight = 0;
        v.exitRequestedAt = 0;
        emit CollateralWithdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// Allowlist mode: the owner admits (or removes the admission of) an address before it registers.
    function setAllowed(address account, bool isAllowed) external onlyOwner {
        allowed[account] = isAllowed;
        emit AllowlistChanged(account, isAllowed);
    }

    /// End allowlist mode for good: anyone may register from now on.
    function openAdmission() external onlyOwner {
        allowlistMode = false;
        emit AdmissionOpened();
    }

    /// Add to the sequencer's bond (anyone may pay it). It is slashed for block equivocation and is
    /// not withdrawn while the rollup runs: the sequencer is fixed at deployment.
    function bondSequencer() external payable {
        sequencerBond += msg.value;
        emit SequencerBonded(msg.sender, msg.value, sequencerBond);
    }

    // ---------------------------------------------------------------- checkpoints

    /// The digest validators sign:
    ///   body   = keccak256(abi.encode(index, firstBlock, lastBlock, parentHash, lastBlockHash, stateRoot,
    ///              withdrawalsRoot, blockHashesRoot, keccak256(bytes(pieceCid)), keccak256(bytes(payloadCid)),
    ///              pieceSize, carSize, lastBlockTimestamp, depositCursor, validatorSetId))
    ///   digest = keccak256(abi.encode(CHECKPOINT_TAG, block.chainid, address(this), l2ChainId, body))
    function checkpointDigest(Checkpoint calldata cp) public view returns (bytes32) {
        bytes32 body = keccak256(bytes.concat(checkpointContent(cp), abi.encode(cp.validatorSetId)));
        return keccak256(abi.encode(CHECKPOINT_TAG, block.chainid, address(this), l2ChainId, body));
    }

    /// What a checkpoint claims, without the validator set id it was signed under: keccak256 of
    /// the abi.encode of its first fourteen body words (the CIDs as their keccak256).
    function checkpointContentHash(Checkpoint calldata cp) public pure returns (bytes32) {
        return keccak256(checkpointContent(cp));
    }

    /// The abi.encode of the body's first fourteen words. abi.encode of static words concatenates, so
    /// two halves (which keep the stack shallow without via-IR) and the set id appended make the one
    /// abi.encode of all fifteen.
    function checkpointContent(Checkpoint calldata cp) private pure returns (bytes memory) {
        return bytes.concat(
            abi.encode(
                cp.index,
                cp.firstBlock,
                cp.lastBlock,
                cp.parentHash,
                cp.lastBlockHash,
                cp.stateRoot,
                cp.withdrawalsRoot,
                cp.blockHashesRoot
            ),
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

    /// Accept the next checkpoint with signatures (65-byte r‖s‖v, low-s) from distinct validators of
    /// the current epoch's set, sorted by address ascending, holding at least 2/3 of its weight.
    /// Checkpoint i begins right after checkpoint i-1 ends (checkpoint 0 at block 1). Each signer's
    /// collateral stays locked until this checkpoint is final. Accepting a checkpoint while halted
    /// resumes the rollup.
    /// Forced inclusion: a checkpoint whose last block is later than the deadline of a forced
    /// transaction it has not consumed (its depositCursor is below the forced message's nonce) is
    /// rejected. Checkpoints of blocks made before a deadline are unaffected, so a backlog can settle.
    function submitCheckpoint(Checkpoint calldata cp, bytes[] calldata signatures) external {
        settle();
        if (cp.index != nextCheckpointIndex) revert WrongIndex(nextCheckpointIndex, cp.index);
        uint64 expectedFirst = cp.index == 0 ? 1 : checkpoints[cp.index - 1].lastBlock + 1;
        if (cp.firstBlock != expectedFirst || cp.lastBlock < cp.firstBlock) {
            revert NotLinked(expectedFirst, cp.firstBlock, cp.lastBlock);
        }
        // Checkpoint 0's parentHash field is not checked here: what binds its range to the genesis
        // block is entry 0 of its blockHashesRoot, which the game judges against genesisBlockHash.
        if (cp.index > 0 && cp.parentHash != checkpoints[cp.index - 1].lastBlockHash) {
            revert ParentHashMismatch(checkpoints[cp.index - 1].lastBlockHash, cp.parentHash);
        }
        if (cp.validatorSetId != settledSetId) revert WrongValidatorSet(settledSetId, cp.validatorSetId);
        if (sequencerBond < minSequencerBond) revert SequencerNotBonded(sequencerBond, minSequencerBond);
        checkMessages(cp);
        bytes32 digest = checkpointDigest(cp);
        uint256 signed;
        address previous;
        uint64 lockedUntil = uint64(block.timestamp) + challengeWindow;
        for (uint256 i = 0; i < signatures.length; i++) {
            address signer = recoverSigner(digest, signatures[i]);
            if (signer <= previous) revert UnsortedOrDuplicateSigners();
            uint256 weight = weightOf(signer);
            if (weight == 0) revert NotValidator(signer);
            signed += weight;
            validatorOf[signer].lockedUntil = lockedUntil;
            previous = signer;
        }
        if (signed * 3 < settledWeight * 2 || signed == 0) revert NoQuorum(signed, settledWeight);

        StoredCheckpoint storage s = checkpoints[cp.index];
        s.stateRoot = cp.stateRoot;
        s.lastBlockHash = cp.lastBlockHash;
        s.withdrawalsRoot = cp.withdrawalsRoot;
        s.lastBlock = cp.lastBlock;
        s.depositCursor = cp.depositCursor;
        s.acceptedAt = uint64(block.timestamp);
        s.pieceCid = cp.pieceCid;
        commitmentsOf[cp.index] = Commitments(cp.blockHashesRoot, digest);
        nextCheckpointIndex = cp.index + 1;
        genesisClosed = true;
        emit CheckpointSubmitted(cp.index, cp.stateRoot, cp.withdrawalsRoot, cp.lastBlock, cp.pieceCid);
        emit CheckpointSignatures(cp.index, digest, signatures);
        if (halted) {
            halted = false;
            emit Resumed(cp.index);
        }
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
    /// Final checkpoints stay final whatever happens later; a halt invalidates only pending ones.
    function checkpointStatus(uint64 index) public view returns (Status status, bytes32 withdrawalsRoot) {
        if (index >= nextCheckpointIndex) return (Status.Unknown, bytes32(0));
        StoredCheckpoint storage s = checkpoints[index];
        if (block.timestamp < uint256(s.acceptedAt) + challengeWindow) return (Status.Pending, s.withdrawalsRoot);
        // An open game on this checkpoint or an earlier one holds it back, and so does an answered
        // reveal that keeps one of them challengeable (the game's challengeableUntil): a fault proven
        // on an earlier checkpoint removes this one too.
        if (address(disputeGame) != address(0)) {
            (bool any, uint64 lowest) = disputeGame.lowestOpenCheckpoint();
            if (any && lowest <= index) return (Status.Pending, s.withdrawalsRoot);
        }
        return (Status.Final, s.withdrawalsRoot);
    }

    function isFinal(uint64 index) external view returns (bool) {
        (Status status,) = checkpointStatus(index);
        return status == Status.Final;
    }

    function withdrawalsRootIfFinal(uint64 index) external view returns (bytes32) {
        (Status status, bytes32 root) = checkpointStatus(index);
        if (status == Status.Unknown) revert UnknownCheckpoint(index);
        if (status == Status.Pending) revert NotFinal(index, checkpoints[index].acceptedAt + challengeWindow);
        return root;
    }

    /// Whether the bridge takes new L1 messages (deposits, forced transactions): only while the
    /// rollup can accept checkpoints, so not while halted nor while the sequencer is unbonded.
    function acceptingMessages() external view returns (bool) {
        return !halted && sequencerBond >= minSequencerBond;
    }

    // ---------------------------------------------------------------- evidence

    /// Two checkpoints at one index with different content signed by one validator: slash it (it
    /// leaves the set at once and never returns), invalidate every checkpoint not yet final, and
    /// halt until the remaining set signs the range again. The same content under two validator set
    /// ids is not a conflict: a checkpoint whose submission met a changed set is signed again.
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
        Validator storage v = validatorOf[signerA];
        if (v.collateral == 0) revert NothingToSlash(signerA);
        settle();
        // Only a signature that could have counted halts: weight in force now, or a signature still
        // within a challenge window. A pending joiner or an exited key is slashed and nothing stops,
        // or anyone with minCollateral could halt the rollup over and over.
        bool counted = weightOf(signerA) != 0 || v.lockedUntil > block.timestamp;
        slash(signerA);
        if (counted) halt(keccak256("checkpoint-equivocation"));
    }

    /// Two sequencer seals (EIP-712 SealedBlock under the L2 domain) for different hashes at one
    /// height: burn the sequencer's bond (and its collateral if it is a validator) and halt. Without
    /// a bond there is nothing to slash and nothing happens: an unbonded key pauses nothing.
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
        burnSequencerBond(number);
        halt(keccak256("block-equivocation"));
    }

    /// A preconfirmation the sequencer signed, against the header of block `p.number` it sealed:
    /// the block's receipt at `p.position` is another one (`item`, with its `siblings` in the receipt
    /// list of `count` receipts), or the block has only `count` ≤ position receipts (`item` is then
    /// the receipt list's data root, whose length mix-in is the header's receiptsRoot). Burns the
    /// sequencer's bond like block equivocation. The sealed chain itself is not ambiguous, so no
    /// checkpoint is invalidated; without a bond the rollup accepts no checkpoint and no L1 message
    /// until someone bonds it again.
    function provePreconfirmationBreach(
        PreconfirmationJudge.Preconfirmation calldata p,
        bytes calldata preconfirmationSig,
        SszObjects.BlockHeader calldata header,
        bytes calldata sealSig,
        bytes32 item,
        uint256 count,
        bytes32[] calldata siblings
    ) external {
        preconfirmationJudge.check(p, preconfirmationSig, header, sealSig, item, count, siblings);
        burnSequencerBond(p.number);
    }

    /// The EIP-712 digest of SealedBlock(number, blockHash) under {"Filverse", "1", l2ChainId}.
    function sealDigest(uint64 number, bytes32 blockHash) public view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(SEALED_BLOCK_TYPEHASH, number, blockHash));
        return keccak256(abi.encodePacked(hex"1901", l2DomainSeparator, structHash));
    }

    // ---------------------------------------------------------------- fault proofs

    /// Set the dispute game, once and for good. It must read this rollup, have a one-step executor
    /// that declares itself complete (a step it cannot run would stand, and win for a wrong
    /// challenger) and have no game yet.
    function setDisputeGame(address game) external onlyOwner {
        if (address(disputeGame) != address(0)) revert DisputeGameAlreadySet(address(disputeGame));
        if (!IFilverseDisputeGame(game).executorComplete()) revert GameWithoutExecutor(game);
        address reads = IFilverseDisputeGame(game).checkpoints();
        if (reads != address(this)) revert GameOfAnotherRollup(game, reads);
        // A game opened before this point held nothing back; its outcome must not reach back.
        if (IFilverseDisputeGame(game).gameCount() != 0) revert GameAlreadyPlayed(game);
        // Its executor must check L1 messages against this rollup's bridge, for this rollup's chain.
        IExecutorBinding ex = IExecutorBinding(IFilverseDisputeGame(game).executor());
        if (ex.bridge() != address(bridge) || ex.chainId() != l2ChainId) revert GameExecutorOfAnotherRollup(game, address(ex));
        disputeGame = IFilverseDisputeGame(game);
        emit DisputeGameSet(game);
    }

    /// What the game needs of checkpoint `index` (acceptedAt 0 when the index holds none).
    function disputableCheckpoint(uint64 index) external view returns (DisputedCheckpoint memory cp) {
        if (index >= nextCheckpointIndex) return cp;
        StoredCheckpoint storage s = checkpoints[index];
        Commitments storage c = commitmentsOf[index];
        cp.digest = c.digest;
        cp.blockHashesRoot = c.blockHashesRoot;
        cp.parentHash = index == 0 ? genesisBlockHash : checkpoints[index - 1].lastBlockHash;
        cp.lastBlockHash = s.lastBlockHash;
        cp.stateRoot = s.stateRoot;
        cp.withdrawalsRoot = s.withdrawalsRoot;
        cp.firstBlock = index == 0 ? 1 : checkpoints[index - 1].lastBlock + 1;
        cp.lastBlock = s.lastBlock;
        cp.acceptedAt = s.acceptedAt;
    }

    /// The game proved checkpoint `index` (signed as `digest`) wrong: remove it and every later
    /// one, and halt until the remaining set signs checkpoint `index` again. Its signers are then
    /// slashed one by one (slashFaultySigner), and the sequencer if it sealed the block
    /// (slashSequencerForFaultyBlock; blockHash is zero when no block was shown wrong by
    /// execution). A digest no longer held (removed meanwhile) changes nothing but the records.
    function onFaultProven(uint64 index, bytes32 digest, uint64 blockNumber, bytes32 blockHash, address challenger)
        external
    {
        // Anything but the game is ignored, without a revert: an unwired game must still be able to end.
        if (msg.sender != address(disputeGame) || msg.sender == address(0)) return;
        if (faultyDigest[digest] == address(0)) faultyDigest[digest] = challenger;
        if (blockHash != bytes32(0)) faultyBlock[blockHash] = blockNumber + 1;
        lastFaultAt = uint64(block.timestamp);
        emit FaultProven(index, digest, blockNumber, challenger);
        if (index >= nextCheckpointIndex || commitmentsOf[index].digest != digest) return;
        (Status status,) = checkpointStatus(index);
        if (status != Status.Pending) return;
        emit CheckpointsInvalidated(index, nextCheckpointIndex);
        nextCheckpointIndex = index;
        halted = true;
        emit Halted(challenger, keccak256("fault-proven"));
    }

    /// Slash a key that signed a checkpoint proven wrong (its signature over the digest, public in
    /// the submission's calldata). CHALLENGER_REWARD_BPS of the collateral goes to the challenger.
    function slashFaultySigner(bytes32 digest, bytes calldata signature) external {
        address challenger = faultyDigest[digest];
        if (challenger == address(0)) revert NotProvenFaulty(digest);
        address signer = recoverSigner(digest, signature);
        if (validatorOf[signer].collateral == 0) revert NothingToSlash(signer);
        settle();
        uint256 amount = slash(signer);
        uint256 reward = amount * CHALLENGER_REWARD_BPS / 10_000;
        burnedCollateral -= reward;
        rewards[challenger] += reward;
    }

    /// Burn the sequencer's bond (and its collateral, if it is a validator) for a block proven wrong
    /// that it sealed (SealedBlock(number, hash)).
    function slashSequencerForFaultyBlock(uint64 number, bytes32 blockHash, bytes calldata seal) external {
        if (faultyBlock[blockHash] != number + 1) revert NotProvenFaulty(blockHash);
        address signer = recoverSigner(sealDigest(number, blockHash), seal);
        if (signer != sequencer) revert NotSequencer(signer);
        // Like block evidence: above the highest height proven only, so the seal cannot burn a new bond.
        burnSequencerBond(number);
    }

    function claimReward() external {
        uint256 amount = rewards[msg.sender];
        if (amount == 0) revert NothingToClaim(msg.sender);
        rewards[msg.sender] = 0;
        emit RewardClaimed(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    // ---------------------------------------------------------------- internals

    /// Burn the sequencer's bond (and its collateral, if it is a validator) for evidence about block
    /// `number`. Sequencer evidence of either kind is accepted only above the highest height proven.
    function burnSequencerBond(uint64 number) private {
        if (blockEvidenceProven && number <= blockEvidenceFloor) revert StaleBlockEvidence(number, blockEvidenceFloor);
        uint256 bond = sequencerBond;
        if (bond == 0) revert NothingToSlash(sequencer);
        settle();
        blockEvidenceProven = true;
        blockEvidenceFloor = number;
        sequencerBond = 0;
        burnedCollateral += bond;
        emit SequencerSlashed(bond);
        if (validatorOf[sequencer].collateral != 0) slash(sequencer);
    }

    /// Burn a validator's collateral and take its weight out now (the one set change that does not
    /// wait for an epoch boundary; the set id stays, so the others' signatures keep counting).
    function slash(address validator) private returns (uint256 amount) {
        Validator storage v = validatorOf[validator];
        foldValidator(v);
        if (v.nextEpoch != 0) {
            // Undo the scheduled change: it would otherwise apply to a weight that is gone.
            weightDeltaAt[v.nextEpoch] -= int256(v.nextWeight) - int256(v.weight);
            if (v.nextWeight > v.weight) joiningAt[v.nextEpoch] -= v.nextWeight - v.weight;
        }
        settledWeight -= v.weight;
        amount = v.collateral;
        v.collateral = 0;
        v.weight = 0;
        v.nextWeight = 0;
        v.nextEpoch = 0;
        v.exitRequestedAt = 0;
        v.slashed = true;
        burnedCollateral += amount;
        emit ValidatorSlashed(validator, amount);
    }

    /// Invalidate every checkpoint not yet final (final ones stay) and refuse L1 messages until a
    /// checkpoint is accepted again.
    function halt(bytes32 reason) private {
        uint64 next = nextCheckpointIndex;
        uint64 first = next;
        while (first > 0) {
            (Status status,) = checkpointStatus(first - 1);
            if (status != Status.Pending) break;
            first -= 1;
        }
        if (first < next) {
            nextCheckpointIndex = first;
            emit CheckpointsInvalidated(first, next);
        }
        halted = true;
        emit Halted(msg.sender, reason);
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
