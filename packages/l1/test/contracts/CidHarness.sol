// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Cid} from "./Cid.sol";

/// Exposes Cid for its differential test; tests only, never deployed by the rollup.
contract CidHarness {
    function isCid(bytes memory s) external pure returns (bool) {
        return Cid.isCid(s);
    }

    function isPieceCid(bytes memory s) external pure returns (bool) {
        return Cid.isPieceCid(s);
    }

    /// Both rules for many strings in one call.
    function check(bytes[] memory strings) external pure returns (bool[] memory cid, bool[] memory piece) {
        cid = new bool[](strings.length);
        piece = new bool[](strings.length);
        for (uint256 i = 0; i < strings.length; i++) {
            cid[i] = Cid.isCid(strings[i]);
            piece[i] = Cid.isPieceCid(strings[i]);
        }
    }
}
