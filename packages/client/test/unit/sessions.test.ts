/**
 * Sponsored fees and session keys in the SDK: sessionAccount and sponsored sign every kind as
 * `Via<Name>` (verified by @filverse/state as the node does), nonces come from the session key, the
 * grant actions build the messages the spec names, kindsMask, and the typed refusals 205–214.
 */
import { hashTypedData, identityIdOf, recoverAddress, verifyTransaction } from "@filverse/crypto";
import { ExecutionErrorCode, parseTransactionJson, TxValidationErrorCode, validateTransaction } from "@filverse/state";
import { RpcErrorCode, SessionRequest, TxKind, txStructs, USER_TX_KINDS } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { sessionAccount, sponsored } from "../../src/accounts.js";
import { signSessionRequest } from "../../src/actions/signSessionRequest.js";
import { createFilverseClient } from "../../src/createFilverseClient.js";
import {
  ClientError,
  ClientErrorCode,
  FeeAllowanceExceededError,
  FeeAllowanceRefusedError,
  FilverseRpcError,
  GrantExecutionCode,
  GrantRefusalCode,
  rpcErrorFromResponse,
  SessionCapExceededError,
  SessionRefusedError,
  SessionRevokedError,
} from "../../src/errors.js";
import type { PrimaryType } from "../../src/types.js";
import { kindsMask, kindsOfMask } from "../../src/utils/kinds.js";
import { sessionGrantFromPermissions } from "../../src/utils/permissions.js";
import {
  APP_SIGNATURE,
  alice,
  BOB,
  bob,
  CHAIN_ID,
  COLLECTION_ID,
  carol,
  IDENTITY_ID,
  inputs,
  TOKEN_ID,
  walletProvider,
  ZERO_ID,
} from "./fixtures.js";
import { TestNode } from "./testNode.js";

const NO_NODE = "http://127.0.0.1:9";
const ZERO = `0x${"00".repeat(20)}`;
const player = bob.address.toLowerCase() as `0x${string}`;
const studio = alice.address.toLowerCase() as `0x${string}`;
const SESSION_KEY = `0x${"44".repeat(32)}` as const;
const sessionAddr = privateKeyToAccount(SESSION_KEY).address.toLowerCase();

/** The signed JSON as the node parses and validates it. */
function verify(transaction: Record<string, unknown>) {
  const tx = parseTransactionJson(transaction);
  return { tx, validated: validateTransaction(tx, CHAIN_ID) };
}

