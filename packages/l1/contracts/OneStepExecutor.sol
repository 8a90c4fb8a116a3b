// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Eip712Tx} from "./Eip712Tx.sol";
import {ForcedTxDecoder} from "./ForcedTxDecoder.sol";
import {IKindExecutor} from "./IKindExecutor.sol";
import {IOneStepExecutor} from "./IOneStepExecutor.sol";
import {Ssz} from "./Ssz.sol";
import {SszObjects} from "./SszObjects.sol";
import {StateProofs} from "./StateProofs.sol";
import {StepObjects} from "./StepObjects.sol";
import {ViaExecutor} from "./ViaExecutor.sol";

/// What the one-step executor reads of FilverseBridge: each L1 message's record, by nonce.
interface IL1MessageRecords {
    function messageRecord(uint64 nonce) external view returns (bytes32);
}

/// @title OneStepExecutor
/// @notice The state machine of @filverse/state, one step at a time, for the fault-proof game
///         (docs/fault-proofs.md, "The one-step proof"). A step is the block start, one L1 message,
///         one transaction, or the end of the block; it takes the commitment T[j] to T[j + 1].
///         What every transaction shares runs here: its place in txRoot, the signature, the chain,
///         the nonce and the fee, the rollback of failed rules, the object proofs and the receipt.
///         The FIL kinds (Transfer, Withdraw) run here too. The rules of the other kinds run in one
///         kind executor per group (IKindExecutor), named in the constructor, so that each contract
///         stays under EIP-170's 24,576 bytes. A kind whose group is not built reverts with a
///         typed error (UnsupportedKind): it never returns a wrong answer. Every L1 message is
///         checked against the bridge's record of it (FilverseBridge.messageRecord); a forced
///         transaction's SSZ is decoded by ForcedTxDecoder, then runs like any transaction.
///         `complete()` says whether every step runs (every kind, forced transactions): the game
///         moves bonds, and the rollup takes it, only once it is true.
/// @dev    `proof` = abi.encode(StepState pre, SszObjects.BlockHeader header, uint8 stepKind, bytes data),
///         with `data` per step kind:
///           BLOCK_START: abi.encode(SszObjects.BlockHeader parent, bytes seal)
///           L1_MESSAGE:  abi.encode(L1MessageStep)
///           TRANSACTION: abi.encode(TransactionStep)
///           END_OF_BLOCK: abi.encode(bytes32 txDataRoot, uint64 itemCount)
///         The TypeScript twin is packages/state/src/trace (traceBlock, proveStep); the differential
///         test is packages/l1/test/unit/oneStepExecutor.test.ts.
contract OneStepExecutor is IOneStepExecutor {
    /// What both sides commit to between two steps: its hash_tree_root is T[j].
    struct StepState {
        bytes32 objectsRoot;
        bytes32 withdrawalsRoot;
        uint64 l1DepositNonce;
        uint64 items;
        uint64 l1Messages;
        bytes32 receiptsRoot;
        bool invalid;
    }

    /// Where an item sits in header k's txRoot: the list's length and the siblings of its index.
    struct ItemProof {
        uint64 count;
        bytes32[] siblings;
    }

    /// A signed user transaction, its message ABI-encoded as its Eip712Tx struct.
    struct Transaction {
        uint64 chainId;
        uint8 kind;
        bytes message;
        bytes signature;
    }

    /// The inputs of a transaction step.
    struct TransactionStep {
        Transaction tx;
        ItemProof item;
        /// The siblings of index `items` in the receipts list (Ssz.listAppend).
        bytes32[] receiptSiblings;
        StepObjects.ObjectProof[] objects;
        /// A Withdraw: the 32 siblings of its index in the withdrawals tree (leaf level first); else empty.
        bytes32[] withdrawalSiblings;
    }

    /// The inputs of an L1-message step.
    struct L1MessageStep {
        SszObjects.Deposit deposit;
        /// txRoot lists the message under its forced transaction's tx hash (else its deposit's hash).
        bool listedAsTx;
        ItemProof item;
        bytes32[] receiptSiblings;
        StepObjects.ObjectProof[] objects;
        /// A forced Withdraw: the 32 siblings of its index in the withdrawals tree; else empty.
        bytes32[] withdrawalSiblings;
    }

    uint8 internal constant BLOCK_START = 0;
    uint8 internal constant L1_MESSAGE = 1;
    uint8 internal constant TRANSACTION = 2;
    uint8 internal constant END_OF_BLOCK = 3;

    /// The limit of txRoot's and receiptsRoot's lists: MAX_BLOCK_DEPOSITS + MAX_BLOCK_TXS.
    uint256 internal constant MAX_BLOCK_ITEMS = 69_632;
    /// The largest nonce a transaction may carry (MAX_TX_NONCE, 2^53 − 2).
    uint256 internal constant MAX_TX_NONCE = 2 ** 53 - 2;
    /// Every transaction kind of the protocol (TxKind in packages/types), one byte each: 30 kinds.
    bytes internal constant TX_KINDS = hex"01020a0b0c0d0e0f1011141516171e1f202122232428292a32333c3d3e3f";
    /// A Via transaction's kind byte: 0x80 | its inner kind.
    uint8 internal constant VIA = 0x80;
    uint8 internal constant KIND_DEPOSIT = 0;
    uint8 internal constant KIND_TRANSFER = 1;
    uint8 internal constant KIND_WITHDRAW = 2;
    uint8 internal constant KIND_TRADE_FILL = 50;
    uint8 internal constant KIND_ORDER_CANCEL = 51;
    uint8 internal constant KIND_SESSION_GRANT = 62;
    /// IKindExecutor.prepare of kind | SECOND_SIGNATURE: the field rules without the second signature.
    uint8 internal constant SECOND_SIGNATURE = 0x40;
    /// TxValidationErrorCode: why a transaction is not includable (a forced one's failed receipt carries it).
    uint16 internal constant INVALID_FIELD = 101;
    uint16 internal constant WRONG_CHAIN = 102;
    uint16 internal constant BAD_SIGNATURE = 103;
    uint16 internal constant BAD_ORDER_SIGNATURE = 104;
    uint16 internal constant BAD_APP_SIGNATURE = 106;
    uint16 internal constant NONCE_TOO_LOW = 200;
    uint16 internal constant NONCE_TOO_HIGH = 201;
    uint16 internal constant INSUFFICIENT_FUNDS_FOR_FEE = 202;
    uint16 internal constant FEE_TOO_LOW = 203;
    uint16 internal constant EXECUTION_FAULT = 204;
    uint16 internal constant INSUFFICIENT_BALANCE = 1000;
    uint16 internal constant WITHDRAWALS_FULL = 1001;
    /// The withdrawals tree's capacity (MAX_WITHDRAWALS, 2^32 at depth 32).
    uint256 internal constant MAX_WITHDRAWALS = 2 ** 32;
    bytes32 internal constant SEALED_BLOCK_TYPEHASH = keccak256("SealedBlock(uint64 number,bytes32 blockHash)");

    /// The L2 chain id (the chain preset's).
    uint64 public immutable chainId;
    /// The chain's working limits and minimum fee (ChainConfig: maxBlockTxs, maxBlockDeposits, minTxFee).
    uint256 public immutable maxBlockTxs;
    uint256 public immutable maxBlockDeposits;
    uint256 public immutable minTxFee;
    /// The executors of the kind groups; address(0) for a group not built yet (its kinds revert UnsupportedKind).
    IKindExecutor public immutable assets;
    IKindExecutor public immutable tokens;
    IKindExecutor public immutable identity;
    IKindExecutor public immutable data;
    IKindExecutor public immutable trade;
    IKindExecutor public immutable grants;
    /// The rules of the Via envelope (sponsors, session keys); address(0): a Via transaction reverts UnsupportedKind.
    ViaExecutor public immutable via;
    /// FilverseBridge, whose record of each L1 message the L1-message step checks; address(0): none
    /// (every L1-message step reverts NoBridge).
    IL1MessageRecords public immutable bridge;
    /// The SSZ decoder of forced transactions.
    ForcedTxDecoder public immutable decoder;

    /// The kind executors, one per group of kinds (docs/protocol.md, Transaction kinds).
    struct KindExecutors {
        IKindExecutor assets; // 10–17
        IKindExecutor tokens; // 20–23
        IKindExecutor identity; // 30–36
        IKindExecutor data; // 40–42
        IKindExecutor trade; // 50–51
        IKindExecutor grants; // 60–63
        ViaExecutor via; // the Via envelope, on any kind
    }

    error StepStateMismatch(bytes32 expected, bytes32 computed);
    error HeaderMismatch(bytes32 expected, bytes32 computed);
    /// Step 0 must be the block start, and the block start only step 0.
    error WrongStepKind(uint256 step, uint8 stepKind);
    error ParentMismatch(bytes32 parentHash, bytes32 computed);
    error ItemNotInBlock(uint256 index);
    /// An end-of-block proof while items remain (or a count below the items done).
    error NotEndOfBlock(uint64 items, uint64 count);
    error ObjectsRootMismatch();
    /// A transaction kind this executor does not execute yet.
    error UnsupportedKind(uint8 kind);
    /// An L1 message, and this executor names no bridge to check it against.
    error NoBridge();
    /// An L1 message claimed listed under its forced transaction's tx hash, whose bytes do not decode.
    error NoTxHash();
    /// A deposit past 2^256 − 1: no bridge holds that much, and the TypeScript state machine has no rule for it.
    error DepositOverflow();

    constructor(
        uint64 chainId_,
        uint256 maxBlockTxs_,
        uint256 maxBlockDeposits_,
        uint256 minTxFee_,
        KindExecutors memory kinds,
        IL1MessageRecords bridge_,
        ForcedTxDecoder decoder_
    ) {
        chainId = chainId_;
        maxBlockTxs = maxBlockTxs_;
        maxBlockDeposits = maxBlockDeposits_;
        minTxFee = minTxFee_;
        assets = kinds.assets;
        tokens = kinds.tokens;
        identity = kinds.identity;
        data = kinds.data;
        trade = kinds.trade;
        grants = kinds.grants;
        via = kinds.via;
        bridge = bridge_;
        decoder = decoder_;
    }

    /// Forced transactions run (every inclusion code, under the hash the TypeScript lists them),
    /// and every L1 message is checked against the bridge's record: true once a bridge and a decoder
    /// are named. A kind whose group is not built still reverts UnsupportedKind, forced or not.
    function supportsForcedTransactions() public view returns (bool) {
        return address(bridge) != address(0) && address(decoder) != address(0);
    }

    /// True iff this executor runs every step a block can need, so that no one-step dispute can
    /// stand only because the executor cannot settle it: each of the 30 transaction kinds runs
    /// (runsKind), and forced transactions run (forcedTransactions). FilverseDisputeGame moves
    /// bonds, and FilverseRollup takes the game, only when this is true (IExecutorCompleteness).
    function complete() external view returns (bool) {
        if (!forcedTransactions() || address(via) == address(0)) return false;
        for (uint256 i = 0; i < TX_KINDS.length; i++) {
            if (!runsKind(uint8(TX_KINDS[i]))) return false;
        }
        return true;
    }

    /// Whether a transaction of `kind` runs: the FIL kinds here, every other kind when its group's
    /// executor is set and says it runs it (IKindExecutor.runs). False for a number that is no kind.
    function runsKind(uint8 kind) public view returns (bool) {
        if (kind == KIND_TRANSFER || kind == KIND_WITHDRAW) return true;
        IKindExecutor g = _group(kind);
        if (address(g) == address(0)) return false;
        try g.runs(kind) returns (bool r) {
            return r;
        } catch {
            return false;
        }
    }

    /// Whether the L1-message step runs forced transactions and checks each message against the
    /// bridge's record (supportsForcedTransactions): what complete() asks.
    function forcedTransactions() public view returns (bool) {
        return supportsForcedTransactions();
    }

    /// @inheritdoc IOneStepExecutor
    function initialStepState(SszObjects.BlockHeader calldata parent, bytes32 objectsRoot)
        external
        view
        returns (bytes32)
    {
        bytes32 computed = StateProofs.stateRoot(objectsRoot, parent.withdrawalsRoot);
        if (computed != parent.stateRoot) revert StepStateMismatch(parent.stateRoot, computed);
        return stepStateRoot(
            StepState({
                objectsRoot: objectsRoot,
                withdrawalsRoot: parent.withdrawalsRoot,
                l1DepositNonce: parent.l1DepositNonce,
                items: 0,
                l1Messages: 0,
                receiptsRoot: emptyReceiptsRoot(),
                invalid: false
            })
        );
    }

    /// @inheritdoc IOneStepExecutor
    function executeStep(bytes32 pre, uint256 step, StepContext calldata ctx, bytes calldata proof)
        external
        view
        returns (bytes32)
    {
        (StepState memory s, SszObjects.BlockHeader memory header, uint8 stepKind, bytes memory data) =
            abi.decode(proof, (StepState, SszObjects.BlockHeader, uint8, bytes));
        bytes32 preRoot = stepStateRoot(s);
        if (preRoot != pre) revert StepStateMismatch(pre, preRoot);
        if (s.invalid) return pre;
        bytes32 h = SszObjects.blockHeaderRoot(header);
        if (h != ctx.blockHash) revert HeaderMismatch(ctx.blockHash, h);
        if ((step == 0) != (stepKind == BLOCK_START)) revert WrongStepKind(step, stepKind);

        if (stepKind == BLOCK_START) {
            (SszObjects.BlockHeader memory parent, bytes memory seal) =
                abi.decode(data, (SszObjects.BlockHeader, bytes));
            if (!_blockStartValid(header, parent, seal, ctx)) s.invalid = true;
        } else if (stepKind == L1_MESSAGE) {
            _l1Message(s, header, data);
        } else if (stepKind == TRANSACTION) {
            _transaction(s, header, data);
        } else if (stepKind == END_OF_BLOCK) {
            _endOfBlock(s, header, data);
        } else {
            revert WrongStepKind(step, stepKind);
        }
        return stepStateRoot(s);
    }

    /// @inheritdoc IOneStepExecutor
    function itemHash(bool l1Message, bytes calldata item) external view returns (bytes32) {
        if (l1Message) {
            (SszObjects.Deposit memory d, bool listedAsTx) = abi.decode(item, (SszObjects.Deposit, bool));
            if (!listedAsTx) return SszObjects.depositHash(d);
            Forced memory f = _forcedView(d.forcedTx, 0);
            if (!f.hasTxHash) revert NoTxHash();
            return f.txHash;
        }
        Transaction memory t = abi.decode(item, (Transaction));
        (, bytes32 digest,) = _prepare(t.kind, t.chainId, t.message);
        return Eip712Tx.txHash(digest, t.signature);
    }

    /// hash_tree_root(StepState): seven fields in a tree of eight leaves.
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

    /// hash_tree_root(List[Receipt, 69632]) of no receipts.
    function emptyReceiptsRoot() public view returns (bytes32) {
        return Ssz.mixInLength(Ssz.merkleize(new bytes32[](0), MAX_BLOCK_ITEMS), 0);
    }

    // --- block start ------------------------------------------------------------------------------

    /// assertBlockHeader of the TypeScript state machine: chain, number, timestamp and the sequencer's seal. The
    /// parent is header k − 1, whose hash the game has tied to header k's parentHash.
    function _blockStartValid(
        SszObjects.BlockHeader memory header,
        SszObjects.BlockHeader memory parent,
        bytes memory seal,
        StepContext calldata ctx
    ) private view returns (bool) {
        bytes32 parentHash = SszObjects.blockHeaderRoot(parent);
        if (parentHash != header.parentHash) revert ParentMismatch(header.parentHash, parentHash);
        if (header.chainId != chainId || header.chainId != parent.chainId) return false;
        if (header.number != uint256(parent.number) + 1) return false;
        if (header.timestamp < parent.timestamp) return false;
        bytes32 digest = Eip712Tx.signingDigest(
            header.chainId, keccak256(abi.encode(SEALED_BLOCK_TYPEHASH, header.number, ctx.blockHash))
        );
        address signer = _tryRecover(digest, seal);
        return signer != address(0) && signer == ctx.sequencer;
    }

    // --- L1 messages ------------------------------------------------------------------------------

    /// BlockExecutor.applyDeposit: a FIL deposit, or a forced transaction (applyForced). Every message
    /// must be the bridge's: its nonce, sender, recipient, amount and forced bytes against
    /// FilverseBridge.messageRecord, else the block is invalid (a fabricated or altered message).
    function _l1Message(StepState memory s, SszObjects.BlockHeader memory header, bytes memory data) private view {
        L1MessageStep memory m = abi.decode(data, (L1MessageStep));
        SszObjects.Deposit memory d = m.deposit;
        bytes32 hash = SszObjects.depositHash(d);
        Forced memory f;
        if (d.forcedTx.length > 0) f = _forcedView(d.forcedTx, header.chainId);
        // A FIL deposit, or a forced transaction that does not decode, has no tx hash to be listed under.
        if (m.listedAsTx && !f.hasTxHash) revert ItemNotInBlock(s.items);
        _checkItem(m.listedAsTx ? f.txHash : hash, s.items, m.item, header.txRoot);
        // An L1 message after a transaction: the block's items are out of order.
        if (s.l1Messages != s.items) {
            s.invalid = true;
            return;
        }
        StepObjects.Set memory objs = StepObjects.load(m.objects);
        SszObjects.Globals memory g = StepObjects.globals(objs);
        if (address(bridge) == address(0)) revert NoBridge();
        if (
            uint256(d.l1Nonce) != uint256(g.l1DepositNonce) + 1 // DEPOSIT_OUT_OF_ORDER
                || bridge.messageRecord(d.l1Nonce)
                    != keccak256(abi.encode(d.l1Nonce, d.from, d.to, d.amount, keccak256(d.forcedTx)))
        ) {
            s.invalid = true;
            return;
        }
        if (d.forcedTx.length > 0) {
            _forced(s, header, m, objs, g, f, hash);
            return;
        }
        if (d.amount > 0) {
            SszObjects.Account memory a = StepObjects.account(objs, d.to);
            unchecked {
                if (a.balance + d.amount < a.balance) revert DepositOverflow();
            }
            a.balance += d.amount;
            StepObjects.setAccount(objs, d.to, a);
        }
        unchecked {
            if (g.totalDeposited + d.amount < g.totalDeposited) revert DepositOverflow();
        }
        g.l1DepositNonce = d.l1Nonce;
        g.totalDeposited += d.amount;
        StepObjects.setGlobals(objs, g);

        s.objectsRoot = StepObjects.commit(objs, s.objectsRoot, new bytes32[](0), new bytes32[](0));
        _appendReceipt(
            s,
            SszObjects.Receipt({txHash: hash, kind: KIND_DEPOSIT, sender: d.to, status: 1, code: 0, feePaid: 0}),
            m.receiptSiblings
        );
        s.l1DepositNonce = d.l1Nonce;
        s.l1Messages += 1;
    }

    /// A forced transaction before the state: its stateless code, and its tx hash if it decodes.
    struct Forced {
        /// 0, or the first of TOO_LARGE, MALFORMED, WRONG_CHAIN, INVALID_FIELD, BAD_SIGNATURE,
        /// BAD_ORDER_SIGNATURE it breaks (parseTransactionBytes, then validateTransaction).
        uint16 code;
        bool hasTxHash;
        bytes32 txHash;
        TxView t;
    }

    /// Decode a forced transaction and run the stateless checks in the TypeScript's order: the bytes
    /// (TOO_LARGE, MALFORMED), the chain (WRONG_CHAIN), the fields (INVALID_FIELD, through the kind
    /// executor's `prepare`), the signature (BAD_SIGNATURE), then a trade's maker signature
    /// (BAD_ORDER_SIGNATURE) or a session grant's app signature (BAD_APP_SIGNATURE).
    function _forcedView(bytes memory forcedTx, uint64 blockChainId) private view returns (Forced memory f) {
        ForcedTxDecoder.Decoded memory x = decoder.decode(forcedTx);
        if (x.code != 0) {
            f.code = x.code;
            return f;
        }
        bool fieldsValid;
        bytes32 digest;
        (f.t, digest, fieldsValid) = _prepare(x.kind, x.chainId, x.message);
        f.hasTxHash = true;
        f.txHash = Eip712Tx.txHash(digest, x.signature);
        if (x.chainId != blockChainId) {
            f.code = WRONG_CHAIN;
            return f;
        }
        // A TradeFill's and a SessionGrant's `prepare` fold a second signature (the maker's, the app's)
        // into their field rules; `prepare` of kind | SECOND_SIGNATURE gives the rules without it, so
        // a transaction that keeps those failed on that signature, which the TypeScript checks after
        // the transaction's own.
        bool secondSignatureBad;
        uint8 kind = f.t.kind;
        if (!fieldsValid && (kind == KIND_TRADE_FILL || kind == KIND_SESSION_GRANT)) {
            (,,, secondSignatureBad) = f.t.group.prepare(kind | SECOND_SIGNATURE, x.chainId, f.t.message);
            // A Via naming neither a sponsor nor an account breaks a field rule of its own.
            secondSignatureBad = secondSignatureBad && (!f.t.via || f.t.sponsor != address(0) || f.t.account != address(0));
            fieldsValid = secondSignatureBad;
        }
        f.t.sender = _tryRecover(digest, x.signature);
        if (!fieldsValid || f.t.nonce > MAX_TX_NONCE) f.code = INVALID_FIELD;
        else if (f.t.sender == address(0)) f.code = BAD_SIGNATURE;
        else if (secondSignatureBad) f.code = kind == KIND_TRADE_FILL ? BAD_ORDER_SIGNATURE : BAD_APP_SIGNATURE;
    }

    /// applyForced once the message is the bridge's and the next: consume its nonce, then include the
    /// transaction; one that is not includable is consumed with a failed receipt under the deposit's
    /// hash (kind Deposit, no sender, its code) and changes nothing else. txRoot must list it under
    /// the hash that outcome gives, else the block is invalid.
    function _forced(
        StepState memory s,
        SszObjects.BlockHeader memory header,
        L1MessageStep memory m,
        StepObjects.Set memory objs,
        SszObjects.Globals memory g,
        Forced memory f,
        bytes32 depositHash
    ) private view {
        // BAD_L1_MESSAGE: the bridge never makes a forced transaction that carries value.
        if (m.deposit.amount != 0 || m.deposit.to != address(0)) {
            s.invalid = true;
            return;
        }
        g.l1DepositNonce = m.deposit.l1Nonce;
        StepObjects.setGlobals(objs, g);
        (bool[] memory markPresent, bytes[] memory markValues) = StepObjects.mark(objs);
        Included memory r;
        uint16 code = f.code;
        if (code == 0) {
            r = _include(objs, f.t, header);
            if (!r.includable) code = r.code;
        }
        bool includable = code == 0;
        if (includable != m.listedAsTx) {
            s.invalid = true;
            return;
        }
        SszObjects.Receipt memory receipt;
        if (includable) {
            s.objectsRoot = StepObjects.commit(objs, s.objectsRoot, r.hashBefore, r.hashAfter);
            if (f.t.kind == KIND_WITHDRAW && r.code == 0) _appendWithdrawal(s, f.t, r, m.withdrawalSiblings);
            receipt = SszObjects.Receipt({
                txHash: f.txHash,
                kind: f.t.kind,
                sender: f.t.sender,
                status: r.code == 0 ? 1 : 0,
                code: r.code,
                feePaid: f.t.fee
            });
        } else {
            StepObjects.revertTo(objs, markPresent, markValues);
            s.objectsRoot = StepObjects.commit(objs, s.objectsRoot, r.hashBefore, r.hashBefore);
            receipt = SszObjects.Receipt({
                txHash: depositHash,
                kind: KIND_DEPOSIT,
                sender: address(0),
                status: 0,
                code: code,
                feePaid: 0
            });
        }
        _appendReceipt(s, receipt, m.receiptSiblings);
        s.l1DepositNonce = m.deposit.l1Nonce;
        s.l1Messages += 1;
    }

    // --- transactions -----------------------------------------------------------------------------

    /// What a transaction step carries once its message is hashed: the kind's executor (none for
    /// the FIL kinds, which run here), its sender, nonce and fee.
    struct TxView {
        uint8 kind;
        IKindExecutor group;
        address sender;
        uint64 nonce;
        uint256 fee;
        bytes message;
        /// A FIL kind's message.
        Eip712Tx.Transfer fil;
        /// A Via transaction (kind byte 0x80 | kind): its sponsor and account.
        bool via;
        address sponsor;
        address account;
    }

    /// What including a transaction gave: includable false is not includable (the block is invalid).
    struct Included {
        bool includable;
        uint16 code;
        uint64 withdrawalIndex;
        /// The kind executor's valueHashes of the objects past Account (empty for the FIL kinds).
        bytes32[] hashBefore;
        bytes32[] hashAfter;
        /// Who the kind's rules ran as: the signer, or a Via transaction's account.
        address actor;
    }

    function _transaction(StepState memory s, SszObjects.BlockHeader memory header, bytes memory data) private view {
        TransactionStep memory d = abi.decode(data, (TransactionStep));
        (TxView memory t, bytes32 digest, bool fieldsValid) = _prepare(d.tx.kind, d.tx.chainId, d.tx.message);
        bytes32 hash = Eip712Tx.txHash(digest, d.tx.signature);
        _checkItem(hash, s.items, d.item, header.txRoot);

        // validateTransaction: the chain (WRONG_CHAIN), the field rules (INVALID_FIELD, including a
        // nonce past MAX_TX_NONCE) and the signature (BAD_SIGNATURE). Any of them makes the block invalid.
        t.sender = _tryRecover(digest, d.tx.signature);
        if (!fieldsValid || t.sender == address(0) || t.nonce > MAX_TX_NONCE || d.tx.chainId != header.chainId) {
            s.invalid = true;
            return;
        }
        StepObjects.Set memory objs = StepObjects.load(d.objects);
        Included memory r = _include(objs, t, header);
        if (!r.includable) {
            s.invalid = true;
            return;
        }
        s.objectsRoot = StepObjects.commit(objs, s.objectsRoot, r.hashBefore, r.hashAfter);
        if (t.kind == KIND_WITHDRAW && r.code == 0) _appendWithdrawal(s, t, r, d.withdrawalSiblings);
        uint16 code = r.code;
        _appendReceipt(
            s,
            SszObjects.Receipt({
                txHash: hash,
                kind: t.kind,
                sender: t.sender,
                status: code == 0 ? 1 : 0,
                code: code,
                feePaid: t.fee
            }),
            d.receiptSiblings
        );
    }

    /// A transaction's view from its message: the kind's executor, nonce and fee, its EIP-712 signing
    /// digest under its own chain, and whether its fields keep the field rules (INVALID_FIELD).
    function _prepare(uint8 kind, uint64 txChainId, bytes memory message)
        private
        view
        returns (TxView memory t, bytes32 digest, bool fieldsValid)
    {
        if (kind >= VIA) {
            // sponsor (20) ‖ account (20) ‖ K's message, as on the wire; K's hashStruct enters Via<Name>'s.
            // `message` becomes K's message in place: its length word moves 40 bytes on.
            if (message.length < 40) revert UnsupportedKind(kind);
            address sponsor;
            address account;
            assembly ("memory-safe") {
                let len := mload(message)
                sponsor := shr(96, mload(add(message, 0x20)))
                account := shr(96, mload(add(message, 0x34)))
                message := add(message, 40)
                mstore(message, sub(len, 40))
            }
            (t.sponsor, t.account, t.via) = (sponsor, account, true);
            kind -= VIA;
        }
        t.kind = kind;
        t.message = message;
        bytes32 structHash;
        if (kind == KIND_TRANSFER || kind == KIND_WITHDRAW) {
            // Transfer(to, amount, nonce, fee) and Withdraw(l1Recipient, amount, nonce, fee) share one layout.
            Eip712Tx.Transfer memory m = abi.decode(message, (Eip712Tx.Transfer));
            t.fil = m;
            structHash = kind == KIND_TRANSFER
                ? Eip712Tx.hashTransfer(m)
                : Eip712Tx.hashWithdraw(abi.decode(message, (Eip712Tx.Withdraw)));
            (t.nonce, t.fee) = (m.nonce, m.fee);
            // INVALID_FIELD: a zero recipient, a zero withdrawal.
            fieldsValid = m.to != address(0) && (kind == KIND_TRANSFER || m.amount > 0);
        } else {
            t.group = _groupOf(kind);
            (structHash, t.nonce, t.fee, fieldsValid) = t.group.prepare(kind, txChainId, message);
        }
        if (t.via) {
            structHash = via.structHash(kind, t.sponsor, t.account, structHash);
            // A Via names a sponsor or an account (INVALID_FIELD).
            if (t.sponsor == address(0) && t.account == address(0)) fieldsValid = false;
        }
        digest = Eip712Tx.signingDigest(txChainId, structHash);
    }

    /// A Withdraw's leaf appended at its index.
    function _appendWithdrawal(StepState memory s, TxView memory t, Included memory r, bytes32[] memory siblings)
        private
        view
    {
        s.withdrawalsRoot = StateProofs.appendWithdrawal(
            s.withdrawalsRoot,
            r.withdrawalIndex,
            StateProofs.withdrawalLeaf(r.withdrawalIndex, r.actor, t.fil.to, t.fil.amount),
            siblings
        );
    }

    /// The executor of a kind's group, or UnsupportedKind when its group is not built.
    function _groupOf(uint8 kind) private view returns (IKindExecutor g) {
        g = _group(kind);
        if (address(g) == address(0)) revert UnsupportedKind(kind);
    }

    /// The executor of a kind's group; address(0) for no group.
    function _group(uint8 kind) private view returns (IKindExecutor g) {
        if (kind >= 10 && kind <= 17) g = assets;
        else if (kind >= 20 && kind <= 23) g = tokens;
        else if (kind >= 30 && kind <= 36) g = identity;
        else if (kind >= 40 && kind <= 42) g = data;
        else if (kind == 50 || kind == 51) g = trade;
        else if (kind >= 60 && kind <= 63) g = grants;
    }

    /// BlockExecutor.includeTransaction: checkIncludable (NONCE_TOO_LOW, NONCE_TOO_HIGH, FEE_TOO_LOW,
    /// INSUFFICIENT_FUNDS_FOR_FEE), the fee to the proposer and the nonce, then the kind's rules,
    /// rolled back if they fail. Returns includable false if the transaction is not includable, with
    /// the code why (EXECUTION_FAULT for a value past its SSZ type, the proposer's balance included:
    /// the TypeScript runs the kind's rules before it finds that, so they run here too), else its
    /// execution code, for a Withdraw the index of its withdrawal, and the kind executor's
    /// valueHashes (empty for FIL kinds; before and after equal when the rules failed).
    function _include(StepObjects.Set memory objs, TxView memory t, SszObjects.BlockHeader memory header)
        private
        view
        returns (Included memory r)
    {
        if (t.via) return _viaInclude(objs, t, header);
        r.actor = t.sender;
        SszObjects.Account memory acc = StepObjects.account(objs, t.sender);
        if (t.nonce < acc.nonce) r.code = NONCE_TOO_LOW;
        else if (t.nonce > acc.nonce) r.code = NONCE_TOO_HIGH;
        else if (t.fee < minTxFee) r.code = FEE_TOO_LOW;
        else if (acc.balance < t.fee) r.code = INSUFFICIENT_FUNDS_FOR_FEE;
        if (r.code != 0) return r;
        StepObjects.setAccount(objs, t.sender, SszObjects.Account({balance: acc.balance - t.fee, nonce: t.nonce + 1}));
        bool feeCredited = _credit(objs, header.proposer, t.fee);
        (bool[] memory markPresent, bytes[] memory markValues) = StepObjects.mark(objs);
        if (address(t.group) == address(0)) {
            (r.includable, r.code, r.withdrawalIndex) =
                t.kind == KIND_TRANSFER ? _transfer(objs, t.sender, t.fil) : _withdraw(objs, t.sender, t.fil);
        } else {
            IKindExecutor.Result memory k = t.group.execute(_kindCall(objs, t, header));
            (r.includable, r.code, r.hashBefore) = (k.includable, k.code, k.hashBefore);
            if (k.includable && k.code == 0) {
                objs.present = k.present;
                objs.values = k.values;
                r.hashAfter = k.hashAfter;
            } else {
                // Nothing of a failed kind's rules stays: the objects past Account keep their values.
                r.hashAfter = k.hashBefore;
            }
        }
        if (!feeCredited) r.includable = false;
        if (!r.includable) r.code = EXECUTION_FAULT;
        else if (r.code != 0) StepObjects.revertTo(objs, markPresent, markValues);
    }

    /// A Via transaction, whole in ViaExecutor (its checks, its fee payer, the kind's rules as the actor).
    function _viaInclude(StepObjects.Set memory objs, TxView memory t, SszObjects.BlockHeader memory header)
        private
        view
        returns (Included memory r)
    {
        (IKindExecutor.Result memory k, address actor, uint64 withdrawalIndex) = via.include(
            _kindCall(objs, t, header),
            t.sponsor,
            t.account,
            t.nonce,
            t.fee,
            minTxFee,
            header.proposer,
            t.group
        );
        (r.includable, r.code, r.withdrawalIndex, r.actor) = (k.includable, k.code, withdrawalIndex, actor);
        (r.hashBefore, r.hashAfter) = (k.hashBefore, k.hashAfter);
        if (k.includable) (objs.present, objs.values) = (k.present, k.values);
    }

    /// What a kind executor (or ViaExecutor) gets: the transaction as its signer sent it, the block's
    /// chain and clock, the step's objects.
    function _kindCall(StepObjects.Set memory objs, TxView memory t, SszObjects.BlockHeader memory header)
        private
        pure
        returns (IKindExecutor.Call memory)
    {
        return IKindExecutor.Call({
            kind: t.kind,
            chainId: header.chainId,
            message: t.message,
            sender: t.sender,
            signer: t.sender,
            timestamp: header.timestamp,
            objects: _kindObjects(objs)
        });
    }

    /// The step's objects as a kind executor reads them.
    function _kindObjects(StepObjects.Set memory objs) private pure returns (IKindExecutor.Obj[] memory o) {
        uint256 n = objs.keys.length;
        o = new IKindExecutor.Obj[](n);
        for (uint256 i = 0; i < n; i++) {
            o[i] = IKindExecutor.Obj({
                ns: objs.proofs[i].ns,
                key: objs.keys[i],
                present: objs.present[i],
                value: objs.values[i]
            });
        }
    }

    /// fil.transfer: debit the sender, credit `to`. Returns ok false on a fault, else the code.
    function _transfer(StepObjects.Set memory objs, address sender, Eip712Tx.Transfer memory m)
        private
        pure
        returns (bool, uint16, uint64)
    {
        if (!_debit(objs, sender, m.amount)) return (true, INSUFFICIENT_BALANCE, 0);
        if (!_credit(objs, m.to, m.amount)) return (false, 0, 0);
        return (true, 0, 0);
    }

    /// fil.withdraw: WITHDRAWALS_FULL, debit the sender, count the withdrawal in the globals. The
    /// caller appends it to the withdrawals tree once the rules passed.
    function _withdraw(StepObjects.Set memory objs, address sender, Eip712Tx.Transfer memory m)
        private
        pure
        returns (bool, uint16, uint64)
    {
        SszObjects.Globals memory g = StepObjects.globals(objs);
        if (g.withdrawalCount >= MAX_WITHDRAWALS) return (true, WITHDRAWALS_FULL, 0);
        if (!_debit(objs, sender, m.amount)) return (true, INSUFFICIENT_BALANCE, 0);
        uint64 index = g.withdrawalCount;
        unchecked {
            if (g.totalWithdrawn + m.amount < g.totalWithdrawn) return (false, 0, 0);
        }
        g.withdrawalCount = index + 1;
        g.totalWithdrawn += m.amount;
        StepObjects.setGlobals(objs, g);
        return (true, 0, index);
    }

    /// WorkingState.debit: false if the balance is short; nothing written for zero.
    function _debit(StepObjects.Set memory objs, address from, uint256 amount) private pure returns (bool) {
        SszObjects.Account memory a = StepObjects.account(objs, from);
        if (a.balance < amount) return false;
        if (amount == 0) return true;
        StepObjects.setAccount(objs, from, SszObjects.Account({balance: a.balance - amount, nonce: a.nonce}));
        return true;
    }

    /// WorkingState.credit: nothing (not even a read) for zero; false if the balance would pass uint256.
    function _credit(StepObjects.Set memory objs, address to, uint256 amount) private pure returns (bool) {
        if (amount == 0) return true;
        SszObjects.Account memory a = StepObjects.account(objs, to);
        unchecked {
            if (a.balance + amount < a.balance) return false;
        }
        StepObjects.setAccount(objs, to, SszObjects.Account({balance: a.balance + amount, nonce: a.nonce}));
        return true;
    }

    // --- end of block -----------------------------------------------------------------------------

    /// The block's limits, then every result against the header. A mismatch makes the block invalid.
    function _endOfBlock(StepState memory s, SszObjects.BlockHeader memory header, bytes memory data) private view {
        (bytes32 txDataRoot, uint64 count) = abi.decode(data, (bytes32, uint64));
        if (Ssz.mixInLength(txDataRoot, count) != header.txRoot) revert ItemNotInBlock(count);
        if (count != s.items) revert NotEndOfBlock(s.items, count);
        if (
            s.l1Messages > maxBlockDeposits || s.items - s.l1Messages > maxBlockTxs
                || s.receiptsRoot != header.receiptsRoot
                || StateProofs.stateRoot(s.objectsRoot, s.withdrawalsRoot) != header.stateRoot
                || s.withdrawalsRoot != header.withdrawalsRoot || s.l1DepositNonce != header.l1DepositNonce
        ) s.invalid = true;
    }

    // --- shared -----------------------------------------------------------------------------------

    function _checkItem(bytes32 hash, uint64 index, ItemProof memory item, bytes32 txRoot) private view {
        if (Ssz.listRootFromItem(hash, index, item.count, MAX_BLOCK_ITEMS, item.siblings) != txRoot) {
            revert ItemNotInBlock(index);
        }
    }

    function _appendReceipt(StepState memory s, SszObjects.Receipt memory r, bytes32[] memory siblings)
        private
        view
    {
        s.receiptsRoot = Ssz.listAppend(s.receiptsRoot, s.items, MAX_BLOCK_ITEMS, SszObjects.receiptRoot(r), siblings);
        s.items += 1;
    }

    /// Eip712Tx.recoverSigner without the reverts: address(0) for any signature the TypeScript refuses
    /// (not 65 bytes, v ∉ {27, 28}, high s, r or s out of range).
    function _tryRecover(bytes32 digest, bytes memory signature) private pure returns (address) {
        if (signature.length != 65) return address(0);
        bytes32 r;
        bytes32 sv;
        uint8 v;
        assembly ("memory-safe") {
            r := mload(add(signature, 0x20))
            sv := mload(add(signature, 0x40))
            v := byte(0, mload(add(signature, 0x60)))
        }
        if (uint256(sv) > Eip712Tx.HALF_N || (v != 27 && v != 28)) return address(0);
        return ecrecover(digest, v, r, sv);
    }
}
