/** The pieces every page is made of: the hash router, links to chain objects, data loading, tables. */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { short } from "./format.js";
import { NodeUnreachableError, RpcCallError } from "./rpc.js";

/** The route is the URL's hash (#/block/5): the node serves one page at /, whatever is shown. */
export function currentRoute(): string[] {
  const h = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
  return h === "" ? [] : h.split("/");
}

export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const on = (): void => {
      setRoute(currentRoute());
      window.scrollTo(0, 0);
    };
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

export const href = (...parts: (string | number)[]): string =>
  `#/${parts.map((p) => encodeURIComponent(String(p))).join("/")}`;

export function navigate(...parts: (string | number)[]): void {
  location.hash = href(...parts);
}

export function Link(props: { to: (string | number)[]; children: ComponentChildren; class?: string }) {
  return (
    <a href={href(...props.to)} class={props.class}>
      {props.children}
    </a>
  );
}

/** A hash or address: shortened on screen, whole in the title and when copied. */
export function HexLink(props: { to: (string | number)[] | null; value: string | undefined; full?: boolean }) {
  const text = props.full ? props.value : short(props.value);
  if (!props.value) return <span class="muted">—</span>;
  const body = (
    <span class="mono" title={props.value}>
      {text}
    </span>
  );
  return props.to ? <a href={href(...props.to)}>{body}</a> : body;
}

export const Addr = (props: { value: string | undefined; full?: boolean }) => (
  <HexLink to={props.value ? ["address", props.value.toLowerCase()] : null} value={props.value} full={props.full} />
);

export type Async<T> =
  | { loading: true; value?: undefined; error?: undefined }
  | { loading: false; error: Error; value?: undefined }
  | { loading: false; value: T; error?: undefined };

const UNREACHABLE_RETRY_MS = 3000;

/** Runs `load` when `deps` change (and every `refreshMs` if set); the latest answer wins. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[], refreshMs = 0): Async<T> {
  const [state, setState] = useState<Async<T>>({ loading: true });
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    setState({ loading: true });
    const run = (): void => {
      load().then(
        (value) => live && setState({ loading: false, value }),
        (error: unknown) => {
          if (!live) return;
          setState({ loading: false, error: error instanceof Error ? error : new Error(String(error)) });
          // A node that did not answer is asked again, so the page recovers by itself when it is back.
          if (refreshMs === 0 && error instanceof NodeUnreachableError) timer = setTimeout(run, UNREACHABLE_RETRY_MS);
        },
      );
      if (refreshMs > 0) timer = setTimeout(run, refreshMs);
    };
    run();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, deps);
  return state;
}

export function ErrorBox(props: { error: Error }) {
  const e = props.error;
  if (e instanceof NodeUnreachableError)
    return <div class="error">{e.message}. Is it running? The page retries on its own.</div>;
  if (e instanceof RpcCallError) {
    return (
      <div class="error">
        The node answered error {e.code}: {e.message}
      </div>
    );
  }
  return <div class="error">{e.message}</div>;
}

/** Loading, error or the content rendered from the value. */
export function Show<T>(props: { state: Async<T>; children: (value: T) => ComponentChildren }) {
  const s = props.state;
  if (s.loading) return <p class="muted loading">Loading…</p>;
  if (s.error) return <ErrorBox error={s.error} />;
  return <>{props.children(s.value as T)}</>;
}

export function NotFound(props: { what: string; id?: string }) {
  return (
    <div class="card">
      <h1>Not found</h1>
      <p>
        This node knows no {props.what}
        {props.id ? (
          <>
            {" "}
            <span class="mono break">{props.id}</span>
          </>
        ) : null}
        .
      </p>
    </div>
  );
}

/** A two-column table of named fields, one per row; it stacks on a phone. */
export function Fields(props: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="fields">
      {props.rows.map(([k, v]) => (
        <div class="field" key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Card(props: { title?: ComponentChildren; children: ComponentChildren; id?: string }) {
  return (
    <section class="card" id={props.id}>
      {props.title ? <h2>{props.title}</h2> : null}
      {props.children}
    </section>
  );
}

export function Badge(props: { tone: "ok" | "bad" | "warn" | "info" | "muted"; children: ComponentChildren }) {
  return <span class={`badge ${props.tone}`}>{props.children}</span>;
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="muted empty">{props.children}</p>;
}
