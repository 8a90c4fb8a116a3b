/** Checkpoints: what the node reads of the rollup on L1 (filverse_getCheckpoints), newest first. */
import { useState } from "preact/hooks";
import { dateTime, short } from "../format.js";
import { call, METHOD_NOT_FOUND, RpcCallError } from "../rpc.js";
import { Badge, Card, Empty, HexLink, Link, Show, useAsync } from "../ui.js";

export type CheckpointJson = {
  index: string;
  firstBlock: string;
  lastBlock: string;
  stateRoot: string;
  withdrawalsRoot: string;
  lastBlockHash: string;
  pieceCid: string;
  acceptedAt: string;
  final: boolean;
  /** "final", "pending" (in its challenge window) or "disputed" (an open fault-proof game holds it). */
  status: "final" | "pending" | "disputed";
  secondsLeft: number;
  openDisputes: number;
  stored: boolean | null;
  l1TxHash: string | null;
  l1BlockNumber: string | null;
  /** Who signed it, with weights (decimal strings); null when the node could not read them. */
  signers?: { address: string; weight: string }[] | null;
  signedWeight?: string | null;
  totalWeight?: string | null;
};

/** signed / total as a percentage with one decimal (the rollup needs 2/3). */
export function weightShare(signed: string, total: string): string {
  const t = BigInt(total);
  if (t === 0n) return "—";
  return `${(Number((BigInt(signed) * 1000n) / t) / 10).toFixed(1)}%`;
}

/** The signers of a checkpoint: how many, the share of the weight, each address on hover (or listed). */
export function Signers(props: { c: CheckpointJson; list?: boolean }) {
  const { signers, signedWeight, totalWeight } = props.c;
  if (!signers || !signedWeight || !totalWeight) return <span class="muted">—</span>;
  const share = weightShare(signedWeight, totalWeight);
  const summary = `${signers.length} signer${signers.length === 1 ? "" : "s"}, ${share} of the weight`;
  if (!props.list) {
    return (
      <span class="signers" title={signers.map((s) => `${s.address}  weight ${s.weight}`).join("\n")}>
        {signers.length} signer{signers.length === 1 ? "" : "s"} · {share}
      </span>
    );
  }
  return (
    <div class="signers">
      <div>{summary}</div>
      <ul class="plain small">
        {signers.map((s) => (
          <li key={s.address}>
            <Link to={["address", s.address]}>
              <span class="mono">{s.address}</span>
            </Link>{" "}
            <span class="muted">weight {weightShare(s.weight, totalWeight)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export type CheckpointsPage =
  | { checkpoints: CheckpointJson[]; count: string; next: string | null }
  | { unavailable: string };

/** UNAVAILABLE (-32017): the node has no L1 configured, so it knows of no checkpoint. */
const UNAVAILABLE = -32017;

export function useCheckpoints(limit: number, before: string | null = null) {
  return useAsync<CheckpointsPage>(
    async () => {
      try {
        const params: unknown[] = before === null ? [limit] : [limit, before];
        return await call<{ checkpoints: CheckpointJson[]; count: string; next: string | null }>(
          "filverse_getCheckpoints",
          params,
        );
      } catch (e) {
        if (e instanceof RpcCallError && (e.code === UNAVAILABLE || e.code === METHOD_NOT_FOUND)) {
          return { unavailable: e.message };
        }
        throw e;
      }
    },
    [limit, before],
    10_000,
  );
}

export function CheckpointsTable(props: { page: CheckpointsPage }) {
  const p = props.page;
  if ("unavailable" in p) return <Empty>No checkpoints here: {p.unavailable}.</Empty>;
  if (p.checkpoints.length === 0) return <Empty>No checkpoint has been accepted on L1 yet.</Empty>;
  return (
    <table class="list" id="checkpoints">
      <thead>
        <tr>
          <th>#</th>
          <th>Blocks</th>
          <th>State</th>
          <th>Deal</th>
          <th>Signed</th>
          <th class="wide">State root</th>
          <th class="wide">Piece</th>
          <th class="wide">L1 tx</th>
          <th class="wide">Accepted</th>
        </tr>
      </thead>
      <tbody>
        {p.checkpoints.map((c) => (
          <tr key={c.index}>
            <td>{c.index}</td>
            <td>
              <Link to={["block", c.firstBlock]}>{c.firstBlock}</Link>–
              <Link to={["block", c.lastBlock]}>{c.lastBlock}</Link>
            </td>
            <td>
              {c.status === "final" ? (
                <Badge tone="ok">final</Badge>
              ) : c.status === "disputed" ? (
                <Badge tone="bad">disputed{c.openDisputes > 0 ? ` (${c.openDisputes} open)` : ""}</Badge>
              ) : (
                <Badge tone="info">challenge window, {c.secondsLeft} s left</Badge>
              )}
            </td>
            <td>
              {c.stored === null ? (
                <span class="muted">—</span>
              ) : c.stored ? (
                <Badge tone="ok">stored</Badge>
              ) : (
                <Badge tone="warn">no deal yet</Badge>
              )}
            </td>
            <td>
              <Signers c={c} />
            </td>
            <td class="wide">
              <HexLink to={null} value={c.stateRoot} />
            </td>
            <td class="wide">
              {c.pieceCid ? (
                <a href={`/piece/${c.pieceCid}`} class="mono" title={c.pieceCid}>
                  {short(c.pieceCid, 8)}
                </a>
              ) : (
                "—"
              )}
            </td>
            <td class="wide">
              {c.l1TxHash ? (
                <span title={`L1 block ${c.l1BlockNumber}`}>
                  <HexLink to={null} value={c.l1TxHash} />
                </span>
              ) : (
                <span class="muted">—</span>
              )}
            </td>
            <td class="wide muted">{dateTime(c.acceptedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Checkpoints() {
  const [before, setBefore] = useState<string | null>(null);
  const cps = useCheckpoints(25, before);
  return (
    <Card title="Checkpoints">
      <p class="muted">
        Each checkpoint commits a range of L2 blocks to the rollup contract on L1, with the Piece CID of the batch data
        stored on Filecoin, signed by validators holding at least 2/3 of the stake weight (Signed: how many, and their
        share; hover for the addresses). It becomes final once its challenge window ends without a successful dispute; a
        withdrawal can be finalized on L1 from then on.
      </p>
      <Show state={cps}>
        {(page) => (
          <>
            <CheckpointsTable page={page} />
            <div class="pager">
              {before !== null ? (
                <button type="button" onClick={() => setBefore(null)}>
                  Newest
                </button>
              ) : null}
              {"next" in page && page.next !== null ? (
                <button type="button" onClick={() => setBefore(page.next)}>
                  Older
                </button>
              ) : null}
            </div>
          </>
        )}
      </Show>
    </Card>
  );
}
