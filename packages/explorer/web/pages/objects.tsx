/** The state objects: collection, asset, token, identity (with its DID document) and data asset. */
import { useState } from "preact/hooks";
import { dateTime, isBytes32, SCOPES, units, ZERO_ADDRESS } from "../format.js";
import { batch, call } from "../rpc.js";
import { Addr, Badge, Card, Empty, Fields, HexLink, Link, NotFound, navigate, Show, useAsync } from "../ui.js";

type Collection = {
  id: string;
  creator: string;
  name: string;
  symbol: string;
  royaltyBps: number;
  maxSupply: string;
  minted: string;
  burned: string;
  metadataMutable: boolean;
};

export function CollectionPage(props: { id: string }) {
  const c = useAsync(() => call<Collection | null>("filverse_getCollection", [props.id.toLowerCase()]), [props.id]);
  const [tokenId, setTokenId] = useState("");
  return (
    <Show state={c}>
      {(col) =>
        col === null ? (
          <NotFound what="collection" id={props.id} />
        ) : (
          <>
            <h1>
              {col.name} <span class="muted">({col.symbol})</span>
            </h1>
            <Card>
              <Fields
                rows={[
                  ["Id", <HexLink to={null} value={col.id} full />],
                  ["Creator", <Addr value={col.creator} full />],
                  ["Royalty", `${(col.royaltyBps / 100).toFixed(2)} %`],
                  [
                    "Supply",
                    `${col.minted} minted, ${col.burned} burned${col.maxSupply === "0" ? "" : ` of at most ${col.maxSupply}`}`,
                  ],
                  ["Metadata", col.metadataMutable ? "mutable by the creator" : "frozen"],
                ]}
              />
            </Card>
            <Card title="Assets">
              <form
                class="inline"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (/^\d{1,16}$/.test(tokenId)) navigate("asset", col.id, tokenId);
                }}
              >
                <input
                  inputMode="numeric"
                  placeholder="token id"
                  value={tokenId}
                  onInput={(e) => setTokenId((e.target as HTMLInputElement).value.trim())}
                />
                <button type="submit">Open</button>
              </form>
              <CollectionAssets id={col.id} />
            </Card>
          </>
        )
      }
    </Show>
  );
}

type Asset = {
  collectionId: string;
  tokenId: string;
  owner: string;
  approved: string;
  contentCid: string;
  burned: boolean;
};

type AssetPage_ = { collectionId: string; assets: Asset[]; nextCursor: string | null } | null;

/** Assets shown per page of the collection's list (filverse_getAssetsByCollection, ascending by token id). */
const ASSETS_PAGE = 50;

