/** A transaction: its lifecycle stage, the decoded message, signer, receipt and fee. */
import type { ComponentChildren } from "preact";
import { dateTime, fil, isAddress, isBytes32, kindName, units, ZERO_ADDRESS } from "../format.js";
import { batch, call } from "../rpc.js";
import { Addr, Badge, Card, Empty, Fields, HexLink, Link, NotFound, Show, useAsync } from "../ui.js";
import { type CheckpointJson, Signers } from "./checkpoints.js";

type TxJson = {
  hash: string;
  primaryType: string;
  sender: string;
  message?: Record<string, unknown>;
  deposit?: Record<string, string>;
  signature?: string;
  blockNumber?: string;
  blockHash?: string;
  index?: number;
  status?: string;
  forcedL1Nonce?: string;
  /** A Via transaction: the sponsor paying its fee and the account its session key acts for (zero: none). */
  via?: { sponsor: string; account: string };
};
type Receipt = { kind: number; sender: string; status: number; code: number; feePaid: string; blockNumber: string };
type Status = { status: string; blockNumber?: string; index?: number; result?: string; code?: number; reason?: string };

/** The happy path, in order (docs/rpc.md §5). */
const STAGES = ["pending", "preconfirmed", "sequenced", "checkpointed", "stored", "finalized"] as const;
const STAGE_NOTES: Record<string, string> = {
  pending: "admitted to the mempool",
  preconfirmed: "executed into the open block, promise signed",
  sequenced: "in a sealed L2 block",
  checkpointed: "its block is in a checkpoint on L1",
  stored: "the checkpoint's batch has a Filecoin deal",
  finalized: "the checkpoint is final on L1",
};

export function Tx(props: { hash: string }) {
  const hash = props.hash.toLowerCase();
  const data = useAsync(
    async () => {
      if (!isBytes32(hash)) return null;
      const [tx, receipt, status] = await batch<unknown>([
        ["filverse_getTransaction", [hash]],
        ["filverse_getTransactionReceipt", [hash]],
        ["filverse_getTransactionStatus", [hash]],
      ]);
      for (const v of [tx, receipt, status]) if (v instanceof Error) throw v;
      return { tx: tx as TxJson | null, receipt: receipt as Receipt | null, status: status as Status };
    },
    [hash],
    // Until it is final, watch it move through the stages.
    4000,
  );
  return (
    <Show state={data}>
      {(d) =>
        d === null || (d.tx === null && d.status.status === "unknown") ? (
          <NotFound what="transaction" id={props.hash} />
        ) : (
          <TxView hash={hash} {...d} />
        )
      }
    </Show>
  );
}

function Lifecycle(props: { status: Status }) {
  const s = props.status.status;
  if (s === "dropped") {
    return (
      <div class="lifecycle" id="tx-stage">
        <Badge tone="bad">dropped</Badge> <span class="muted">{props.status.reason ?? ""}</span>
      </div>
    );
  }
  const at = STAGES.indexOf(s as (typeof STAGES)[number]);
  return (
    <ol class="lifecycle" id="tx-stage" data-stage={s}>
      {STAGES.map((stage, i) => (
        <li key={stage} class={i < at ? "done" : i === at ? "current" : "todo"} title={STAGE_NOTES[stage]}>
          <span class="dot" />
          <span class="stage-name">{stage}</span>
        </li>
      ))}
    </ol>
  );
}

