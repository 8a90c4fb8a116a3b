/**
 * The game of docs/sessions.md, end to end on `filverse devnet` (a local L1, the sequencer and its
 * verifiers as real processes), through the SDK as a game uses it: a studio funds fee allowances for
 * its collection and its app identity; a new player with 0 FIL creates an identity and grants a
 * session key the game's app asked for (both sponsored); the key mints, equips (AttributeSet) and
 * buys within its FIL cap; the next trade over the cap is refused at admission with
 * SESSION_CAP_EXCEEDED (210), one exactly at the cap still goes through; a revoked key is refused with
 * SESSION_REVOKED (206). The studio paid every fee: the player's FIL only ever paid prices, the session
 * key holds nothing, and the allowances' `spent` add up to the studio's loss, fee for fee.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  createFilverseClient,
  FeeAllowanceRefusedError,
  type FilverseClient,
  type FilverseRpcError,
  SessionCapExceededError,
  SessionRevokedError,
  type SignOrderReturnType,
  sessionAccount,
  signSessionRequest,
  sponsored,
} from "@filverse/client";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { type DevAccount, spawnDevnet, tempDir, waitFor } from "./helpers.js";

const FIL = 10n ** 18n;
/** The devnet's minimum fee is 0: the game pays real fees, each a different one, to trace who paid which. */
const GWEI = 10n ** 9n;
const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
const ZERO_ADDRESS = `0x${"00".repeat(20)}` as const;

const tmp = tempDir("gamesession");
afterAll(() => tmp.cleanup());

type Hex = `0x${string}`;

