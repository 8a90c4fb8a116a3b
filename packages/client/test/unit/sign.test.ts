/** Every kind: the message built from friendly input, and its signature, verify with @filverse/state and recover the account. */
import { collectionIdOf, dataAssetIdOf, hashTypedData, identityIdOf, tokenIdOf } from "@filverse/crypto";
import { parseTransactionJson, validateTransaction } from "@filverse/state";
import { Order, TxKind, txStructs, USER_TX_KINDS } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import type { LocalAccount } from "viem";
import { describe, expect, it } from "vitest";
import { createFilverseClient } from "../../src/createFilverseClient.js";
import type { PrimaryType } from "../../src/types.js";
import { alice, BOB, bob, CHAIN_ID, CID_A, COLLECTION_ID, inputs, walletProvider } from "./fixtures.js";

/** Nothing listens here: with chainId, nonce and fee given, signing must not make a request. */
const NO_NODE = "http://127.0.0.1:9";

const signers: [string, (account: LocalAccount) => ReturnType<typeof createFilverseClient>][] = [
  ["viem local account", (account) => createFilverseClient({ url: NO_NODE, account, chainId: CHAIN_ID })],
  [
    "EIP-1193 provider",
    (account) =>
      createFilverseClient({
        url: NO_NODE,
        account: walletProvider(account),
        address: account.address,
        chainId: CHAIN_ID,
      }),
  ],
];

describe.each(signers)("signTransaction with a %s", (_label, makeClient) => {
  const client = makeClient(alice);
  const maker = makeClient(bob);

  async function inputFor(primaryType: PrimaryType): Promise<Record<string, unknown>> {
    if (primaryType === "TradeFill") {
      return maker.signOrder({ side: 0, collectionId: COLLECTION_ID, tokenId: 3, price: 10n ** 17n });
    }
    if (primaryType === "OrderCancel") {
      const { order } = await client.signOrder({ side: 1, collectionId: COLLECTION_ID, tokenId: 4, price: "7" });
      return { order };
    }
    return inputs[primaryType] as Record<string, unknown>;
  }

  for (const kind of USER_TX_KINDS) {
    const primaryType = txStructs[kind].name as PrimaryType;
    it(`${primaryType}: verifies with validateTransaction and recovers the account`, async () => {
      const input = await inputFor(primaryType);
      const signed = await client.signTransaction({
        primaryType,
        message: { ...input, nonce: 7, fee: 1000n } as never,
      });

      const tx = parseTransactionJson(signed.transaction);
      const validated = validateTransaction(tx, CHAIN_ID);
      expect(toHex(validated.sender)).toBe(alice.address.toLowerCase());
      expect(signed.sender).toBe(alice.address.toLowerCase());
      expect(toHex(validated.hash)).toBe(signed.hash);
      expect(signed.transaction.chainId).toBe(String(CHAIN_ID));
      expect(signed.transaction.primaryType).toBe(primaryType);
      // The message is the canonical JSON form: re-encoding the parsed message gives it back unchanged.
      expect(txStructs[kind].toJson(tx.message as never)).toEqual(signed.transaction.message);
      expect(signed.transaction.message.nonce).toBe("7");
      expect(signed.transaction.message.fee).toBe("1000");
      if ("onBehalfOf" in txStructs[kind].fields && !("onBehalfOf" in input)) {
        expect(signed.transaction.message.onBehalfOf).toBe(`0x${"00".repeat(32)}`);
      }
    });
  }

  it("converts friendly values: checksummed hex, bigint/number/string amounts, uint64 numbers", async () => {
    const transfer = await client.signTransaction({
      primaryType: "Transfer",
      message: { to: BOB, amount: 10n ** 18n, nonce: 0, fee: 5 },
    });
    expect(transfer.transaction.message).toEqual({
      to: BOB.toLowerCase(),
      amount: "1000000000000000000",
      nonce: "0",
      fee: "5",
    });
    const batch = await client.signTransaction({
      primaryType: "AssetBatchMint",
      message: { ...inputs.AssetBatchMint, nonce: 2n, fee: "3" },
    });
    expect(batch.transaction.message).toMatchObject({
      firstTokenId: "10",
      contentCids: inputs.AssetBatchMint.contentCids,
    });
    const token = await client.signTransaction({
      kind: TxKind.TokenCreate,
      message: { ...inputs.TokenCreate, nonce: 1, fee: 0 },
    });
    expect(token.transaction.message).toMatchObject({ decimals: 18, cap: (10n ** 24n).toString() });
  });

  it("returns the ids the creating kinds make, from the signer and nonce", async () => {
    const me = fromHex(alice.address);
    const cases = [
      ["CollectionCreate", "collectionId", collectionIdOf],
      ["TokenCreate", "tokenId", tokenIdOf],
      ["IdentityCreate", "identityId", identityIdOf],
      ["DataAssetRegister", "dataAssetId", dataAssetIdOf],
    ] as const;
    for (const [primaryType, key, idOf] of cases) {
      const signed = await client.signTransaction({
        primaryType,
        message: { ...(inputs[primaryType] as object), nonce: 41, fee: 1 } as never,
      });
      expect((signed as unknown as Record<string, string>)[key]).toBe(toHex(idOf(me, 41)));
      expect(signed.nonce).toBe(41);
    }
    const transfer = await client.signTransaction({
      primaryType: "Transfer",
      message: { ...inputs.Transfer, nonce: 1, fee: 1 },
    });
    expect(Object.keys(transfer).sort()).toEqual(["hash", "nonce", "sender", "transaction"]);
  });

  it("signOrder: the maker's signature recovers to the maker under the Order type", async () => {
    const { order, makerSignature } = await maker.signOrder({
      side: 0,
      collectionId: COLLECTION_ID,
      tokenId: 3,
      price: 100,
      salt: 9n,
      expiresAt: 1_900_000_000,
    });
    expect(order).toEqual({
      maker: bob.address.toLowerCase(),
      side: 0,
      collectionId: COLLECTION_ID,
      tokenId: "3",
      price: "100",
      taker: `0x${"00".repeat(20)}`,
      expiresAt: "1900000000",
      salt: "9",
    });
    const { recoverAddress } = await import("@filverse/crypto");
    const digest = hashTypedData(CHAIN_ID, Order, Order.fromJson(order));
    expect(toHex(recoverAddress(digest, fromHex(makerSignature)))).toBe(bob.address.toLowerCase());
  });
});

