/**
 * The fragments of the L1 contracts' ABIs that the withdrawal helpers use, copied from the compiled
 * artifacts (without `internalType`) so that the client needs neither @filverse/l1 nor its
 * toolchain. The errors finalizeWithdrawal can revert with are here, so a revert decodes to its name.
 * packages/client/test/unit/l1Abi.test.ts checks every entry against packages/l1/artifacts.
 */

/** FilverseBridge: finalizeWithdrawal, isFinalized, rollup, the payout events and finalizeWithdrawal's errors. */
export const filverseBridgeAbi = [
  { inputs: [{ name: "index", type: "uint64" }], name: "AlreadyFinalized", type: "error" },
  {
    inputs: [
      { name: "amount", type: "uint256" },
      { name: "balance", type: "uint256" },
    ],
    name: "InsufficientBridgeBalance",
    type: "error",
  },
  { inputs: [], name: "InvalidProof", type: "error" },
  {
    inputs: [
      { name: "amount", type: "uint256" },
      { name: "limitPerEpoch", type: "uint256" },
    ],
    name: "LimitTooSmall",
    type: "error",
  },
  { inputs: [{ name: "checkpointIndex", type: "uint64" }], name: "NotFinal", type: "error" },
  { inputs: [{ name: "checkpointIndex", type: "uint64" }], name: "UnknownCheckpoint", type: "error" },
  {
    anonymous: false,
    inputs: [
      { indexed: true, name: "l1Recipient", type: "address" },
      { indexed: false, name: "amount", type: "uint256" },
    ],
    name: "PayoutOwed",
    type: "event",
  },
  {
    anonymous: false,
    inputs: [
      { indexed: true, name: "index", type: "uint64" },
      { indexed: true, name: "l1Recipient", type: "address" },
      { indexed: false, name: "amount", type: "uint256" },
      { indexed: false, name: "checkpointIndex", type: "uint64" },
    ],
    name: "WithdrawalFinalized",
    type: "event",
  },
  {
    anonymous: false,
    inputs: [
      { indexed: true, name: "index", type: "uint64" },
      { indexed: true, name: "l1Recipient", type: "address" },
      { indexed: false, name: "amount", type: "uint256" },
    ],
    name: "WithdrawalPaid",
    type: "event",
  },
  {
    anonymous: false,
    inputs: [
      { indexed: true, name: "index", type: "uint64" },
      { indexed: true, name: "l1Recipient", type: "address" },
      { indexed: false, name: "amount", type: "uint256" },
      { indexed: false, name: "releaseEpoch", type: "uint64" },
    ],
    name: "WithdrawalQueued",
    type: "event",
  },
  {
    inputs: [
      { name: "checkpointIndex", type: "uint64" },
      {
        components: [
          { name: "index", type: "uint64" },
          { name: "l2Sender", type: "address" },
          { name: "l1Recipient", type: "address" },
          { name: "amount", type: "uint256" },
        ],
        name: "w",
        type: "tuple",
      },
      { name: "siblings", type: "bytes32[32]" },
    ],
    name: "finalizeWithdrawal",
    outputs: [],
    stateMutability: "nonpayable",
    type: "function",
  },
  {
    inputs: [{ name: "", type: "uint64" }],
    name: "isFinalized",
    outputs: [{ name: "", type: "bool" }],
    stateMutability: "view",
    type: "function",
  },
  { inputs: [], name: "rollup", outputs: [{ name: "", type: "address" }], stateMutability: "view", type: "function" },
] as const;

/** FilverseRollup: checkpointStatus (0 unknown, 1 pending, 2 final), getCheckpoint (acceptedAt), challengeWindow. */
export const filverseRollupAbi = [
  {
    inputs: [],
    name: "challengeWindow",
    outputs: [{ name: "", type: "uint64" }],
    stateMutability: "view",
    type: "function",
  },
  {
    inputs: [{ name: "index", type: "uint64" }],
    name: "checkpointStatus",
    outputs: [
      { name: "status", type: "uint8" },
      { name: "withdrawalsRoot", type: "bytes32" },
    ],
    stateMutability: "view",
    type: "function",
  },
  {
    inputs: [{ name: "index", type: "uint64" }],
    name: "getCheckpoint",
    outputs: [
      {
        components: [
          { name: "stateRoot", type: "bytes32" },
          { name: "lastBlockHash", type: "bytes32" },
          { name: "withdrawalsRoot", type: "bytes32" },
          { name: "lastBlock", type: "uint64" },
          { name: "depositCursor", type: "uint64" },
          { name: "acceptedAt", type: "uint64" },
          { name: "pieceCid", type: "string" },
        ],
        name: "",
        type: "tuple",
      },
    ],
    stateMutability: "view",
    type: "function",
  },
] as const;
