/**
 * `filverse demo`: a walkthrough against a running devnet with two funded dev accounts. It creates a
 * collection, mints, transfers, registers an identity with a session key that acts for it, and
 * reads everything back, printing each step.
 */
import { createFilverseClient } from "@filverse/client";
import type { DevAccount } from "@filverse/node";
import { privateKeyToAccount } from "viem/accounts";

const CONTENT = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

export async function runDemo(o: { rpc: string; json?: boolean; accounts: DevAccount[] }): Promise<void> {
  const out: Record<string, unknown> = {};
  const say = (step: string, value: unknown) => {
    out[step] = value;
    if (!o.json) process.stdout.write(`${step}: ${typeof value === "string" ? value : JSON.stringify(value)}\n`);
  };
  const alice = privateKeyToAccount(o.accounts[0]!.privateKey as `0x${string}`);
  const bob = privateKeyToAccount(o.accounts[1]!.privateKey as `0x${string}`);
  const session = privateKeyToAccount(`0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex")}`);
  const a = createFilverseClient({ url: o.rpc, account: alice });
  const s = createFilverseClient({ url: o.rpc, account: session });
  try {
    const wait = (hash: `0x${string}`) => a.waitForTransaction(hash, { status: "sequenced", timeoutMs: 30_000 });
    say("chain", `${await a.getChainId()} at block ${await a.getBlockNumber()}`);
    say("alice", alice.address);
    say("bob", bob.address);

    const col = await a.createCollection({
      name: "Demo Avatars",
      symbol: "DAV",
      royaltyBps: 500,
      maxSupply: 100,
      metadataMutable: true,
    });
    await wait(col.hash);
    say("collection", col.collectionId);
    const mint = await a.batchMintAssets({
      collectionId: col.collectionId,
      firstTokenId: 1,
      to: alice.address,
      contentCids: [CONTENT, CONTENT],
    });
    say("minted tokens 1-2", (await wait(mint.hash)).result);
    const xfer = await a.transferAsset({ collectionId: col.collectionId, tokenId: 2, to: bob.address });
    say("transferred token 2 to bob", (await wait(xfer.hash)).result);

    const handle = `alice_${Date.now().toString(36)}`;
    const id = await a.createIdentity({ handle, profileCid: CONTENT });
    await wait(id.hash);
    say("identity", `${handle} ${id.identityId}`);
    // Fund the session key for its own fees, then authorize it for assets of alice's identity.
    await wait((await a.transfer({ to: session.address, amount: 10n ** 18n })).hash);
    const del = await a.addDelegate({
      identityId: id.identityId,
      delegate: session.address,
      scope: 3,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
    say("session key", `${session.address} (${(await wait(del.hash)).result})`);
    const byKey = await s.transferAsset({
      collectionId: col.collectionId,
      tokenId: 1,
      to: bob.address,
      onBehalfOf: id.identityId,
    });
    say(
      "session key moved token 1 to bob for alice",
      (await s.waitForTransaction(byKey.hash, { timeoutMs: 30_000 })).result,
    );
    const attr = await s.setAttribute({ identityId: id.identityId, key: "game.level", value: "7", expiresAt: 0 });
    say("session key set attribute", (await s.waitForTransaction(attr.hash, { timeoutMs: 30_000 })).result);

    say(
      "bob's assets",
      (await a.getAssetsByOwner({ owner: bob.address })).assets.map((x) => `#${x.tokenId as string}`),
    );
    say("identity", await a.getIdentity({ handle }));
    say("did", await a.resolveDid({ did: `did:filverse:${await a.getChainId()}:${handle}` }));
    say("alice", await a.getAccount({ address: alice.address }));
    if (o.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await a.close();
    await s.close();
  }
}
