// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// The part of FilverseRollup the bridge reads.
interface IFilverseRollupStatus {
    function bridge() external view returns (address);

    /// 0 Unknown, 1 Pending (in its challenge window), 2 Final, 3 Frozen.
    function checkpointStatus(uint64 index) external view returns (uint8 status, bytes32 withdrawalsRoot);
}

/// @title FilverseBridge
/// @notice FIL into the Filverse L2 (deposits) and back out (withdrawals proven against a final
///         checkpoint's withdrawals root, each paid once), and the forced-inclusion queue.
///         Deposits and forced transactions are L1 messages numbered from 1 in one sequence; the
///         L2 consumes them in that order and each checkpoint carries the last nonce consumed.
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
    uint8 private constant STATUS_FINAL = 2;
    /// The L2 bound on an SSZ SignedTransaction, MAX_TX_BYTES of the params package.
    uint256 public constant MAX_FORCED_TX_BYTES = 40 * 1024;

    struct Forced {
        uint64 nonce;
        uint64 deadline;
    }

    IFilverseRollupStatus public immutable rollup;
    /// Seconds the L2 has to consume a forced transaction after it is queued.
    uint64 public immutable forceInclusionDelay;

    /// The nonce of the last L1 message, deposit or forced transaction (0 before any): the L2
    /// consumes nonces 1, 2, 3, ... in order.
    uint64 public depositCount;
    mapping(uint64 => bool) public isFinalized;
    /// Forced transactions in nonce order (so their deadlines ascend too).
    Forced[] private forced;

    event Deposited(uint64 indexed nonce, address indexed from, address indexed l2Recipient, uint256 amount);
    event TransactionForced(uint64 indexed nonce, address indexed from, uint64 deadline, bytes signedTx);
    event WithdrawalFinalized(uint64 indexed index, address indexed l1Recipient, uint256 amount, uint64 checkpointIndex);

    error ZeroAddress();
    error ZeroAmount();
    error ZeroRecipient();
    error UnknownCheckpoint(uint64 checkpointIndex);
    error NotFinal(uint64 checkpointIndex);
    error Frozen();
    error AlreadyFinalized(uint64 index);
    error InvalidProof();
    error InsufficientBridgeBalance(uint256 amount, uint256 balance);
    error TransferFailed();
    error RollupMismatch(address rollupBridge);
    error BadForcedTransaction(uint256 length);

    constructor(address rollup_, uint64 forceInclusionDelay_) {
        if (rollup_ == address(0)) revert ZeroAddress();
        // The rollup is deployed first, naming this bridge's (predicted) address; refuse any other.
        address rollupBridge = IFilverseRollupStatus(rollup_).bridge();
        if (rollupBridge != address(this)) revert RollupMismatch(rollupBridge);
        rollup = IFilverseRollupStatus(rollup_);
        forceInclusionDelay = forceInclusionDelay_;
    }

    /// Lock msg.value here and credit it to `l2Recipient` on the L2.
    function deposit(address l2Recipient) external payable {
        if (msg.value == 0) revert ZeroAmount();
        if (l2Recipient == address(0)) revert ZeroRecipient();
        uint64 nonce = depositCount + 1;
        depositCount = nonce;
        emit Deposited(nonce, msg.sender, l2Recipient, msg.value);
    }

    /// Queue an L2 transaction (SSZ SignedTransaction bytes, signed by its L2 sender) that the L2
    /// must consume within forceInclusionDelay: a checkpoint past the deadline that has not is
    /// rejected by the rollup. The L2 executes it, or records it as failed if it is invalid there.
    function forceTransaction(bytes calldata signedTx) external {
        if (signedTx.length == 0 || signedTx.length > MAX_FORCED_TX_BYTES) revert BadForcedTransaction(signedTx.length);
        uint64 nonce = depositCount + 1;
        depositCount = nonce;
        uint64 deadline = uint64(block.timestamp) + forceInclusionDelay;
        forced.push(Forced(nonce, deadline));
        emit TransactionForced(nonce, msg.sender, deadline, signedTx);
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

    /// Pay a withdrawal recorded in a final checkpoint's withdrawals tree, once.
    function finalizeWithdrawal(uint64 checkpointIndex, Withdrawal calldata w, bytes32[32] calldata siblings) external {
        (uint8 status, bytes32 root) = rollup.checkpointStatus(checkpointIndex);
        if (status == STATUS_UNKNOWN) revert UnknownCheckpoint(checkpointIndex);
        if (status == STATUS_PENDING) revert NotFinal(checkpointIndex);
        if (status != STATUS_FINAL) revert Frozen();
        if (isFinalized[w.index]) revert AlreadyFinalized(w.index);
        if (withdrawalRoot(w, siblings) != root) revert InvalidProof();
        uint256 balance = address(this).balance;
        if (w.amount > balance) revert InsufficientBridgeBalance(w.amount, balance);

        isFinalized[w.index] = true;
        emit WithdrawalFinalized(w.index, w.l1Recipient, w.amount, checkpointIndex);
        (bool ok,) = w.l1Recipient.call{value: w.amount}("");
        if (!ok) revert TransferFailed();
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
