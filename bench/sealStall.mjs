// The longest event-loop stall while a sequencer seals a block, measured in-process: a real
// Sequencer (no worker pool, no HTTP, a temp LevelDB), `senders` funded accounts each sending
// transfers to fresh addresses, `txs` of them executed into the open block, then seal() while a
// setImmediate chain records the longest gap between two turns of the event loop. Every request and
// preconfirmation that arrives during a seal waits at least that long. On a box shared with other
// jobs the gaps include time the thread waited for a core, so the best of `rounds` blocks is the
// figure to compare between builds.
//   node bench/sealStall.mjs [txs=2000] [senders=200] [rounds=6]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateKeyToAddress, signTransaction } from "@filverse/crypto";
import { DevFaucet, defaultSequencerOpts, Sequencer } from "@filverse/node";
import { getChainConfig } from "@filverse/params";
import { signedTxToJson, TxKind } from "@filverse/types";

const CHAIN_ID = 3_141_592_601;
/** A deterministic key (the test-utils scheme). */
function makeKey(seed) {
  const priv = new Uint8Array(32);
  new DataView(priv.buffer).setUint32(28, seed + 1);
  priv[0] = 0x42;
  return { priv, address: privateKeyToAddress(priv) };
}
const sequencer = makeKey(1000);

const [txs = 2000, senderCount = 200, rounds = 6] = process.argv.slice(2).map(Number);
const senders = Array.from({ length: senderCount }, (_, i) => makeKey(5_000 + i));
const dir = mkdtempSync(join(tmpdir(), "filverse-sealstall-"));

/** Starts recording the longest gap between event-loop turns; the returned function stops it. */
function gapMonitor() {
  let max = 0;
  let last = performance.now();
  let on = true;
  const tick = () => {
    const now = performance.now();
    if (now - last > max) max = now - last;
    last = now;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return () => {
    on = false;
    return max;
  };
}

const seq = new Sequencer(
  {
    ...defaultSequencerOpts,
    chain: getChainConfig("devnet", { chainId: CHAIN_ID, blockTimeMs: 1_000_000, maxBlockDeposits: senderCount }),
    genesis: { chainId: CHAIN_ID, timestamp: 1_700_000_000 },
    dataDir: join(dir, "chaindb"),
  },
  {
    key: sequencer.priv,
    deposits: new DevFaucet(senders.map((k) => ({ address: k.address, amount: 10n ** 21n }))),
    recoverer: null,
  },
);
try {
  await seq.start();
  await seq.seal(); // the faucet's deposits
  const nonces = senders.map(() => 0);
  let fresh = 0;
  const results = [];
  for (let r = 0; r < rounds; r++) {
    const signed = [];
    for (let i = 0; i < txs; i++) {
      const s = i % senderCount;
      const to = makeKey(100_000 + fresh++).address;
      const message = { to, amount: 1n, nonce: nonces[s]++, fee: 1n };
      signed.push(signedTxToJson(signTransaction(CHAIN_ID, { kind: TxKind.Transfer, message }, senders[s].priv)));
    }
    await Promise.all(signed.map((tx) => seq.submitJson(tx)));
    while (seq.pendingCount() > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const stop = gapMonitor();
    const t = performance.now();
    await seq.seal();
    const sealMs = performance.now() - t;
    results.push({ block: seq.head.number, maxGapMs: Number(stop().toFixed(2)), sealMs: Number(sealMs.toFixed(1)) });
  }
  const gaps = results.map((x) => x.maxGapMs).sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({ txs, senders: senderCount, bestMaxGapMs: gaps[0], medianMaxGapMs: gaps[gaps.length >> 1], results })}\n`,
  );
} finally {
  await seq.close();
  rmSync(dir, { recursive: true, force: true });
}
