/** Bad user input fails before anything is signed or sent, with ClientError INVALID_INPUT naming the field. */
import { describe, expect, it } from "vitest";
import { createFilverseClient } from "../../src/createFilverseClient.js";
import { ClientError, ClientErrorCode } from "../../src/errors.js";
import { alice, BOB, CHAIN_ID, CID_A, COLLECTION_ID, inputs, walletProvider } from "./fixtures.js";

const NO_NODE = "http://127.0.0.1:9";

function makeClient() {
  const provider = walletProvider(alice);
  const client = createFilverseClient({ url: NO_NODE, account: provider, address: alice.address, chainId: CHAIN_ID });
  return { client, provider };
}

const bad: [string, string, Record<string, unknown>, RegExp][] = [
  ["bad hex", "Transfer", { to: "0x12zz", amount: 1n }, /Transfer\.to.*20 bytes/],
  ["short address", "Transfer", { to: "0x1234", amount: 1n }, /Transfer\.to/],
  ["no 0x prefix", "AssetBurn", { collectionId: "ab".repeat(32), tokenId: 1 }, /AssetBurn\.collectionId/],
  ["negative bigint amount", "Transfer", { to: BOB, amount: -1n }, /Transfer\.amount/],
  ["negative number amount", "TokenMint", { tokenId: COLLECTION_ID, to: BOB, amount: -5 }, /TokenMint\.amount/],
  ["unsafe number amount", "Transfer", { to: BOB, amount: 2 ** 60 }, /Transfer\.amount/],
  ["fractional amount", "Transfer", { to: BOB, amount: "1.5" }, /Transfer\.amount/],
  ["uint256 overflow", "Transfer", { to: BOB, amount: 1n << 256n }, /Transfer\.amount/],
  ["uint64 above 2^53-1", "AssetBurn", { collectionId: COLLECTION_ID, tokenId: 2n ** 53n }, /AssetBurn\.tokenId/],
  ["uint16 overflow", "CollectionCreate", { ...inputs.CollectionCreate, royaltyBps: 70_000 }, /royaltyBps/],
  ["handle too long", "IdentityCreate", { handle: "a".repeat(33), profileCid: CID_A }, /IdentityCreate\.handle/],
  ["handle with capitals", "IdentityCreate", { handle: "Alice", profileCid: CID_A }, /IdentityCreate\.handle/],
  ["attribute key syntax", "AttributeRemove", { identityId: COLLECTION_ID, key: "Bad Key" }, /AttributeRemove\.key/],
  ["name too long", "TokenCreate", { ...inputs.TokenCreate, name: "x".repeat(65) }, /TokenCreate\.name/],
  ["missing field", "AssetMint", { collectionId: COLLECTION_ID, to: BOB, contentCid: CID_A }, /AssetMint\.tokenId/],
  ["misspelt field", "Transfer", { to: BOB, amount: 1n, amout: 2n }, /Transfer\.amout/],
  ["lone surrogate", "AttributeSet", { ...inputs.AttributeSet, value: "\ud800" }, /AttributeSet\.value/],
  ["bad fee", "Transfer", { to: BOB, amount: 1n, fee: -1n }, /Transfer\.fee/],
  ["bad nonce", "Transfer", { to: BOB, amount: 1n, nonce: -1 }, /Transfer\.nonce/],
];

describe("bad input", () => {
  it.each(bad)("%s fails before signing", async (_label, primaryType, message, path) => {
    const { client, provider } = makeClient();
    const error = await client
      .sendTransaction({ primaryType: primaryType as never, message: message as never })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe(ClientErrorCode.INVALID_INPUT);
    expect((error as ClientError).shortMessage).toMatch(path);
    expect(provider.calls).toBe(0);
  });

  it("rejects an unknown primary type or a kind that disagrees with it", async () => {
    const { client } = makeClient();
    await expect(client.sendTransaction({ primaryType: "Mint" as never, message: {} as never })).rejects.toMatchObject({
      code: ClientErrorCode.INVALID_INPUT,
    });
    await expect(
      client.sendTransaction({ primaryType: "Transfer", kind: 2 as never, message: inputs.Transfer }),
    ).rejects.toMatchObject({ code: ClientErrorCode.INVALID_INPUT });
    await expect(client.sendTransaction({ kind: 0 as never, message: {} as never })).rejects.toMatchObject({
      code: ClientErrorCode.INVALID_INPUT,
    });
  });

  it("checks read parameters before any request", () => {
    const { client } = makeClient();
    expect(() => client.getCollection({ collectionId: "0x1234" })).toThrow(/collectionId.*32 bytes/);
    expect(() => client.getAccount({ address: "0xnothex" as never })).toThrow(ClientError);
    expect(() => client.getAsset({ collectionId: COLLECTION_ID, tokenId: -1 })).toThrow(/tokenId/);
    expect(() => client.getBlockByNumber({ blockNumber: "earliest" as never })).toThrow(/blockNumber/);
    expect(() => client.resolveDid({ did: "did:web:example.com" })).toThrow(/did:filverse/);
  });

  it("a write without an account is NO_ACCOUNT; a provider without an address too", async () => {
    const readOnly = createFilverseClient({ url: NO_NODE, chainId: CHAIN_ID });
    await expect(readOnly.transfer(inputs.Transfer)).rejects.toMatchObject({ code: ClientErrorCode.NO_ACCOUNT });
    expect(() => createFilverseClient({ url: NO_NODE, account: walletProvider(alice) })).toThrow(/address/);
    expect(() => createFilverseClient({ url: "ftp://node" })).toThrow(/Unsupported node URL/);
  });
});
