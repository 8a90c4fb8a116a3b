/** The sequencer keeps every block within maxBlockBytes (what one gossip message carries). */
import { join } from "node:path";
import { signTransaction } from "@filverse/crypto";
import { encodeSignedBlock, signedTxToJson, TxKind } from "@filverse/types";
import { afterAll, expect, it } from "vitest";
import { DevFaucet } from "../../src/sequencer/devFaucet.js";
import { defaultSequencerOpts, Sequencer } from "../../src/sequencer/sequencer.js";
import { CHAIN_ID, FUNDS, GENESIS, makeKey, sequencerKey, tempDirs, testChain } from "./chainFixture.js";

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

it("leaves the transactions past maxBlockBytes for the next block, and every sealed block fits", async () => {
  const alice = makeKey(1);
  const bob = makeKey(2);
  const MAX = 2_000;
  const seq = new Sequencer(
    {
      ...defaultSequencerOpts,
      maxBlockBytes: MAX,
      chain: testChain(),
      genesis: GENESIS,
      dataDir: join(dirs.make(), "seq"),
    },
    {
      key: sequencerKey.priv,
      deposits: new DevFaucet([{ address: alice.address, amount: FUNDS }]),
      recoverer: null,
    },
  );
  await seq.start();
  await seq.seal(); // the faucet's deposit funds alice
  try {
    const hashes: string[] = [];
    for (let nonce = 0; nonce < 30; nonce++) {
      const tx = signTransaction(
        CHAIN_ID,
        { kind: TxKind.Transfer, message: { to: bob.address, amount: 1n, nonce, fee: 1n } } as never,
        alice.priv,
      );
      hashes.push(await seq.submitJson(signedTxToJson(tx)));
    }
    const until = Date.now() + 15_000;
    while (seq.pendingCount() > 0 || seq.mempool.size > 0) {
      if (Date.now() > until) throw new Error("transactions not sequenced");
      await seq.seal();
      await new Promise((r) => setTimeout(r, 5));
    }
    await seq.seal();
    let txs = 0;
    for (let n = 1; n <= seq.head.number; n++) {
      const block = (await seq.db.getBlockByNumber(n))!;
      expect(encodeSignedBlock(block).length).toBeLessThanOrEqual(MAX);
      txs += block.transactions.length;
    }
    expect(txs).toBe(30);
    expect(seq.head.number).toBeGreaterThan(2); // 30 transfers do not fit in one 2,000-byte block
  } finally {
    await seq.close();
  }
});
