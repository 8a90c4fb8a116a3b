// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// The part of FilverseRollup the bridge reads.
interface IFilverseRollupStatus {
    function bridge() external view returns (address);

    /// 0 Unknown, 1 Pending (in its challenge window), 2 Final.
    function checkpointStatus(uint64 index) external view returns (uint8 status, bytes32 withdrawalsRoot);

    /// False while the rollup is halted: it cannot accept checkpoints, so it takes no messages.
    function acceptingMessages() external view returns (bool);

    function currentEpoch() external view returns (uint64);
}

/// @title FilverseBridge
/// @notice FIL into the Filverse L2 (deposits) and back out (withdrawals proven against a final
///         checkpoint's withdrawals root, each paid once), and the forced-inclusion queue.
///         Deposits and forced transactions are L1 messages numbered from 1 in one sequence; the
///         L2 consumes them in that order and each checkpoint carries the last nonce consumed.
///         Safeguards (docs/bridge.md): deposits and forced transactions are refused while the
///         rollup is halted; an optional per-epoch withdrawal limit queues (never refuses) what is
///         over it; a payout the recipient reverts is kept for it to pull.
/// @dev    Withdrawal leaf (docs/state.md, packages/state/src/withdrawals.ts):
///           leaf = sha256(abi.encode(uint256 index, address l2Sender, address l1Recipient, uint256 amount))
///         The tree has depth 32; siblings are leaf level first; bit i of the index set means the
///         node is the right child at level i.
contract FilverseBridge {
    struct Withdrawal {
        uint64 index;
        address l2Sender;
        address l1Recipient;
        uint256 amount;
    }

    uint256 private constant TREE_DEPTH = 32;
    uint8 private constant STATUS_UNKNOWN = 0;
    uint8 private constant STATUS_PENDING = 1;
    /// The L2 bound on an SSZ SignedTransaction, MAX_TX_BYTES of the params package.
    uint256 public constant MAX_FORCED_TX_BYTES = 40 * 1024;
    /// keccak256 of no bytes: a deposit's forcedTx.
    bytes32 private constant EMPTY_HASH = keccak256("");

    struct Forced {
        uint64 nonce;
        uint64 deadline;
    }

    IFilverseRollupStatus public immutable rollup;
    /// Seconds the L2 has to consume a forced transaction after it is queued.
    uint64 public immutable forceInclusionDelay;
    /// The most paid out per rollup epoch (attoFIL); 0 means no limit. Withdrawals over it wait for
    /// a later epoch's allowance (`queuedWithdrawals`, `releaseQueued`).
    uint256 public immutable withdrawalLimitPerEpoch;

    struct Queued {
        address l1Recipient;
        uint64 releaseEpoch;
        uint256 amount;
    }

    /// Per epoch, the amount of its allowance taken by withdrawals paid or queued. A withdrawal
    /// larger than what is left takes the rest of this epoch's allowance, all of the epochs between
    /// (not written here: they read 0 but the cursor has passed them) and part of its release epoch.
    mapping(uint64 => uint256) public withdrawnInEpoch;
    /// The last epoch whose allowance anything has taken: the allocation cursor. Epochs before it
    /// are full; epochs after it are untouched.
    uint64 public lastQueuedEpoch;
    /// Queued withdrawals by withdrawal index.
    mapping(uint64 => Queued) public queuedWithdrawals;
    /// Payouts a recipient reverted, kept for it to pull with `claimOwed`.
    mapping(address => uint256) public owed;
    /// FIL promised but not yet paid (queued or owed): never counted as available for other payouts.
    uint256 public reserved;

    /// The nonce of the last L1 message, deposit or forced transaction (0 before any): the L2
    /// consumes nonces 1, 2, 3, ... in order.
    uint64 public depositCount;
    mapping(uint64 => bool) public isFinalized;
    /// Each L1 message's record, by nonce: l1MessageRecord(nonce, from, to, amount, forcedTx). The
    /// fault-proof game's L1-message step checks the message a block consumes against it, so a
    /// block cannot credit a deposit the bridge never took, nor alter one (docs/fault-proofs.md).
    mapping(uint64 nonce => bytes32 record) public messageRecord;
    /// Forced transactions in nonce order (so their deadlines ascend too).
    Forced[] private forced;

    event Deposited(uint64 indexed nonce, address indexed from, address indexed l2Recipient, uint256 amount);
    event TransactionForced(uint64 indexed nonce, address indexed from, uint64 deadline, bytes signedTx);
    event WithdrawalFinalized(uint64 indexed index, address indexed l1Recipient, uint256 amount, uint64 checkpointIndex);
    event WithdrawalQueued(uint64 indexed index, address indexed l1Recipient, uint256 amount, uint64 releaseEpoch);
    event WithdrawalPaid(uint64 indexed index, address indexed l1Recipient, uint256 amount);
    event PayoutOwed(address indexed l1Recipient, uint256 amount);
    event OwedClaimed(address indexed l1Recipient, address to, uint256 amount);

    error ZeroAddress();
    error ZeroAmount();
    error ZeroRecipient();
    error UnknownCheckpoint(uint64 checkpointIndex);
    error NotFinal(uint64 checkpointIndex);
    error RollupHalted();
    error NotQueued(uint64 index);
    error NotReleased(uint64 index, uint64 releaseEpoch);
    error NothingOwed(address account);
    error AlreadyFinalized(uint64 index);
    error InvalidProof();
    error InsufficientBridgeBalance(uint256 amount, uint256 balance);
    error TransferFailed();
    error RollupMismatch(address rollupBridge);
    error BadForcedTransaction(uint256 length);
    error LimitTooSmall(uint256 amount, uint256 limitPerEpoch);

    constructor(address rollup_, uint64 forceInclusionDelay_, uint256 withdrawalLimitPerEpoch_) {
        if (rollup_ == address(0)) revert ZeroAddress();
        // The rollup is deployed first, naming this bridge's (predicted) address; refuse any other.
        address rollupBridge = IFilverseRollupStatus(rollup_).bridge();
        if (rollupBridge != address(this)) revert RollupMismatch(rollupBridge);
        rollup = IFilverseRollupStatus(rollup_);
        forceInclusionDelay = forceInclusionDelay_;
        withdrawalLimitPerEpoch = withdrawalLimitPerEpoch_;
    }

    /// Lock msg.value here and credit it to `l2Recipient` on the L2.
    function deposit(address l2Recipient) external payable {
        if (msg.value == 0) revert ZeroAmount();
        if (l2Recipient == address(0)) revert ZeroRecipient();
        if (!rollup.acceptingMessages()) revert RollupHalted();
        uint64 nonce = depositCount + 1;
        depositCount = nonce;
        messageRecord[nonce] = l1MessageRecord(nonce, msg.sender, l2Recipient, msg.value, EMPTY_HASH);
        emit Deposited(nonce, msg.sender, l2Recipient, msg.value);
    }

    /// Queue an L2 transaction (SSZ SignedTransaction bytes, signed by its L2 sender) that the L2
    /// must consume within forceInclusionDelay: a checkpoint past the deadline that has not is
    /// rejected by the rollup. The L2 executes it, or records it as failed if it is invalid there.
    function forceTransaction(bytes calldata signedTx) external {
        if (signedTx.length == 0 || signedTx.length > MAX_FORCED_TX_BYTES) revert BadForcedTransaction(signedTx.length);
        if (!rollup.acceptingMessages()) revert RollupHalted();
        uint64 nonce = depositCount + 1;
        depositCount = nonce;
        messageRecord[nonce] = l1MessageRecord(nonce, msg.sender, address(0), 0, keccak256(signedTx));
        uint64 deadline = uint64(block.timestamp) + forceInclusionDelay;
        forced.push(Forced(nonce, deadline));
        emit TransactionForced(nonce, msg.sender, deadline, signedTx);
    }

    /// The record of an L1 message: keccak256(abi.encode(nonce, from, to, amount, keccak256(forcedTx))),
    /// with `to` zero, `amount` zero and the SSZ SignedTransaction for a forced transaction, and an
    /// empty forcedTx for a deposit. The L2's Deposit also carries l1BlockNumber and l1TxHash, which
    /// change no state; the EVM cannot read a transaction's own hash, so they are not recorded.
    function l1MessageRecord(uint64 nonce, address from, address to, uint256 amount, bytes32 forcedTxHash)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(nonce, from, to, amount, forcedTxHash));
    }

    function forcedCount() external view returns (uint256) {
        return forced.length;
    }

    /// The first forced transaction with a nonce above `cursor`, or (0, 0) if none.
    function firstForcedAfter(uint64 cursor) external view returns (uint64 nonce, uint64 deadline) {
        uint256 lo = 0;
        uint256 hi = forced.length;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (forced[mid].nonce <= cursor) lo = mid + 1;
            else hi = mid;
        }
        if (lo == forced.length) return (0, 0);
        Forced storage f = forced[lo];
        return (f.nonce, f.deadline);
    }

    /// Pay a withdrawal recorded in a final checkpoint's withdrawals tree, once. Over the epoch's
    /// limit it is queued for the epoch its allowance runs to (`allocate`); a recipient that reverts
    /// is owed the amount instead (claimOwed).
    function finalizeWithdrawal(uint64 checkpointIndex, Withdrawal calldata w, bytes32[32] calldata siblings) external {
        (uint8 status, bytes32 root) = rollup.checkpointStatus(checkpointIndex);
        if (status == STATUS_UNKNOWN) revert UnknownCheckpoint(checkpointIndex);
        if (status == STATUS_PENDING) revert NotFinal(checkpointIndex);
        if (isFinalized[w.index]) revert AlreadyFinalized(w.index);
        if (withdrawalRoot(w, siblings) != root) revert InvalidProof();
        uint256 available = address(this).balance - reserved;
        if (w.amount > available) revert InsufficientBridgeBalance(w.amount, available);

        isFinalized[w.index] = true;
        emit WithdrawalFinalized(w.index, w.l1Recipient, w.amount, checkpointIndex);
        if (withdrawalLimitPerEpoch != 0) {
            uint64 current = rollup.currentEpoch();
            uint64 release = allocate(current, w.amount);
            if (release > current) {
                reserved += w.amount;
                queuedWithdrawals[w.index] = Queued(w.l1Recipient, release, w.amount);
                emit WithdrawalQueued(w.index, w.l1Recipient, w.amount, release);
                return;
            }
        }
        pay(w.index, w.l1Recipient, w.amount);
    }

    /// Take `amount` of allowance, in order, from the first epoch (not before `current`) with
    /// allowance left and as many epochs after it as the amount needs; the withdrawal is released in
    /// the epoch its last attoFIL falls in. So the withdrawals released in any k consecutive epochs
    /// add up to at most k limits plus the one withdrawal whose allowance began before them: a
    /// withdrawal of the bridge's whole balance waits ceil(amount / limit) − 1 epochs or more.
    function allocate(uint64 current, uint256 amount) private returns (uint64 release) {
        uint256 limit = withdrawalLimitPerEpoch;
        uint64 epoch = lastQueuedEpoch;
        uint256 used = withdrawnInEpoch[epoch];
        if (epoch < current) {
            epoch = current;
            used = 0;
        }
        if (used + amount <= limit) {
            withdrawnInEpoch[epoch] = used + amount;
            lastQueuedEpoch = epoch;
            return epoch;
        }
        // Fill this epoch, then whole epochs; `rest` (1..limit) lands in the release epoch.
        withdrawnInEpoch[epoch] = limit;
        uint256 beyond = amount - (limit - used);
        uint256 more = (beyond + limit - 1) / limit;
        uint256 rest = beyond - (more - 1) * limit;
        // Unreachable with a sane limit (2^64 epochs); checked so a tiny limit cannot wrap the epoch.
        if (more > type(uint64).max - epoch) revert LimitTooSmall(amount, limit);
        release = epoch + uint64(more);
        withdrawnInEpoch[release] = rest;
        lastQueuedEpoch = release;
    }

    /// Pay a queued withdrawal once its epoch has come (anyone may call it).
    function releaseQueued(uint64 index) external {
        Queued memory q = queuedWithdrawals[index];
        if (q.amount == 0) revert NotQueued(index);
        if (rollup.currentEpoch() < q.releaseEpoch) revert NotReleased(index, q.releaseEpoch);
        delete queuedWithdrawals[index];
        reserved -= q.amount;
        pay(index, q.l1Recipient, q.amount);
    }

    /// Pull what a reverted payout left owed to msg.sender, to `to`.
    function claimOwed(address payable to) external {
        uint256 amount = owed[msg.sender];
        if (amount == 0) revert NothingOwed(msg.sender);
        if (to == address(0)) revert ZeroRecipient();
        owed[msg.sender] = 0;
        reserved -= amount;
        emit OwedClaimed(msg.sender, to, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    function pay(uint64 index, address recipient, uint256 amount) private {
        (bool ok,) = recipient.call{value: amount}("");
        if (ok) {
            emit WithdrawalPaid(index, recipient, amount);
            return;
        }
        owed[recipient] += amount;
        reserved += amount;
        emit PayoutOwed(recipient, amount);
    }

    /// The withdrawals root implied by a leaf and its 32 siblings.
    function withdrawalRoot(Withdrawal calldata w, bytes32[32] calldata siblings) public pure returns (bytes32 node) {
        node = sha256(abi.encode(uint256(w.index), w.l2Sender, w.l1Recipient, w.amount));
        for (uint256 i = 0; i < TREE_DEPTH; i++) {
            node = (w.index >> i) & 1 == 1
                ? sha256(abi.encodePacked(siblings[i], node))
                : sha256(abi.encodePacked(node, siblings[i]));
        }
    }
}
