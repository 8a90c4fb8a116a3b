// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IKindExecutor
/// @notice The rules of one group of transaction kinds, for OneStepExecutor (docs/fault-proofs.md,
///         "The one-step executor as built"). OneStepExecutor keeps what every transaction shares:
///         the item in txRoot, the signature, the chain, the nonce and the fee, the rollback of a
///         failed kind, the object proofs and the receipt. A kind executor holds what differs per
///         kind: the message's struct hash and field rules, and the kind's rules over the step's
///         objects. It is split out for room: EIP-170 caps a contract at 24,576 bytes.
/// @dev    Kind executors are fixed, trusted code, named in OneStepExecutor's constructor. A kind a
///         group does not execute reverts UnsupportedKind(kind).
interface IKindExecutor {
    /// One object of the step with its current value: abi.encode of its SszObjects struct (or of
    /// the one field of a one-field container).
    struct Obj {
        uint8 ns;
        bytes32 key;
        bool present;
        bytes value;
    }

    /// What a kind's rules see of the transaction and the block.
    struct Call {
        uint8 kind;
        /// The transaction's chain id (the header's: a transaction of another chain is refused first).
        uint64 chainId;
        bytes message;
        /// Who the rules run as: the signer, or a Via transaction's account (the actor).
        address sender;
        /// The recovered signer, whose nonce the transaction carries (equal to sender but in a session
        /// transaction): ids derived from the nonce derive from it.
        address signer;
        /// The block's timestamp, the clock of every expiry.
        uint64 timestamp;
        /// The step's objects after the fee and the nonce, in key order.
        Obj[] objects;
    }

    /// The kind's rules ran: `includable` false is EXECUTION_FAULT (a written object out of its
    /// schema bounds); else `code` (0 or an execution code 1000–1505). For each object, in the
    /// order given: its value after the rules, and for the namespaces past Account (0x02–0x0d) the
    /// valueHash of its value before and after (zero when absent). Globals and Account hashes are
    /// left zero: OneStepExecutor computes them.
    struct Result {
        bool includable;
        uint16 code;
        bool[] present;
        bytes[] values;
        bytes32[] hashBefore;
        bytes32[] hashAfter;
    }

    error UnsupportedKind(uint8 kind);

    /// The message's EIP-712 hashStruct, its nonce and fee, and whether its fields keep the field
    /// rules of docs/protocol.md that Solidity's types do not (INVALID_FIELD, MALFORMED): string
    /// bounds and UTF-8, uint64 at most 2^53 − 1, nonzero recipients, positive amounts; for a trade
    /// also its maker's signature under `chainId` (BAD_ORDER_SIGNATURE).
    ///      A kind with a second signature (TradeFill: the maker's; SessionGrant: the app's) answers
    ///      kind | 0x40 too: fieldsValid is then its field rules without that signature, so that a
    ///      forced transaction's code can tell INVALID_FIELD from BAD_ORDER_SIGNATURE / BAD_APP_SIGNATURE.
    function prepare(uint8 kind, uint64 chainId, bytes calldata message)
        external
        pure
        returns (bytes32 structHash, uint64 nonce, uint256 fee, bool fieldsValid);

    /// The kind's rules (packages/state/src/execution) over the step's objects.
    function execute(Call calldata c) external view returns (Result memory);

    /// True iff this group executes `kind`, with every field rule and execution code of the
    /// TypeScript state machine (packages/state): prepare and execute never revert UnsupportedKind for it.
    /// OneStepExecutor.complete() asks every group about each of its kinds.
    function runs(uint8 kind) external view returns (bool);
}
