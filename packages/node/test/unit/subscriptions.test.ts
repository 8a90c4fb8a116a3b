/**
 * filverse_subscribe over a real RpcServer and WebSocket: a node-event listener exists exactly while
 * its subscription does. Refused subscriptions (-32016) add none; unsubscribe and a closed socket
 * remove theirs. Listener counts are asserted, not timings.
 */

import { recoverPreconfirmationSigner, txHash } from "@filverse/crypto";
import { RpcServer } from "@filverse/rpc";
import { sleep, TestWs } from "@filverse/test-utils";
import { RpcErrorCode, signedTxToJson, TxKind } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { afterEach, describe, expect, it } from "vitest";
import { createRpcHandlers } from "../../src/api/index.js";
import type { Sequencer } from "../../src/sequencer/sequencer.js";
import { key, SequencerFixture, sequencerKey, tempDirs } from "./chainFixture.js";

const alice = key(861, "alice");
const bob = key(862, "bob");
const MAX_SUBSCRIPTIONS = 4;
const tmp = tempDirs();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
  tmp.cleanup();
});

async function serve(seq: Sequencer): Promise<string> {
  const server = new RpcServer(
    { port: 0, rateLimit: null, maxSubscriptionsPerConnection: MAX_SUBSCRIPTIONS },
    { methods: createRpcHandlers(seq) },
  );
  open.push(server);
  return (await server.start()).wsUrl;
}

const listeners = (seq: Sequencer) => ({
  newHead: seq.events.listenerCount("newHead"),
  txStatus: seq.events.listenerCount("txStatus"),
});

describe("filverse_subscribe listeners", () => {
  it("refused subscriptions add no listener; unsubscribe and a closed socket remove theirs", async () => {
    const f = await SequencerFixture.start(tmp.make("subs"), [alice, bob]);
    open.push(f.seq);
    await f.block();
    const ws = await TestWs.open(await serve(f.seq));
    const base = listeners(f.seq);
    const hash = toHex(new Uint8Array(32).fill(7));
    let id = 0;
    /** Notifications that arrived while a request waited for its response. */
    const notes: { subscription: string }[] = [];
    const request = async (method: string, params: unknown[]) => {
      ws.send({ jsonrpc: "2.0", id: ++id, method, params });
      for (;;) {
        const m = await ws.next();
        if (m.id === id) return m;
        notes.push(m.params);
      }
    };
    const subscribe = (params: unknown[]) => request("filverse_subscribe", params);
    const nextNote = async () => notes.shift() ?? (await ws.next()).params;

    const heads = [(await subscribe(["newHeads"])).result, (await subscribe(["newHeads"])).result];
    const statuses = [(await subscribe(["txStatus", hash])).result, (await subscribe(["txStatus", hash])).result];
    for (const s of [...heads, ...statuses]) expect(s).toMatch(/^0x[0-9a-f]{32}$/);
    // Each txStatus subscription's first notification: the current status.
    expect(new Set([(await nextNote()).subscription, (await nextNote()).subscription])).toEqual(new Set(statuses));
    expect(listeners(f.seq)).toEqual({ newHead: base.newHead + 2, txStatus: base.txStatus + 2 });

    // Churn of refused subscriptions, both kinds: the listener counts do not move.
    for (let i = 0; i < 200; i++) {
      const refused = await subscribe(i % 2 === 0 ? ["newHeads"] : ["txStatus", hash]);
      expect(refused.error.code).toBe(RpcErrorCode.SUBSCRIPTION_LIMIT);
    }
    expect(listeners(f.seq)).toEqual({ newHead: base.newHead + 2, txStatus: base.txStatus + 2 });

    // A block reaches each accepted newHeads subscription once.
    await f.block([f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n })]);
    const notified = [(await nextNote()).subscription, (await nextNote()).subscription];
    expect(new Set(notified)).toEqual(new Set(heads));

    // Unsubscribe removes its listener; closing the socket removes the rest.
    expect((await request("filverse_unsubscribe", [heads[0]])).result).toBe(true);
    expect(listeners(f.seq)).toEqual({ newHead: base.newHead + 1, txStatus: base.txStatus + 2 });
    await ws.close();
    for (let i = 0; i < 100 && listeners(f.seq).newHead !== base.newHead; i++) await sleep(5);
    expect(listeners(f.seq)).toEqual(base);
  });

  it("preconfirmations: each one signed, in block order, while subscribed; unsubscribing removes the listener", async () => {
    const f = await SequencerFixture.start(tmp.make("subs"), [alice, bob]);
    open.push(f.seq);
    await f.block();
    const ws = await TestWs.open(await serve(f.seq));
    ws.send({ jsonrpc: "2.0", id: 1, method: "filverse_subscribe", params: ["preconfirmations"] });
    const sub = (await ws.next()).result as string;
    expect(f.seq.events.listenerCount("preconfirmation")).toBe(1);
    const txs = [
      f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n }),
      f.sign(bob, TxKind.Transfer, { to: alice.address, amount: 2n }),
    ];
    for (const tx of txs) await f.seq.submitJson(signedTxToJson(tx));
    const got = [(await ws.next()).params, (await ws.next()).params];
    expect(got.map((n) => n.subscription)).toEqual([sub, sub]);
    expect(got.map((n) => n.result.hash)).toEqual(txs.map((t) => toHex(txHash(t))));
    for (const n of got) {
      const p = n.result.preconfirmation;
      const signer = recoverPreconfirmationSigner(
        f.chain.chainId,
        {
          number: Number(p.number),
          position: p.position,
          receiptRoot: fromHex(p.receiptRoot),
          touchedRoot: fromHex(p.touchedRoot),
        },
        fromHex(p.signature),
      );
      expect(toHex(signer)).toBe(toHex(sequencerKey.address));
    }
    ws.send({ jsonrpc: "2.0", id: 2, method: "filverse_unsubscribe", params: [sub] });
    expect((await ws.next()).result).toBe(true);
    expect(f.seq.events.listenerCount("preconfirmation")).toBe(0);
    await ws.close();
  });
});
