// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SszObjects} from "./SszObjects.sol";

/// @title IOneStepExecutor
/// @notice What the fault-proof game calls at the bottom of level 2 (docs/fault-proofs.md): execute
///         step `step` of one block from the agreed commitment T[step] and return T[step + 1]. The
///         game compares the result with the two claims; the executor knows nothing of the game.
/// @dev    A commitment is hash_tree_root(StepState) (docs/fault-proofs.md, "What each side commits
///         to"). `proof` carries the pre-StepState, header k and the inputs of the step, ABI-encoded
///         as OneStepExecutor documents. A proof that does not check (wrong pre-state, header, item,
///         object or receipt proof) reverts; so does a step the executor cannot execute yet, with a
///         typed error. It never returns a commitment it did not compute from a checked proof.
interface IOneStepExecutor {
    /// The block the step runs in, fixed by the game before level 2.
    struct StepContext {
        /// hash_tree_root(BlockHeader) of block k, proven against the checkpoint's blockHashesRoot.
        bytes32 blockHash;
        /// The sequencer whose seal block k must carry (checked by the block-start step).
        address sequencer;
    }

    /// T[0]: the StepState that header k − 1 commits to. `objectsRoot` is the half of its stateRoot
    /// the header does not carry; reverts unless sha256(objectsRoot ‖ parent.withdrawalsRoot) is
    /// parent.stateRoot.
    function initialStepState(SszObjects.BlockHeader calldata parent, bytes32 objectsRoot)
        external
        view
        returns (bytes32);

    /// T[step + 1] from T[step] = `pre`. Step 0 is the block start; every later step is the item at
    /// index `items` of the pre-state, or the end of the block once every item is done. After the end
    /// of the block, and once a step has set `invalid`, a step leaves the commitment unchanged.
    function executeStep(bytes32 pre, uint256 step, StepContext calldata ctx, bytes calldata proof)
        external
        view
        returns (bytes32 post);

    /// The hash under which header k's txRoot lists an item, computed as the step that runs the item
    /// computes it, from the item in the form that step's proof carries it: an L1 message
    /// (`l1Message`) is abi.encode(SszObjects.Deposit, bool listedAsTx), its deposit's hash or, listed
    /// as a transaction, its forced transaction's tx hash; a transaction is the executor's signed
    /// transaction, ABI-encoded, and its tx hash. The game checks a revealed item with it, so that
    /// any item it accepts is one a step can run. Reverts on an item that has no such hash.
    function itemHash(bool l1Message, bytes calldata item) external view returns (bytes32);
}
