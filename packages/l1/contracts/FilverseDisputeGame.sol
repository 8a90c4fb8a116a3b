// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IOneStepExecutor} from "./IOneStepExecutor.sol";
import {Ssz} from "./Ssz.sol";
import {SszObjects} from "./SszObjects.sol";
import {StateProofs} from "./StateProofs.sol";
import {StepProofStore} from "./StepProofStore.sol";

/// An executor declares itself complete (every step kind and execution code) with `complete()`.
/// The game moves bonds, and FilverseRollup takes the game, only with a complete executor.
interface IExecutorCompleteness {
    function complete() external view returns (bool);
}

/// What the game reads from (and reports to) the checkpoint contract.
interface IDisputedCheckpoints {
    /// What a game needs of checkpoint `index`; acceptedAt is 0 when the index holds none.
    struct DisputedCheckpoint {
        bytes32 digest;
        bytes32 blockHashesRoot;
        /// The hash of block firstBlock - 1 as the rollup knows it: the previous checkpoint's
        /// lastBlockHash, or for checkpoint 0 the genesis block's hash (set at deployment).
        bytes32 parentHash;
        bytes32 lastBlockHash;
        bytes32 stateRoot;
        bytes32 withdrawalsRoot;
        uint64 firstBlock;
        uint64 lastBlock;
        uint64 acceptedAt;
    }

    function challengeWindow() external view returns (uint64);
    /// The sequencer whose seal every block must carry (the block-start step checks it).
    function sequencer() external view returns (address);
    function disputableCheckpoint(uint64 index) external view returns (DisputedCheckpoint memory);
    /// The checkpoint signed as `digest` is proven wrong, at block `blockNumber`. blockHash is that
    /// block's hash when its execution was shown wrong, zero for a fault decided at once. Must not
    /// revert for a digest it no longer holds (the checkpoint was removed meanwhile).
    function onFaultProven(uint64 index, bytes32 digest, uint64 blockNumber, bytes32 blockHash, address challenger)
        external;
}