describe("EIP-1193 signing payload", () => {
  it("sends eth_signTypedData_v4 exactly typedData() plus the EIP712Domain type, JSON-encoded", async () => {
    const provider = walletProvider(alice);
    const client = createFilverseClient({ url: NO_NODE, account: provider, address: alice.address, chainId: CHAIN_ID });
    await client.signTransaction({
      primaryType: "AssetMint",
      message: { collectionId: COLLECTION_ID, tokenId: 1, to: BOB, contentCid: CID_A, nonce: 0, fee: 0 },
    });
    expect(provider.calls).toBe(1);
    expect(provider.payloads[0]).toEqual({
      domain: { name: "Filverse", version: "1", chainId: CHAIN_ID },
      primaryType: "AssetMint",
      types: {
        EIP712Domain: [
          { name: "name", type: "string" },
          { name: "version", type: "string" },
          { name: "chainId", type: "uint256" },
        ],
        AssetMint: txStructs[TxKind.AssetMint].eip712Types.AssetMint,
      },
      message: {
        collectionId: COLLECTION_ID,
        tokenId: "1",
        to: BOB.toLowerCase(),
        contentCid: CID_A,
        onBehalfOf: `0x${"00".repeat(32)}`,
        nonce: "0",
        fee: "0",
      },
    });
  });

  it("rejects a wallet that signs with another account (SIGNER_MISMATCH)", async () => {
    const provider = walletProvider(bob);
    // The provider signs as bob although the client was told alice.
    const lying = {
      request: (args: { method: string; params?: unknown }) =>
        provider.request({ ...args, params: [bob.address, (args.params as unknown[])[1]] }),
    };
    const client = createFilverseClient({ url: NO_NODE, account: lying, address: alice.address, chainId: CHAIN_ID });
    await expect(
      client.signTransaction({ primaryType: "Transfer", message: { ...inputs.Transfer, nonce: 0, fee: 0 } }),
    ).rejects.toMatchObject({ name: "ClientError", code: "CLIENT_SIGNER_MISMATCH" });
  });

  it("moves a wallet's v ∈ {0, 1} to {27, 28}", async () => {
    const lowV = {
      async request({ params }: { method: string; params?: unknown }) {
        const sig = (await alice.signTypedData(JSON.parse((params as string[])[1]!))) as string;
        const v = Number.parseInt(sig.slice(130), 16) - 27;
        return `${sig.slice(0, 130)}0${v}`;
      },
    };
    const client = createFilverseClient({ url: NO_NODE, account: lowV, address: alice.address, chainId: CHAIN_ID });
    const signed = await client.signTransaction({
      primaryType: "Transfer",
      message: { ...inputs.Transfer, nonce: 0, fee: 0 },
    });
    const v = Number.parseInt(signed.transaction.signature.slice(130), 16);
    expect([27, 28]).toContain(v);
    expect(toHex(validateTransaction(parseTransactionJson(signed.transaction), CHAIN_ID).sender)).toBe(
      alice.address.toLowerCase(),
    );
  });
});
