/** The explorer's entry: the layout (header, search, node banner) and the routes. */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Account } from "./pages/account.js";
import { Block } from "./pages/block.js";
import { Bridge } from "./pages/bridge.js";
import { Checkpoints } from "./pages/checkpoints.js";
import { Home } from "./pages/home.js";
import { AssetPage, CollectionPage, DataAssetPage, IdentityPage, PiecePage, TokenPage } from "./pages/objects.js";
import { Tx } from "./pages/tx.js";
import { call, connection } from "./rpc.js";
import { resolveSearch } from "./search.js";
import "./style.css";
import { Link, NotFound, navigate, useRoute } from "./ui.js";

function Page(props: { route: string[] }) {
  const [name = "", a = "", b = ""] = props.route;
  switch (name) {
    case "":
      return <Home />;
    case "block":
      return <Block id={a} key={a} />;
    case "tx":
      return <Tx hash={a} key={a} />;
    case "address":
      return <Account address={a} key={a} />;
    case "collection":
      return <CollectionPage id={a} key={a} />;
    case "asset":
      return <AssetPage collectionId={a} tokenId={b} key={`${a}:${b}`} />;
    case "token":
      return <TokenPage id={a} key={a} />;
    case "identity":
      return <IdentityPage ref_={a} key={a} />;
    case "data":
      return <DataAssetPage id={a} key={a} />;
    case "piece":
      return <PiecePage cid={a} key={a} />;
    case "checkpoints":
      return <Checkpoints />;
    case "bridge":
      return <Bridge address={a} key={a} />;
    default:
      return <NotFound what="page" id={`#/${props.route.join("/")}`} />;
  }
}

function Search() {
  const [q, setQ] = useState("");
  const [msg, setMsg] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setMsg("");
    try {
      const r = await resolveSearch(q);
      if ("route" in r) {
        navigate(...r.route);
        setQ("");
      } else if ("piece" in r) {
        navigate("piece", r.piece);
        setQ("");
      } else setMsg(r.none);
    } catch (err) {
      setMsg(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="search" onSubmit={submit}>
      <input
        id="search"
        type="search"
        aria-label="Search"
        placeholder="Block, tx hash, address, @handle, DID, id, Piece CID"
        value={q}
        onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        autocomplete="off"
        spellcheck={false}
      />
      <button type="submit" disabled={busy}>
        {busy ? "…" : "Search"}
      </button>
      {msg ? (
        <p class="search-msg" id="search-msg">
          {msg}
        </p>
      ) : null}
    </form>
  );
}

/** Shown while the node does not answer; a probe every 3 s clears it as soon as it does. */
function NodeBanner() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const on = (): void => setTick((t) => t + 1);
    connection.listeners.add(on);
    const probe = setInterval(() => {
      if (!connection.reachable) call("filverse_blockNumber").catch(() => {});
    }, 3000);
    return () => {
      connection.listeners.delete(on);
      clearInterval(probe);
    };
  }, []);
  if (connection.reachable) return null;
  return (
    <div class="banner" id="node-unreachable" role="alert">
      <strong>The node at {location.host} is not answering.</strong> What you see may be out of date; the page
      reconnects by itself when the node is back.
    </div>
  );
}

function App() {
  const route = useRoute();
  return (
    <>
      <header class="top">
        <div class="top-inner">
          <a href="#/" class="brand">
            <span class="logo" aria-hidden="true">
              ◆
            </span>{" "}
            Filverse <span class="brand-sub">explorer</span>
          </a>
          <nav>
            <Link to={[]}>Home</Link>
            <Link to={["checkpoints"]}>Checkpoints</Link>
            <Link to={["bridge"]}>Bridge</Link>
          </nav>
          <Search />
        </div>
      </header>
      <NodeBanner />
      <main class="content">
        <Page route={route} />
      </main>
      <footer class="foot">
        Served by the node at {location.host}, from its public JSON-RPC. <a href="/healthz">health</a>
      </footer>
    </>
  );
}

const root = document.getElementById("app")!;
// The "Loading…" line is static HTML for the time before this script runs; render appends, so clear it.
root.textContent = "";
render(<App />, root);