describe("sessionAccount: every kind signed as Via<Name> for the account", () => {
  const session = createFilverseClient({
    url: NO_NODE,
    account: sessionAccount(SESSION_KEY, { account: player, sponsor: studio }),
    chainId: CHAIN_ID,
  });
  const maker = createFilverseClient({ url: NO_NODE, account: carol, chainId: CHAIN_ID });

  for (const kind of USER_TX_KINDS) {
    const primaryType = txStructs[kind].name as PrimaryType;
    it(`${primaryType}: Via${primaryType}, recovered to the session key, acting for the account`, async () => {
      const input =
        primaryType === "TradeFill"
          ? await maker.signOrder({ side: 0, collectionId: COLLECTION_ID, tokenId: 3, price: 10n ** 17n })
          : primaryType === "OrderCancel"
            ? { order: (await maker.signOrder({ side: 1, collectionId: COLLECTION_ID, tokenId: 4, price: 7 })).order }
            : inputs[primaryType as keyof typeof inputs];
      const signed = await session.signTransaction({
        primaryType,
        message: { ...(input as object), nonce: 3, fee: 1000n } as never,
      });
      expect(signed.transaction.primaryType).toBe(`Via${primaryType}`);
      expect(signed.transaction.message).toMatchObject({ sponsor: studio, account: player });
      const { tx, validated } = verify(signed.transaction);
      expect(tx.kind).toBe(kind);
      expect(toHex(tx.via!.sponsor)).toBe(studio);
      expect(toHex(tx.via!.account)).toBe(player);
      expect(toHex(validated.hash)).toBe(signed.hash);
      // The signature is the session key's, over the Via digest: the signer the node recovers.
      expect(signed.sender).toBe(sessionAddr);
      expect(toHex(verifyTransaction(tx).sender)).toBe(sessionAddr);
    });
  }

  it("takes its nonces from the session key's own account and sends Via transactions", async () => {
    const node = await new TestNode().start();
    try {
      const c = createFilverseClient({
        url: node.url,
        account: sessionAccount(privateKeyToAccount(SESSION_KEY), { account: player, sponsor: studio }),
      });
      const a = await c.mintAsset({
        collectionId: COLLECTION_ID,
        tokenId: 1,
        to: player,
        contentCid: inputs.AssetMint.contentCid,
      });
      const b = await c.setAttribute({ identityId: IDENTITY_ID, key: "game.equipped", value: "1", expiresAt: 0 });
      expect([a.nonce, b.nonce]).toEqual([0, 1]);
      expect(node.calls.filter((x) => x.method === "filverse_getAccount").map((x) => x.params[0])).toEqual([
        sessionAddr,
      ]);
      expect(node.accepted.map((x) => [x.sender, x.primaryType])).toEqual([
        [sessionAddr, "ViaAssetMint"],
        [sessionAddr, "ViaAttributeSet"],
      ]);
      // Ids derive from the signer, whose nonce the transaction carries.
      const id = await c.createIdentity({ handle: "from_session", profileCid: inputs.AssetMint.contentCid });
      expect(id.identityId).toBe(toHex(identityIdOf(fromHex(sessionAddr), 2)));
      await c.close();
    } finally {
      await node.stop();
    }
  });

  it("refuses a zero account or a malformed sponsor before anything is signed", () => {
    expect(() => sessionAccount(SESSION_KEY, { account: ZERO as never })).toThrow(ClientError);
    expect(() => sessionAccount(SESSION_KEY, { account: player, sponsor: "0x12" as never })).toThrow(/sponsor/);
    expect(() => sessionAccount("0x1234" as never, { account: player })).toThrow(/private key/);
    expect(() => sponsored(SESSION_KEY, ZERO as never)).toThrow(ClientError);
  });
});

describe("sponsored: the account's own transactions, paid by a sponsor", () => {
  it("signs Via<Name> with account zero, with a local account and with an EIP-1193 wallet", async () => {
    const provider = walletProvider(bob);
    for (const account of [sponsored(bob, studio), sponsored(provider, studio, bob.address)]) {
      const c = createFilverseClient({ url: NO_NODE, account, chainId: CHAIN_ID });
      const signed = await c.signTransaction({
        primaryType: "IdentityCreate",
        message: { ...inputs.IdentityCreate, nonce: 0, fee: 5 },
      });
      expect(signed.transaction.primaryType).toBe("ViaIdentityCreate");
      expect(signed.transaction.message).toEqual({
        sponsor: studio,
        account: ZERO,
        tx: { ...inputs.IdentityCreate, nonce: "0", fee: "5" },
      });
      const { tx } = verify(signed.transaction);
      expect(toHex(verifyTransaction(tx).sender)).toBe(player);
      expect(signed.identityId).toBe(toHex(identityIdOf(fromHex(player), 0)));
    }
    // What the wallet was asked to sign: the Via type with its inner type, under the Filverse domain.
    const payload = provider.payloads[0] as { primaryType: string; types: Record<string, unknown> };
    expect(payload.primaryType).toBe("ViaIdentityCreate");
    expect(Object.keys(payload.types).sort()).toEqual(["EIP712Domain", "IdentityCreate", "ViaIdentityCreate"]);
  });
});

