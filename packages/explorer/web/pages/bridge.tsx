/** Bridge: the deposits credited in recent blocks, and how a withdrawal is followed to L1. */
import { useState } from "preact/hooks";
import { fil, isBytes32 } from "../format.js";
import { batch, call } from "../rpc.js";
import { Addr, Card, Empty, HexLink, Link, navigate, Show, useAsync } from "../ui.js";

/** Blocks read for the deposits list: one batched request. */
const SCAN_BLOCKS = 100;

type BlockWithDeposits = {
  hash: string;
  header: { number: string };
  transactions: string[];
  deposits: { l1Nonce: string; l1TxHash: string; to: string; amount: string; forcedTx: string }[];
};

export function Bridge() {
  const [hash, setHash] = useState("");
  const deposits = useAsync(
    async () => {
      const head = Number(await call<string>("filverse_blockNumber"));
      const numbers: number[] = [];
      for (let n = head; n >= 1 && numbers.length < SCAN_BLOCKS; n--) numbers.push(n);
      const blocks = await batch<BlockWithDeposits | null>(
        numbers.map((n) => ["filverse_getBlockByNumber", [String(n)]]),
      );
      return {
        from: numbers[numbers.length - 1] ?? 0,
        rows: blocks.flatMap((b) =>
          b && !(b instanceof Error)
            ? b.deposits.map((d, i) => ({ ...d, block: b.header.number, hash: b.transactions[i]! }))
            : [],
        ),
      };
    },
    [],
    15_000,
  );
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
            placeholder="withdrawal transaction hash"
            value={hash}
            onInput={(e) => setHash((e.target as HTMLInputElement).value.trim())}
          />
          <button type="submit">Open</button>
        </form>
      </Card>
      <Card title={`Deposits credited in the last ${SCAN_BLOCKS} blocks`}>
        <Show state={deposits}>
          {(d) =>
            d.rows.length === 0 ? (
              <Empty>No deposit since block {d.from}.</Empty>
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
                  {d.rows.map((r) => (
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
            )
          }
        </Show>
      </Card>
    </>
  );
}
