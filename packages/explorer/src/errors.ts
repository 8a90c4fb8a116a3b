/** The explorer's one error class: its codes are what a node operator reads when the page cannot be served. */
import { FilverseError } from "@filverse/utils";

export enum ExplorerErrorCode {
  /** dist/ has no built bundle: the package was not built (run `npm run build`). */
  BUNDLE_MISSING = "EXPLORER_BUNDLE_MISSING",
}

export class ExplorerError extends FilverseError<ExplorerErrorCode> {
  override name = "ExplorerError";
}
