/** A block: header, seal, roots, its deposits and its transactions with kind and result. */
import { useState } from "preact/hooks";
import { ago, dateTime, fil, isBytes32, kindName } from "../format.js";
import { batch, call } from "../rpc.js";
import { Addr, Badge, Card, Empty, Fields, HexLink, Link, NotFound, Show, useAsync } from "../ui.js";

type BlockFull = {
  hash: string;
  header: Record<string, string>;
  signature: string;
  transactions: string[];
  deposits: { l1Nonce: string; l1TxHash: string; from: string; to: string; amount: string; forcedTx: string }[];
};

type Receipt = { txHash: string; kind: number; sender: string; status: number; code: number; feePaid: string };

const PAGE = 100;

export function Block(props: { id: string }) {
  const block = useAsync(
    () =>
      isBytes32(props.id)
        ? call<BlockFull | null>("filverse_getBlockByHash", [props.id])
        : call<BlockFull | null>("filverse_getBlockByNumber", [props.id]),
    [props.id],
  );
  return (
    <Show state={block}>{(b) => (b === null ? <NotFound what="block" id={props.id} /> : <BlockView b={b} />)}</Show>
  );
}

function BlockView(props: { b: BlockFull }) {
  const { b } = props;
  const h = b.header;
  const n = Number(h.number);
  return (
    <>
      <div class="title-row">
        <h1>Block #{h.number}</h1>
        <div class="pager">
          {n > 1 ? <Link to={["block", n - 1]}>← #{n - 1}</Link> : null}
          <Link to={["block", n + 1]}>#{n + 1} →</Link>
        </div>
      </div>
      <Card>
        <Fields
          rows={[
            ["Hash", <HexLink to={null} value={b.hash} full />],
            ["Time", `${dateTime(h.timestamp)} (${ago(h.timestamp)})`],
            [
              "Parent",
              n > 1 ? (
                <HexLink to={["block", h.parentHash!]} value={h.parentHash} full />
              ) : (
                <HexLink to={null} value={h.parentHash} full />
              ),
            ],
            ["Proposer", <Addr value={h.proposer} full />],
            ["Transactions", `${b.transactions.length - b.deposits.length} (+ ${b.deposits.length} deposits)`],
            ["State root", <HexLink to={null} value={h.stateRoot} full />],
            ["Tx root", <HexLink to={null} value={h.txRoot} full />],
            ["Receipts root", <HexLink to={null} value={h.receiptsRoot} full />],
            ["Withdrawals root", <HexLink to={null} value={h.withdrawalsRoot} full />],
            ["L1 deposit nonce", h.l1DepositNonce],
            ["Sequencer seal", <span class="mono break">{b.signature}</span>],
          ]}
        />
      </Card>
      {b.deposits.length > 0 ? (
        <Card title={`Deposits (${b.deposits.length})`}>
          <table class="list">
            <thead>
              <tr>
                <th>L1 nonce</th>
                <th>To</th>
                <th class="num">Amount</th>
                <th class="wide">L1 tx</th>
              </tr>
            </thead>
            <tbody>
              {b.deposits.map((d, i) => (
                <tr key={d.l1Nonce}>
                  <td>
                    <Link to={["tx", b.transactions[i]!]}>{d.l1Nonce}</Link>
                  </td>
                  <td>
                    <Addr value={d.to} />
                  </td>
                  <td class="num">{d.forcedTx !== "0x" ? "forced tx" : fil(d.amount)}</td>
                  <td class="wide">
                    <HexLink to={null} value={d.l1TxHash} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ) : null}
      <BlockTxs hashes={b.transactions.slice(b.deposits.length)} offset={b.deposits.length} />
    </>
  );
}

function BlockTxs(props: { hashes: string[]; offset: number }) {
  const [shown, setShown] = useState(PAGE);
  const hashes = props.hashes.slice(0, shown);
  const receipts = useAsync(
    () => batch<Receipt | null>(hashes.map((h) => ["filverse_getTransactionReceipt", [h]])),
    [hashes.join(",")],
  );
  return (
    <Card title={`Transactions (${props.hashes.length})`}>
      {props.hashes.length === 0 ? (
        <Empty>This block has no user transactions.</Empty>
      ) : (
        <Show state={receipts}>
          {(rs) => (
            <>
              <table class="list" id="block-txs">
                <thead>
                  <tr>
                    <th class="num">#</th>
                    <th>Hash</th>
                    <th>Kind</th>
                    <th class="wide">From</th>
                    <th>Result</th>
                    <th class="num wide">Fee</th>
                  </tr>
                </thead>
                <tbody>
                  {hashes.map((h, i) => {
                    const r = rs[i];
                    const rc = r && !(r instanceof Error) ? r : null;
                    return (
                      <tr key={h}>
                        <td class="num muted">{props.offset + i}</td>
                        <td>
                          <HexLink to={["tx", h]} value={h} />
                        </td>
                        <td>{rc ? kindName(rc.kind) : "—"}</td>
                        <td class="wide">{rc ? <Addr value={rc.sender} /> : "—"}</td>
                        <td>
                          {rc ? (
                            rc.status === 1 ? (
                              <Badge tone="ok">success</Badge>
                            ) : (
                              <Badge tone="bad">failed {rc.code}</Badge>
                            )
                          ) : (
                            "—"
                          )}
                        </td>
                        <td class="num wide">{rc ? fil(rc.feePaid) : "—"}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              {props.hashes.length > shown ? (
                <button type="button" class="more" onClick={() => setShown(shown + PAGE)}>
                  Show {Math.min(PAGE, props.hashes.length - shown)} more
                </button>
              ) : null}
            </>
          )}
        </Show>
      )}
    </Card>
  );
}
