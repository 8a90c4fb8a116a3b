// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IKindExecutor} from "./IKindExecutor.sol";
import {OneStepExecutor} from "./OneStepExecutor.sol";

/// A kind executor that answers `runs` with a fixed set of kinds and executes nothing, for the test of
/// OneStepExecutor.complete(). Tests only.
contract KindExecutorRunsMock is IKindExecutor {
    mapping(uint8 => bool) private running;

    constructor(uint8[] memory kinds) {
        for (uint256 i = 0; i < kinds.length; i++) running[kinds[i]] = true;
    }

    function runs(uint8 kind) external view returns (bool) {
        return running[kind];
    }

    function prepare(uint8 kind, uint64, bytes calldata) external pure returns (bytes32, uint64, uint256, bool) {
        revert UnsupportedKind(kind);
    }

    function execute(Call calldata c) external pure returns (Result memory) {
        revert UnsupportedKind(c.kind);
    }
}

/// A kind executor without `runs` (one written before it): complete() must read it as not running. Tests only.
contract KindExecutorWithoutRuns {
    function prepare(uint8, uint64, bytes calldata) external pure returns (bytes32, uint64, uint256, bool) {
        revert();
    }
}

/// OneStepExecutor as it will be once its L1-message step runs forced transactions. Tests only.
contract OneStepExecutorForcedOn is OneStepExecutor {
    constructor(uint64 chainId_, KindExecutors memory kinds) OneStepExecutor(chainId_, 10_000, 1_000, 0, kinds) {}

    function forcedTransactions() public pure override returns (bool) {
        return true;
    }
}