/** The collection's assets, a page at a time; "more" asks for the page after the last token id shown. */
function CollectionAssets(props: { id: string }) {
  const first = useAsync(
    () => call<AssetPage_>("filverse_getAssetsByCollection", [props.id, { limit: ASSETS_PAGE }]),
    [props.id],
  );
  // Pages loaded by "more", appended to the first; reset when the collection changes.
  const [more, setMore] = useState<{ id: string; assets: Asset[]; nextCursor: string | null } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Show state={first}>
      {(page) => {
        if (page === null) return <Empty>The collection is not in the head state.</Empty>;
        const extra = more?.id === props.id ? more : null;
        const assets = extra ? [...page.assets, ...extra.assets] : page.assets;
        const cursor = extra ? extra.nextCursor : page.nextCursor;
        const loadMore = async () => {
          setLoading(true);
          setError(null);
          try {
            const next = await call<AssetPage_>("filverse_getAssetsByCollection", [
              props.id,
              { cursor, limit: ASSETS_PAGE },
            ]);
            if (next === null) throw new Error("the collection is no longer in the head state");
            setMore({ id: props.id, assets: [...(extra?.assets ?? []), ...next.assets], nextCursor: next.nextCursor });
          } catch (e) {
            setError(e instanceof Error ? e.message : String(e));
          } finally {
            setLoading(false);
          }
        };
        if (assets.length === 0) return <Empty>No asset minted yet.</Empty>;
        return (
          <>
            <table class="list" id="collection-assets">
              <thead>
                <tr>
                  <th>Token</th>
                  <th>Owner</th>
                  <th class="wide">Content CID</th>
                </tr>
              </thead>
              <tbody>
                {assets.map((a) => (
                  <tr key={a.tokenId}>
                    <td>
                      <Link to={["asset", a.collectionId, a.tokenId]}>#{a.tokenId}</Link>
                    </td>
                    <td>{a.burned ? <Badge tone="muted">burned</Badge> : <Addr value={a.owner} />}</td>
                    <td class="wide mono small break">{a.contentCid}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="muted small" id="collection-assets-count">
              {assets.length} shown{cursor ? `, more after token #${assets[assets.length - 1]!.tokenId}` : ""}
            </p>
            {error && <div class="error">Could not load more: {error}</div>}
            {cursor && (
              <button type="button" class="more" id="collection-assets-more" disabled={loading} onClick={loadMore}>
                {loading ? "Loading…" : `Show ${ASSETS_PAGE} more`}
              </button>
            )}
          </>
        );
      }}
    </Show>
  );
}

export function AssetPage(props: { collectionId: string; tokenId: string }) {
  const id = props.collectionId.toLowerCase();
  const data = useAsync(
    async () => {
      const [asset, col] = await batch<unknown>([
        ["filverse_getAsset", [id, props.tokenId]],
        ["filverse_getCollection", [id]],
      ]);
      if (asset instanceof Error) throw asset;
      return { asset: asset as Asset | null, col: col instanceof Error ? null : (col as Collection | null) };
    },
    [id, props.tokenId],
    5000,
  );
  return (
    <Show state={data}>
      {({ asset, col }) =>
        asset === null ? (
          <NotFound what="asset" id={`${id} #${props.tokenId}`} />
        ) : (
          <>
            <h1>
              {col ? col.name : "Asset"} #{asset.tokenId}
            </h1>
            <Card>
              <Fields
                rows={[
                  [
                    "Collection",
                    <Link to={["collection", asset.collectionId]}>
                      {col ? `${col.name} (${col.symbol})` : asset.collectionId}
                    </Link>,
                  ],
                  ["Token id", asset.tokenId],
                  [
                    "Owner",
                    asset.burned ? (
                      <Badge tone="muted">burned</Badge>
                    ) : (
                      <span id="asset-owner">
                        <Addr value={asset.owner} full />
                      </span>
                    ),
                  ],
                  ["Approved", asset.approved === ZERO_ADDRESS ? "nobody" : <Addr value={asset.approved} full />],
                  ["Content CID", <span class="mono break">{asset.contentCid}</span>],
                  ["Royalty", col ? `${(col.royaltyBps / 100).toFixed(2)} % to the creator` : "—"],
                ]}
              />
            </Card>
          </>
        )
      }
    </Show>
  );
}

/** filverse_getToken: amounts are base units (decimal strings). */
type Token = {
  id: string;
  issuer: string;
  name: string;
  symbol: string;
  decimals: number;
  cap: string;
  supply: string;
};

export function TokenPage(props: { id: string }) {
  const t = useAsync(() => call<Token | null>("filverse_getToken", [props.id.toLowerCase()]), [props.id]);
  return (
    <Show state={t}>
      {(tok) =>
        tok === null ? (
          <NotFound what="token" id={props.id} />
        ) : (
          <>
            <h1>
              {tok.name} <span class="muted">({tok.symbol})</span> <span class="muted small">social token</span>
            </h1>
            <Card>
              <Fields
                rows={[
                  ["Id", <HexLink to={null} value={tok.id} full />],
                  ["Issuer", <Addr value={tok.issuer} full />],
                  [
                    "Supply",
                    <span id="token-supply">
                      {units(tok.supply, tok.decimals, tok.symbol)}{" "}
                      <span class="muted small">({tok.supply} base units)</span>
                    </span>,
                  ],
                  [
                    "Cap",
                    <span>
                      {units(tok.cap, tok.decimals, tok.symbol)} <span class="muted small">({tok.cap} base units)</span>
                    </span>,
                  ],
                  ["Decimals", String(tok.decimals)],
                ]}
              />
            </Card>
          </>
        )
      }
    </Show>
  );
}

type Identity = {
  id: string;
  owner: string;
  handle: string;
  profileCid: string;
  ownerEpoch: string;
  delegates: { address: string; scope: number; expiresAt: string; active: boolean }[];
  attributes: { key: string; value: string; expiresAt: string; active: boolean }[];
  /** More than the node lists (500 of each). */
  truncated?: boolean;
};

export function IdentityPage(props: { ref_: string }) {
  const data = useAsync(
    async () => {
      const chainId = await call<string>("filverse_chainId");
      let ref = props.ref_;
      if (ref.startsWith("did:")) {
        const doc = await call<{ id: string } | null>("filverse_resolveDid", [ref]);
        if (doc === null) return null;
        ref = doc.id.split(":").pop()!;
      }
      const identity = await call<Identity | null>("filverse_getIdentity", [isBytes32(ref) ? ref.toLowerCase() : ref]);
      if (identity === null) return null;
      const did = `did:filverse:${chainId}:${identity.handle}`;
      const doc = await call<unknown>("filverse_resolveDid", [did]);
      return { identity, did, doc };
    },
    [props.ref_],
    10_000,
  );
  return (
    <Show state={data}>
      {(d) =>
        d === null ? (
          <NotFound what="identity" id={props.ref_} />
        ) : (
          <>
            <h1 id="identity-handle">@{d.identity.handle}</h1>
            <Card>
              <Fields
                rows={[
                  ["DID", <span class="mono break">{d.did}</span>],
                  ["Id", <HexLink to={null} value={d.identity.id} full />],
                  ["Owner", <Addr value={d.identity.owner} full />],
                  ["Profile CID", <span class="mono break">{d.identity.profileCid || "—"}</span>],
                  ["Owner epoch", d.identity.ownerEpoch],
                ]}
              />
            </Card>
            <div class="grid2">
              <Card title="Attributes">
                {d.identity.attributes.length === 0 ? (
                  <Empty>No attributes.</Empty>
                ) : (
                  <table class="list">
                    <thead>
                      <tr>
                        <th>Key</th>
                        <th>Value</th>
                        <th>Expires</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.identity.attributes.map((a) => (
                        <tr key={a.key}>
                          <td class="mono">{a.key}</td>
                          <td class="break">{a.value}</td>
                          <td>{a.active ? dateTime(a.expiresAt) : <Badge tone="muted">expired</Badge>}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </Card>
              <Card title="Delegates">
                {d.identity.delegates.length === 0 ? (
                  <Empty>No delegates.</Empty>
                ) : (
                  <table class="list">
                    <thead>
                      <tr>
                        <th>Address</th>
                        <th>Scope</th>
                        <th>Expires</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.identity.delegates.map((g) => (
                        <tr key={g.address}>
                          <td>
                            <Addr value={g.address} />
                          </td>
                          <td>{SCOPES[g.scope] ?? g.scope}</td>
                          <td>{g.active ? dateTime(g.expiresAt) : <Badge tone="muted">inactive</Badge>}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </Card>
            </div>
            {d.identity.truncated ? (
              <p class="muted small">
                This identity has more delegates or attributes than the node lists (500 of each).
              </p>
            ) : null}
            <Card title="DID document">
              <pre class="json" id="did-document">
                {JSON.stringify(d.doc, null, 2)}
              </pre>
            </Card>
          </>
        )
      }
    </Show>
  );
}

type DataAsset = { id: string; owner: string; contentCid: string; pieceCid: string; size: string; license: string };
type Grantees = { grantees: { grantee: string; expiresAt: string; active: boolean }[]; nextCursor: string | null };

export function DataAssetPage(props: { id: string }) {
  const id = props.id.toLowerCase();
  const data = useAsync(
    async () => {
      const [asset, grantees] = await batch<unknown>([
        ["filverse_getDataAsset", [id]],
        ["filverse_getDataAssetGrantees", [id, { limit: 100 }]],
      ]);
      if (asset instanceof Error) throw asset;
      return {
        asset: asset as DataAsset | null,
        grantees: grantees instanceof Error ? null : (grantees as Grantees | null),
      };
    },
    [id],
    10_000,
  );
  return (
    <Show state={data}>
      {({ asset, grantees }) =>
        asset === null ? (
          <NotFound what="data asset" id={props.id} />
        ) : (
          <>
            <h1>Data asset</h1>
            <Card>
              <Fields
                rows={[
                  ["Id", <HexLink to={null} value={asset.id} full />],
                  ["Owner", <Addr value={asset.owner} full />],
                  ["Content CID", <span class="mono break">{asset.contentCid}</span>],
                  ["Piece CID", <span class="mono break">{asset.pieceCid}</span>],
                  ["Size", `${Number(asset.size).toLocaleString("en-US")} bytes`],
                  ["Licence", asset.license],
                ]}
              />
            </Card>
            <Card title="Access grants">
              {!grantees || grantees.grantees.length === 0 ? (
                <Empty>No grants.</Empty>
              ) : (
                <table class="list">
                  <thead>
                    <tr>
                      <th>Grantee</th>
                      <th>Expires</th>
                      <th>State</th>
                    </tr>
                  </thead>
                  <tbody>
                    {grantees.grantees.map((g) => (
                      <tr key={g.grantee}>
                        <td>
                          <Addr value={g.grantee} />
                        </td>
                        <td>{dateTime(g.expiresAt)}</td>
                        <td>{g.active ? <Badge tone="ok">active</Badge> : <Badge tone="muted">expired</Badge>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Card>
          </>
        )
      }
    </Show>
  );
}

export function PiecePage(props: { cid: string }) {
  return (
    <>
      <h1>Piece</h1>
      <Card>
        <Fields
          rows={[
            ["Piece CID", <span class="mono break">{props.cid}</span>],
            [
              "Data",
              <a href={`/piece/${encodeURIComponent(props.cid)}`} download>
                Download from this node (/piece/{props.cid.slice(0, 12)}…)
              </a>,
            ],
          ]}
        />
        <p class="muted">
          A node keeps the batch pieces of its checkpoints; a data asset's piece is kept by its storage providers.
        </p>
      </Card>
    </>
  );
}
