/**
 * A verifier over JSON-RPC, on 127.0.0.1: it syncs from the sequencer's RPC (RpcBlockSource), serves
 * the read methods from its own re-executed state, forwards sendTransaction (errors passed through,
 * UNAVAILABLE when the sequencer is gone), and serves filverse_getGenesis and filverse_getEvidence.
 */
import { signTransaction } from "@filverse/crypto";
import { RpcServer } from "@filverse/rpc";
import { encodeSignedTx, type PreconfirmationJson, RpcErrorCode, signedTxToJson, TxKind } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { afterEach, describe, expect, it } from "vitest";
import { createRpcHandlers, type RpcNode } from "../../src/api/index.js";
import { fetchChainIdentity } from "../../src/config.js";
import { RemoteRpcError, RemoteRpcErrorCode } from "../../src/errors.js";
import { JsonRpcClient, RpcBlockSource } from "../../src/sync/blockSource.js";
import { CHAIN_ID, GENESIS, key, SequencerFixture, sequencerKey, startVerifier, tempDirs } from "./chainFixture.js";

const alice = key(821, "alice");
const bob = key(822, "bob");
const tmp = tempDirs();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
  tmp.cleanup();
});

async function serve(node: RpcNode): Promise<{ server: RpcServer; url: string }> {
  const server = new RpcServer({ host: "127.0.0.1", port: 0, rateLimit: null }, { methods: createRpcHandlers(node) });
  const { url } = await server.start();
  open.push(server);
  return { server, url };
}

describe("a verifier over JSON-RPC", () => {
  it("syncs from the sequencer's RPC, serves reads, forwards transactions, serves genesis and evidence", async () => {
    const f = await SequencerFixture.start(tmp.make("seq"), [alice, bob]);
    open.push(f.seq);
    await f.block();
    await f.block([f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 9n })]);
    const seqRpc = await serve(f.seq);

    // The chain's identity from the sequencer: its genesis, checked.
    const identity = await fetchChainIdentity(seqRpc.url);
    expect(identity.genesis).toEqual(GENESIS);
    expect(identity.sequencer).toBe(toHex(sequencerKey.address));
    expect(identity.chain.checkpointInterval).toBe(f.chain.checkpointInterval);

    const client = new JsonRpcClient({ url: seqRpc.url });
    const v = await startVerifier(tmp.make(), {
      source: new RpcBlockSource(client, { maxBlocksPerRequest: 1 }),
      forward: client,
    });
    open.push(v);
    await v.sync();
    expect(v.head.number).toBe(2);
    const vRpc = await serve(v);
    const call = (method: string, params: unknown[] = []) => new JsonRpcClient({ url: vRpc.url }).call(method, params);

    expect(await call("filverse_getAccount", [toHex(bob.address)])).toEqual(
      await new JsonRpcClient({ url: seqRpc.url }).call("filverse_getAccount", [toHex(bob.address)]),
    );
    expect(await call("filverse_syncStatus")).toMatchObject({ head: "2", pending: 0, syncing: false });
    expect(await call("filverse_getGenesis")).toEqual(await client.call("filverse_getGenesis"));
    expect(await call("filverse_getEvidence")).toEqual([]);
    await expect(call("filverse_getEvidence", ["nonsense"])).rejects.toMatchObject({
      details: { rpcCode: RpcErrorCode.INVALID_PARAMS },
    });

    // Forwarded: the sequencer's hash comes back; its errors keep their codes.
    const tx = signTransaction(
      CHAIN_ID,
      { kind: TxKind.Transfer, message: { to: alice.address, amount: 1n, nonce: 0, fee: 1n } } as never,
      bob.priv,
    );
    const hash = (await call("filverse_sendTransaction", [signedTxToJson(tx)])) as string;
    expect(f.seq.pendingTx(hash)).toBeDefined();
    // Until the verifier sees it in a block: pending, and the sender's next nonce counts it.
    expect(await call("filverse_getTransactionStatus", [hash])).toEqual({ hash, status: "pending" });
    expect(await call("filverse_getAccount", [toHex(bob.address)])).toMatchObject({ nonce: "0", pendingNonce: "1" });
    await f.block();
    await v.sync();
    expect(await call("filverse_getTransactionStatus", [hash])).toMatchObject({
      status: "sequenced",
      blockNumber: "3",
    });
    expect(await call("filverse_getAccount", [toHex(bob.address)])).toMatchObject({ nonce: "1", pendingNonce: "1" });
    const stale = signTransaction(
      CHAIN_ID,
      { kind: TxKind.Transfer, message: { to: bob.address, amount: 1n, nonce: 0, fee: 1n } } as never,
      alice.priv,
    );
    await expect(call("filverse_sendTransaction", [signedTxToJson(stale)])).rejects.toMatchObject({
      details: { rpcCode: RpcErrorCode.NONCE_TOO_LOW },
    });
    // Checked here first: another chain's transaction never reaches the sequencer.
    const other = signTransaction(
      CHAIN_ID + 1,
      { kind: TxKind.Transfer, message: { to: bob.address, amount: 1n, nonce: 5, fee: 1n } } as never,
      alice.priv,
    );
    await expect(call("filverse_sendTransaction", [signedTxToJson(other)])).rejects.toMatchObject({
      details: { rpcCode: RpcErrorCode.WRONG_CHAIN },
    });

    // sendTransactionSync and sendRawTransaction are forwarded too: the sequencer's signed
    // preconfirmation comes back as it gave it; getPreconfirmation is asked there.
    const sync = signTransaction(
      CHAIN_ID,
      { kind: TxKind.Transfer, message: { to: alice.address, amount: 1n, nonce: 1, fee: 1n } } as never,
      bob.priv,
    );
    const pre = (await call("filverse_sendTransactionSync", [signedTxToJson(sync), 5_000])) as PreconfirmationJson;
    expect(pre.preconfirmation).toMatchObject({ number: "4", position: 0 });
    expect(await call("filverse_getPreconfirmation", [pre.hash])).toEqual(pre);
    const raw = signTransaction(
      CHAIN_ID,
      { kind: TxKind.Transfer, message: { to: alice.address, amount: 1n, nonce: 2, fee: 1n } } as never,
      bob.priv,
    );
    const rawHash = (await call("filverse_sendRawTransaction", [toHex(encodeSignedTx(raw))])) as string;
    expect(f.seq.pendingTx(rawHash)).toBeDefined();
    await expect(call("filverse_sendRawTransaction", ["0x0102"])).rejects.toMatchObject({
      details: { rpcCode: RpcErrorCode.MALFORMED_TRANSACTION },
    });
    await f.block();

    // The sequencer gone: UNAVAILABLE, and the source's errors are typed.
    await seqRpc.server.close();
    const fresh = signTransaction(
      CHAIN_ID,
      { kind: TxKind.Transfer, message: { to: alice.address, amount: 1n, nonce: 3, fee: 1n } } as never,
      bob.priv,
    );
    await expect(call("filverse_sendTransaction", [signedTxToJson(fresh)])).rejects.toMatchObject({
      details: { rpcCode: RpcErrorCode.UNAVAILABLE, data: { reason: "sequencer unreachable" } },
    });
    const err = await v.sync().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteRpcError);
    expect((err as RemoteRpcError).code).toBe(RemoteRpcErrorCode.UNREACHABLE);
  });
});
