/**
 * Bridge: the withdrawals of an address with their stage on the way to L1 and what to do next, the
 * deposits credited in recent blocks (older ones a range at a time), and any withdrawal by its hash.
 */
import { useRef, useState } from "preact/hooks";
import { fil, isAddress, isBytes32 } from "../format.js";
import { batch, call } from "../rpc.js";
import { Addr, Card, Empty, HexLink, Link, navigate, Show, useAsync } from "../ui.js";
import { WithdrawalBadge, type WithdrawalProof, withdrawalNextStep } from "./tx.js";

/** Transactions of an address searched for its withdrawals (newest first), and withdrawals shown. */
const SCAN_TXS = 200;
const MAX_WITHDRAWALS = 25;
/** TxKind.Withdraw. */
const WITHDRAW = 2;

type WithdrawalRow = { hash: string; blockNumber: string; proof: WithdrawalProof | null };

/** The address's newest successful withdrawals (it sent them, or it is their L1 recipient), each with its proof. */
async function withdrawalsOf(address: string): Promise<WithdrawalRow[]> {
  const page = await call<{
    transactions: { hash: string; blockNumber: string; kind: number; status: number }[];
  }>("filverse_getTransactionsByAddress", [address, { limit: SCAN_TXS }]);
  const txs = page.transactions.filter((t) => t.kind === WITHDRAW && t.status === 1).slice(0, MAX_WITHDRAWALS);
  if (txs.length === 0) return [];
  const proofs = await batch<WithdrawalProof | null>(txs.map((t) => ["filverse_getWithdrawalProof", [t.hash]]));
  return txs.map((t, i) => {
    const p = proofs[i];
    if (p instanceof Error) throw p;
    return { hash: t.hash, blockNumber: t.blockNumber, proof: p ?? null };
  });
}

function Withdrawals(props: { address: string }) {
  const rows = useAsync(() => withdrawalsOf(props.address), [props.address], 10_000);
  return (
    <Show state={rows}>
      {(list) =>
        list.length === 0 ? (
          <Empty>No withdrawal from or to this address in its newest {SCAN_TXS} transactions.</Empty>
        ) : (
          <table class="list" id="bridge-withdrawals">
            <thead>
              <tr>
                <th>Transaction</th>
                <th class="num">Amount</th>
                <th>Stage</th>
                <th>Next step</th>
                <th class="wide">L1 recipient</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.hash}>
                  <td>
                    <HexLink to={["tx", r.hash]} value={r.hash} />
                    <div class="muted small">
                      block <Link to={["block", r.blockNumber]}>#{r.blockNumber}</Link>
                    </div>
                  </td>
                  <td class="num">{r.proof?.withdrawal ? fil(r.proof.withdrawal.amount) : "—"}</td>
                  <td>{r.proof ? <WithdrawalBadge w={r.proof} /> : <span class="muted">unknown</span>}</td>
                  <td class="small">{r.proof ? withdrawalNextStep(r.proof, r.hash) : ""}</td>
                  <td class="wide">
                    {r.proof?.withdrawal ? (
                      <Addr value={r.proof.withdrawal.l1Recipient} />
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </Show>
  );
}

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

export function Bridge(props: { address?: string }) {
  const address = props.address && isAddress(props.address) ? props.address.toLowerCase() : null;
  const [hash, setHash] = useState("");
  const [who, setWho] = useState(address ?? "");
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
      <Card title={address ? "Withdrawals" : "Your withdrawals"}>
        <p class="muted">
          A withdrawal goes through four stages: included on L2; carried by a checkpoint on L1, in its challenge window;
          claimable once the checkpoint is final; finalized when its owner (or anyone) has called finalizeWithdrawal on
          the L1 bridge, which pays it (or queues it, over the bridge's per-epoch limit).
        </p>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (isAddress(who)) navigate("bridge", who.toLowerCase());
          }}
        >
          <input
            class="long"
            id="bridge-address"
            placeholder="L2 sender or L1 recipient address (0x…)"
            value={who}
            onInput={(e) => setWho((e.target as HTMLInputElement).value.trim())}
          />
          <button type="submit">Show</button>
        </form>
        {address ? (
          <>
            <p class="small">
              Withdrawals of <Addr value={address} />:
            </p>
            <Withdrawals address={address} />
          </>
        ) : null}
      </Card>
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
                newest first. Withdrawals are listed by address above, or opened by their transaction hash.
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