describe("the grant actions", () => {
  const owner = createFilverseClient({ url: NO_NODE, account: alice, chainId: CHAIN_ID });

  it("signSessionRequest: the app owner's EIP-712 SessionRequest, which recovers to it", async () => {
    const sig = await signSessionRequest(alice, {
      chainId: CHAIN_ID,
      account: BOB,
      sessionKey: carol.address,
      app: IDENTITY_ID,
      deadline: 1_800_000_000,
    });
    const digest = hashTypedData(CHAIN_ID, SessionRequest, {
      account: fromHex(BOB),
      sessionKey: fromHex(carol.address),
      app: fromHex(IDENTITY_ID),
      deadline: 1_800_000_000,
    });
    expect(toHex(recoverAddress(digest, fromHex(sig)))).toBe(studio);
    expect(sig).toBe(APP_SIGNATURE);
    // A provider signs the same.
    const viaWallet = await signSessionRequest(walletProvider(alice), {
      chainId: CHAIN_ID,
      account: BOB,
      sessionKey: carol.address,
      app: IDENTITY_ID,
      deadline: 1_800_000_000,
      address: alice.address,
    });
    expect(viaWallet).toBe(sig);
    await expect(
      signSessionRequest(alice, { chainId: 0, account: BOB, sessionKey: BOB, app: IDENTITY_ID, deadline: 1 }),
    ).rejects.toThrow(/chainId/);
  });

  it("sponsorFees and revokeFeeAllowance: zero defaults, kinds by name", async () => {
    const node = await new TestNode().start();
    try {
      const c = createFilverseClient({ url: node.url, account: alice });
      const signed = await c.signTransaction({ primaryType: "FeeAllowanceSet", message: {} as never }).catch((e) => e);
      expect(signed).toBeInstanceOf(ClientError);
      await c.sponsorFees({ target: COLLECTION_ID, totalBudget: 10n ** 17n, kinds: ["AssetMint", "TradeFill"] });
      await c.revokeFeeAllowance({ grantee: BOB });
      const [set, revoke] = node.calls.filter((x) => x.method === "filverse_sendTransaction").map((x) => x.params[0]);
      expect((set as { primaryType: string }).primaryType).toBe("FeeAllowanceSet");
      expect((set as { message: unknown }).message).toMatchObject({
        grantee: ZERO,
        target: COLLECTION_ID,
        totalBudget: String(10n ** 17n),
        periodBudget: "0",
        period: "0",
        maxFeePerTx: "0",
        kinds: String((1n << 11n) | (1n << 50n)),
        expiresAt: "0",
      });
      expect((revoke as { message: unknown }).message).toMatchObject({ grantee: BOB.toLowerCase(), target: ZERO_ID });
      await c.close();
    } finally {
      await node.stop();
    }
  });

  it("grantSession: tokens with caps become the three lists; `sponsor` signs it as ViaSessionGrant", async () => {
    const player = createFilverseClient({ url: NO_NODE, account: bob, chainId: CHAIN_ID });
    const signed = await player.signTransaction({
      primaryType: "SessionGrant",
      message: { ...inputs.SessionGrant, nonce: 0, fee: 1 },
      via: { sponsor: studio },
    });
    expect(signed.transaction.primaryType).toBe("ViaSessionGrant");
    // The app's signature is over SessionRequest(account = the granting signer, sessionKey, app, deadline).
    const { tx } = verify(signed.transaction);
    const m = tx.message as {
      sessionKey: Uint8Array;
      app: Uint8Array;
      appSignature: Uint8Array;
      requestDeadline: number;
    };
    const request = { account: fromHex(BOB), sessionKey: m.sessionKey, app: m.app, deadline: m.requestDeadline };
    expect(toHex(recoverAddress(hashTypedData(CHAIN_ID, SessionRequest, request), m.appSignature))).toBe(studio);

    const node = await new TestNode().start();
    try {
      const c = createFilverseClient({ url: node.url, account: bob });
      await c.grantSession(
        {
          sessionKey: carol.address,
          app: IDENTITY_ID,
          appSignature: APP_SIGNATURE,
          requestDeadline: 1_800_000_000,
          kinds: ["AssetMint", "AttributeSet", "TradeFill"],
          filCap: 5n * 10n ** 18n,
          tokens: [{ tokenId: TOKEN_ID, cap: 1000, periodCap: 100 }],
          period: 3600,
          collections: [COLLECTION_ID],
          expiresAt: 1_800_000_000,
        },
        { sponsor: studio },
      );
      const sent = node.calls.find((x) => x.method === "filverse_sendTransaction")!.params[0] as {
        primaryType: string;
        message: { sponsor: string; account: string; tx: Record<string, unknown> };
      };
      expect(sent.primaryType).toBe("ViaSessionGrant");
      expect(sent.message.sponsor).toBe(studio);
      expect(sent.message.account).toBe(ZERO);
      expect(sent.message.tx).toMatchObject({
        kinds: String((1n << 11n) | (1n << 32n) | (1n << 50n)),
        filCap: String(5n * 10n ** 18n),
        filPeriodCap: "0",
        tokens: [TOKEN_ID],
        tokenCaps: ["1000"],
        tokenPeriodCaps: ["100"],
        collections: [COLLECTION_ID],
        counterparties: [],
      });
      await c.close();
    } finally {
      await node.stop();
    }
  });

  it("revokeSession from a session account: signed by the key as itself for its account, same sponsor", async () => {
    const session = createFilverseClient({
      url: NO_NODE,
      account: sessionAccount(SESSION_KEY, { account: player, sponsor: studio }),
      chainId: CHAIN_ID,
    });
    const node = await new TestNode().start();
    try {
      const c = createFilverseClient({
        url: node.url,
        account: sessionAccount(SESSION_KEY, { account: player, sponsor: studio }),
      });
      await c.revokeSession();
      const sent = node.calls.find((x) => x.method === "filverse_sendTransaction")!.params[0] as {
        primaryType: string;
        message: { sponsor: string; account: string; tx: Record<string, unknown> };
      };
      expect(sent.primaryType).toBe("ViaSessionRevoke");
      expect(sent.message).toMatchObject({
        sponsor: studio,
        account: ZERO,
        tx: { account: player, sessionKey: sessionAddr },
      });
      expect(node.accepted[0]!.sender).toBe(sessionAddr);
      await c.close();
    } finally {
      await node.stop();
    }
    await session.close();
    // A plain account names the key it revokes.
    await expect(owner.revokeSession()).rejects.toThrow(/needs the `sessionKey`/);
    // The owner of the account revokes with its own key (plain, no sponsor).
    const signed = await owner.signTransaction({
      primaryType: "SessionRevoke",
      message: { account: studio, sessionKey: BOB, nonce: 0, fee: 1 },
    });
    expect(signed.transaction.primaryType).toBe("SessionRevoke");
  });
});

