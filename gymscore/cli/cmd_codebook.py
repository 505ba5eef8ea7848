"""``gymscore codebook``: check the codebook against FineGym, show an element, search, print a tree."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gymscore.codebook import Codebook, CodebookError, UnknownElementError, load_codebook
from gymscore.codebook.tree import Node


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``codebook`` command group."""
    p = subparsers.add_parser("codebook", help="Code of Points codebook: check, show, search, tree")
    sub = p.add_subparsers(dest="codebook_command", metavar="SUBCOMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--edition", default="wag-2017", help="codebook edition (default wag-2017)")
        sp.add_argument("--user-file", type=Path, default=None, help="extra user codebook file (YAML/JSON)")

    c = sub.add_parser("check", help="compare the codebook with the FineGym annotation files")
    c.add_argument("--finegym", type=Path, default=None, help="FineGym folder (default ../shared/finegym)")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    common(c)
    c.set_defaults(func=cmd_check)

    s = sub.add_parser("show", help="show every field of an element and its decision-tree path")
    s.add_argument("element_id", metavar="ID")
    s.add_argument("--json", action="store_true", help="print the element as JSON")
    common(s)
    s.set_defaults(func=cmd_show)

    f = sub.add_parser("search", help="search elements by name, CoP number or id")
    f.add_argument("text", metavar="TEXT")
    f.add_argument("--limit", type=int, default=25, help="show at most this many results (default 25)")
    common(f)
    f.set_defaults(func=cmd_search)

    t = sub.add_parser("tree", help="print the decision tree of a set")
    t.add_argument("set_id", type=int, metavar="SET")
    common(t)
    t.set_defaults(func=cmd_tree)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def _codebook(args: argparse.Namespace) -> Codebook:
    return load_codebook(edition=args.edition, user_file=args.user_file)


def cmd_check(args: argparse.Namespace) -> int:
    """Compare with FineGym; exit status 0 when every Glabel matches, 1 otherwise."""
    from gymscore.codebook.check import check_against_finegym
    from gymscore.paths import finegym_default_dir

    folder = args.finegym or finegym_default_dir()
    if folder is None:
        raise CodebookError("FineGym folder not found; pass --finegym PATH (e.g. ../shared/finegym)")
    result = check_against_finegym(_codebook(args), folder).to_dict()
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        q = result["annotator_questions"]
        print(f"codebook {args.edition} vs FineGym ({folder})")
        print(f"  elements: {result['elements']}, matched: {result['matched']}, "
              f"mismatched: {len(result['mismatches'])}")
        print(f"  annotator answers: {q['asked']} asked, {q['checked']} checked against attributes, "
              f"{q['waived']} waived, {q['unchecked']} not mapped ({q['distinct_rules_used']} rules used)")
        for m in result["mismatches"]:
            print(f"  MISMATCH Glabel {m['glabel']} {m.get('id', '?')} {m['name']}")
            for problem in m["problems"]:
                print(f"      - {problem}")
        for w in result["waived"]:
            print(f"  waived: Glabel {w['glabel']} {w['id']} '{w['rule']}': {w['reason']}")
    return 0 if result["matched"] == result["elements"] else 1


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace) -> int:
    """Print one element."""
    cb = _codebook(args)
    try:
        e = cb.get(args.element_id)
    except UnknownElementError as exc:
        hits = cb.search(args.element_id)[:5]
        hint = f"; did you mean {', '.join(h.id for h in hits)}?" if hits else ""
        raise UnknownElementError(f"{exc}{hint}") from None
    if args.json:
        d = e.to_dict()
        d["source"] = e.source
        d["path"] = [list(step) for step in cb.path(e.id)]
        print(json.dumps(d, indent=2, ensure_ascii=False))
        return 0
    info = cb.sets[e.set_id]
    value = f"{e.value:.2f}" if e.apparatus == "VT" else f"{e.value_letter} = {e.value:.1f}"
    rows = [
        ["id", e.id], ["name", e.name], ["apparatus", e.apparatus],
        ["set", f"{e.set_id} {info.apparatus} {info.name}"], ["CoP number", e.cop_number or "-"],
        ["value", value], ["group", "-" if e.group is None else str(e.group)],
        ["FineGym", f"Glabel {e.glabel}, Gym288 {e.gym288}, Gym99 {e.gym99}"], ["source", e.source],
    ]
    for key, val in e.attributes.to_dict().items():
        rows.append([f"  {key}", ", ".join(val) if isinstance(val, list) else str(val)])
    print(_table(rows, ["field", "value"]))
    print("\ndecision-tree path:")
    for step in cb.path(e.id):
        print(f"  {step.question_id:>8}  {step.question}  ->  {_answer(step.answer)}")
    return 0


def _value(apparatus: str, value: float) -> str:
    return f"{value:.2f}" if apparatus == "VT" else f"{value:.1f}"


def _answer(answer: object) -> str:
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, float):
        return f"{answer:g}"
    return str(answer)


def cmd_search(args: argparse.Namespace) -> int:
    """Print matching elements as a table."""
    hits = _codebook(args).search(args.text)
    if not hits:
        print(f"no element matches {args.text!r}")
        return 1
    rows = [[e.id, str(e.set_id), e.cop_number or "-", _value(e.apparatus, e.value), e.name]
            for e in hits[: args.limit]]
    print(_table(rows, ["id", "set", "CoP", "value", "name"]))
    if len(hits) > args.limit:
        print(f"... {len(hits) - args.limit} more (use --limit)")
    return 0


def cmd_tree(args: argparse.Namespace) -> int:
    """Print a set's decision tree, indented."""
    cb = _codebook(args)
    tree = cb.tree(args.set_id)

    def walk(node: Node | str, depth: int) -> None:
        pad = "  " * depth
        if isinstance(node, str):
            return
        print(f"{pad}[{node.id}] {node.text}")
        for answer, child in node.branches:
            if isinstance(child, str):
                print(f"{pad}  = {_answer(answer)}: {child} {cb.get(child).name}")
            else:
                print(f"{pad}  = {_answer(answer)}:")
                walk(child, depth + 2)

    walk(tree.root, 0)
    return 0
