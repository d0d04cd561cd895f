#!/usr/bin/env python3
"""Checks every #include of src/ (and apps/) against the layer table of docs/architecture.md.

    scripts/check_layers.py [--root DIR]

The table's rows name a folder (`src/<layer>` or `apps/sefleet`) and the layers it "may use"; a
layer may include its own headers and those of every layer it may use, directly or through them
(gp may use crypto, crypto may use core: gp may include core). Quoted includes are rooted at src/,
so the first path component names the layer; an include without a folder is a header next to the
file (apps/sefleet's own). Angle-bracket includes are libraries and not checked here.
Prints every violation as FILE:LINE and exits 1 when there is one, 2 when the table cannot be read.
"""
import argparse
import pathlib
import re
import sys

ROW = re.compile(r"^\|\s*`(src/(?P<layer>[a-z0-9_]+)|(?P<apps>apps)/[a-z0-9_]+)`\s*\|[^|]*\|(?P<uses>[^|]*)\|\s*$")
INCLUDE = re.compile(r'^\s*#\s*include\s+"(?P<path>[^"]+)"')
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".cc", ".inc"}


def read_table(architecture: pathlib.Path) -> dict:
    """{layer: set of layers named in its 'may use' column}; 'apps' may use all."""
    table = {}
    in_layers = False
    for line in architecture.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_layers = line.strip() == "## Layers"
            continue
        match = ROW.match(line) if in_layers else None
        if match:
            layer = match.group("layer") or match.group("apps")
            table[layer] = {word.strip() for word in match.group("uses").split(",")}
    if not table:
        raise ValueError(f"{architecture}: no layer table under '## Layers'")
    for layer, uses in table.items():
        if "all" in uses:
            table[layer] = set(table) - {layer}
        else:
            table[layer] = {use for use in uses if use in table}  # 'std', 'spdlog/fmt' are not layers
    return table


def allowed(table: dict) -> dict:
    """Each layer with everything it may reach through the table, itself included."""
    reach = {}
    for layer in table:
        seen, todo = {layer}, [layer]
        while todo:
            for used in table[todo.pop()]:
                if used not in seen:
                    seen.add(used)
                    todo.append(used)
        reach[layer] = seen
    return reach


def layer_of(relative: pathlib.PurePath, table: dict):
    parts = relative.parts
    if parts[0] == "src" and len(parts) > 2 and parts[1] in table:
        return parts[1]
    if parts[0] == "apps" and "apps" in table:
        return "apps"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=pathlib.Path(__file__).resolve().parent.parent, type=pathlib.Path)
    root = parser.parse_args().root
    try:
        table = read_table(root / "docs" / "architecture.md")
    except (OSError, ValueError) as error:
        print(f"check_layers: {error}", file=sys.stderr)
        return 2
    reach = allowed(table)
    violations, files = [], 0
    for folder in ("src", "apps"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
                continue
            relative = path.relative_to(root)
            layer = layer_of(relative, table)
            if layer is None:
                if folder == "src":
                    violations.append(f"{relative}: not inside a layer folder of the table")
                continue
            files += 1
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                match = INCLUDE.match(line)
                if not match or "/" not in match.group("path"):
                    continue
                target = match.group("path").split("/")[0]
                if target not in table:
                    violations.append(f"{relative}:{number}: includes \"{match.group('path')}\" of no layer")
                elif target not in reach[layer]:
                    may = ", ".join(sorted(reach[layer] - {layer})) or "nothing"
                    violations.append(f"{relative}:{number}: {layer} includes {target} "
                                      f"(\"{match.group('path')}\"); {layer} may use {may}")
    for violation in violations:
        print(violation)
    print(f"check_layers: {files} files, {len(violations)} violation(s) of docs/architecture.md's layer table",
          file=sys.stderr)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