describe("kindsMask", () => {
  it("sets bit k for kind k, by name or number, and reads back", () => {
    expect(kindsMask(["AssetMint", "AttributeSet", "TradeFill"])).toBe((1n << 11n) | (1n << 32n) | (1n << 50n));
    expect(kindsMask([TxKind.Transfer, "Transfer"])).toBe(2n);
    expect(kindsMask(["SessionRevoke"])).toBe(1n << 63n);
    expect(kindsOfMask((1n << 11n) | (1n << 50n))).toEqual(["AssetMint", "TradeFill"]);
  });
  it("refuses unknown kinds, Deposit and an empty list", () => {
    for (const bad of [["Nope"], ["Deposit"], [0], [99], []]) {
      const e = (() => {
        try {
          kindsMask(bad as never);
        } catch (err) {
          return err;
        }
      })();
      expect(e, JSON.stringify(bad)).toBeInstanceOf(ClientError);
      expect((e as ClientError).code).toBe(ClientErrorCode.INVALID_INPUT);
    }
  });
});

describe("typed refusals", () => {
  it("a session refusal is raised as the subclass of its validation code", () => {
    const e = rpcErrorFromResponse({
      code: RpcErrorCode.SESSION_REFUSED,
      message: "Session cap exceeded",
      data: { validationCode: 210 },
    });
    expect(e).toBeInstanceOf(SessionCapExceededError);
    expect(e).toBeInstanceOf(SessionRefusedError);
    expect(e).toBeInstanceOf(FilverseRpcError);
    expect((e as SessionCapExceededError).txCode).toBe(210);
    expect(e.code).toBe(RpcErrorCode.SESSION_REFUSED);
    expect(e.name).toBe("SessionCapExceededError");
    const revoked = rpcErrorFromResponse({
      code: RpcErrorCode.SESSION_REFUSED,
      data: { details: { validationCode: 206 } },
    });
    expect(revoked).toBeInstanceOf(SessionRevokedError);
    const fee = rpcErrorFromResponse({ code: RpcErrorCode.FEE_ALLOWANCE_REFUSED, data: { validationCode: 214 } });
    expect(fee).toBeInstanceOf(FeeAllowanceExceededError);
    expect(fee).toBeInstanceOf(FeeAllowanceRefusedError);
    expect(fee).not.toBeInstanceOf(SessionRefusedError);
  });
  it("a code under the wrong RPC code, or none, stays the RPC code's class", () => {
    const odd = rpcErrorFromResponse({ code: RpcErrorCode.SESSION_REFUSED, data: { validationCode: 214 } });
    expect(odd.constructor).toBe(SessionRefusedError);
    const bare = rpcErrorFromResponse({ code: RpcErrorCode.FEE_ALLOWANCE_REFUSED });
    expect(bare.constructor).toBe(FeeAllowanceRefusedError);
  });
  it("the SDK's code tables are the protocol's", () => {
    for (const [name, code] of Object.entries(GrantRefusalCode).filter(([, v]) => typeof v === "number")) {
      expect(TxValidationErrorCode[name as keyof typeof TxValidationErrorCode], name).toBe(code);
    }
    for (const [name, code] of Object.entries(GrantExecutionCode).filter(([, v]) => typeof v === "number")) {
      expect(ExecutionErrorCode[name as keyof typeof ExecutionErrorCode], name).toBe(code);
    }
    const protocol = Object.entries(TxValidationErrorCode).filter(
      ([, v]) => typeof v === "number" && v >= 205 && v <= 214,
    );
    expect(protocol).toHaveLength(Object.keys(GrantRefusalCode).length / 2);
  });
});

