// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IDisputedCheckpoints, IExecutorCompleteness} from "./FilverseDisputeGame.sol";
import {IOneStepExecutor} from "./IOneStepExecutor.sol";
import {SszObjects} from "./SszObjects.sol";

/// Stands in for FilverseRollup in the game's tests: checkpoints set by the test, and a record of
/// the faults the game reports. Tests only.
contract MockCheckpoints is IDisputedCheckpoints {
    uint64 public challengeWindow;
    address public sequencer = address(0x5e);
    mapping(uint64 => DisputedCheckpoint) private entries;
    uint256 public faults;
    uint64 public lastFaultIndex;
    bytes32 public lastFaultDigest;
    uint64 public lastFaultBlock;
    bytes32 public lastFaultBlockHash;
    address public lastFaultChallenger;

    constructor(uint64 window) {
        challengeWindow = window;
    }

    function setSequencer(address s) external {
        sequencer = s;
    }

    /// Accepted now; acceptedAt is overwritten.
    function setCheckpoint(uint64 index, DisputedCheckpoint calldata cp) external {
        entries[index] = cp;
        entries[index].acceptedAt = uint64(block.timestamp);
    }

    function disputableCheckpoint(uint64 index) external view returns (DisputedCheckpoint memory) {
        return entries[index];
    }

    function onFaultProven(uint64 index, bytes32 digest, uint64 blockNumber, bytes32 blockHash, address challenger)
        external
    {
        faults += 1;
        lastFaultIndex = index;
        lastFaultDigest = digest;
        lastFaultBlock = blockNumber;
        lastFaultBlockHash = blockHash;
        lastFaultChallenger = challenger;
    }
}

/// A one-step executor that knows one trace: next[pre] is the state after a step from `pre`. A
/// pre-state it does not know has no proof (it reverts), like a fabricated state. It declares itself
/// complete unless told otherwise. Tests only.
contract MockOneStepExecutor is IOneStepExecutor, IExecutorCompleteness {
    error NoProof(bytes32 preState);

    mapping(bytes32 => bytes32) public next;
    bool public complete;
    /// What FilverseRollup.setDisputeGame checks of an executor: its bridge and its L2 chain.
    address public bridge;
    uint64 public chainId;

    constructor(bool complete_, address bridge_, uint64 chainId_) {
        complete = complete_;
        bridge = bridge_;
        chainId = chainId_;
    }

    function setTrace(bytes32[] calldata states) external {
        for (uint256 i = 0; i + 1 < states.length; i++) next[states[i]] = states[i + 1];
    }

    function initialStepState(SszObjects.BlockHeader calldata, bytes32) external pure returns (bytes32) {
        return bytes32(0);
    }

    /// Stands in for the executor's item hash: keccak256 of the item's bytes.
    function itemHash(bool, bytes calldata item) external pure returns (bytes32) {
        return keccak256(item);
    }

    function executeStep(bytes32 preState, uint256, StepContext calldata, bytes calldata)
        external
        view
        returns (bytes32 post)
    {
        post = next[preState];
        if (post == bytes32(0)) revert NoProof(preState);
    }
}

/// Passes a call on to `target`: a move sent through another contract (a multisig, a smart wallet),
/// so the transaction's calldata is not the game's. Tests only.
contract Forwarder {
    function forward(address target, bytes calldata data) external payable returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(result, 32), mload(result))
            }
        }
    }
}
