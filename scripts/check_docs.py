#!/usr/bin/env python3
"""Fails when a document names, in backticks, a path or a Rust item that does not exist.

Documents drift when code moves: a file renamed, a function replaced, a type merged. This
reads `ARCHITECTURE.md`, `README.md` and `docs/*.md` (not `BENCHMARKS.md`, a dated log of
measurements that quotes other projects' code), and checks every code span that looks like
one of:

- a path (`src/storage/`, `crates/core/taxonomy/default.json`, `store/batch.rs`, `book.rs`):
  it must exist from the repository's root, or end some path of the repository; what the
  build and the run make (`dist/`, `data/`, `target/`, screenshots) is not in the
  repository, so those are taken as they are;
- a Rust path (`SyncRun::growing`, `storage::read_raw`, `carnet_core::wire::ApiError`):
  its last name must be defined in the Rust sources, as an item of the type or module
  before it when that one is ours (`Type::method` is looked up in the files that define
  or implement `Type`, `module::item` in that module's file);
- a call (`load_all()`) or a type-like name (`AppState`, `StoreError`): defined somewhere.

Spans with spaces, `<…>` placeholders, `*` or `=` are commands, examples or patterns, and
are not checked; nor are spans under a heading or line that says which external names it
quotes. Run with `--list` to print what was checked.

    scripts/check_docs.py          # exit 1 on the first document that names a ghost
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["ARCHITECTURE.md", "README.md", *sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
EXTENSIONS = (".rs", ".md", ".toml", ".json", ".mjs", ".js", ".html", ".css", ".py", ".sh",
              ".webmanifest", ".lock", ".png", ".svg", ".txt", ".ndjson", ".csv", ".yml")
# Names of other projects' APIs that the documents quote (browser, libraries, tools).
EXTERNAL = {
    "IDBObjectStore", "CompressionStream", "CryptoKey", "BroadcastChannel", "ServeDir",
    "CompressionLayer", "LocalStorage", "LocalResource", "Action", "For", "Show",
    "PRAGMA", "getAll", "getAllKeys", "get", "commit", "skipWaiting", "registration.update",
    "DefaultBodyLimit", "Router", "JsonRejection", "Json", "Query", "State",
}


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line and (ROOT / line).exists()]


FILES = tracked_files()
# The repository's top-level names, and the generated folders: `row/column` or a media type
# is not a path, `src/x` is.
TOP = {f.split("/")[0] for f in FILES} | {g.split("/")[0] for g in ("dist", "data", "target")}
FOLDERS = {str(Path(f).parent) for f in FILES} | {
    str(p) for f in FILES for p in Path(f).parents if str(p) != "."}
RUST = {f: (ROOT / f).read_text(encoding="utf-8") for f in FILES if f.endswith(".rs")}

DEFINITION = r"\b(?:fn|struct|enum|trait|type|const|static|mod|macro_rules!)\s+{name}\b"
VARIANT = r"(?m)^\s+{name}\b\s*(?:[,({{]|=|$)"
MACRO = r"macro_rules!\s+{name}\b"


def defined_in(name: str, texts) -> bool:
    for text in texts:
        if re.search(DEFINITION.format(name=re.escape(name)), text):
            return True
        if name[:1].isupper() and re.search(VARIANT.format(name=re.escape(name)), text):
            return True
        if re.search(MACRO.format(name=re.escape(name.rstrip("!"))), text):
            return True
    return False


def files_of_type(name: str) -> list[str]:
    """Files that define or implement a type (or trait) `name`."""
    pattern = re.compile(
        rf"\b(?:struct|enum|trait|type)\s+{re.escape(name)}\b|\bimpl\b[^{{;]*\b{re.escape(name)}\b")
    return [f for f, text in RUST.items() if pattern.search(text)]


def files_of_module(name: str) -> list[str]:
    """Files that are module `name` (`name.rs`, `name/mod.rs`, a crate called `name`)."""
    crate = {"carnet_core": "crates/core/src/", "carnet_server": "crates/server/src/",
             "carnet": "src/"}.get(name)
    if crate:
        return [f for f in RUST if f.startswith(crate)]
    return [f for f in RUST if f.endswith(f"/{name}.rs") or f.endswith(f"/{name}/mod.rs")
            or f"/{name}/" in f]


# Made by the build, the run or the tests, never committed.
GENERATED = ("dist", "data", "target", "end2end/screenshots", "node_modules", "tools/node_modules")


def check_path(span: str) -> bool:
    path = span.rstrip("/").removeprefix("./")
    if any(path == g or path.startswith(g + "/") for g in GENERATED):
        return True
    if path in FILES or path in FOLDERS:
        return True
    # A path from a folder the document is speaking of (`store/batch.rs`, `ui/today.rs`).
    return any(f == path or f.endswith("/" + path) for f in FILES) or any(
        d.endswith("/" + path) for d in FOLDERS)


def check_rust(span: str) -> bool:
    span = re.sub(r"\(.*\)$", "", span)  # a call's arguments
    span = re.sub(r"<.*?>", "", span)  # generics
    parts = [p for p in span.split("::") if p]
    if not parts:
        return True
    if parts[0] in ("crate", "self", "super"):
        parts = parts[1:]
    *owners, name = parts
    if not owners:
        return defined_in(name, RUST.values())
    owner = owners[-1]
    scope = files_of_type(owner) if owner[:1].isupper() else files_of_module(owner)
    if not scope:
        # Not ours (`chrono::NaiveDate`, `std::fs`): the owner must not be a crate of ours.
        return owners[0] not in ("carnet_core", "carnet_server", "carnet")
    texts = [RUST[f] for f in scope]
    if defined_in(name, texts):
        return True
    # A re-export (`pub use x::{Name}`), or an item of a sub-module of that module.
    return any(re.search(rf"\bpub use [^;]*\b{re.escape(name)}\b", t) for t in texts) or (
        defined_in(name, RUST.values()) and owner[:1].islower()
        and any(f"/{owner}/" in f for f in RUST))


def kind(span: str) -> str | None:
    # A call: only what is called is a name (`SyncRun::growing(pending ids)`).
    span = re.sub(r"^([A-Za-z_][A-Za-z0-9_:]*)\(.*\)$", r"\1()", span)
    if re.search(r"[\s<>*=|$%,]", span) or span.startswith(("-", "#", "http", "@", "~", "/")):
        return None
    top = span.split("/")[0]
    if span.endswith(EXTENSIONS) or ("/" in span and (span.endswith("/") or top in TOP)):
        return "path"
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)+(\(.*\))?!?", span):
        return "rust"
    if re.fullmatch(r"[a-z_][a-z0-9_]*\(\)", span):
        return "rust"
    if re.fullmatch(r"[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+", span):
        return "type"
    return None


def main() -> int:
    listing = "--list" in sys.argv
    ghosts = []
    checked = 0
    for doc in DOCS:
        text = (ROOT / doc).read_text(encoding="utf-8")
        # Fenced blocks are examples and transcripts, not names.
        text = re.sub(r"```.*?```", "", text, flags=re.S)
        for line_no, line in enumerate(text.splitlines(), 1):
            for span in re.findall(r"`([^`\n]+)`", line):
                what = kind(span)
                span = re.sub(r"^([A-Za-z_][A-Za-z0-9_:]*)\(.*\)$", r"\1()", span)
                if what is None or span in EXTERNAL or span.split("::")[0] in EXTERNAL:
                    continue
                checked += 1
                ok = check_path(span) if what == "path" else check_rust(span)
                if listing:
                    print(f"{'ok   ' if ok else 'GHOST'} {doc}: {span}")
                if not ok:
                    ghosts.append(f"{doc}: `{span}` ({what}) names nothing in the repository")
    for ghost in ghosts:
        print(ghost)
    print(f"check_docs: {checked} names checked in {len(DOCS)} documents, {len(ghosts)} ghost(s)")
    return 1 if ghosts else 0


if __name__ == "__main__":
    sys.exit(main())
