// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Cbor} from "./Cbor.sol";
import {FilecoinDeal} from "./FilecoinDeal.sol";
import {IDealActivationSource} from "./IDealActivationSource.sol";

/// @title FilverseDealClient
/// @notice The Filverse node's storage-deal client on Filecoin's FVM, compatible with the fevm
///         DealClient that Boost's contract-deal monitor watches: the node proposes a deal for a batch
///         piece, `DealProposalCreate` announces it, a storage provider reads `getDealProposal` and
///         `getExtraParams`, publishes the deal through the market actor, and the market calls back
///         `handle_filecoin_method` (AuthenticateMessage, then MarketNotifyDeal with the deal id).
/// @dev    A proposal's id is keccak256 of its CBOR DealProposal as getDealProposal returns it (client
///         = this contract's f410 address, provider = f00). A storage provider publishes the same
///         terms with its own provider address, and the market rewrites both addresses to ID form
///         before MarketNotifyDeal, so the client recognises a proposal by re-encoding the terms with
///         those two fields reset and hashing again: every other field must match exactly.
///         Epochs are block numbers (on Filecoin, block.number is the chain epoch).
contract FilverseDealClient {
    /// What the node asks for. Field names and order follow the fevm DealClient's DealRequest.
    struct DealRequest {
        /// The v1 piece CID (baga…) in binary form, as the market actor requires.
        bytes piece_cid;
        /// The padded piece size: a power of two, at least 128.
        uint64 piece_size;
        bool verified_deal;
        /// The payload (CAR root) CID as a string: Boost parses the label as the deal's data root.
        string label;
        int64 start_epoch;
        int64 end_epoch;
        uint256 storage_price_per_epoch;
        uint256 provider_collateral;
        uint256 client_collateral;
        /// Must be 1: extra_params is ExtraParamsV1.
        uint64 extra_params_version;
        ExtraParamsV1 extra_params;
    }

    /// Off-chain instructions for the storage provider (Boost's ContractParamsVersion1).
    struct ExtraParamsV1 {
        /// Where the provider fetches the CAR: the node's GET /piece/{pieceCid} URL.
        string location_ref;
        /// The CAR's size in bytes.
        uint64 car_size;
        bool skip_ipni_announce;
        bool remove_unsealed_copy;
    }

    /// Proposed: announced, not published. Published: the market holds it (a deal id), not activated
    /// yet. Active: in a proven sector, before its end epoch. Expired: can no longer be or stay
    /// stored (not published or activated by its start epoch, ended, or terminated).
    enum DealStatus {
        None,
        Proposed,
        Published,
        Active,
        Expired
    }

    struct DealState {
        DealStatus status;
        /// Set by MarketNotifyDeal; dealId is meaningful only when it is (deal ids start at 0).
        bool published;
        uint64 dealId;
        int64 activatedEpoch;
        /// The provider's address bytes as the market normalised them (an ID address on Filecoin).
        bytes provider;
    }

    uint64 public constant AUTHENTICATE_MESSAGE_METHOD_NUM = FilecoinDeal.AUTHENTICATE_MESSAGE_METHOD;
    uint64 public constant MARKET_NOTIFY_DEAL_METHOD_NUM = FilecoinDeal.MARKET_NOTIFY_DEAL_METHOD;
    uint64 public constant DATACAP_RECEIVER_HOOK_METHOD_NUM = FilecoinDeal.DATACAP_RECEIVER_HOOK_METHOD;
    /// The datacap actor (f07) as the EVM sees it: the masked ID address.
    address public constant DATACAP_ACTOR_ETH_ADDRESS = 0xfF00000000000000000000000000000000000007;
    uint64 public constant EXTRA_PARAMS_VERSION_1 = 1;
    /// getDealProposal's provider: the ID address f00 ("any provider").
    bytes private constant ANY_PROVIDER = hex"0000";

    address public immutable owner;
    /// The only caller of AuthenticateMessage and MarketNotifyDeal: the market actor f05
    /// (0xff00000000000000000000000000000000000005) on Filecoin, DevnetMarket on the devnet.
    address public immutable market;
    /// Where activation is read (IDealActivationSource); zero when none is available.
    address public immutable activationSource;

    mapping(address => bool) public isProposer;
    mapping(bytes32 => DealRequest) private requests;
    mapping(bytes32 => DealState) private states;
    mapping(bytes32 => bytes32[]) private proposalsByPiece; // keccak256(piece_cid) → ids
    mapping(uint64 => bytes32) private proposalByDealId;
    bytes32[] private proposalIds;

    event DealProposalCreate(bytes32 indexed id, uint64 size, bool indexed verified, uint256 price);
    event DealPublished(bytes32 indexed id, uint64 indexed dealId, bytes provider);
    event DealActivated(bytes32 indexed id, uint64 indexed dealId, int64 activatedEpoch);
    event DealExpired(bytes32 indexed id, uint64 indexed dealId);
    event ProposerSet(address indexed proposer, bool allowed);
    event DataCapReceived(bytes params);

    error ZeroAddress();
    error NotOwner(address caller);
    error NotProposer(address caller);
    error NotMarket(address caller);
    error NotDataCapActor(address caller);
    error InvalidPieceCid();
    error InvalidPieceSize(uint64 pieceSize);
    error InvalidEpochs(int64 startEpoch, int64 endEpoch);
    error StartEpochPassed(int64 startEpoch, uint256 currentEpoch);
    error InvalidLabel(uint256 length);
    error UnsupportedExtraParamsVersion(uint64 version);
    error InvalidCarSize(uint64 carSize, uint64 pieceSize);
    error EmptyLocationRef();
    error DuplicateProposal(bytes32 id);
    error UnknownProposal(bytes32 id);
    error WrongClient(bytes client);
    error NotProposed(bytes32 id, DealStatus status);
    error DealIdInUse(uint64 dealId, bytes32 id);
    error NotPublished(bytes32 id, DealStatus status);
    error UnsupportedMethod(uint64 method);
    error UnsupportedCodec(uint64 codec);

    constructor(address owner_, address market_, address activationSource_) {
        if (owner_ == address(0) || market_ == address(0)) revert ZeroAddress();
        owner = owner_;
        market = market_;
        activationSource = activationSource_;
    }

    // ---------------------------------------------------------------- proposing

    /// Allow or forbid `proposer` to make proposals (the owner always may).
    function setProposer(address proposer, bool allowed) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (proposer == address(0)) revert ZeroAddress();
        isProposer[proposer] = allowed;
        emit ProposerSet(proposer, allowed);
    }

    /// Record a deal request and announce it to storage providers.
    function makeDealProposal(DealRequest calldata deal) external returns (bytes32 id) {
        if (msg.sender != owner && !isProposer[msg.sender]) revert NotProposer(msg.sender);
        checkRequest(deal);
        id = keccak256(FilecoinDeal.encodeDealProposal(toProposal(deal, FilecoinDeal.delegatedAddress(address(this)))));
        if (states[id].status != DealStatus.None) revert DuplicateProposal(id);
        requests[id] = deal;
        states[id].status = DealStatus.Proposed;
        states[id].activatedEpoch = -1;
        proposalsByPiece[keccak256(deal.piece_cid)].push(id);
        proposalIds.push(id);
        emit DealProposalCreate(id, deal.piece_size, deal.verified_deal, deal.storage_price_per_epoch);
    }

    // ---------------------------------------------------------------- what Boost reads

    /// The CBOR DealProposal for `id` (client = this contract's f410 address, provider = f00).
    function getDealProposal(bytes32 id) external view returns (bytes memory) {
        return FilecoinDeal.encodeDealProposal(toProposal(request(id), FilecoinDeal.delegatedAddress(address(this))));
    }

    /// The CBOR ExtraParamsV1: [location_ref: text, car_size: uint, skip_ipni_announce: bool,
    /// remove_unsealed_copy: bool].
    function getExtraParams(bytes32 id) external view returns (bytes memory) {
        ExtraParamsV1 storage x = request(id).extra_params;
        return bytes.concat(
            Cbor.arrayHeader(4),
            Cbor.encodeText(x.location_ref),
            Cbor.encodeUint(x.car_size),
            Cbor.encodeBool(x.skip_ipni_announce),
            Cbor.encodeBool(x.remove_unsealed_copy)
        );
    }

    // ---------------------------------------------------------------- the market's callbacks

    /// The entry point Filecoin's built-in actors call (FRC-42 method numbers, CBOR params).
    /// Returns (exit code, return codec, return data); an unsupported call reverts.
    function handle_filecoin_method(uint64 method, uint64 codec, bytes calldata params)
        external
        returns (uint32 exitCode, uint64 retCodec, bytes memory ret)
    {
        if (method == FilecoinDeal.AUTHENTICATE_MESSAGE_METHOD) {
            requireMarketCall(codec);
            authenticateMessage(params);
            // The market deserialises a CBOR bool: true means authenticated.
            return (0, FilecoinDeal.CODEC_CBOR, Cbor.encodeBool(true));
        }
        if (method == FilecoinDeal.MARKET_NOTIFY_DEAL_METHOD) {
            requireMarketCall(codec);
            marketNotifyDeal(params);
            return (0, FilecoinDeal.CODEC_NONE, "");
        }
        if (method == FilecoinDeal.DATACAP_RECEIVER_HOOK_METHOD) {
            if (msg.sender != DATACAP_ACTOR_ETH_ADDRESS) revert NotDataCapActor(msg.sender);
            emit DataCapReceived(params);
            return (0, FilecoinDeal.CODEC_NONE, "");
        }
        revert UnsupportedMethod(method);
    }

    /// Accept iff the message is a proposal of ours, with our f410 address as the client, still
    /// waiting to be published. The market sends this read-only: it must not write state.
    function authenticateMessage(bytes calldata params) private view {
        (, bytes memory message) = FilecoinDeal.decodeAuthenticateMessageParams(params);
        FilecoinDeal.DealProposal memory p = FilecoinDeal.decodeDealProposal(message);
        bytes memory self = FilecoinDeal.delegatedAddress(address(this));
        if (keccak256(p.client) != keccak256(self)) revert WrongClient(p.client);
        bytes32 id = proposalIdOf(p, self);
        DealStatus status = states[id].status;
        if (status == DealStatus.None) revert UnknownProposal(id);
        if (status != DealStatus.Proposed) revert NotProposed(id, status);
    }

    /// The deal is published: record its id and the provider. The market has normalised the client
    /// and provider to ID addresses, so neither takes part in the match.
    function marketNotifyDeal(bytes calldata params) private {
        (bytes memory message, uint64 dealId) = FilecoinDeal.decodeMarketNotifyDealParams(params);
        FilecoinDeal.DealProposal memory p = FilecoinDeal.decodeDealProposal(message);
        bytes memory provider = p.provider;
        bytes32 id = proposalIdOf(p, FilecoinDeal.delegatedAddress(address(this)));
        DealState storage s = states[id];
        if (s.status == DealStatus.None) revert UnknownProposal(id);
        if (s.status != DealStatus.Proposed) revert NotProposed(id, s.status);
        bytes32 holder = proposalByDealId[dealId];
        if (holder != bytes32(0)) revert DealIdInUse(dealId, holder);
        s.status = DealStatus.Published;
        s.published = true;
        s.dealId = dealId;
        s.provider = provider;
        proposalByDealId[dealId] = id;
        emit DealPublished(id, dealId, provider);
    }

    // ---------------------------------------------------------------- status

    /// The deal's status now: the stored one, moved on by the epoch and, for a published deal, by
    /// the activation source; whether it was published, its deal id (if so) and its activation
    /// epoch (-1 if none).
    function getDealStatus(bytes32 id)
        external
        view
        returns (DealStatus status, bool published, uint64 dealId, int64 activatedEpoch)
    {
        DealState storage s = states[id];
        if (s.status == DealStatus.None) revert UnknownProposal(id);
        (status, activatedEpoch) = liveStatus(id, s);
        return (status, s.published, s.dealId, activatedEpoch);
    }

    /// Store what getDealStatus reports for a published or active deal, emitting DealActivated or
    /// DealExpired on a change. Anyone may call it (it only records what the market says).
    function updateActivationStatus(bytes32 id) external returns (DealStatus status) {
        DealState storage s = states[id];
        if (s.status != DealStatus.Published && s.status != DealStatus.Active) revert NotPublished(id, s.status);
        int64 activatedEpoch;
        (status, activatedEpoch) = liveStatus(id, s);
        if (status == s.status) return status;
        s.status = status;
        if (status == DealStatus.Active) {
            s.activatedEpoch = activatedEpoch;
            emit DealActivated(id, s.dealId, activatedEpoch);
        } else if (status == DealStatus.Expired) {
            emit DealExpired(id, s.dealId);
        }
    }

    /// The stored state: status as last recorded, deal id, activation epoch, provider.
    function getDealState(bytes32 id) external view returns (DealState memory) {
        return states[id];
    }

    function getDealRequest(bytes32 id) external view returns (DealRequest memory) {
        return request(id);
    }

    /// Every proposal made for the piece, oldest first.
    function getProposalIdsByPiece(bytes calldata pieceCid) external view returns (bytes32[] memory) {
        return proposalsByPiece[keccak256(pieceCid)];
    }

    /// The proposal a published deal id belongs to (zero if none).
    function getProposalIdByDealId(uint64 dealId) external view returns (bytes32) {
        return proposalByDealId[dealId];
    }

    function proposalCount() external view returns (uint256) {
        return proposalIds.length;
    }

    function proposalIdAt(uint256 index) external view returns (bytes32) {
        return proposalIds[index];
    }

    // ---------------------------------------------------------------- internals

    function checkRequest(DealRequest calldata deal) private view {
        if (!FilecoinDeal.isPieceCidV1(deal.piece_cid)) revert InvalidPieceCid();
        if (!FilecoinDeal.isValidPieceSize(deal.piece_size)) revert InvalidPieceSize(deal.piece_size);
        if (deal.end_epoch <= deal.start_epoch) revert InvalidEpochs(deal.start_epoch, deal.end_epoch);
        // The market refuses a deal whose start epoch has passed; such a proposal could never be stored.
        if (deal.start_epoch < 0 || uint64(deal.start_epoch) <= block.number) {
            revert StartEpochPassed(deal.start_epoch, block.number);
        }
        uint256 labelLength = bytes(deal.label).length;
        if (labelLength == 0 || labelLength > FilecoinDeal.MAX_LABEL_BYTES) revert InvalidLabel(labelLength);
        if (deal.extra_params_version != EXTRA_PARAMS_VERSION_1) {
            revert UnsupportedExtraParamsVersion(deal.extra_params_version);
        }
        if (bytes(deal.extra_params.location_ref).length == 0) revert EmptyLocationRef();
        // The CAR must fit the piece once FR32-padded: 127 data bytes in every 128.
        uint64 carSize = deal.extra_params.car_size;
        if (carSize == 0 || carSize > deal.piece_size - deal.piece_size / 128) {
            revert InvalidCarSize(carSize, deal.piece_size);
        }
    }

    function toProposal(DealRequest memory deal, bytes memory client)
        private
        pure
        returns (FilecoinDeal.DealProposal memory)
    {
        return FilecoinDeal.DealProposal({
            pieceCid: deal.piece_cid,
            pieceSize: deal.piece_size,
            verifiedDeal: deal.verified_deal,
            client: client,
            provider: ANY_PROVIDER,
            label: deal.label,
            startEpoch: deal.start_epoch,
            endEpoch: deal.end_epoch,
            storagePricePerEpoch: deal.storage_price_per_epoch,
            providerCollateral: deal.provider_collateral,
            clientCollateral: deal.client_collateral
        });
    }

    /// The id a proposal from the market maps to: its terms with our client address and f00.
    function proposalIdOf(FilecoinDeal.DealProposal memory p, bytes memory self) private pure returns (bytes32) {
        p.client = self;
        p.provider = ANY_PROVIDER;
        return keccak256(FilecoinDeal.encodeDealProposal(p));
    }

    function request(bytes32 id) private view returns (DealRequest storage deal) {
        if (states[id].status == DealStatus.None) revert UnknownProposal(id);
        return requests[id];
    }

    function requireMarketCall(uint64 codec) private view {
        if (msg.sender != market) revert NotMarket(msg.sender);
        if (codec != FilecoinDeal.CODEC_CBOR && codec != FilecoinDeal.CODEC_DAG_CBOR) revert UnsupportedCodec(codec);
    }

    function liveStatus(bytes32 id, DealState storage s) private view returns (DealStatus, int64) {
        DealStatus stored = s.status;
        if (stored == DealStatus.Expired) return (stored, s.activatedEpoch);
        DealRequest storage deal = requests[id];
        int64 epoch = int64(uint64(block.number));
        if (epoch >= deal.end_epoch) return (DealStatus.Expired, s.activatedEpoch);
        if (stored == DealStatus.Proposed) {
            return (epoch > deal.start_epoch ? DealStatus.Expired : DealStatus.Proposed, -1);
        }
        if (activationSource == address(0)) return (stored, s.activatedEpoch);
        try IDealActivationSource(activationSource).getDealActivation(s.dealId) returns (
            int64 activated, int64 terminated
        ) {
            if (terminated >= 0) return (DealStatus.Expired, s.activatedEpoch);
            if (activated >= 0) return (DealStatus.Active, activated);
            return (epoch > deal.start_epoch ? DealStatus.Expired : DealStatus.Published, -1);
        } catch (bytes memory reason) {
            // Only the market's own "deal expired" answer counts; anything else (out of gas, an
            // unknown deal) is passed on rather than read as an expiry.
            if (reason.length >= 4 && bytes4(reason) == IDealActivationSource.DealExpired.selector) {
                return (DealStatus.Expired, s.activatedEpoch);
            }
            assembly ("memory-safe") {
                revert(add(reason, 32), mload(reason))
            }
        }
    }
}
