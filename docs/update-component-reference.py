#!/usr/bin/env python3
"""Regenerates the option and header tables of docs/iotos-component.adoc from the generated iotos.json.

Everything above the line '// Generated from iotos.json' is kept as written; everything below it is rewritten.
Run after changing an option or header: python3 docs/update-component-reference.py
"""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
METADATA = ROOT / "camel-iotos-component/src/generated/resources/META-INF/io/cameliotos/component/iotos/iotos.json"
PAGE = ROOT / "docs/iotos-component.adoc"
MARKER = "// Generated from iotos.json by docs/update-component-reference.py: edit the Java docs, not these tables."


def cell(text):
    return str(text if text is not None else "").replace("|", "\\|")


def default(prop):
    value = prop.get("defaultValue", "")
    return str(value).lower() if isinstance(value, bool) else str(value)


def short_type(prop):
    return prop.get("javaType", "").split(".")[-1]


def table(rows, columns):
    out = ['[width="100%",cols="' + columns + '",options="header"]', "|==="]
    out += rows
    out.append("|===")
    return "\n".join(out)


def options(props):
    return [f"| *{name}* ({p.get('group', '')}) | {cell(p.get('description'))} | {default(p)} | {short_type(p)}"
            for name, p in props.items()]


def main():
    meta = json.loads(METADATA.read_text(encoding="utf-8"))
    page = PAGE.read_text(encoding="utf-8")
    head = page.split(MARKER)[0].rstrip() + "\n\n"
    paths = {k: v for k, v in meta["properties"].items() if v.get("kind") == "path"}
    params = {k: v for k, v in meta["properties"].items() if v.get("kind") != "path"}
    header_row = "| Name | Description | Default | Type"
    parts = [
        MARKER,
        "",
        "== Component options",
        "",
        f"The component supports {len(meta['componentProperties'])} options; set them once, e.g. "
        "`camel.component.iotos.brokerUrl`, as the default of every endpoint.",
        "",
        table([header_row] + options(meta["componentProperties"]), "2,5,^1,2"),
        "",
        "== Endpoint options",
        "",
        "The endpoint is configured using URI syntax `iotos:gatewayId/deviceId/pointId` with these path and query "
        "parameters.",
        "",
        "=== Path parameters",
        "",
        table([header_row] + [f"| *{n}* {'(required)' if p.get('required') else ''} | {cell(p.get('description'))} "
                              f"| | {short_type(p)}" for n, p in paths.items()], "2,5,^1,2"),
        "",
        "=== Query parameters",
        "",
        table([header_row] + options(params), "2,5,^1,2"),
        "",
        "== Message headers",
        "",
        table(["| Name | Description | Type"] + [f"| *{n}* | {cell(p.get('description'))} | {short_type(p)}"
                                                for n, p in meta["headers"].items()], "2,5,2"),
        "",
    ]
    PAGE.write_text(head + "\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
