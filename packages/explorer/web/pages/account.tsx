/** An account: balance, nonce, tokens, assets, identities, collections it created and its recent transactions. */
import { fil, isAddress, kindName, units } from "../format.js";
import { batch, METHOD_NOT_FOUND, RpcCallError } from "../rpc.js";
import { Badge, Card, Empty, ErrorBox, Fields, HexLink, Link, NotFound, Show, useAsync } from "../ui.js";

type Account = { address: string; balance: string; nonce: string; pendingNonce: string };
type Asset = { collectionId: string; tokenId: string; contentCid: string };
type IdentityRow = { id: string; handle: string; profileCid: string };
type TxRow = { hash: string; blockNumber: string; index: number; kind: number; status: number };
type CollectionRow = { id: string; name: string; symbol: string; minted: string };
type TokenRow = {
  tokenId: string;
  balance: string;
  name: string | null;
  symbol: string | null;
  decimals: number | null;
};

type Lists = {
  account: Account;
  assets: { assets: Asset[]; nextCursor: string | null };
  identities: { identities: IdentityRow[]; nextCursor: string | null };
  txs: { transactions: TxRow[]; nextCursor: string | null } | RpcCallError;
  collections: { collections: CollectionRow[]; nextCursor: string | null } | RpcCallError;
  tokens: { tokens: TokenRow[]; nextCursor: string | null } | RpcCallError;
};

export function Account(props: { address: string }) {
  const address = props.address.toLowerCase();
  const data = useAsync(
    async (): Promise<Lists | null> => {
      if (!isAddress(address)) return null;
      const [account, assets, identities, txs, collections, tokens] = await batch<unknown>([
        ["filverse_getAccount", [address]],
        ["filverse_getAssetsByOwner", [address, { limit: 50 }]],
        ["filverse_getIdentitiesByOwner", [address, { limit: 50 }]],
        ["filverse_getTransactionsByAddress", [address, { limit: 25 }]],
        ["filverse_getCollectionsByCreator", [address, { limit: 50 }]],
        ["filverse_getTokensByHolder", [address, { limit: 50 }]],
      ]);
      for (const v of [account, assets, identities]) if (v instanceof Error) throw v;
      return { account, assets, identities, txs, collections, tokens } as Lists;
    },
    [address],
    5000,
  );
  return (
    <Show state={data}>
      {(d) => (d === null ? <NotFound what="account" id={props.address} /> : <AccountView d={d} />)}
    </Show>
  );
}

function Optional<T>(props: { value: T | RpcCallError; children: (v: T) => preact.ComponentChildren }) {
  const v = props.value;
  if (v instanceof RpcCallError) {
    return v.code === METHOD_NOT_FOUND ? <Empty>This node does not serve this list.</Empty> : <ErrorBox error={v} />;
  }
  return <>{props.children(v)}</>;
}

function AccountView(props: { d: Lists }) {
  const { account, assets, identities, txs, collections, tokens } = props.d;
  return (
    <>
      <h1>
        Account <span class="mono break small">{account.address}</span>
      </h1>
      <Card>
        <Fields
          rows={[
            ["Balance", <span id="account-balance">{fil(account.balance)}</span>],
            ["Nonce", account.nonce],
            ["Next nonce (with pending)", account.pendingNonce],
          ]}
        />
      </Card>
      <Card title="Tokens">
        <Optional value={tokens}>
          {(t) =>
            t.tokens.length === 0 ? (
              <Empty>No tokens.</Empty>
            ) : (
              <table class="list" id="account-tokens">
                <thead>
                  <tr>
                    <th>Token</th>
                    <th class="num">Balance</th>
                    <th class="wide">Token id</th>
                  </tr>
                </thead>
                <tbody>
                  {t.tokens.map((r) => (
                    <tr key={r.tokenId}>
                      <td>
                        <Link to={["token", r.tokenId]}>
                          {r.name ?? "token"} {r.symbol ? <span class="muted">({r.symbol})</span> : null}
                        </Link>
                      </td>
                      <td class="num">
                        {r.decimals !== null && r.symbol !== null ? units(r.balance, r.decimals, r.symbol) : r.balance}
                      </td>
                      <td class="wide">
                        <HexLink to={["token", r.tokenId]} value={r.tokenId} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Optional>
        {"tokens" in tokens && tokens.nextCursor ? <p class="muted small">The first 50 are shown.</p> : null}
      </Card>
      <Card title="Recent transactions">
        <Optional value={txs}>
          {(t) =>
            t.transactions.length === 0 ? (
              <Empty>No transactions.</Empty>
            ) : (
              <table class="list" id="account-txs">
                <thead>
                  <tr>
                    <th>Hash</th>
                    <th>Kind</th>
                    <th>Block</th>
                    <th>Result</th>
                  </tr>
                </thead>
                <tbody>
                  {t.transactions.map((r) => (
                    <tr key={r.hash}>
                      <td>
                        <HexLink to={["tx", r.hash]} value={r.hash} />
                      </td>
                      <td>{kindName(r.kind)}</td>
                      <td>
                        <Link to={["block", r.blockNumber]}>#{r.blockNumber}</Link>
                      </td>
                      <td>{r.status === 1 ? <Badge tone="ok">success</Badge> : <Badge tone="bad">failed</Badge>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Optional>
      </Card>
      <div class="grid2">
        <Card title={`Assets${assets.nextCursor ? " (first 50)" : ` (${assets.assets.length})`}`}>
          {assets.assets.length === 0 ? (
            <Empty>No assets.</Empty>
          ) : (
            <ul class="plain">
              {assets.assets.map((a) => (
                <li key={`${a.collectionId}:${a.tokenId}`}>
                  <Link to={["asset", a.collectionId, a.tokenId]}>
                    <span class="mono">{a.collectionId.slice(0, 10)}…</span> #{a.tokenId}
                  </Link>{" "}
                  <span class="muted mono small break">{a.contentCid}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Identities">
          {identities.identities.length === 0 ? (
            <Empty>No identities.</Empty>
          ) : (
            <ul class="plain">
              {identities.identities.map((i) => (
                <li key={i.id}>
                  <Link to={["identity", i.handle]}>@{i.handle}</Link>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      <Card title="Collections created">
        <Optional value={collections}>
          {(c) =>
            c.collections.length === 0 ? (
              <Empty>No collections.</Empty>
            ) : (
              <ul class="plain">
                {c.collections.map((col) => (
                  <li key={col.id}>
                    <Link to={["collection", col.id]}>
                      {col.name} ({col.symbol})
                    </Link>{" "}
                    <span class="muted">{col.minted} minted</span>
                  </li>
                ))}
              </ul>
            )
          }
        </Optional>
      </Card>
    </>
  );
}
