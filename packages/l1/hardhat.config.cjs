// The local L1 for tests and the devnet: `npx hardhat node` with Lotus-devnet's chain id.
// Contracts are compiled by src/compile.ts (solc-js), so no solidity section is needed.
module.exports = { networks: { hardhat: { chainId: 31415926 } } };
