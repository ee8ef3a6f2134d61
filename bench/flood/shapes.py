"""Writes the anonymous attack documents of the flood benchmark, each padded to 1 KB, as the
JSON bodies wrk sends (one file per shape, in the folder given as the first argument)."""

import json
import sys
from pathlib import Path

SIZE = 1024


def pad(query: str) -> str:
    """The query followed by a comment that brings the JSON body to SIZE bytes."""
    body = json.dumps({"query": query + "\n#"})
    return query + "\n#" + "x" * max(0, SIZE - len(body))


def bomb(levels: int) -> str:
    parts = ["query { ...F0 }"]
    for i in range(levels):
        parts.append(f"fragment F{i} on QueryRoot {{ ...F{i + 1} ...F{i + 1} }}")
    parts.append(f"fragment F{levels} on QueryRoot {{ __typename }}")
    return " ".join(parts)


SHAPES = {
    # Brackets nested far past the bound: refused by the scan before parsing.
    "deep_values": "{ __typename(a: " + "[" * 490 + "1" + "]" * 490 + ") }",
    # Nested just within the bound: parsed, then refused by validation.
    "nest_31": "{ __typename(a: " + "[" * 30 + "1" + "]" * 30 + ") }",
    # 2^22 expansion in 1 KB: refused on the expansion.
    "fragment_bomb": bomb(22),
    # The heaviest introspection still admitted (one __schema, three list levels).
    "introspection": "{ __schema { types { name kind fields { name args { name type { name kind ofType { name kind } } } type { name kind ofType { name kind ofType { name } } } } } } }",
    # Many fields on the anonymous root.
    "wide": "{ " + " ".join(f"a{i}: __typename" for i in range(50)) + " }",
    # Bad input everywhere: control characters in literal arguments.
    "control_chars": "{ " + " ".join('__typename(x: "\\u0000")' for _ in range(30)) + " }",
}


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, query in SHAPES.items():
        body = json.dumps({"query": pad(query)})
        (out / f"{name}.json").write_text(body)
        print(f"{name}: {len(body)} bytes")


if __name__ == "__main__":
    main()