function TxView(props: { hash: string; tx: TxJson | null; receipt: Receipt | null; status: Status }) {
  const { tx, receipt, status } = props;
  const kind = tx?.primaryType ?? (receipt ? kindName(receipt.kind) : "—");
  // A Via transaction's message is {sponsor, account, tx}: its own kind's message is `tx`.
  const via = tx?.via ?? null;
  const inner = tx?.primaryType.replace(/^Via(?=[A-Z])/, "") ?? null;
  const message =
    via && tx?.message && typeof tx.message.tx === "object" && tx.message.tx !== null
      ? (tx.message.tx as Record<string, unknown>)
      : (tx?.message ?? null);
  const actsFor = via && !/^0x0+$/.test(via.account) ? via.account : null;
  const sponsor = via && !/^0x0+$/.test(via.sponsor) ? via.sponsor : null;
  return (
    <>
      <h1>
        {kind} <span class="muted small">transaction</span>
      </h1>
      <Card title="Stage">
        <Lifecycle status={status} />
        <p class="muted small">{STAGE_NOTES[status.status] ?? status.status}</p>
        {tx?.blockNumber && CARRIED.has(status.status) ? (
          <Carrier block={Number(tx.blockNumber)} stage={status.status} />
        ) : null}
      </Card>
      <Card>
        <Fields
          rows={[
            ["Hash", <HexLink to={null} value={props.hash} full />],
            ["Status", <span id="tx-status">{status.status}</span>],
            ["Signer", tx ? <Addr value={tx.sender} full /> : "—"],
            ...(via
              ? ([
                  [
                    "Acts for",
                    actsFor ? (
                      <span>
                        <Addr value={actsFor} full /> <span class="muted small">(session key, under its grant)</span>
                      </span>
                    ) : (
                      <span class="muted">the signer itself</span>
                    ),
                  ],
                  [
                    "Fee paid by",
                    sponsor ? (
                      <span>
                        <Addr value={sponsor} full /> <span class="muted small">(sponsor, from its fee allowance)</span>
                      </span>
                    ) : (
                      <span class="muted">the account it acts for</span>
                    ),
                  ],
                ] as [string, ComponentChildren][])
              : []),
            [
              "Block",
              tx?.blockNumber ? (
                <>
                  <Link to={["block", tx.blockNumber]}>#{tx.blockNumber}</Link>, position {tx.index}
                </>
              ) : status.blockNumber ? (
                `will be #${status.blockNumber}, position ${status.index}`
              ) : (
                "not in a block yet"
              ),
            ],
            [
              "Result",
              receipt ? (
                receipt.status === 1 ? (
                  <Badge tone="ok">success</Badge>
                ) : (
                  <Badge tone="bad">failed, code {receipt.code}</Badge>
                )
              ) : (
                "—"
              ),
            ],
            ["Fee paid", receipt ? fil(receipt.feePaid) : "—"],
            ...(tx?.forcedL1Nonce
              ? ([["Forced from L1", `L1 nonce ${tx.forcedL1Nonce}`]] as [string, ComponentChildren][])
              : []),
          ]}
        />
      </Card>
      {inner === "Withdraw" && receipt?.status === 1 ? <WithdrawalStatus hash={props.hash} /> : null}
      {message ? (
        <Card title={via ? `Message (${inner})` : "Message"}>
          <Fields rows={Object.entries(message).map(([k, v]) => [k, <Value name={k} value={v} msg={message} />])} />
        </Card>
      ) : null}
      {tx?.deposit ? (
        <Card title="Deposit from L1">
          <Fields
            rows={Object.entries(tx.deposit).map(([k, v]) => [k, <Value name={k} value={v} msg={tx.deposit!} />])}
          />
        </Card>
      ) : null}
      {tx?.signature ? (
        <Card title="Signature">
          <p class="mono break small">{tx.signature}</p>
        </Card>
      ) : null}
    </>
  );
}

/** The stages at which an L1 checkpoint carries the transaction's block. */
const CARRIED = new Set(["checkpointed", "stored", "finalized"]);

/** Checkpoints read per request while looking for the one that carries a block, and how far back. */
const CARRIER_PAGE = 10;
const CARRIER_MAX = 50;

/**
 * The checkpoint that carries `block`: its index, L1 transaction, signers, piece and deal. Searched
 * newest first, CARRIER_PAGE at a time (a recent block is in the first page), in the newest 50.
 */
function Carrier(props: { block: number; stage: string }) {
  const found = useAsync(async () => {
    let before: string | null = null;
    for (let read = 0; read < CARRIER_MAX; read += CARRIER_PAGE) {
      const page: { checkpoints: CheckpointJson[]; next: string | null } = await call(
        "filverse_getCheckpoints",
        before === null ? [CARRIER_PAGE] : [CARRIER_PAGE, before],
      );
      const c = page.checkpoints.find((c) => Number(c.firstBlock) <= props.block && props.block <= Number(c.lastBlock));
      const lowest = page.checkpoints[page.checkpoints.length - 1];
      if (c) return c;
      if (!lowest || Number(lowest.firstBlock) <= props.block || page.next === null) return null;
      before = page.next;
    }
    return null;
  }, [props.block, props.stage]);
  return (
    <Show state={found}>
      {(c) =>
        c === null ? (
          <Empty>Its checkpoint is older than the newest 50; see the checkpoints page.</Empty>
        ) : (
          <Fields
            rows={[
              [
                "Checkpoint",
                <Link to={["checkpoints"]}>
                  #{c.index} (blocks {c.firstBlock}–{c.lastBlock})
                </Link>,
              ],
              ["L1 transaction", c.l1TxHash ? <span class="mono break">{c.l1TxHash}</span> : "—"],
              ["Signed by", <Signers c={c} list />],
              [
                "Batch piece",
                c.pieceCid ? (
                  <a href={`/piece/${c.pieceCid}`} class="mono break">
                    {c.pieceCid}
                  </a>
                ) : (
                  "—"
                ),
              ],
              [
                "Storage deal",
                c.stored === null
                  ? "not tracked by this node"
                  : c.stored
                    ? "active"
                    : "no active deal seen by this node",
              ],
              ["Final on L1", c.final ? "yes" : "no, in its challenge window"],
            ]}
          />
        )
      }
    </Show>
  );
}

