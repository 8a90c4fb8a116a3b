// The local L1 for tests and the devnet: `npx hardhat node` with Lotus-devnet's chain id.
// Contracts are compiled by src/compile.ts (solc-js), so no solidity section is needed.
// Like the FEVM, whose block gas limit is 10 billion and which has no per-transaction cap, the node
// must run a one-step proof of the largest step (an AssetBatchMint of 256 tokens): so the block gas
// limit is 1 billion instead of 30 million, and the hardfork is Prague, before Osaka's cap of 2^24 gas
// per transaction (EIP-7825).
module.exports = { networks: { hardhat: { chainId: 31415926, hardfork: "prague", blockGasLimit: 1_000_000_000 } } };