/// @title FilverseDisputeGame
/// @notice The fault-proof game of docs/fault-proofs.md: a bonded challenge names one block of a
///         checkpoint (level 1, one move thanks to the checkpoint's blockHashesRoot), then a claim
///         tree bisects over the block's steps (level 2) down to one step, which the one-step
///         executor runs. Chess clocks per path, with an extension; bonds go to whoever countered.
/// @dev    Nodes alternate between two teams. A Dispute (challenger team) says "running steps
///         lo..hi-1 from T[lo] = pre does not give T[hi] = post". A Proposal (defender team) answers
///         a dispute with T[mid], mid = (lo + hi) / 2, and says both halves run. A dispute of a
///         proposal takes one half. A dispute of one step is settled by `step` (or `stepStored`,
///         with a proof uploaded to proofStore in chunks). A node is countered when one of its
///         children stands (OP's claim-tree rule), so a wrong or bribed player cannot lose a game
///         for the honest side: the honest side adds its own children.
///         Without an executor (address 0) `step` reverts ExecutorNotSet. Without a complete one
///         (IExecutorCompleteness) the game is a dry run: a step the executor cannot run stands on
///         time, so every bond goes back to whoever posted it, and FilverseRollup refuses the game.
contract FilverseDisputeGame {
    enum Kind {
        Dispute,
        Proposal
    }

    enum Outcome {
        None,
        Open,
        DefenderWins,
        ChallengerWins
    }

    /// The intermediate state both sides commit to, one per step (docs/fault-proofs.md).
    struct StepState {
        bytes32 objectsRoot;
        bytes32 withdrawalsRoot;
        uint64 l1DepositNonce;
        uint64 items;
        /// How many of those items were L1 messages.
        uint64 l1Messages;
        bytes32 receiptsRoot;
        bool invalid;
    }

    struct Game {
        uint64 checkpointIndex;
        uint64 blockNumber;
        uint64 stepCount;
        Outcome outcome;
        /// Decided at once, with no bisection: a link, last-header or list-end fault.
        bool immediateFault;
        /// A reveal request: the defender team must answer it by revealBy: show the header of
        /// blockNumber (requestHeader), or, with itemRequest, item `item` of that block (requestItem).
        bool reveal;
        bool itemRequest;
        uint64 revealBy;
        /// An item request: the index of the item asked for in the block's txRoot.
        uint64 item;
        /// A challenge waiting for the defender team to open header k's roots (openRoots) by then.
        uint64 openBy;
        /// T[0], kept while the roots are awaited, with header k-1's L1 nonce.
        bytes32 preState;
        uint64 parentNonce;
        address challenger;
        bytes32 digest;
        bytes32 parentHash;
        bytes32 blockHash;
    }

    struct Node {
        uint32 parent;
        Kind kind;
        bool resolved;
        bool stepped;
        bool countered;
        uint32 bestChild;
        uint32 children;
        uint32 resolvedChildren;
        uint64 lo;
        uint64 hi;
        uint64 createdAt;
        /// The clock its team had used on this path when it was posted.
        uint64 used;
        address claimant;
        address counteredBy;
        uint256 bond;
        /// Dispute: T[lo]. Proposal: unused.
        bytes32 pre;
        /// Dispute: T[hi]. Proposal: T[mid].
        bytes32 post;
    }

    /// Level 1's inputs: the headers of blocks k-1 and k with their proofs against the checkpoint's
    /// blockHashesRoot, the objects roots behind their state roots, and block k's item list.
    struct Challenge {
        uint64 checkpointIndex;
        uint64 blockNumber;
        SszObjects.BlockHeader parent;
        bytes32[] parentProof;
        SszObjects.BlockHeader header;
        bytes32[] headerProof;
        bytes32 parentObjectsRoot;
        /// With itemsListRoot, zero when the challenger does not know them (they may have no known
        /// preimage): the defender team must then open them (openRoots).
        bytes32 objectsRoot;
        /// header.txRoot without its length: txRoot = sha256(itemsListRoot ‖ uint256le(itemCount)).
        bytes32 itemsListRoot;
        uint64 itemCount;
    }

    uint32 private constant NONE = type(uint32).max;
    /// The SSZ limit of blockHashesRoot's list: two MAX_BATCH_BLOCKS (8,192), so a full batch's
    /// hashes plus its parent fit; 14 siblings per proof.
    uint256 public constant BLOCK_HASHES_LIMIT = 16_384;
    /// A block's items: MAX_BLOCK_DEPOSITS + MAX_BLOCK_TXS, the limit of its txRoot and receipts lists.
    uint256 public constant MAX_BLOCK_ITEMS = 69_632;

    IDisputedCheckpoints public immutable checkpoints;
    /// Zero: no step can be settled (see the contract's notes).
    IOneStepExecutor public immutable executor;
    /// The executor declared itself complete at deployment: only then do bonds move.
    bool public immutable executorComplete;
    uint256 public immutable challengeBond;
    uint256 public immutable moveBond;
    uint64 public immutable maxClockDuration;
    uint64 public immutable clockExtension;
    /// hash_tree_root of the empty List[Receipt, MAX_BLOCK_ITEMS]: the receipts before step 0.
    bytes32 public immutable emptyReceiptsRoot;
    /// This game's store of one-step proofs uploaded in chunks (`stepStored`), created with it.
    StepProofStore public immutable proofStore;

    Game[] private games;
    mapping(uint256 => Node[]) private nodesOf;
    /// keccak256(gameId, node, move) of every move made: one copy of each, so no slot is taken twice.
    mapping(bytes32 => bool) private moved;
    mapping(address => uint256) public credit;
    /// The challenge bond of a game that has no root node yet (a reveal request, awaited roots).
    mapping(uint256 => uint256) private pendingBond;
    mapping(uint64 => uint256) public openGames;
    /// The checkpoint indices with an open game, unordered (small: challenges open only in a window).
    uint64[] private openIndices;
    mapping(uint64 => uint256) private openSlot;
    /// An answered reveal (header or item) on checkpoint i keeps it challengeable until then, one
    /// clock after the answer, even once its window has closed: a defender answering at the last
    /// second cannot run a search of several requests out of the window.
    mapping(uint64 => uint64) public challengeableUntil;
    /// The checkpoint indices whose challengeableUntil may not have passed, pruned as answers come
    /// (uint256: a packed uint64 array costs more code than the game can spare).
    uint256[] private extended;

    event Challenged(uint256 indexed gameId, uint64 indexed checkpointIndex, uint64 blockNumber, address challenger);
    event LinkFault(uint256 indexed gameId, uint64 blockNumber);
    event LastHeaderFault(uint256 indexed gameId, uint64 blockNumber);
    event ListEndFault(uint256 indexed gameId, uint64 blockNumber);
    event HeaderRevealed(uint256 indexed gameId, bytes32 blockHash, address revealer);
    /// The calldata of the `challenge` that opened game `gameId`, or of the `revealHeader` that
    /// answered it, as the game received it: readable also when the move came through another
    /// contract (a multisig, a smart wallet), whose transaction's calldata is not the game's.
    event MoveData(uint256 indexed gameId, bytes data);
    event ItemRequested(uint256 indexed gameId, uint64 indexed checkpointIndex, uint64 blockNumber, uint64 item);
    /// The item, in the form OneStepExecutor's step takes it (IOneStepExecutor.itemHash).
    event ItemRevealed(uint256 indexed gameId, uint64 item, bool l1Message, bytes data, address revealer);
    /// The block has only `itemCount` items: the item asked for does not exist.
    event ItemAbsent(uint256 indexed gameId, uint64 itemCount, address revealer);
    event OpeningRequested(uint256 indexed gameId, uint64 openBy);
    event Moved(uint256 indexed gameId, uint256 node, uint256 parent, Kind kind, bytes32 state, address claimant);
    event Stepped(uint256 indexed gameId, uint256 node, bytes32 postState, bool countered, address stepper);
    event NodeResolved(uint256 indexed gameId, uint256 node, bool countered, address paidTo, uint256 bond);
    event GameResolved(uint256 indexed gameId, Outcome outcome);
    /// A request ended unanswered on a checkpoint the rollup had removed meanwhile: no fault.
    event RequestVoid(uint256 indexed gameId);
    event CreditClaimed(address indexed account, uint256 amount);

    error InvalidParameters();
    error WrongBond(uint256 sent, uint256 required);
    error UnknownCheckpoint(uint64 index);
    error ChallengeWindowClosed(uint64 closedAt);
    error BlockOutOfRange(uint64 blockNumber, uint64 firstBlock, uint64 lastBlock);
    error HeaderNotInCheckpoint(uint64 blockNumber);
    error StateRootMismatch(uint64 blockNumber);
    error TxRootMismatch(uint64 itemCount);
    error UnknownGame(uint256 gameId);
    error UnknownNode(uint256 gameId, uint256 node);
    error GameOver(uint256 gameId);
    error NotADispute(uint256 node);
    error NotAProposal(uint256 node);
    error OneStepDispute(uint256 node);
    error NotOneStep(uint256 node);
    error DuplicateMove(uint256 node);
    error ClockExpired(uint256 node);
    error ClockRunning(uint256 node, uint64 expiresAt);
    error AlreadyStepped(uint256 node);
    error AlreadyResolved(uint256 node);
    error ChildrenUnresolved(uint256 node, uint256 pending);
    error ExecutorNotSet();
    error NoFault();
    error NotARevealRequest(uint256 gameId);
    error NotAnItemRequest(uint256 gameId);
    /// A revealed item, or the item list opened to show it absent, that header k's txRoot does not hold.
    error ItemNotInBlock(uint64 item);
    error BadReveal();
    error RevealTooLate(uint64 revealBy);
    error NotAwaitingRoots(uint256 gameId);
    error NoCredit(address account);
    error TransferFailed();

    /// @param maxClockDuration_ each team's clock on each path of the tree (seconds).
    /// @param clockExtension_ the least time a team keeps to answer (twice that before a step).
    constructor(
        address checkpoints_,
        address executor_,
        uint256 challengeBond_,
        uint256 moveBond_,
        uint64 maxClockDuration_,
        uint64 clockExtension_
    ) {
        if (checkpoints_ == address(0) || moveBond_ == 0 || challengeBond_ == 0) revert InvalidParameters();
        if (clockExtension_ == 0 || 2 * uint256(clockExtension_) >= maxClockDuration_) revert InvalidParameters();
        checkpoints = IDisputedCheckpoints(checkpoints_);
        executor = IOneStepExecutor(executor_);
        bool complete;
        if (executor_ != address(0)) {
            try IExecutorCompleteness(executor_).complete() returns (bool c) {
                complete = c;
            } catch {}
        }
        executorComplete = complete;
        challengeBond = challengeBond_;
        moveBond = moveBond_;
        maxClockDuration = maxClockDuration_;
        clockExtension = clockExtension_;
        emptyReceiptsRoot = Ssz.mixInLength(Ssz.merkleize(new bytes32[](0), MAX_BLOCK_ITEMS), 0);
        proofStore = new StepProofStore();
    }

    // ---------------------------------------------------------------- level 1

    /// Challenge block `c.blockNumber` of checkpoint `c.checkpointIndex` while it is challengeable
    /// (its window, or until challengeableUntil after an answered reveal), with the challenge bond.
    /// A block whose header does not link to its predecessor in the checkpoint's list (number,
    /// parentHash) is a fault at once. Otherwise the game starts with the dispute
    /// over all the block's steps, from T[0] (built from header k-1) to the T[S] that header k
    /// implies, S = itemCount + 2.
    function challenge(Challenge calldata c) external payable returns (uint256 gameId) {
        if (msg.value != challengeBond) revert WrongBond(msg.value, challengeBond);
        IDisputedCheckpoints.DisputedCheckpoint memory cp = challengeable(c.checkpointIndex);
        if (c.blockNumber < cp.firstBlock || c.blockNumber > cp.lastBlock) {
            revert BlockOutOfRange(c.blockNumber, cp.firstBlock, cp.lastBlock);
        }
        bytes32 parentHash = headerInList(c.parent, c.parentProof, c.blockNumber - 1, cp);
        bytes32 blockHash = headerInList(c.header, c.headerProof, c.blockNumber, cp);
        gameId = newGame(c.checkpointIndex, c.blockNumber, cp.digest, parentHash, blockHash);
        emit MoveData(gameId, msg.data);
        Game storage g = games[gameId];

        if (
            c.header.number != c.blockNumber || c.parent.number != c.blockNumber - 1
                || c.header.parentHash != parentHash || c.header.l1DepositNonce < c.parent.l1DepositNonce
        ) {
            // The signed list itself is wrong: nothing to bisect.
            g.immediateFault = true;
            credit[msg.sender] += msg.value;
            emit LinkFault(gameId, c.blockNumber);
            finish(gameId, Outcome.ChallengerWins);
            return gameId;
        }
        bytes32 pre = preState(c);
        if (c.objectsRoot == bytes32(0) && c.itemsListRoot == bytes32(0)) {
            // Header k's roots may have no preimage anyone but its signers knows: they must open them.
            g.preState = pre;
            g.parentNonce = c.parent.l1DepositNonce;
            g.openBy = uint64(block.timestamp) + maxClockDuration;
            pendingBond[gameId] = msg.value;
            emit OpeningRequested(gameId, g.openBy);
            return gameId;
        }
        bytes32 post = postState(c.header, c.parent.l1DepositNonce, c.objectsRoot, c.itemsListRoot, c.itemCount);
        startBisection(gameId, pre, post, c.itemCount, msg.value);
    }

    /// Defender team: open the roots behind header k's stateRoot and txRoot for a challenge that
    /// asked for them, within maxClockDuration; the bisection then starts. Not opened in time, the
    /// challenge wins (resolve).
    function openRoots(
        uint256 gameId,
        SszObjects.BlockHeader calldata header,
        bytes32 objectsRoot,
        bytes32 itemsListRoot,
        uint64 itemCount
    ) external {
        if (gameId >= games.length) revert UnknownGame(gameId);
        Game storage g = games[gameId];
        if (g.openBy == 0 || g.outcome != Outcome.Open) revert NotAwaitingRoots(gameId);
        if (block.timestamp > g.openBy) revert RevealTooLate(g.openBy);
        if (SszObjects.blockHeaderRoot(header) != g.blockHash) revert HeaderNotInCheckpoint(g.blockNumber);
        bytes32 post = postState(header, g.parentNonce, objectsRoot, itemsListRoot, itemCount);
        g.openBy = 0;
        startBisection(gameId, g.preState, post, itemCount, pendingBond[gameId]);
    }

    /// The root dispute, over all S = itemCount + 2 steps, the challenger's with its bond.
    function startBisection(uint256 gameId, bytes32 pre, bytes32 post, uint64 itemCount, uint256 bond) private {
        Game storage g = games[gameId];
        g.stepCount = itemCount + 2;
        Node storage root = nodesOf[gameId].push();
        root.parent = NONE;
        root.kind = Kind.Dispute;
        root.bestChild = NONE;
        root.lo = 0;
        root.hi = g.stepCount;
        root.createdAt = uint64(block.timestamp);
        root.claimant = g.challenger;
        root.bond = bond;
        root.pre = pre;
        root.post = post;
        emit Moved(gameId, 0, NONE, Kind.Dispute, post, g.challenger);
    }

    /// The last header of checkpoint `index` (proven at the last entry of its blockHashesRoot) is
    /// not what the checkpoint claims: another number, stateRoot or withdrawalsRoot. A fault at
    /// once, with no bond and no executor; a header that agrees is refused (NoFault).
    function proveLastHeaderFault(uint64 index, SszObjects.BlockHeader calldata header, bytes32[] calldata proof)
        external
        returns (uint256 gameId)
    {
        IDisputedCheckpoints.DisputedCheckpoint memory cp = challengeable(index);
        bytes32 blockHash = headerInList(header, proof, cp.lastBlock, cp);
        if (
            header.number == cp.lastBlock && header.stateRoot == cp.stateRoot
                && header.withdrawalsRoot == cp.withdrawalsRoot
        ) revert NoFault();
        gameId = newGame(index, cp.lastBlock, cp.digest, header.parentHash, blockHash);
        games[gameId].immediateFault = true;
        emit LastHeaderFault(gameId, cp.lastBlock);
        finish(gameId, Outcome.ChallengerWins);
    }

    /// Entry 0 of checkpoint `index`'s blockHashesRoot is not its parent's hash, or its last entry
    /// is not its lastBlockHash: the list does not continue the chain the rollup holds. A fault at
    /// once, with no bond and no executor; an entry that agrees is refused (NoFault).
    function proveListEndFault(uint64 index, bool first, bytes32 entry, bytes32[] calldata proof)
        external
        returns (uint256 gameId)
    {
        IDisputedCheckpoints.DisputedCheckpoint memory cp = challengeable(index);
        uint256 length = cp.lastBlock - cp.firstBlock + 2;
        uint256 at = first ? 0 : length - 1;
        bytes32 implied = Ssz.listRootFromItem(entry, at, length, BLOCK_HASHES_LIMIT, proof);
        if (implied != cp.blockHashesRoot) revert HeaderNotInCheckpoint(uint64(cp.firstBlock - 1 + at));
        bytes32 expected = first ? cp.parentHash : cp.lastBlockHash;
        if (entry == expected) revert NoFault();
        uint64 number = uint64(cp.firstBlock - 1 + at);
        gameId = newGame(index, number, cp.digest, bytes32(0), entry);
        games[gameId].immediateFault = true;
        emit ListEndFault(gameId, number);
        finish(gameId, Outcome.ChallengerWins);
    }

    /// Header `header`, proven at the entry of block `blockNumber`, does not follow the entry before
    /// it (`parentEntry`, proven too), or has another number. Needs no header of the block before,
    /// so it also catches an entry that is the hash of no header. A fault at once, like the others.
    function proveLinkFault(
        uint64 index,
        uint64 blockNumber,
        SszObjects.BlockHeader calldata header,
        bytes32[] calldata headerProof,
        bytes32 parentEntry,
        bytes32[] calldata parentProof
    ) external returns (uint256 gameId) {
        IDisputedCheckpoints.DisputedCheckpoint memory cp = challengeable(index);
        if (blockNumber < cp.firstBlock || blockNumber > cp.lastBlock) {
            revert BlockOutOfRange(blockNumber, cp.firstBlock, cp.lastBlock);
        }
        bytes32 blockHash = headerInList(header, headerProof, blockNumber, cp);
        entryInList(parentEntry, parentProof, blockNumber - 1, cp);
        if (header.number == blockNumber && header.parentHash == parentEntry) revert NoFault();
        gameId = newGame(index, blockNumber, cp.digest, parentEntry, blockHash);
        games[gameId].immediateFault = true;
        emit LinkFault(gameId, blockNumber);
        finish(gameId, Outcome.ChallengerWins);
    }

    /// Ask the defender team to show the header at the entry of block `blockNumber`, with the
    /// challenge bond: for an entry that may be the hash of no header, or a list of another length
    /// (no proof of the expected length then verifies). Unanswered within maxClockDuration, it is
    /// a fault (resolve); answered (revealHeader), the bond goes to whoever answered.
    function requestHeader(uint64 index, uint64 blockNumber) public payable returns (uint256 gameId) {
        if (msg.value != challengeBond) revert WrongBond(msg.value, challengeBond);
        IDisputedCheckpoints.DisputedCheckpoint memory cp = challengeable(index);
        if (blockNumber < cp.firstBlock || blockNumber > cp.lastBlock) {
            revert BlockOutOfRange(blockNumber, cp.firstBlock, cp.lastBlock);
        }
        gameId = newGame(index, blockNumber, cp.digest, bytes32(0), bytes32(0));
        Game storage g = games[gameId];
        g.reveal = true;
        g.revealBy = uint64(block.timestamp) + maxClockDuration;
        pendingBond[gameId] = msg.value;
    }

    /// Answer a reveal request: the header of the block, proven at its entry, with its number, linked
    /// to the entry before it, and, at the last entry, carrying the checkpoint's roots. A header that
    /// is not all of that answers nothing (BadReveal).
    function revealHeader(
        uint256 gameId,
        SszObjects.BlockHeader calldata header,
        bytes32[] calldata headerProof,
        bytes32 parentEntry,
        bytes32[] calldata parentProof
    ) external {
        if (gameId >= games.length) revert UnknownGame(gameId);
        Game storage g = games[gameId];
        if (!g.reveal || g.itemRequest) revert NotARevealRequest(gameId);
        IDisputedCheckpoints.DisputedCheckpoint memory cp = answerable(g, gameId);
        g.blockHash = headerInList(header, headerProof, g.blockNumber, cp);
        entryInList(parentEntry, parentProof, g.blockNumber - 1, cp);
        bool last = g.blockNumber == cp.lastBlock;
        if (
            header.number != g.blockNumber || header.parentHash != parentEntry
                || (last && (header.stateRoot != cp.stateRoot || header.withdrawalsRoot != cp.withdrawalsRoot))
        ) revert BadReveal();
        g.parentHash = parentEntry;
        emit HeaderRevealed(gameId, g.blockHash, msg.sender);
        emit MoveData(gameId, msg.data);
        answered(gameId);
    }

    /// Ask the defender team for item `item` of block `blockNumber` (its index in the block's
    /// txRoot), with the challenge bond: a challenger that lacks a withheld body makes its signers
    /// publish it. Unanswered within maxClockDuration, it is a fault (resolve); answered (revealItem,
    /// or revealItemAbsent when the block has no such item), the bond goes to whoever answered.
    function requestItem(uint64 index, uint64 blockNumber, uint64 item) external payable returns (uint256 gameId) {
        gameId = requestHeader(index, blockNumber);
        Game storage g = games[gameId];
        g.itemRequest = true;
        g.item = item;
        emit ItemRequested(gameId, index, blockNumber, item);
    }

    /// Answer an item request: the header of the block proven at its entry, and the item proven at
    /// its index of the header's txRoot. The item is in the form the one-step executor's step takes
    /// (IOneStepExecutor.itemHash), so whatever is accepted here a step can run. An item that does
    /// not hash (BadReveal) or that txRoot does not hold there (ItemNotInBlock) answers nothing.
    function revealItem(
        uint256 gameId,
        SszObjects.BlockHeader calldata header,
        bytes32[] calldata headerProof,
        bool l1Message,
        bytes calldata item,
        uint64 itemCount,
        bytes32[] calldata itemProof
    ) external {
        Game storage g = itemRequestOf(gameId, header, headerProof);
        if (address(executor) == address(0)) revert ExecutorNotSet();
        bytes32 leaf;
        try executor.itemHash(l1Message, item) returns (bytes32 h) {
            leaf = h;
        } catch {
            revert BadReveal();
        }
        if (
            g.item >= itemCount || itemCount > MAX_BLOCK_ITEMS || itemProof.length != 17
                || Ssz.listRootFromItem(leaf, g.item, itemCount, MAX_BLOCK_ITEMS, itemProof) != header.txRoot
        ) revert ItemNotInBlock(g.item);
        emit ItemRevealed(gameId, g.item, l1Message, item, msg.sender);
        answered(gameId);
    }

    /// Answer an item request for an item the block does not have: header k's txRoot opened as
    /// sha256(itemsListRoot ‖ itemCount) with itemCount at most the index asked for.
    function revealItemAbsent(
        uint256 gameId,
        SszObjects.BlockHeader calldata header,
        bytes32[] calldata headerProof,
        bytes32 itemsListRoot,
        uint64 itemCount
    ) external {
        Game storage g = itemRequestOf(gameId, header, headerProof);
        if (itemCount > g.item || Ssz.mixInLength(itemsListRoot, itemCount) != header.txRoot) {
            revert ItemNotInBlock(g.item);
        }
        emit ItemAbsent(gameId, itemCount, msg.sender);
        answered(gameId);
    }

    /// Open item request `gameId`, within its time, whose block's header is `header` (proven at its entry).
    function itemRequestOf(uint256 gameId, SszObjects.BlockHeader calldata header, bytes32[] calldata headerProof)
        private
        returns (Game storage g)
    {
        if (gameId >= games.length) revert UnknownGame(gameId);
        g = games[gameId];
        if (!g.itemRequest) revert NotAnItemRequest(gameId);
        g.blockHash = headerInList(header, headerProof, g.blockNumber, answerable(g, gameId));
    }

    /// The checkpoint of request `g`, still open and within its time.
    function answerable(Game storage g, uint256 gameId)
        private
        view
        returns (IDisputedCheckpoints.DisputedCheckpoint memory cp)
    {
        if (g.outcome != Outcome.Open) revert GameOver(gameId);
        if (block.timestamp > g.revealBy) revert RevealTooLate(g.revealBy);
        cp = checkpoints.disputableCheckpoint(g.checkpointIndex);
        if (cp.digest != g.digest) revert UnknownCheckpoint(g.checkpointIndex);
    }

    /// A request answered: its bond goes to whoever answered (back to the challenger in a dry run).
    /// The checkpoint stays challengeable for one more clock, so the next request (or the
    /// challenge) it leads to can be made whenever the answer came.
    function answered(uint256 gameId) private {
        address payee = executorComplete ? msg.sender : games[gameId].challenger;
        credit[payee] += pendingBond[gameId];
        uint64 index = games[gameId].checkpointIndex;
        for (uint256 k = extended.length; k > 0; k--) {
            uint64 e = uint64(extended[k - 1]);
            if (e == index || challengeableUntil[e] < block.timestamp) {
                extended[k - 1] = extended[extended.length - 1];
                extended.pop();
            }
        }
        extended.push(index);
        challengeableUntil[index] = uint64(block.timestamp) + maxClockDuration;
        finish(gameId, Outcome.DefenderWins);
    }

    /// A reveal request, or a challenge awaiting its roots, whose time ran out: the checkpoint is
    /// wrong; the bond goes back. A reveal request whose checkpoint the rollup no longer holds with
    /// that digest (invalidated by a halt or an earlier checkpoint's fault, perhaps submitted again)
    /// could not be answered by anyone (UnknownCheckpoint): it is void, not a fault, so it cannot
    /// mark the digest faulty and slash the signers of a checkpoint that was only removed.
    function resolveUnanswered(uint256 gameId, uint64 by) private {
        Game storage g = games[gameId];
        if (block.timestamp <= by) revert ClockRunning(0, by + 1);
        credit[g.challenger] += pendingBond[gameId];
        if (g.reveal && checkpoints.disputableCheckpoint(g.checkpointIndex).digest != g.digest) {
            emit RequestVoid(gameId);
            return finish(gameId, Outcome.DefenderWins);
        }
        g.immediateFault = true;
        finish(gameId, Outcome.ChallengerWins);
    }

    /// Checks that `entry` is the entry of block `number` in the checkpoint's blockHashesRoot.
    function entryInList(
        bytes32 entry,
        bytes32[] calldata proof,
        uint64 number,
        IDisputedCheckpoints.DisputedCheckpoint memory cp
    ) private view {
        uint256 length = cp.lastBlock - cp.firstBlock + 2;
        bytes32 implied = Ssz.listRootFromItem(entry, number - (cp.firstBlock - 1), length, BLOCK_HASHES_LIMIT, proof);
        if (implied != cp.blockHashesRoot) revert HeaderNotInCheckpoint(number);
    }

    /// Checkpoint `index` as the game needs it, while its challenge window is open or an answered
    /// reveal keeps it challengeable (challengeableUntil).
    function challengeable(uint64 index) private view returns (IDisputedCheckpoints.DisputedCheckpoint memory cp) {
        cp = checkpoints.disputableCheckpoint(index);
        if (cp.acceptedAt == 0) revert UnknownCheckpoint(index);
        uint64 closesAt = cp.acceptedAt + checkpoints.challengeWindow();
        if (block.timestamp >= closesAt && block.timestamp > challengeableUntil[index]) {
            revert ChallengeWindowClosed(closesAt);
        }
    }

    function newGame(uint64 index, uint64 blockNumber, bytes32 digest, bytes32 parentHash, bytes32 blockHash)
        private
        returns (uint256 gameId)
    {
        gameId = games.length;
        Game storage g = games.push();
        g.checkpointIndex = index;
        g.blockNumber = blockNumber;
        g.challenger = msg.sender;
        g.digest = digest;
        g.parentHash = parentHash;
        g.blockHash = blockHash;
        g.outcome = Outcome.Open;
        openGame(index);
        emit Challenged(gameId, index, blockNumber, msg.sender);
    }

    /// The block hash of `h` after checking it is entry `number - (firstBlock - 1)` of the list of
    /// hashes of blocks firstBlock-1..lastBlock that the checkpoint commits to.
    function headerInList(
        SszObjects.BlockHeader calldata h,
        bytes32[] calldata proof,
        uint64 number,
        IDisputedCheckpoints.DisputedCheckpoint memory cp
    ) private view returns (bytes32 hash) {
        hash = SszObjects.blockHeaderRoot(h);
        uint256 length = cp.lastBlock - cp.firstBlock + 2;
        bytes32 implied = Ssz.listRootFromItem(hash, number - (cp.firstBlock - 1), length, BLOCK_HASHES_LIMIT, proof);
        if (implied != cp.blockHashesRoot) revert HeaderNotInCheckpoint(number);
    }

    /// T[0], from header k-1.
    function preState(Challenge calldata c) private view returns (bytes32) {
        if (StateProofs.stateRoot(c.parentObjectsRoot, c.parent.withdrawalsRoot) != c.parent.stateRoot) {
            revert StateRootMismatch(c.blockNumber - 1);
        }
        return stepStateRoot(
            StepState(
                c.parentObjectsRoot, c.parent.withdrawalsRoot, c.parent.l1DepositNonce, 0, 0, emptyReceiptsRoot, false
            )
        );
    }

    /// The T[S] that header `h` claims, given the roots behind its stateRoot and txRoot: in a valid
    /// block every L1 message consumed since the parent's nonce is one item.
    function postState(
        SszObjects.BlockHeader calldata h,
        uint64 parentNonce,
        bytes32 objectsRoot,
        bytes32 itemsListRoot,
        uint64 itemCount
    ) private view returns (bytes32) {
        if (StateProofs.stateRoot(objectsRoot, h.withdrawalsRoot) != h.stateRoot) revert StateRootMismatch(h.number);
        if (itemCount > MAX_BLOCK_ITEMS || Ssz.mixInLength(itemsListRoot, itemCount) != h.txRoot) {
            revert TxRootMismatch(itemCount);
        }
        return stepStateRoot(
            StepState(
                objectsRoot,
                h.withdrawalsRoot,
                h.l1DepositNonce,
                itemCount,
                h.l1DepositNonce - parentNonce,
                h.receiptsRoot,
                false
            )
        );
    }

    /// hash_tree_root(StepState): seven fields in a tree of eight leaves (OneStepExecutor's).
    function stepStateRoot(StepState memory s) public view returns (bytes32) {
        bytes32[] memory f = new bytes32[](7);
        f[0] = s.objectsRoot;
        f[1] = s.withdrawalsRoot;
        f[2] = Ssz.uintChunk(s.l1DepositNonce);
        f[3] = Ssz.uintChunk(s.items);
        f[4] = Ssz.uintChunk(s.l1Messages);
        f[5] = s.receiptsRoot;
        f[6] = Ssz.boolChunk(s.invalid);
        return Ssz.merkleize(f, 7);
    }

    // ---------------------------------------------------------------- level 2

    /// Defender team: answer dispute `node` with T[mid], mid = (lo + hi) / 2, and the move bond.
    function propose(uint256 gameId, uint256 node, bytes32 midState) external payable returns (uint256) {
        Node storage d = openNode(gameId, node);
        if (d.kind != Kind.Dispute) revert NotADispute(node);
        if (d.hi - d.lo < 2) revert OneStepDispute(node);
        uint64 mid = (d.lo + d.hi) / 2;
        // The children of a proposal next to a one-step half are answered by a step proof: twice
        // the extension, as the proof takes longer to assemble.
        bool beforeStep = mid - d.lo == 1 || d.hi - mid == 1;
        (uint256 index, Node storage n) = addChild(gameId, node, Kind.Proposal, beforeStep, midState);
        n.lo = d.lo;
        n.hi = d.hi;
        n.post = midState;
        emit Moved(gameId, index, node, Kind.Proposal, midState, msg.sender);
        return index;
    }

    /// Challenger team: dispute the left (T[lo] → T[mid]) or right (T[mid] → T[hi]) half of
    /// proposal `node`, with the move bond.
    function dispute(uint256 gameId, uint256 node, bool left) external payable returns (uint256) {
        Node storage p = openNode(gameId, node);
        if (p.kind != Kind.Proposal) revert NotAProposal(node);
        (uint256 index, Node storage n) = addChild(gameId, node, Kind.Dispute, false, left ? bytes32(0) : bytes32(uint256(1)));
        Node storage d = nodesOf[gameId][p.parent];
        uint64 mid = (p.lo + p.hi) / 2;
        (n.lo, n.hi, n.pre, n.post) = left ? (p.lo, mid, d.pre, p.post) : (mid, p.hi, p.post, d.post);
        emit Moved(gameId, index, node, Kind.Dispute, n.post, msg.sender);
        return index;
    }

    /// Settle one-step dispute `node`: the executor runs step lo from T[lo]. A result equal to the
    /// disputed T[hi] counters the dispute (its bond goes to the caller); another result proves it.
    /// Allowed while the defender team's clock on this path runs.
    function step(uint256 gameId, uint256 node, bytes calldata proof) external {
        settle(gameId, node, proof);
    }

    /// `step` with a proof too large for one message: the caller's own upload `proofId` in
    /// proofStore, complete and matching its declared hash (else the store's typed error).
    function stepStored(uint256 gameId, uint256 node, bytes32 proofId) external {
        settle(gameId, node, proofStore.load(proofId, msg.sender));
    }

    function settle(uint256 gameId, uint256 node, bytes memory proof) private {
        Node storage d = openNode(gameId, node);
        if (d.kind != Kind.Dispute || d.hi - d.lo != 1) revert NotOneStep(node);
        if (address(executor) == address(0)) revert ExecutorNotSet();
        if (d.stepped) revert AlreadyStepped(node);
        if (opponentUsed(gameId, d) > maxClockDuration) revert ClockExpired(node);
        Game storage g = games[gameId];
        bytes32 post = executor.executeStep(
            d.pre, d.lo, IOneStepExecutor.StepContext(g.blockHash, checkpoints.sequencer()), proof
        );
        d.stepped = true;
        if (post == d.post) {
            d.countered = true;
            d.counteredBy = msg.sender;
        }
        emit Stepped(gameId, node, post, post == d.post, msg.sender);
    }

    /// Post a child of `parentNode` with the move bond, within its opponents' clock; the caller
    /// fills in its segment and states.
    function addChild(uint256 gameId, uint256 parentNode, Kind kind, bool beforeStep, bytes32 moveKey)
        private
        returns (uint256 index, Node storage n)
    {
        if (msg.value != moveBond) revert WrongBond(msg.value, moveBond);
        Node[] storage nodes = nodesOf[gameId];
        uint64 used = opponentUsed(gameId, nodes[parentNode]);
        if (used > maxClockDuration) revert ClockExpired(parentNode);
        bytes32 key = keccak256(abi.encode(gameId, parentNode, kind, moveKey));
        if (moved[key]) revert DuplicateMove(parentNode);
        moved[key] = true;
        // The extension: whoever moves late still leaves its own team time for the next answer on
        // this path, so a last-second move (by anyone on the team) cannot run the team out.
        uint64 ext = beforeStep ? 2 * clockExtension : clockExtension;
        if (used > maxClockDuration - ext) used = maxClockDuration - ext;
        index = nodes.length;
        n = nodes.push();
        n.parent = uint32(parentNode);
        n.kind = kind;
        n.bestChild = NONE;
        n.createdAt = uint64(block.timestamp);
        n.used = used;
        n.claimant = msg.sender;
        n.bond = msg.value;
        nodes[parentNode].children += 1;
    }

    /// The time the team opposing `n` has used on n's path, now: its time when it posted n's parent
    /// (none for the root) plus the time since n was posted.
    function opponentUsed(uint256 gameId, Node storage n) private view returns (uint64) {
        uint64 before = n.parent == NONE ? 0 : nodesOf[gameId][n.parent].used;
        return before + (uint64(block.timestamp) - n.createdAt);
    }

    function openNode(uint256 gameId, uint256 node) private view returns (Node storage) {
        if (gameId >= games.length) revert UnknownGame(gameId);
        if (games[gameId].outcome != Outcome.Open) revert GameOver(gameId);
        Node[] storage nodes = nodesOf[gameId];
        if (node >= nodes.length) revert UnknownNode(gameId, node);
        return nodes[node];
    }

    // ---------------------------------------------------------------- resolution

    /// Resolve `node` once its children are resolved and no one can counter it any more (its
    /// opponents' clock ran out, or a step settled it). Countered: its bond goes to the earliest
    /// child that stands (or to the step's caller). Standing: back to its claimant. Resolving the
    /// root ends the game: the root dispute standing proves the block, and so the checkpoint, wrong.
    function resolve(uint256 gameId, uint256 node) external {
        if (gameId < games.length && games[gameId].outcome == Outcome.Open) {
            Game storage g = games[gameId];
            if (g.reveal) return resolveUnanswered(gameId, g.revealBy);
            if (g.openBy != 0) return resolveUnanswered(gameId, g.openBy);
        }
        Node storage n = openNode(gameId, node);
        if (n.resolved) revert AlreadyResolved(node);
        if (n.resolvedChildren != n.children) revert ChildrenUnresolved(node, n.children - n.resolvedChildren);
        uint64 used = opponentUsed(gameId, n);
        if (!n.stepped && used <= maxClockDuration) {
            revert ClockRunning(node, uint64(block.timestamp) + (maxClockDuration - used) + 1);
        }
        bool countered = n.countered || n.bestChild != NONE;
        address payee = n.claimant;
        if (countered && executorComplete) {
            payee = n.counteredBy != address(0) ? n.counteredBy : nodesOf[gameId][n.bestChild].claimant;
        }
        n.resolved = true;
        n.countered = countered;
        credit[payee] += n.bond;
        emit NodeResolved(gameId, node, countered, payee, n.bond);
        if (n.parent != NONE) {
            Node storage parent = nodesOf[gameId][n.parent];
            parent.resolvedChildren += 1;
            if (!countered && node < parent.bestChild) parent.bestChild = uint32(node);
        } else {
            finish(gameId, countered ? Outcome.DefenderWins : Outcome.ChallengerWins);
        }
    }

    function finish(uint256 gameId, Outcome outcome) private {
        Game storage g = games[gameId];
        g.outcome = outcome;
        emit GameResolved(gameId, outcome);
        if (outcome == Outcome.ChallengerWins) {
            // Only a block shown wrong by execution can slash the sequencer by its seal. Reported
            // while the game still counts as open, so the checkpoint is still held back from finality.
            bytes32 executed = g.immediateFault ? bytes32(0) : g.blockHash;
            checkpoints.onFaultProven(g.checkpointIndex, g.digest, g.blockNumber, executed, g.challenger);
        }
        closeGame(g.checkpointIndex);
    }

    /// Withdraw the bonds won or returned.
    function claimCredit() external {
        uint256 amount = credit[msg.sender];
        if (amount == 0) revert NoCredit(msg.sender);
        credit[msg.sender] = 0;
        emit CreditClaimed(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    // ---------------------------------------------------------------- open games

    function openGame(uint64 index) private {
        if (openGames[index]++ == 0) {
            openSlot[index] = openIndices.length;
            openIndices.push(index);
        }
    }

    function closeGame(uint64 index) private {
        if (--openGames[index] == 0) {
            uint256 slot = openSlot[index];
            uint64 lastIndex = openIndices[openIndices.length - 1];
            openIndices[slot] = lastIndex;
            openSlot[lastIndex] = slot;
            openIndices.pop();
        }
    }

    /// The lowest checkpoint index with an open game or still challengeable after an answered
    /// reveal (challengeableUntil not passed); any = false when there is none. The rollup holds
    /// checkpoint i back from finality while this is at most i.
    function lowestOpenCheckpoint() external view returns (bool any, uint64 index) {
        index = type(uint64).max;
        for (uint256 i = 0; i < openIndices.length; i++) {
            if (openIndices[i] < index) index = openIndices[i];
        }
        for (uint256 i = 0; i < extended.length; i++) {
            uint64 e = uint64(extended[i]);
            if (challengeableUntil[e] >= block.timestamp && e < index) index = e;
        }
        any = index != type(uint64).max;
    }

    // ---------------------------------------------------------------- reads

    function gameCount() external view returns (uint256) {
        return games.length;
    }

    function getGame(uint256 gameId) external view returns (Game memory) {
        if (gameId >= games.length) revert UnknownGame(gameId);
        return games[gameId];
    }

    function nodeCount(uint256 gameId) external view returns (uint256) {
        return nodesOf[gameId].length;
    }

    function getNode(uint256 gameId, uint256 node) external view returns (Node memory) {
        if (node >= nodesOf[gameId].length) revert UnknownNode(gameId, node);
        return nodesOf[gameId][node];
    }

    /// When the team that must answer `node` runs out of time on its path (0 once resolved).
    function deadline(uint256 gameId, uint256 node) external view returns (uint64) {
        if (node >= nodesOf[gameId].length) revert UnknownNode(gameId, node);
        Node storage n = nodesOf[gameId][node];
        if (n.resolved) return 0;
        uint64 before = n.parent == NONE ? 0 : nodesOf[gameId][n.parent].used;
        return n.createdAt + (maxClockDuration - before);
    }
}