export type WithdrawalProof = {
  checkpointIndex: string;
  checkpointLastBlock: string;
  checkpointed: boolean;
  finalized: boolean;
  /** Where it is on its way to L1 (docs/rpc.md, filverse_getWithdrawalProof). */
  stage?: WithdrawalStage;
  bridge?: { finalized: boolean; queued: { releaseEpoch: string; currentEpoch: string } | null } | null;
  withdrawal: { index: string; l1Recipient: string; amount: string } | null;
};

export type WithdrawalStage = "initiated" | "checkpointed" | "claimable" | "queued" | "finalized";

/** A withdrawal's stages in order, as its page draws them. */
const WITHDRAWAL_STAGES: { stage: WithdrawalStage; label: string }[] = [
  { stage: "initiated", label: "included on L2" },
  { stage: "checkpointed", label: "checkpoint on L1, challenge window" },
  { stage: "claimable", label: "claimable" },
  { stage: "finalized", label: "finalized on L1" },
];

/** The stage of a proof from a node that predates `stage`: from the two flags alone. */
export function withdrawalStage(w: WithdrawalProof): WithdrawalStage {
  return w.stage ?? (!w.checkpointed ? "initiated" : !w.finalized ? "checkpointed" : "claimable");
}

/** The badge of a stage. */
export function WithdrawalBadge(props: { w: WithdrawalProof }) {
  const w = props.w;
  switch (withdrawalStage(w)) {
    case "initiated":
      return <Badge tone="warn">waiting for its checkpoint</Badge>;
    case "checkpointed":
      return <Badge tone="info">in the challenge window</Badge>;
    case "claimable":
      return <Badge tone="ok">ready to finalize on L1</Badge>;
    case "queued":
      return <Badge tone="info">finalized, queued until epoch {w.bridge?.queued?.releaseEpoch}</Badge>;
    case "finalized":
      return <Badge tone="ok">finalized: paid on L1</Badge>;
  }
}

/** What the owner does next, in one sentence. */
export function withdrawalNextStep(w: WithdrawalProof, hash: string): string {
  switch (withdrawalStage(w)) {
    case "initiated":
      return "Wait for the sequencer to submit the checkpoint that covers this block to L1.";
    case "checkpointed":
      return "Wait until the checkpoint's challenge window ends; then finalize it on L1.";
    case "claimable":
      return `Call finalizeWithdrawal on the L1 bridge (filverse bridge finalize ${hash.slice(0, 10)}…, or the SDK's finalizeWithdrawal).${
        w.bridge === null
          ? " This node could not read the bridge: if it was finalized already, the bridge refuses it again."
          : ""
      }`;
    case "queued":
      return `Nothing: the bridge took it over its per-epoch limit. From epoch ${w.bridge?.queued?.releaseEpoch} (now ${w.bridge?.queued?.currentEpoch}) anyone may call releaseQueued(${w.withdrawal?.index ?? "index"}) on the bridge to pay it.`;
    case "finalized":
      return "Nothing: the bridge paid it to the L1 recipient (a recipient contract that refused the payment pulls it with claimOwed).";
  }
}