describe("sessionGrantFromPermissions: an ERC-7715 request as a SessionGrant", () => {
  const app = { app: IDENTITY_ID, appSignature: APP_SIGNATURE, requestDeadline: 1_800_000_000 };
  const base = {
    chainId: `0x${CHAIN_ID.toString(16)}` as `0x${string}`,
    address: BOB,
    expiry: 1_800_003_600,
    signer: { type: "account", data: { address: carol.address } },
  };

  it("maps FIL, token and collection permissions with the Filverse policies, and signs as the SDK's grantSession", async () => {
    const mapped = sessionGrantFromPermissions([
      {
        ...base,
        permission: { type: "native-token-transfer", data: { allowance: "0x4563918244f40000" } },
        policies: [
          { type: "filverse-app", data: app },
          { type: "filverse-kinds", data: { kinds: ["AssetMint", "AttributeSet", "TradeFill"] } },
          { type: "spent-limit", data: { allowance: "0x29a2241af62c0000" } },
        ],
      },
      { ...base, permission: { type: "native-token-periodic", data: { periodAmount: "1000", periodDuration: 3600 } } },
      { ...base, permission: { type: "erc20-token-transfer", data: { tokenId: TOKEN_ID, allowance: "0x64" } } },
      {
        ...base,
        permission: {
          type: "erc20-token-periodic",
          data: { tokenId: TOKEN_ID, periodAmount: 10, periodDuration: 3600 },
        },
      },
      { ...base, permission: { type: "erc721-token-transfer", data: { collectionId: COLLECTION_ID } } },
    ]);
    expect(mapped.chainId).toBe(CHAIN_ID);
    expect(mapped.account).toBe(BOB.toLowerCase());
    expect(mapped.grant).toEqual({
      sessionKey: carol.address.toLowerCase(),
      ...app,
      kinds: kindsMask(["AssetMint", "AttributeSet", "TradeFill"]),
      filCap: 3n * 10n ** 18n, // the spent-limit is below the native allowance (5 FIL)
      filPeriodCap: 1000n,
      period: 3600,
      tokens: [{ tokenId: TOKEN_ID, cap: 100n, periodCap: 10n }],
      collections: [COLLECTION_ID],
      counterparties: [],
      expiresAt: 1_800_003_600,
    });
    const player = createFilverseClient({ url: NO_NODE, account: bob, chainId: CHAIN_ID });
    const signed = await player.signTransaction({
      primaryType: "SessionGrant",
      message: {
        ...mapped.grant,
        kinds: mapped.grant.kinds as bigint,
        tokens: [TOKEN_ID],
        tokenCaps: [100n],
        tokenPeriodCaps: [10n],
        nonce: 0,
        fee: 1,
      } as never,
    });
    expect(() => verify(signed.transaction)).not.toThrow();
  });

  it("takes the earlier draft's `permissions` list and a did:key signer; implies kinds from the permissions", () => {
    const key = privateKeyToAccount(SESSION_KEY);
    const mapped = sessionGrantFromPermissions([
      {
        chainId: CHAIN_ID,
        expiry: 1_800_003_600,
        signer: { type: "key", data: { id: didKey(key.publicKey) } },
        permissions: [
          { type: "native-token-transfer", data: { allowance: "5" }, policies: [{ type: "filverse-app", data: app }] },
          { type: "erc721-token-transfer", data: { collectionId: COLLECTION_ID } },
        ],
      },
    ]);
    expect(mapped.account).toBeUndefined();
    expect(mapped.grant.sessionKey).toBe(sessionAddr);
    expect(mapped.grant.kinds).toBe(kindsMask(["Transfer", "AssetTransfer"]));
    expect(mapped.grant.filCap).toBe(5n);
  });

  it("takes protocol.md's one-to-one form: a filverse-session permission and a key signer naming the address", () => {
    const data = {
      ...app,
      kinds: ["AssetMint", "TradeFill"],
      filCap: "5000",
      filPeriodCap: "100",
      period: 3600,
      tokens: [TOKEN_ID],
      tokenCaps: ["9"],
      tokenPeriodCaps: ["3"],
      collections: [COLLECTION_ID],
      counterparties: [BOB],
    };
    const request = {
      chainId: CHAIN_ID,
      address: BOB,
      expiry: 1_800_003_600,
      signer: { type: "key", data: { id: carol.address } },
      permissions: [{ type: "filverse-session", data }],
    };
    expect(sessionGrantFromPermissions([request]).grant).toEqual({
      sessionKey: carol.address.toLowerCase(),
      ...app,
      kinds: kindsMask(["AssetMint", "TradeFill"]),
      filCap: 5000n,
      filPeriodCap: 100n,
      period: 3600,
      tokens: [{ tokenId: TOKEN_ID, cap: 9n, periodCap: 3n }],
      collections: [COLLECTION_ID],
      counterparties: [BOB.toLowerCase()],
      expiresAt: 1_800_003_600,
    });
    const widened = {
      ...request,
      permissions: [...request.permissions, { type: "native-token-transfer", data: { allowance: "1" } }],
    };
    expect(() => sessionGrantFromPermissions([widened])).toThrow(/no other permission/);
    const uneven = { ...request, permissions: [{ type: "filverse-session", data: { ...data, tokenCaps: [] } }] };
    expect(() => sessionGrantFromPermissions([uneven])).toThrow(/one each/);
  });

  it("refuses what a SessionGrant cannot hold exactly", () => {
    const ok = { ...base, policies: [{ type: "filverse-app", data: app }] };
    const cases: [unknown[], RegExp][] = [
      [[], /non-empty/],
      [
        [{ ...ok, permission: { type: "native-token-transfer", data: { allowance: "1" } }, policies: [] }],
        /filverse-app/,
      ],
      [[{ ...ok, permission: { type: "erc20-token-transfer", data: { address: BOB, allowance: "1" } } }], /tokenId/],
      [
        [
          {
            ...ok,
            permission: { type: "erc721-token-transfer", data: { collectionId: COLLECTION_ID, tokenIds: ["0x1"] } },
          },
        ],
        /whole collections/,
      ],
      [[{ ...ok, permission: { type: "native-token-stream", data: {} } }], /native-token-stream/],
      [
        [
          {
            ...ok,
            policies: [...ok.policies, { type: "rate-limit", data: { count: 1, interval: 60 } }],
            permission: { type: "native-token-transfer", data: { allowance: "1" } },
          },
        ],
        /rate-limit/,
      ],
      [
        [
          {
            ...ok,
            signer: { type: "wallet", data: {} },
            permission: { type: "native-token-transfer", data: { allowance: "1" } },
          },
        ],
        /wallet/,
      ],
      [
        [
          {
            ...ok,
            signer: { type: "key", data: { id: "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK" } },
            permission: { type: "native-token-transfer", data: { allowance: "1" } },
          },
        ],
        /secp256k1/,
      ],
      [
        [
          { ...ok, permission: { type: "native-token-periodic", data: { periodAmount: "1", periodDuration: 60 } } },
          {
            ...ok,
            permission: {
              type: "erc20-token-periodic",
              data: { tokenId: TOKEN_ID, periodAmount: "1", periodDuration: 61 },
            },
          },
        ],
        /one period/,
      ],
      [
        [
          { ...ok, permission: { type: "native-token-transfer", data: { allowance: "1" } } },
          { ...ok, expiry: 5 },
        ],
        /same chainId/,
      ],
      [[{ ...ok, permission: { type: "native-token-transfer", data: { allowance: "-1" } } }], /not an amount/],
      [[{ ...ok }], /no transaction kind/],
      [
        [
          {
            ...ok,
            permissions: [1, 2, 3, 4, 5].map((i) => ({
              type: "erc721-token-transfer",
              data: { collectionId: `0x${String(i).repeat(64)}` },
            })),
          },
        ],
        /at most 4 collections/,
      ],
    ];
    for (const [request, message] of cases) {
      let error: unknown;
      try {
        sessionGrantFromPermissions(request as never);
      } catch (e) {
        error = e;
      }
      expect(error, String(message)).toBeInstanceOf(ClientError);
      expect((error as ClientError).shortMessage).toMatch(message);
    }
  });
});

/** did:key of a secp256k1 public key (multicodec 0xe7, compressed point, base58btc). */
function didKey(uncompressed: `0x${string}`): string {
  const pub = fromHex(uncompressed);
  const compressed = new Uint8Array(33);
  compressed[0] = (pub[64]! & 1) === 1 ? 3 : 2;
  compressed.set(pub.subarray(1, 33), 1);
  const bytes = Uint8Array.from([0xe7, 0x01, ...compressed]);
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  let n = BigInt(toHex(bytes));
  let text = "";
  while (n > 0n) {
    text = alphabet[Number(n % 58n)] + text;
    n /= 58n;
  }
  return `did:key:z${text}`;
}
