/**
 * The sequencer keeps at most `stateHistory` past states in memory (docs/benchmarks.md: under load
 * they are the only growing structure besides the state itself, about 1.5 KB per transaction).
 */
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { DevFaucet } from "../../src/sequencer/devFaucet.js";
import { defaultSequencerOpts, Sequencer } from "../../src/sequencer/sequencer.js";
import { GENESIS, sequencerKey, tempDirs, testChain } from "./chainFixture.js";

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

it("keeps the states of the last stateHistory blocks before the head and drops older ones", async () => {
  const HISTORY = 3;
  const seq = new Sequencer(
    {
      ...defaultSequencerOpts,
      stateHistory: HISTORY,
      sealEmptyBlocks: true,
      chain: testChain(),
      genesis: GENESIS,
      dataDir: join(dirs.make(), "seq"),
    },
    { key: sequencerKey.priv, deposits: new DevFaucet([]), recoverer: null },
  );
  await seq.start();
  try {
    for (let i = 0; i < 10; i++) {
      await seq.seal();
      const head = seq.head.number;
      expect(head).toBe(i + 1);
      expect(seq.stateAt(head)).toBe(seq.state);
      for (let n = 0; n < head; n++)
        expect(seq.stateAt(n) !== undefined, `state ${n} at head ${head}`).toBe(n >= head - HISTORY);
      const kept = Array.from({ length: head }, (_, n) => seq.stateAt(n)).filter((s) => s !== undefined);
      expect(kept.length).toBeLessThanOrEqual(HISTORY);
    }
  } finally {
    await seq.close();
  }
});
