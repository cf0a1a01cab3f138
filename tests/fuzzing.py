"""Mutations of real and generated reports, and the issue's pathological inputs, read as a
crawl reads them (run by test_fuzz.py in a process of its own, under a memory limit;
prints one JSON summary line).

    python tests/fuzzing.py SEED COUNT [REAL_PAGE ...]
    python tests/fuzzing.py pathological
"""

from __future__ import annotations

import io
import json
import random
import resource
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govcrawl.demo import samples as S
from govcrawl.demo.attachments import render_docx, render_pdf
from govcrawl.demo.sheets import render_xlsx
from govcrawl.extract.page import INTERNAL, read_page

INSERTS = (b"\x00", b"\x01\x0b\x1f", b"<table>", b"</td>", b'rowspan="9999" colspan="9999"', b"\xef\xbb\xbf",
           b"<!--", b"]]>", b"\r", b"<tr>" * 50, b"\xff\xfe", b"<td>" * 100, b"<?xml ", b"&#0;&#xFFFF;")


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One damage of the kinds downloads and tools do: bytes changed, cut, spliced, repeated."""
    out = bytearray(data)
    op = rng.randrange(6)
    if op == 0:
        for _ in range(rng.randint(1, 20)):
            out[rng.randrange(len(out))] = rng.randrange(256)
    elif op == 1:
        out = out[: rng.randrange(len(out))]
    elif op == 2:
        at = rng.randrange(len(out))
        out[at:at] = bytes(rng.randrange(32) for _ in range(rng.randint(1, 50)))
    elif op == 3:
        start = rng.randrange(len(out))
        out[start:start] = out[start:start + rng.randint(1, 5000)] * rng.randint(1, 5)
    elif op == 4:
        start = rng.randrange(len(out))
        del out[start:start + rng.randint(1, 2000)]
    else:
        at = rng.randrange(len(out))
        out[at:at] = rng.choice(INSERTS)
    return bytes(out)


def seeds(real_pages: list[str]) -> dict[str, tuple[bytes, str]]:
    spec = S.sample_spec(seed=3, template="2021")
    out = {"report.pdf": (render_pdf(spec), "attachment"), "report.docx": (render_docx(spec), "attachment"),
           "report.xlsx": (render_xlsx(spec), "attachment"),
           "generated.html": (S.render_html(spec, encoding="gbk"), "report")}
    for path in real_pages:
        out[Path(path).parent.name + ".html"] = (Path(path).read_bytes(), "report")
    return out


def main(seed: int, count: int, real_pages: list[str]) -> dict:
    rng = random.Random(seed)
    material = seeds(real_pages)
    names = sorted(material)
    # Most of the budget on real pages where there are some: they are what portals serve.
    weights = [4 if n.endswith(".html") and n != "generated.html" else 1 for n in names]
    internal, slowest, read, reasons = [], 0.0, 0, {}
    for _ in range(count):
        name = rng.choices(names, weights)[0]
        data, kind = material[name]
        damaged = mutate(rng, data)
        start = time.perf_counter()
        record, reason, _links = read_page(damaged, f"http://www.example.gov.test/{name}", kind)
        slowest = max(slowest, time.perf_counter() - start)
        read += record is not None
        if reason:
            reasons[reason.split(" (")[0][:60]] = reasons.get(reason.split(" (")[0][:60], 0) + 1
        if reason and reason.startswith(INTERNAL):
            internal.append(f"{name}: {reason}")
    return {"count": count, "read": read, "internal": internal, "slowest": slowest, "reasons": reasons,
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _whole_sheet_merged() -> bytes:
    """A 5 KB XLSX whose one merged range claims every cell of the sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "x"
    saved = io.BytesIO()
    book.save(saved)
    merged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(saved.getvalue())) as src, \
            zipfile.ZipFile(merged, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("sheet1.xml"):
                data = data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                                    b'<mergeCell ref="A1:XFD1048576"/></mergeCells>')
            out.writestr(info, data)
    return merged.getvalue()


def pathological() -> dict[str, list]:
    """(read?, reason, seconds) of each input the crawl-integrity issue measured."""
    spec = S.sample_spec(seed=3, template="2021")
    docx = bytearray(render_docx(spec))
    docx[docx.find(b"word/document.xml") + 200] ^= 0xFF  # inside the member's compressed bytes
    table = "".join("<tr>" + '<td rowspan="64" colspan="64">一、本年新收</td>' * 8 + "</tr>" for _ in range(4))
    spans = "<html><body><h1>某区2023年政府信息公开工作年度报告</h1>" + f"<table>{table}</table>" * 4000
    cases = {"control characters": (S.render_html(spec).replace(b"<p>", b"<p>\x00\x01\x0b", 3), "r.html", "report"),
             "docx with a bad CRC": (bytes(docx), "r.docx", "attachment"),
             "xlsx merging a whole sheet": (_whole_sheet_merged(), "r.xlsx", "attachment"),
             "a page of huge spans": ((spans + "</body></html>").encode(), "r.html", "report")}
    out = {}
    for name, (data, file, kind) in cases.items():
        start = time.perf_counter()
        record, reason, _ = read_page(data, f"http://www.example.gov.test/{file}", kind)
        out[name] = [record is not None, reason, round(time.perf_counter() - start, 2)]
    return out


if __name__ == "__main__":
    if sys.argv[1] == "pathological":
        print(json.dumps(pathological(), ensure_ascii=False))
    else:
        print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]), ensure_ascii=False))
