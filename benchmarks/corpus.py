"""A deterministic synthetic corpus of benchmark docs: headings, prose, code, admonitions."""

import random
from collections.abc import Iterator
from pathlib import Path

# Header spellings seen in real docs, so the header mapping works as hard as it does on them.
HEADER_STYLES = [
    ["Model", "Top-1", "Top-5", "Params (M)", "Img Size"],
    ["model", "top1", "top5", "param_count", "img_size"],
    ["name", "model", "params", "Resolution", "acc@1 (INet-1k)", "training method"],
    ["Model", "Img Size", "Top-1", "Top-5", "Params (M)"],
    ["Model", "Top-1", "Top-5", "Params (M)", "Eval Seq Len"],
]
FAMILIES = ["vit", "convnext", "resnet", "efficientnet", "mambaout", "caformer", "deit3", "swinv2"]
TAGS = [
    "in1k",
    "in12k_ft_in1k",
    "in22k_ft_in1k",
    "sbb_in1k",
    "ra4_e3600_r224_in1k",
    "webli_ft_in1k",
]
PROSE = (
    "These checkpoints were trained with the recipe described above; numbers are ImageNet-1k "
    "validation accuracy at the listed resolution. See the paper for details | not a table."
)
CODE_BLOCK = "```python\nmodel = timm.create_model('{name}', pretrained=True)\n# | a | b |\n```\n"


def write_corpus(root: Path, documents: int = 1000, rows_per_doc: int = 1000, seed: int = 7) -> int:
    """Write the corpus under root (doc-0000.md, ...); return the number of table body rows."""
    root.mkdir(parents=True, exist_ok=True)
    total = 0
    for number in range(documents):
        rng = random.Random(seed * 1_000_003 + number)
        text, rows = document_text(rng, number, rows_per_doc)
        (root / f"doc-{number:04d}.md").write_text(text, encoding="utf-8")
        total += rows
    return total


def document_text(rng: random.Random, number: int, rows: int) -> tuple[str, int]:
    """One document: a title, sections of prose, code and tables; some tables in admonitions."""
    parts = [f"# Model results {number}\n\n{PROSE}\n\n"]
    written = 0
    section = 0
    while written < rows:
        size = min(rows - written, rng.choice([20, 50, 100, 200]))
        parts.append(section_text(rng, number, section, size))
        written += size
        section += 1
    return "".join(parts), written


def section_text(rng: random.Random, number: int, section: int, size: int) -> str:
    """A section: heading, prose, a code fence, then a table (plain or inside an admonition)."""
    name = model_name(rng, number, section, 0)
    table = table_text(rng, number, section, size)
    if rng.random() < 0.2:
        indented = "".join(f"    {line}\n" for line in table.splitlines())
        table = f'!!! note "Results"\n{indented}'
    return f"## Section {section}\n\n{PROSE}\n\n{CODE_BLOCK.format(name=name)}\n{table}\n"


def table_text(rng: random.Random, number: int, section: int, size: int) -> str:
    """A GFM table with one of the header styles and messy but realistic cells."""
    header = rng.choice(HEADER_STYLES)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(":---:" for _ in header) + "|"]
    lines += [row_text(rng, header, model_name(rng, number, section, i)) for i in range(size)]
    return "\n".join(lines) + "\n"


def row_text(rng: random.Random, header: list[str], name: str) -> str:
    """One body row; cells follow the header's columns."""
    cells = [cell_text(rng, column, name) for column in header]
    return "| " + " | ".join(cells) + " |"


def cell_text(rng: random.Random, column: str, name: str) -> str:
    """A cell in the spellings real docs use: '99M', '150+', '224x224', '-', '**86.4**', '85.2*'."""
    # A shared model has the same accuracy on every page (only its spelling and its params
    # differ): results merge field by field, and top-1 and top-5 from different pages could
    # break top5 >= top1.
    numbers = random.Random(name) if "_shared" in name else rng
    top1 = round(numbers.uniform(60, 90), 3)
    lowered = column.lower()
    if lowered in ("model",):
        return f"[{name}](https://example.org/{name})" if rng.random() < 0.05 else name
    if lowered == "name":
        return rng.choice(FAMILIES).upper()
    if lowered in ("top-1", "top1", "acc@1 (inet-1k)"):
        return rng.choice([f"{top1}", f"{top1}", f"**{top1}**", f"{top1}*", "-"])
    if lowered in ("top-5", "top5"):
        return rng.choice([f"{min(99.9, top1 + 10):.3f}", "-"])
    if lowered in ("params (m)", "param_count", "params"):
        return rng.choice([f"{rng.uniform(3, 600):.2f}", f"{rng.randint(3, 600)}M", "150+"])
    if lowered in ("img size", "img_size", "resolution"):
        size = rng.choice([224, 256, 288, 384, 448])
        return rng.choice([str(size), f"{size}x{size}"])
    if lowered == "eval seq len":
        return "576"
    return rng.choice(["supervised", "FCMAE + finetuning", "supervised at 224^2"])


# Leaderboards repeat: one row in ten names a model many documents list, with its own numbers,
# so dedupe merges observations and writes conflicts as it does on the real pages.
SHARED_SHARE = 0.1
SHARED_MODELS = 5000


def model_name(rng: random.Random, number: int, section: int, row: int) -> str:
    """A timm-style name: unique per document, section and row, or one of the shared names."""
    if rng.random() < SHARED_SHARE:
        shared = rng.randrange(SHARED_MODELS)
        return f"{FAMILIES[shared % len(FAMILIES)]}_shared{shared}.{TAGS[shared % len(TAGS)]}"
    family = FAMILIES[(number + section) % len(FAMILIES)]
    return f"{family}_d{number}_s{section}_r{row}_{rng.randint(0, 99)}.{rng.choice(TAGS)}"


def iter_docs(root: Path) -> Iterator[Path]:
    """The corpus documents in name order."""
    return iter(sorted(root.glob("*.md")))
