/**
 * `filverse dispute list|show|challenge|defend`: the fault-proof games (docs/fault-proofs.md). `list`
 * and `show` ask a node's RPC (filverse_getDisputes, filverse_getDispute). `challenge` and `defend`
 * act on L1 from a stopped node's data dir (its chain, its `dispute` section, its L1 key); a running
 * node with a `dispute` section does both by itself.
 */
import { createLogger, JsonRpcClient, openDisputePlayer } from "@filverse/node";
import type { Command } from "commander";
import { type OutputOpts, print, UsageError } from "../output.js";

type RpcOpts = OutputOpts & { rpc: string; from?: string; limit?: string };
type DataDirOpts = OutputOpts & { dataDir: string; l1KeyFile?: string; checkpoint?: string };

type DisputeJson = {
  id: string;
  checkpointIndex: string;
  blockNumber: string;
  outcome: string;
  role: string | null;
  movesDue: number | null;
  nodes?: {
    index: number;
    parent: number;
    kind: string;
    lo: string;
    hi: string;
    resolved: boolean;
    deadline: string;
  }[];
};

const uintArg = (name: string, v: string | undefined): string | undefined => {
  if (v !== undefined && !/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got "${v}"`);
  return v;
};

const line = (d: DisputeJson) =>
  `game ${d.id}: checkpoint ${d.checkpointIndex} block ${d.blockNumber} ${d.outcome}` +
  (d.role ? ` (this node: ${d.role}${d.movesDue ? `, ${d.movesDue} moves due` : ""})` : "");

function withRpc(cmd: Command): Command {
  return cmd
    .option("--rpc <url>", "a node's JSON-RPC URL", process.env.FILVERSE_RPC ?? "http://127.0.0.1:8645")
    .option("--json", "print JSON");
}

function withDataDir(cmd: Command): Command {
  return cmd
    .requiredOption("--data-dir <dir>", "a stopped node's data dir whose filverse.json has `l1` and `dispute`")
    .option("--l1-key-file <file>", "the L1 key that posts bonds (default: the node's)")
    .option("--json", "print JSON");
}

export function registerDisputeCommands(program: Command): void {
  const dispute = program.command("dispute").description("the fault-proof games on L1: inspect, challenge, defend");
  withRpc(dispute.command("list").description("the games, oldest first (filverse_getDisputes)"))
    .option("--from <id>", "the first game id", "0")
    .option("--limit <n>", "games to show (1 to 100)", "20")
    .action(async (o: RpcOpts) => {
      const client = new JsonRpcClient({ url: o.rpc });
      const page = await client.call<{ disputes: DisputeJson[]; next: string | null }>("filverse_getDisputes", [
        uintArg("from", o.from),
        uintArg("limit", o.limit),
      ]);
      print(o, page, () =>
        [
          ...(page.disputes.length === 0 ? ["no games"] : page.disputes.map(line)),
          ...(page.next ? [`more: --from ${page.next}`] : []),
        ].join("\n"),
      );
    });
  withRpc(dispute.command("show").description("one game with its claim tree (filverse_getDispute)"))
    .argument("<id>", "the game id")
    .action(async (id: string, o: RpcOpts) => {
      const client = new JsonRpcClient({ url: o.rpc });
      const game = await client.call<DisputeJson | null>("filverse_getDispute", [uintArg("id", id)]);
      if (!game) throw new UsageError(`No game ${id}`);
      print(o, game, () =>
        [
          line(game),
          ...(game.nodes ?? []).map(
            (n) =>
              `  #${n.index} ${n.kind} ${n.lo}..${n.hi}${n.parent >= 0 ? ` under #${n.parent}` : ""}` +
              (n.resolved ? " resolved" : ` answer by ${new Date(Number(n.deadline) * 1000).toISOString()}`),
          ),
        ].join("\n"),
      );
    });
  withDataDir(
    dispute
      .command("challenge")
      .description(
        "challenge a checkpoint on L1 that differs from this node's chain: wrong last roots, or made-up headers (the node stopped)",
      ),
  )
    .requiredOption("--checkpoint <index>", "the checkpoint index")
    .action(async (o: DataDirOpts) => {
      const index = Number(uintArg("checkpoint", o.checkpoint));
      const { player, close } = await openDisputePlayer(o.dataDir, {
        l1KeyFile: o.l1KeyFile ?? null,
        logger: createLogger({ level: "warn", fd: 2 }),
      });
      try {
        const result = await player.challengeCheckpoint(index);
        print(o, { checkpoint: index, challenged: result }, () =>
          result === "madeUp"
            ? `checkpoint ${index}: it names headers this node does not hold; the next move of their challenge is made (a header requested, or the first made-up block challenged): run this again once a requested header is revealed`
            : result
              ? `checkpoint ${index}: ${result} proven`
              : `checkpoint ${index}: not challenged (it agrees with this node, or it cannot be proven from this node's chain; see the log)`,
        );
      } finally {
        await close();
      }
    });
  withDataDir(
    dispute
      .command("defend")
      .description(
        "play every open game once from this node's chain: counter, step, resolve, claim (the node stopped)",
      ),
  ).action(async (o: DataDirOpts) => {
    const { player, close } = await openDisputePlayer(o.dataDir, {
      l1KeyFile: o.l1KeyFile ?? null,
      logger: createLogger({ level: "warn", fd: 2 }),
    });
    try {
      await player.tick();
      const games = player.games();
      print(o, { games }, () =>
        games.length === 0
          ? "no open games"
          : games
              .map((g) =>
                line({
                  ...g,
                  id: String(g.id),
                  checkpointIndex: String(g.checkpointIndex),
                  blockNumber: String(g.blockNumber),
                  outcome: "open",
                }),
              )
              .join("\n"),
      );
    } finally {
      await close();
    }
  });
}
