// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {FilecoinDeal} from "./FilecoinDeal.sol";
import {IDealActivationSource} from "./IDealActivationSource.sol";

/// The entry point a contract client exposes to Filecoin's built-in actors.
interface IFilecoinMethodHandler {
    function handle_filecoin_method(uint64 method, uint64 codec, bytes calldata params)
        external
        returns (uint32 exitCode, uint64 retCodec, bytes memory ret);
}

/// @title DevnetMarket
/// @notice DEVNET ONLY. Stands in for the part of Filecoin's storage market actor (f05) that a
///         contract deal client meets, on a plain EVM that has no built-in actors.
/// @dev    What it does like the market actor's PublishStorageDeals: decodes the CBOR DealProposal,
///         checks the label length, piece size, piece CID, epochs and that the start epoch has not
///         passed; calls the client's handle_filecoin_method(AuthenticateMessage) read-only (here a
///         STATICCALL) and requires CBOR true; rewrites client and provider to ID addresses; refuses a
///         duplicate; gives the next deal id; calls MarketNotifyDeal with the normalised proposal
///         (a failure reverts the publish). Activation must come by the start epoch; the deal ends at
///         its end epoch; getDealActivation answers like the actor's GetDealActivation.
///         What it does not do: escrow, payments and collateral; datacap and verified allocations;
///         sectors and proofs (the provider simply calls activateDeal); termination; batches; the
///         duration, price and collateral bounds; cron clean-up (expiry is computed from the epoch).
///         Clients must be contracts with f410 addresses, and the provider is the caller's f410
///         address. ID addresses are assigned on first sight, from 1000.
contract DevnetMarket is IDealActivationSource {
    struct Deal {
        address client;
        address provider;
        uint64 pieceSize;
        int64 startEpoch;
        int64 endEpoch;
        /// -1 until activated.
        int64 activatedEpoch;
        /// keccak256 of the normalised CBOR proposal (what MarketNotifyDeal carried).
        bytes32 proposalHash;
        bytes pieceCid;
    }

    uint64 public constant FIRST_ACTOR_ID = 1000;

    /// The next deal id; the first deal is 0, as on a fresh Filecoin network.
    uint64 public nextDealId;
    uint64 public nextActorId = FIRST_ACTOR_ID;
    mapping(address => uint64) public actorIdOf;
    mapping(uint64 => Deal) private deals;
    mapping(bytes32 => bool) public isPublished;

    event DealPublished(uint64 indexed dealId, address indexed client, address indexed provider);
    event DealActivated(uint64 indexed dealId, address indexed client, address indexed provider, int64 activatedEpoch);

    error InvalidLabel(uint256 length);
    error InvalidPieceSize(uint64 pieceSize);
    error InvalidPieceCid();
    error InvalidEpochs(int64 startEpoch, int64 endEpoch);
    error StartEpochPassed(int64 startEpoch, uint256 currentEpoch);
    error ClientNotContract(bytes client);
    error ProviderMismatch(bytes provider, address caller);
    error AuthenticationFailed(bytes reason);
    error NotifyFailed(bytes reason);
    error DuplicateDeal(bytes32 proposalHash);
    error NoSuchDeal(uint64 dealId);
    error NotProvider(uint64 dealId, address caller);
    error AlreadyActivated(uint64 dealId, int64 activatedEpoch);

    /// Publish one deal, as the storage provider's PublishStorageDeals would. `clientSignature` is
    /// passed to AuthenticateMessage as is (a contract client ignores it; Boost sends 0xdead).
    function publishDeal(bytes calldata proposal, bytes calldata clientSignature) external returns (uint64 dealId) {
        FilecoinDeal.DealProposal memory p = FilecoinDeal.decodeDealProposal(proposal);
        uint256 labelLength = bytes(p.label).length;
        if (labelLength > FilecoinDeal.MAX_LABEL_BYTES) revert InvalidLabel(labelLength);
        if (!FilecoinDeal.isValidPieceSize(p.pieceSize)) revert InvalidPieceSize(p.pieceSize);
        if (!FilecoinDeal.isPieceCidV1(p.pieceCid)) revert InvalidPieceCid();
        if (p.endEpoch <= p.startEpoch) revert InvalidEpochs(p.startEpoch, p.endEpoch);
        if (int256(block.number) > int256(p.startEpoch)) revert StartEpochPassed(p.startEpoch, block.number);
        (bool isF410, address client) = FilecoinDeal.ethAddressOf(p.client);
        if (!isF410 || client.code.length == 0) revert ClientNotContract(p.client);
        if (keccak256(p.provider) != keccak256(FilecoinDeal.delegatedAddress(msg.sender))) {
            revert ProviderMismatch(p.provider, msg.sender);
        }

        authenticate(client, proposal, clientSignature);

        p.client = FilecoinDeal.idAddress(resolve(client));
        p.provider = FilecoinDeal.idAddress(resolve(msg.sender));
        bytes memory normalised = FilecoinDeal.encodeDealProposal(p);
        bytes32 proposalHash = keccak256(normalised);
        if (isPublished[proposalHash]) revert DuplicateDeal(proposalHash);
        isPublished[proposalHash] = true;

        dealId = nextDealId++;
        deals[dealId] = Deal({
            client: client,
            provider: msg.sender,
            pieceSize: p.pieceSize,
            startEpoch: p.startEpoch,
            endEpoch: p.endEpoch,
            activatedEpoch: -1,
            proposalHash: proposalHash,
            pieceCid: p.pieceCid
        });

        (bool ok, bytes memory ret) = client.call(
            abi.encodeCall(
                IFilecoinMethodHandler.handle_filecoin_method,
                (
                    FilecoinDeal.MARKET_NOTIFY_DEAL_METHOD,
                    FilecoinDeal.CODEC_CBOR,
                    FilecoinDeal.encodeMarketNotifyDealParams(normalised, dealId)
                )
            )
        );
        if (!ok || exitCodeOf(ret) != 0) revert NotifyFailed(ret);
        emit DealPublished(dealId, client, msg.sender);
    }

    /// The provider has sealed and proven the deal's data: the deal is active from this epoch.
    /// Allowed until the start epoch, like the market actor's activation.
    function activateDeal(uint64 dealId) external {
        Deal storage d = deal(dealId);
        if (msg.sender != d.provider) revert NotProvider(dealId, msg.sender);
        if (d.activatedEpoch >= 0) revert AlreadyActivated(dealId, d.activatedEpoch);
        if (int256(block.number) > int256(d.startEpoch)) revert StartEpochPassed(d.startEpoch, block.number);
        d.activatedEpoch = int64(uint64(block.number));
        emit DealActivated(dealId, d.client, d.provider, d.activatedEpoch);
    }

    /// Like GetDealActivation: (activated or -1, -1) while the deal lives; DealExpired once it ended
    /// or missed its start epoch unactivated; NoSuchDeal for an id never given.
    function getDealActivation(uint64 dealId) external view returns (int64 activated, int64 terminated) {
        Deal storage d = deal(dealId);
        int256 epoch = int256(block.number);
        if (epoch >= int256(d.endEpoch) || (d.activatedEpoch < 0 && epoch > int256(d.startEpoch))) {
            revert DealExpired(dealId);
        }
        return (d.activatedEpoch, -1);
    }

    /// The stored deal (devnet only; the real actor exposes its parts through separate methods).
    function getDeal(uint64 dealId) external view returns (Deal memory) {
        return deal(dealId);
    }

    function deal(uint64 dealId) private view returns (Deal storage) {
        if (dealId >= nextDealId) revert NoSuchDeal(dealId);
        return deals[dealId];
    }

    /// AuthenticateMessage is sent read-only: a STATICCALL makes any state change by the client fail.
    function authenticate(address client, bytes calldata proposal, bytes calldata signature) private view {
        (bool ok, bytes memory ret) = client.staticcall(
            abi.encodeCall(
                IFilecoinMethodHandler.handle_filecoin_method,
                (
                    FilecoinDeal.AUTHENTICATE_MESSAGE_METHOD,
                    FilecoinDeal.CODEC_CBOR,
                    FilecoinDeal.encodeAuthenticateMessageParams(signature, proposal)
                )
            )
        );
        if (!ok || exitCodeOf(ret) != 0) revert AuthenticationFailed(ret);
        (,, bytes memory value) = abi.decode(ret, (uint32, uint64, bytes));
        // The return must be the CBOR value true (0xf5).
        if (value.length != 1 || value[0] != 0xf5) revert AuthenticationFailed(ret);
    }

    function resolve(address account) private returns (uint64 id) {
        id = actorIdOf[account];
        if (id == 0) {
            id = nextActorId++;
            actorIdOf[account] = id;
        }
    }

    /// The exit code of a handle_filecoin_method return; a malformed return counts as a failure.
    function exitCodeOf(bytes memory ret) private pure returns (uint256 exitCode) {
        if (ret.length < 96) return type(uint256).max;
        assembly ("memory-safe") {
            exitCode := mload(add(ret, 32))
        }
    }
}
