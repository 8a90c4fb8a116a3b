// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IDealActivationSource
/// @notice Where a deal client reads a published deal's activation: the market actor's
///         GetDealActivation (FRC-42 "GetDealActivation") in EVM form.
/// @dev    On the devnet DevnetMarket implements it. On Filecoin it needs an adapter contract that
///         calls the market actor (f05) through the FEVM call-actor precompile and turns its
///         EX_DEAL_EXPIRED exit code into DealExpired; that adapter is not written yet.
interface IDealActivationSource {
    /// The deal is gone from the market: it ended, was terminated, or was not activated by its start
    /// epoch (the market actor's EX_DEAL_EXPIRED).
    error DealExpired(uint64 dealId);

    /// The market actor's answer for a published deal: the epoch it was activated at, or -1; the
    /// epoch it was terminated at, or -1. Reverts DealExpired once the deal is gone.
    function getDealActivation(uint64 dealId) external view returns (int64 activated, int64 terminated);
}