/** Where a withdrawal is on its way to L1, and what its owner does next (docs/bridge.md). */
function WithdrawalStatus(props: { hash: string }) {
  const proof = useAsync(
    () => call<WithdrawalProof | null>("filverse_getWithdrawalProof", [props.hash]),
    [props.hash],
    10_000,
  );
  return (
    <Card title="Withdrawal to L1">
      <Show state={proof}>
        {(w) => {
          if (w === null) return <Empty>The node has no record of this withdrawal.</Empty>;
          const stage = withdrawalStage(w);
          const at = WITHDRAWAL_STAGES.findIndex((s) => s.stage === (stage === "queued" ? "finalized" : stage));
          return (
            <>
              <ol class="lifecycle" id="withdrawal-stages" data-stage={stage}>
                {WITHDRAWAL_STAGES.map((s, i) => (
                  <li
                    key={s.stage}
                    class={i < at || (i === at && stage === "finalized") ? "done" : i === at ? "current" : "todo"}
                  >
                    <span class="dot" />
                    <span class="stage-name">{s.label}</span>
                  </li>
                ))}
              </ol>
              <Fields
                rows={[
                  [
                    "Checkpoint",
                    <Link to={["checkpoints"]}>
                      #{w.checkpointIndex} (up to block {w.checkpointLastBlock})
                    </Link>,
                  ],
                  [
                    "Stage",
                    <span id="withdrawal-stage">
                      <WithdrawalBadge w={w} />
                    </span>,
                  ],
                  ["Next step", <span id="withdrawal-next">{withdrawalNextStep(w, props.hash)}</span>],
                  ...(w.withdrawal
                    ? ([
                        ["Recipient on L1", <span class="mono">{w.withdrawal.l1Recipient}</span>],
                        ["Amount", fil(w.withdrawal.amount)],
                        ["Withdrawal index", w.withdrawal.index],
                      ] as [string, ComponentChildren][])
                    : []),
                ]}
              />
            </>
          );
        }}
      </Show>
    </Card>
  );
}

/** An amount of a social token, in its units (read from filverse_getToken) with the base units beside. */
function TokenAmount(props: { tokenId: string; base: string }) {
  const t = useAsync(
    () => call<{ symbol: string; decimals: number } | null>("filverse_getToken", [props.tokenId.toLowerCase()]),
    [props.tokenId],
  );
  const tok = t.value ?? null;
  return (
    <span>
      {tok ? `${units(props.base, tok.decimals, tok.symbol)} ` : ""}
      <span class={tok ? "muted small" : ""}>
        {tok ? `(${props.base} base units)` : `${props.base} base units of the token`}
      </span>
    </span>
  );
}

/** A message field, linked to what it names where the name says what it is. */
export function Value(props: { name: string; value: unknown; msg: Record<string, unknown> }): ComponentChildren {
  const { name, value, msg } = props;
  if (typeof value === "string") {
    if (name === "taker" && value === ZERO_ADDRESS) return <span class="muted">anyone</span>;
    if (isAddress(value)) return <Addr value={value} full />;
    if (/^0x[0-9a-f]{130}$/i.test(value)) return <span class="mono break">{value}</span>;
    if (isBytes32(value)) {
      // A delegate's transaction names the identity it acts for; zero means the signer acts for itself.
      if (name === "onBehalfOf" && /^0x0+$/.test(value)) return <span class="muted">the signer itself</span>;
      const to =
        name === "collectionId"
          ? ["collection", value]
          : name === "identityId" || name === "onBehalfOf"
            ? ["identity", value]
            : name === "dataAssetId"
              ? ["data", value]
              : name === "tokenId"
                ? ["token", value]
                : name === "l1TxHash"
                  ? null
                  : null;
      return <HexLink to={to} value={value} full />;
    }
    if (name === "tokenId" && typeof msg.collectionId === "string") {
      return <Link to={["asset", msg.collectionId, value]}>{value}</Link>;
    }
    // A social token's amount is in its own base units, not attoFIL.
    if (name === "amount" && /^\d+$/.test(value) && typeof msg.tokenId === "string" && isBytes32(msg.tokenId)) {
      return <TokenAmount tokenId={msg.tokenId} base={value} />;
    }
    // A grant's or allowance's kinds: a mask, bit k for kind k.
    if (name === "kinds" && /^\d+$/.test(value)) {
      const mask = BigInt(value);
      const names: string[] = [];
      for (let k = 0; k < 256 && 1n << BigInt(k) <= mask; k++) if ((mask >> BigInt(k)) & 1n) names.push(kindName(k));
      return <span class="break">{names.join(", ") || "none"}</span>;
    }
    if (/amount|fee|price|budget|filCap|filPeriodCap/i.test(name) && /^\d+$/.test(value)) {
      const f = fil(value);
      return f.endsWith("attoFIL") || value === "0" ? f : `${f} (${value} attoFIL)`;
    }
    if (/expiresAt|deadline/i.test(name) && /^\d+$/.test(value)) return dateTime(value);
    return <span class="break">{value}</span>;
  }
  if (name === "side" && typeof value === "number" && "maker" in msg) {
    return value === 0 ? "sell (the maker sells the asset)" : "buy (the maker buys the asset)";
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    // A nested struct (a trade's order): its fields, linked the same way.
    const inner = value as Record<string, unknown>;
    return <Fields rows={Object.entries(inner).map(([k, v]) => [k, <Value name={k} value={v} msg={inner} />])} />;
  }
  if (value !== null && typeof value === "object") {
    return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
  }
  return String(value);
}
