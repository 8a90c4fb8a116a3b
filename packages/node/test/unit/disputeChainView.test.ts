/**
 * The chain as the dispute player reads it: a state the history no longer holds is replayed from
 * genesis over the stored blocks, to the same root the chain committed.
 */
import { join } from "node:path";
import { TxKind } from "@filverse/types";
import { afterAll, expect, it } from "vitest";
import { disputeChainView } from "../../src/dispute/index.js";
import { DevFaucet } from "../../src/sequencer/devFaucet.js";
import { defaultSequencerOpts, Sequencer } from "../../src/sequencer/sequencer.js";
import { FUNDS, GENESIS, key, SequencerFixture, sequencerKey, tempDirs, testChain } from "./chainFixture.js";

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

it("replays a state older than the history from genesis, to the root the chain committed", async () => {
  const alice = key(1);
  const seq = new Sequencer(
    {
      ...defaultSequencerOpts,
      stateHistory: 1,
      chain: testChain(),
      genesis: GENESIS,
      dataDir: join(dirs.make(), "seq"),
    },
    { key: sequencerKey.priv, deposits: new DevFaucet([{ address: alice.address, amount: FUNDS }]), recoverer: null },
  );
  await seq.start();
  try {
    const f = new SequencerFixture(seq, testChain());
    await f.block(); // the faucet funds alice
    for (let i = 0; i < 4; i++) await f.block([f.sign(alice, TxKind.Transfer, { to: key(2).address, amount: 1n })]);
    const view = disputeChainView(seq.core);
    expect(seq.stateAt(2)).toBe(undefined);
    const replayed = await view.stateAt(2);
    const header = (await view.block(2))!.header;
    expect(replayed!.roots().stateRoot).toEqual(header.stateRoot);
    expect(await view.stateAt(99)).toBe(undefined);
    expect(await view.refusedBlock(`0x${"00".repeat(32)}`)).toBe(null);
  } finally {
    await seq.close();
  }
});
