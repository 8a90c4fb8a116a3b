// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SszObjects} from "./SszObjects.sol";

/// Exposes the SSZ roots of the fee allowance and session grant objects for the differential tests;
/// tests only, never deployed by the rollup.
contract GrantsHarness {
    function feeAllowanceRoot(SszObjects.FeeAllowance memory v) external view returns (bytes32) {
        return SszObjects.feeAllowanceRoot(v);
    }

    function sessionGrantRecordRoot(SszObjects.SessionGrantRecord memory v) external view returns (bytes32) {
        return SszObjects.sessionGrantRecordRoot(v);
    }
}