it("a studio pays every fee of a new player's session key, which mints, equips and trades within its caps", async () => {
  const dir = join(tmp.dir, "net");
  const devnet = await spawnDevnet<{ l2: string }>(dir, ["--dev-accounts", "2"], 180_000);
  const clients: FilverseClient[] = [];
  const client = (opts: Parameters<typeof createFilverseClient>[0]) => {
    const c = createFilverseClient(opts);
    clients.push(c);
    return c;
  };
  try {
    const url = devnet.ready.l2;
    const dev = JSON.parse(readFileSync(join(dir, "dev-accounts.json"), "utf8")) as DevAccount[];
    const reader = client({ url });
    const balance = async (address: Hex) => BigInt((await reader.getAccount({ address })).balance);
    for (const a of dev) await waitFor(async () => (await balance(a.address)) > 0n, 60_000, "dev accounts funded");

    /** Wait for a sent transaction to be sequenced; it must succeed. Returns its receipt. */
    const sequenced = async (sent: { hash: Hex }) => {
      const status = await reader.waitForTransaction(sent.hash, { status: "sequenced", timeoutMs: 30_000 });
      expect(status.result, `${sent.hash}: code ${status.code}`).toBe("success");
      const receipt = await reader.getTransactionReceipt({ hash: sent.hash });
      return receipt as unknown as { sender: Hex; feePaid: string; status: unknown };
    };

    // The studio: a funded dev account, an app identity and a collection (no royalty, so every FIL the
    // studio gains or loses below is a fee or a price, never a royalty).
    const studioAccount = privateKeyToAccount(dev[0]!.privateKey);
    const studio = client({ url, account: studioAccount });
    const studioAddr = studio.address!;
    const app = await studio.createIdentity({ handle: "dragon_studio", profileCid: CID });
    await sequenced(app);
    const collection = await studio.createCollection({
      name: "Dragon Gear",
      symbol: "DGR",
      royaltyBps: 0,
      maxSupply: 1000,
      metadataMutable: false,
    });
    await sequenced(collection);
    const appId = app.identityId;
    const collectionId = collection.collectionId;

    // A shop account holds the gear for sale (it signs maker orders off chain and never pays a fee).
    const shop = client({ url, account: privateKeyToAccount(generatePrivateKey()) });
    for (const tokenId of [100, 101, 102]) {
      await sequenced(await studio.mintAsset({ collectionId, tokenId, to: shop.address!, contentCid: CID }));
    }

    // Fee allowances: the collection's (mints and trades of its gear, by anyone), the app identity's
    // (session grants asking for this app, and attributes), each with a per-transaction and a daily limit.
    const maxFeePerTx = 10n ** 15n;
    await sequenced(
      await studio.sponsorFees({
        target: collectionId,
        totalBudget: FIL / 10n,
        periodBudget: FIL / 100n,
        period: 86_400,
        maxFeePerTx,
        kinds: ["AssetMint", "TradeFill"],
      }),
    );
    await sequenced(
      await studio.sponsorFees({
        target: appId,
        totalBudget: FIL / 10n,
        maxFeePerTx,
        kinds: ["SessionGrant", "AttributeSet"],
      }),
    );

    // A new player signs up: a key with 0 FIL, and a session key the game generates for it.
    const playerKey = generatePrivateKey();
    const playerAddr = privateKeyToAccount(playerKey).address.toLowerCase() as Hex;
    const sessionKey = generatePrivateKey();
    const sessionAddr = privateKeyToAccount(sessionKey).address.toLowerCase() as Hex;
    expect(await balance(playerAddr)).toBe(0n);
    // The game's sign-up: an allowance for this player's own first transactions, and mint rights for
    // the game's session key: the studio grants the key a session of its own that may only mint into
    // this collection and never move FIL (a mint-only role; the key acts for the studio in nothing else).
    await sequenced(
      await studio.sponsorFees({
        grantee: playerAddr,
        totalBudget: FIL / 1000n,
        maxFeePerTx,
        kinds: ["IdentityCreate", "SessionRevoke"],
      }),
    );
    const now = () => Math.floor(Date.now() / 1000);
    const chainId = await reader.getChainId();
    const mintDeadline = now() + 600;
    await sequenced(
      await studio.grantSession({
        sessionKey: sessionAddr,
        app: appId,
        appSignature: await signSessionRequest(studioAccount, {
          chainId,
          account: studioAddr,
          sessionKey: sessionAddr,
          app: appId,
          deadline: mintDeadline,
        }),
        requestDeadline: mintDeadline,
        kinds: ["AssetMint"],
        filCap: 0n,
        collections: [collectionId],
        expiresAt: now() + 3600,
      }),
    );
    const studioBefore = await balance(studioAddr);

    // The player creates an identity, paid by the studio.
    const player = client({ url, account: sponsored(playerKey, studioAddr) });
    const identity = await player.createIdentity({ handle: "player_one", profileCid: CID, fee: 11n * GWEI });
    const feesPaid: bigint[] = [];
    feesPaid.push(BigInt((await sequenced(identity)).feePaid));
    expect(await balance(playerAddr)).toBe(0n);
    expect((await reader.getIdentity({ identityId: identity.identityId }))?.owner).toBe(playerAddr);

    // The game's app asks for a session key; the player grants it, sponsored: AssetMint,
    // AttributeSet and TradeFill on this collection only, at most 5 FIL in all, for an hour.
    const requestDeadline = now() + 600;
    const appSignature = await signSessionRequest(studioAccount, {
      chainId,
      account: playerAddr,
      sessionKey: sessionAddr,
      app: appId,
      deadline: requestDeadline,
    });
    const filCap = 5n * FIL;
    const grant = await player.grantSession({
      sessionKey: sessionAddr,
      app: appId,
      appSignature,
      requestDeadline,
      kinds: ["AssetMint", "AttributeSet", "TradeFill"],
      filCap,
      collections: [collectionId],
      expiresAt: now() + 3600,
      fee: 12n * GWEI,
    });
    feesPaid.push(BigInt((await sequenced(grant)).feePaid));
    expect(await balance(playerAddr)).toBe(0n);
    const granted = (await reader.getSessionGrant({ account: playerAddr, sessionKey: sessionAddr })) as Record<
      string,
      unknown
    >;
    expect(granted).toMatchObject({ app: appId, filCap: String(filCap), filSpent: "0", status: "active" });

    // A friend sends the player 10 FIL: more than the session may spend.
    const friend = client({ url, account: privateKeyToAccount(dev[1]!.privateKey) });
    await sequenced(await friend.transfer({ to: playerAddr, amount: 10n * FIL }));
    expect(await balance(playerAddr)).toBe(10n * FIL);

    // The session key plays: it mints as the studio (its mint-only grant) and signs everything else
    // as the player; the studio pays every fee, and the key's nonces are its own.
    const minter = client({ url, account: sessionAccount(sessionKey, { account: studioAddr, sponsor: studioAddr }) });
    const session = client({ url, account: sessionAccount(sessionKey, { account: playerAddr, sponsor: studioAddr }) });
    const mint = await minter.mintAsset({ collectionId, tokenId: 1, to: playerAddr, contentCid: CID, fee: 13n * GWEI });
    expect(mint.nonce).toBe(0);
    const mintReceipt = await sequenced(mint);
    expect(mintReceipt.sender).toBe(sessionAddr);
    feesPaid.push(BigInt(mintReceipt.feePaid));
    expect((await reader.getAsset({ collectionId, tokenId: 1 }))?.owner).toBe(playerAddr);

    const equip = await session.setAttribute({
      identityId: identity.identityId,
      key: "game.equipped",
      value: `${collectionId}:1`,
      expiresAt: 0,
      fee: 14n * GWEI,
    });
    expect(equip.nonce).toBe(1);
    feesPaid.push(BigInt((await sequenced(equip)).feePaid));
    const doc = (await reader.getIdentity({ identityId: identity.identityId })) as { attributes?: unknown };
    expect(JSON.stringify(doc)).toContain("game.equipped");

    const orders: SignOrderReturnType[] = [];
    for (const [tokenId, price] of [
      [100, 3n * FIL],
      [101, 3n * FIL],
      [102, 2n * FIL],
    ] as const) {
      orders.push(await shop.signOrder({ side: 0, collectionId, tokenId, price }));
    }
    feesPaid.push(BigInt((await sequenced(await session.fillOrder({ ...orders[0]!, fee: 15n * GWEI }))).feePaid));
    expect((await reader.getAsset({ collectionId, tokenId: 100 }))?.owner).toBe(playerAddr);
    expect(await balance(playerAddr)).toBe(7n * FIL);

    // 3 + 3 FIL is over the 5 FIL cap, though the player holds 7 FIL: refused at admission, typed.
    const over = await session.fillOrder({ ...orders[1]!, fee: 16n * GWEI }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(over).toBeInstanceOf(SessionCapExceededError);
    expect((over as SessionCapExceededError).txCode).toBe(210);
    expect((over as FilverseRpcError).shortMessage).toMatch(/cap/i);
    expect((await reader.getAsset({ collectionId, tokenId: 101 }))?.owner).toBe(shop.address);
    expect((await reader.getAccount({ address: sessionAddr })).pendingNonce).toBe("3");

    // 3 + 2 FIL is exactly the cap: it goes through.
    feesPaid.push(BigInt((await sequenced(await session.fillOrder({ ...orders[2]!, fee: 17n * GWEI }))).feePaid));
    expect(await balance(playerAddr)).toBe(5n * FIL);
    expect(await reader.getSessionGrant({ account: playerAddr, sessionKey: sessionAddr })).toMatchObject({
      filSpent: String(filCap),
      filRemaining: "0",
      status: "active",
    });

    // A fee over the allowances' per-transaction maximum is refused at admission too. The refusal
    // carries the first allowance present among the candidates, the player's own (which does not
    // cover AttributeSet): FEE_ALLOWANCE_NOT_COVERED (213).
    const tooDear = await session
      .setAttribute({
        identityId: identity.identityId,
        key: "game.level",
        value: "2",
        expiresAt: 0,
        fee: maxFeePerTx + 1n,
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(tooDear).toBeInstanceOf(FeeAllowanceRefusedError);
    expect((tooDear as FeeAllowanceRefusedError & { txCode: number }).txCode).toBe(213);

    // The player ends the session (sponsored); the key is refused at once, typed.
    feesPaid.push(
      BigInt((await sequenced(await player.revokeSession({ sessionKey: sessionAddr, fee: 18n * GWEI }))).feePaid),
    );
    const revoked = await session
      .setAttribute({ identityId: identity.identityId, key: "game.level", value: "3", expiresAt: 0, fee: 19n * GWEI })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(revoked).toBeInstanceOf(SessionRevokedError);
    expect((revoked as SessionRevokedError).txCode).toBe(206);
    expect(await reader.getSessionGrant({ account: playerAddr, sessionKey: sessionAddr })).toMatchObject({
      status: "revoked",
    });

    // Who paid: the player's 10 FIL went only to the two prices, the session key never held FIL, and
    // the studio lost exactly the fees, each recorded in the allowance that covered it.
    expect(await balance(playerAddr)).toBe(10n * FIL - 3n * FIL - 2n * FIL);
    expect(await balance(sessionAddr)).toBe(0n);
    const total = feesPaid.reduce((a, b) => a + b, 0n);
    expect(feesPaid.every((f) => f > 0n)).toBe(true);
    expect(await balance(studioAddr)).toBe(studioBefore - total);
    expect(await balance(shop.address!)).toBe(3n * FIL + 2n * FIL);
    const spent = async (grantee: Hex, target?: Hex) =>
      BigInt(
        (
          (await reader.getFeeAllowance({ sponsor: studioAddr, grantee, ...(target ? { target } : {}) })) as {
            spent: string;
          }
        ).spent,
      );
    const [fIdentity, fGrant, fMint, fEquip, fFill1, fFill3, fRevoke] = feesPaid as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    expect(await spent(playerAddr)).toBe(fIdentity + fRevoke);
    expect(await spent(ZERO_ADDRESS, appId)).toBe(fGrant + fEquip);
    expect(await spent(ZERO_ADDRESS, collectionId)).toBe(fMint + fFill1 + fFill3);
    const collectionAllowance = (await reader.getFeeAllowance({ sponsor: studioAddr, target: collectionId })) as {
      remaining: string;
      periodRemaining: string | null;
    };
    expect(BigInt(collectionAllowance.remaining)).toBe(FIL / 10n - (fMint + fFill1 + fFill3));
    expect(BigInt(collectionAllowance.periodRemaining!)).toBe(FIL / 100n - (fMint + fFill1 + fFill3));
  } finally {
    for (const c of clients) await c.close();
    const code = await devnet.stop();
    expect(code).toBe(0);
  }
}, 300_000);
