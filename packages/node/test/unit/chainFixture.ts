/** A real chain for verifier tests: an in-process Sequencer on a temp dir, driven transaction by transaction. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signTransaction } from "@filverse/crypto";
import { type ChainConfig, getChainConfig } from "@filverse/params";
import { CHAIN_ID, type Key, makeKey, sequencer as sequencerKey } from "@filverse/test-utils";
import { type SignedBlock, signedTxToJson, type TxMessages, type UserTxKind } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { DevFaucet } from "../../src/sequencer/devFaucet.js";
import { defaultSequencerOpts, Sequencer } from "../../src/sequencer/sequencer.js";
import { defaultVerifierOpts, Verifier, type VerifierModules, type VerifierOpts } from "../../src/verifier/verifier.js";

export { CHAIN_ID, makeKey, sequencerKey };
export const GENESIS = { chainId: CHAIN_ID, timestamp: 1_700_000_000 };
export const FUNDS = 10n ** 21n;

export function tempDirs() {
  const dirs: string[] = [];
  return {
    make(name = "verifier"): string {
      const dir = mkdtempSync(join(tmpdir(), `filverse-${name}-`));
      dirs.push(dir);
      return dir;
    },
    cleanup(): void {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

export function testChain(overrides: Partial<ChainConfig> = {}): ChainConfig {
  // Blocks are sealed by the tests only (seal()), so the block time is out of the way.
  return getChainConfig("devnet", { chainId: CHAIN_ID, blockTimeMs: 1_000_000, checkpointInterval: 2, ...overrides });
}

/** A started sequencer whose dev faucet funds `funded`; every block is sealed by `block()`. */
export class SequencerFixture {
  readonly nonces = new Map<string, number>();
  constructor(
    readonly seq: Sequencer,
    readonly chain: ChainConfig,
  ) {}

  static async start(dir: string, funded: Key[], chain = testChain()): Promise<SequencerFixture> {
    const seq = new Sequencer(
      { ...defaultSequencerOpts, chain, genesis: GENESIS, dataDir: join(dir, "seq") },
      {
        key: sequencerKey.priv,
        deposits: new DevFaucet(funded.map((k) => ({ address: k.address, amount: FUNDS }))),
        recoverer: null,
      },
    );
    await seq.start();
    return new SequencerFixture(seq, chain);
  }

  sign<K extends UserTxKind>(key: Key, kind: K, message: Omit<TxMessages[K], "nonce" | "fee">) {
    const nonce = this.nonces.get(toHex(key.address)) ?? 0;
    this.nonces.set(toHex(key.address), nonce + 1);
    return signTransaction(CHAIN_ID, { kind, message: { ...message, nonce, fee: 1n } } as never, key.priv);
  }

  /** Submit these transactions, wait until they are executed, seal; returns the new block. */
  async block(txs: ReturnType<SequencerFixture["sign"]>[] = []): Promise<SignedBlock> {
    for (const tx of txs) await this.seq.submitJson(signedTxToJson(tx));
    const until = Date.now() + 5_000;
    while (this.seq.pendingCount() > 0) {
      if (Date.now() > until) throw new Error("transactions not executed");
      await new Promise((r) => setTimeout(r, 2));
    }
    const before = this.seq.head.number;
    await this.seq.seal();
    if (this.seq.head.number !== before + 1) throw new Error("no block sealed");
    return (await this.seq.db.getBlockByNumber(this.seq.head.number))!;
  }

  async blocks(from: number, to: number): Promise<SignedBlock[]> {
    const out: SignedBlock[] = [];
    for (let n = from; n <= to; n++) out.push((await this.seq.db.getBlockByNumber(n))!);
    return out;
  }
}

export function verifierOpts(dir: string, chain = testChain(), over: Partial<VerifierOpts> = {}): VerifierOpts {
  return {
    ...defaultVerifierOpts,
    chain,
    genesis: GENESIS,
    sequencer: sequencerKey.address,
    dataDir: join(dir, "chaindb"),
    followIntervalMs: null,
    ...over,
  };
}

export async function startVerifier(
  dir: string,
  modules: VerifierModules = {},
  chain = testChain(),
  over: Partial<VerifierOpts> = {},
): Promise<Verifier> {
  const v = new Verifier(verifierOpts(dir, chain, over), modules);
  await v.start();
  return v;
}

export { makeKey as key };
