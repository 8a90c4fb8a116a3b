/** Home: the head, live blocks/s and tx/s over the newHeads subscription, the latest blocks and transactions. */
import { useEffect, useState } from "preact/hooks";
import { ago, kindName } from "../format.js";
import { batch, call, type HeadJson, subscribeHeads } from "../rpc.js";
import { Addr, Badge, Card, Empty, HexLink, Link, Show, useAsync } from "../ui.js";
import { CheckpointsTable, useCheckpoints } from "./checkpoints.js";

/** Rates are counted over the blocks sealed in this last window of wall-clock time. */
const RATE_WINDOW_S = 30;
const RECENT_BLOCKS = 20;
const RECENT_TXS = 12;

type SyncStatus = { head: string; headHash: string; stateRoot: string; pending: number; syncing: boolean };

export function Home() {
  const [blocks, setBlocks] = useState<HeadJson[]>([]);
  const [live, setLive] = useState(false);
  const [now, setNow] = useState(Date.now());
  const status = useAsync(() => call<SyncStatus>("filverse_syncStatus"), [], 5000);
  const chainId = useAsync(() => call<string>("filverse_chainId"), []);

  useEffect(() => {
    let cancelled = false;
    const load = async (): Promise<void> => {
      const head = Number(await call<string>("filverse_blockNumber"));
      const numbers: number[] = [];
      for (let n = head; n >= 1 && numbers.length < RECENT_BLOCKS; n--) numbers.push(n);
      const got = await batch<HeadJson | null>(numbers.map((n) => ["filverse_getBlockByNumber", [String(n)]]));
      if (cancelled) return;
      const loaded = got.filter((b): b is HeadJson => b !== null && !(b instanceof Error));
      setBlocks((cur) => merge(cur, loaded));
    };
    load().catch(() => {});
    const stop = subscribeHeads(
      (h) => setBlocks((cur) => merge(cur, [h])),
      (isLive) => {
        setLive(isLive);
        // After a reconnect, blocks sealed while away are read again.
        if (isLive) load().catch(() => {});
      },
    );
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      cancelled = true;
      stop();
      clearInterval(tick);
    };
  }, []);

  const since = now / 1000 - RATE_WINDOW_S;
  const inWindow = blocks.filter((b) => Number(b.header.timestamp) >= since);
  const txCount = inWindow.reduce((s, b) => s + b.transactions.length, 0);
  const head = blocks[0];
  const recentTxs = blocks
    .flatMap((b) => [...b.transactions].reverse().map((hash) => ({ hash, block: b })))
    .slice(0, RECENT_TXS);

  return (
    <>
      <div class="stats">
        <Stat
          label="Head"
          value={
            head ? <Link to={["block", head.header.number]}>#{head.header.number}</Link> : (status.value?.head ?? "…")
          }
          id="stat-head"
        />
        <Stat label="Blocks / s" value={(inWindow.length / RATE_WINDOW_S).toFixed(2)} id="stat-bps" />
        <Stat label="Tx / s" value={(txCount / RATE_WINDOW_S).toFixed(2)} id="stat-tps" />
        <Stat label="Pending" value={status.value ? String(status.value.pending) : "…"} id="stat-pending" />
        <Stat label="Chain id" value={chainId.value ?? "…"} id="stat-chain" />
        <Stat
          label="Live feed"
          value={live ? <Badge tone="ok">connected</Badge> : <Badge tone="warn">reconnecting</Badge>}
          id="stat-live"
        />
      </div>
      <div class="grid2">
        <Card title="Latest blocks">
          {blocks.length === 0 ? (
            <Empty>No blocks yet.</Empty>
          ) : (
            <table class="list" id="latest-blocks">
              <thead>
                <tr>
                  <th>Block</th>
                  <th>Age</th>
                  <th class="num">Txs</th>
                  <th class="wide">Hash</th>
                </tr>
              </thead>
              <tbody>
                {blocks.slice(0, 12).map((b) => (
                  <tr key={b.hash}>
                    <td>
                      <Link to={["block", b.header.number]}>#{b.header.number}</Link>
                    </td>
                    <td class="muted">{ago(b.header.timestamp, now)}</td>
                    <td class="num">{b.transactions.length}</td>
                    <td class="wide">
                      <HexLink to={["block", b.hash]} value={b.hash} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <Card title="Latest transactions">
          <RecentTxs items={recentTxs} now={now} />
        </Card>
      </div>
      <HomeCheckpoints />
    </>
  );
}

function Stat(props: { label: string; value: preact.ComponentChildren; id: string }) {
  return (
    <div class="stat" id={props.id}>
      <div class="stat-label">{props.label}</div>
      <div class="stat-value">{props.value}</div>
    </div>
  );
}

/** Newest first, one per hash, at most 50 kept. */
function merge(cur: HeadJson[], add: HeadJson[]): HeadJson[] {
  const byHash = new Map(cur.map((b) => [b.hash, b]));
  for (const b of add) byHash.set(b.hash, b);
  return [...byHash.values()].sort((a, b) => Number(b.header.number) - Number(a.header.number)).slice(0, 50);
}

type Receipt = { txHash: string; kind: number; sender: string; status: number; code: number };

function RecentTxs(props: { items: { hash: string; block: HeadJson }[]; now: number }) {
  const key = props.items.map((i) => i.hash).join(",");
  const receipts = useAsync(
    () => batch<Receipt | null>(props.items.map((i) => ["filverse_getTransactionReceipt", [i.hash]])),
    [key],
  );
  if (props.items.length === 0) return <Empty>No transactions in the latest blocks.</Empty>;
  const r = receipts.value ?? [];
  return (
    <table class="list" id="latest-txs">
      <thead>
        <tr>
          <th>Hash</th>
          <th>Kind</th>
          <th class="wide">From</th>
          <th>Block</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((i, n) => {
          const rc = r[n];
          const ok = rc && !(rc instanceof Error) ? rc : null;
          return (
            <tr key={i.hash}>
              <td>
                <HexLink to={["tx", i.hash]} value={i.hash} />
              </td>
              <td>
                {ok ? kindName(ok.kind) : "…"} {ok && ok.status === 0 ? <Badge tone="bad">failed</Badge> : null}
              </td>
              <td class="wide">{ok ? <Addr value={ok.sender} /> : "…"}</td>
              <td>
                <Link to={["block", i.block.header.number]}>#{i.block.header.number}</Link>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function HomeCheckpoints() {
  const cps = useCheckpoints(5);
  return (
    <Card title={<Link to={["checkpoints"]}>Latest checkpoints</Link>}>
      <Show state={cps}>{(page) => <CheckpointsTable page={page} />}</Show>
    </Card>
  );
}
