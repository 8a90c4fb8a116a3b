/** Bridge: the deposits credited in recent blocks (older ones a range at a time), and how a withdrawal is followed to L1. */
import { useRef, useState } from "preact/hooks";
import { fil, isBytes32 } from "../format.js";
import { batch, call } from "../rpc.js";
import { Addr, Card, Empty, HexLink, Link, navigate, Show, useAsync } from "../ui.js";

/** Blocks read per request for the deposits list (one batched request). */
const SCAN_BLOCKS = 100;
/** The newest blocks are read again every 15 s down to the older ones loaded, at most this many. */
const MAX_REFRESH_BLOCKS = 500;

type BlockWithDeposits = {
  hash: string;
  header: { number: string };
  transactions: string[];
  deposits: { l1Nonce: string; l1TxHash: string; to: string; amount: string; forcedTx: string }[];
};
type DepositRow = BlockWithDeposits["deposits"][number] & { block: string; hash: string };

/** The deposits credited in blocks `top` down to `from` (1 ≤ from ≤ top), newest first. */
async function scanDeposits(top: number, from: number): Promise<DepositRow[]> {
  const numbers: number[] = [];
  for (let n = top; n >= from; n--) numbers.push(n);
  if (numbers.length === 0) return [];
  const blocks = await batch<BlockWithDeposits | null>(numbers.map((n) => ["filverse_getBlockByNumber", [String(n)]]));
  return blocks.flatMap((b) => {
    if (b instanceof Error) throw b;
    // A block the head no longer reaches (a rewind between the two reads) is simply absent.
    return b ? b.deposits.map((d, i) => ({ ...d, block: b.header.number, hash: b.transactions[i]! })) : [];
  });
}

export function Bridge() {
  const [hash, setHash] = useState("");
  // Older blocks loaded with "earlier": [from, top], contiguous below the refreshed window.
  const [older, setOlder] = useState<{ from: number; top: number; rows: DepositRow[] } | null>(null);
  const olderRef = useRef(older);
  olderRef.current = older;
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const recent = useAsync(
    async () => {
      const head = Number(await call<string>("filverse_blockNumber"));
      const o = olderRef.current;
      // Read down to the older range so the list has no gap; a page left open long starts over.
      let from = Math.max(1, head - SCAN_BLOCKS + 1);
      if (o && head - o.top <= MAX_REFRESH_BLOCKS) from = Math.min(from, o.top + 1);
      else if (o) setOlder(null);
      return { head, from, rows: await scanDeposits(head, from) };
    },
    [],
    15_000,
  );
  const earlier = async (below: number) => {
    setLoading(true);
    setError(null);
    try {
      const top = below - 1;
      const from = Math.max(1, top - SCAN_BLOCKS + 1);
      const rows = await scanDeposits(top, from);
      const o = olderRef.current;
      setOlder({ from, top: o?.top ?? top, rows: [...(o?.rows ?? []), ...rows] });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  };
  return (
    <>
      <h1>Bridge</h1>
      <Card title="Follow a withdrawal">
        <p class="muted">
          A withdrawal is an L2 transaction (kind Withdraw). Once the checkpoint that covers its block is final on L1,
          its owner finalizes it on the L1 bridge. Its transaction page shows which stage it is in and what to do next.
        </p>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (isBytes32(hash)) navigate("tx", hash.toLowerCase());
          }}
        >
          <input
            class="long"
            placeholder="withdrawal transaction hash (0x…)"
            value={hash}
            onInput={(e) => setHash((e.target as HTMLInputElement).value.trim())}
          />
          <button type="submit">Open</button>
        </form>
      </Card>
      <Show state={recent}>
        {(d) => {
          const rows = older ? [...d.rows, ...older.rows] : d.rows;
          const from = older ? older.from : d.from;
          return (
            <Card title={`Deposits credited in blocks #${from} to #${d.head}`}>
              <p class="muted small" id="bridge-range">
                The node keeps no list of all deposits: this page reads the blocks themselves, {SCAN_BLOCKS} at a time,
                newest first. Withdrawals are not listed here; open one by its transaction hash above.
              </p>
              {rows.length === 0 ? (
                <Empty>No deposit in these blocks.</Empty>
              ) : (
                <table class="list" id="bridge-deposits">
                  <thead>
                    <tr>
                      <th>L1 nonce</th>
                      <th>To</th>
                      <th class="num">Amount</th>
                      <th>Block</th>
                      <th class="wide">L1 tx</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.l1Nonce}>
                        <td>
                          <Link to={["tx", r.hash]}>{r.l1Nonce}</Link>
                        </td>
                        <td>
                          <Addr value={r.to} />
                        </td>
                        <td class="num">{r.forcedTx !== "0x" ? "forced tx" : fil(r.amount)}</td>
                        <td>
                          <Link to={["block", r.block]}>#{r.block}</Link>
                        </td>
                        <td class="wide">
                          <HexLink to={null} value={r.l1TxHash} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {error && <div class="error">Could not read earlier blocks: {error}</div>}
              {from > 1 && (
                <button
                  type="button"
                  class="more"
                  id="bridge-earlier"
                  disabled={loading}
                  onClick={() => void earlier(from)}
                >
                  {loading ? "Reading…" : `Read blocks #${Math.max(1, from - SCAN_BLOCKS)} to #${from - 1}`}
                </button>
              )}
            </Card>
          );
        }}
      </Show>
    </>
  );
}
