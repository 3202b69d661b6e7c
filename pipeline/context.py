"""What a row means beyond its cells: timm name parts and the pretraining dataset (pure)."""

import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import polars as pl

from pipeline.errors import ModelmetricsError
from pipeline.units import EVAL_SIZES, value_text, without_marks

# A timm name is lowercase, has no space and splits at its dot into architecture and pretrained
# tag: "vit_so150m2_patch16_reg1_gap_448.sbb_e200_in12k_ft_in1k". Paper names ("ConvNeXt V2-H",
# "SwinV2-B* 24x24 Window Size, PreTrained@192^2") never match and are their own architecture.
TIMM_NAME = r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$"
# A timm name written without a dot keeps the dataset as its last token: caformer_b36_384_in21ft1k.
# A tag with an `ft` token was fine-tuned on what follows it: "sbb_e200_in12k_ft_in1k".
FINE_TUNED_TAG = r"(?:^|_)ft(?:_|$)"
UNTAGGED_TIMM_NAME = r"^[a-z][a-z0-9_]*_"
# A name marking ImageNet-21k as its pretraining in words of its own: mmpretrain's
# "swin-base_in21k-pre-3rdparty_in1k" ("-pre"), a benchmark's "mobilevitv2_150/in21k-1k" and
# "ConvNeXt-L 22k-1k" (then ImageNet-1k). A bare "(IN21k)" may be what the model was trained or
# tested on alone, and names none.
NAME_PRETRAINED = (
    r"(?i)(?:^|[-_/\s(])((?:in)?2[12]k)(?:-pre|[-_]?(?:to|ft)?[-_]?(?:in)?1k)(?:[-_.\s)]|$)"
)
# A bare "21k"/"22k" of a name is the catalog's in21k/in22k.
BARE_21K = r"^(2[12]k)$"
# ImageNet-1k, which every result is evaluated on, named in a heading as the dataset fine-tuned
# or evaluated on is no pretraining dataset: "Fine-tuning on ImageNet-1k", "IN-1K fine-tuned
# EVA-02", "Image Classification on ImageNet-1k" (mmpretrain's heading over ImageNet-21k
# pretrained models), "Results on ImageNet-1K", EVA-02's "performance on IN-1K val". Another
# dataset fine-tuned on before it is: ConvNeXt V2's "ImageNet-22K fine-tuned models" were
# fine-tuned on ImageNet-22K, then on 1K.
EVALUATION_DATASET = "imagenet-1k"
# "fine-tuned", "fine tuning", "finetuned" (the start of the word).
FINE_TUNING = r"fine[\s-]?tun|finetun"
FINE_TUNED_OR_EVALUATED_ON = re.compile(
    rf"(?:(?:{FINE_TUNING})\w*|\bft|evaluat\w*|\beval|\btest\w*|results?|accuracy|"
    r"performance|classification)\s+(?:on|with)\s*$",
    re.IGNORECASE,
)
# After the dataset: "ImageNet-1k fine-tuned", or its validation set ("... on IN-1K val").
FINE_TUNED_AFTER = re.compile(rf"\s*(?:{FINE_TUNING}|ft\b|val(?:idation)?\b)", re.IGNORECASE)
# A heading that says which dataset was the pretraining one ("Pre-Training on ImageNet-22k")
# makes any other step on ImageNet-1k in it the fine-tuning, however that step is spelled
# (Conv2Former's "... and Finetining on ImageNet-1k").
PRETRAINED_ON = re.compile(r"pre[\s-]*train\w*\s+(?:on|with)\s*$", re.IGNORECASE)
ANOTHER_STEP_ON = re.compile(r"\b[a-z]\w*\s+on\s*$", re.IGNORECASE)
# The image size a heading gives its tables: "ImageNet-1K models (224x224)", "fine-tuned at
# 384x384", "384px", "384^2"; a non-square "224x320" gives none.
HEADING_IMAGE_SIZE = re.compile(
    r"(?<![\w.])([0-9]{3,4})(?:[ \t]*[x×][ \t]*([0-9]{3,4})|[ \t]*px|\^2|²)(?![\w.])", re.IGNORECASE
)
# Words before a size in a heading that say what it is: the size fine-tuned or evaluated at, or
# the size pretrained at, which is not the evaluation's.
SIZE_EVALUATED = re.compile(rf"(?i){FINE_TUNING}|\beval|\btest")
# "Pre-trained on ImageNet-22K at 192x192"; not "ImageNet-1K pretrained (224x224)", where
# pretrained means the weights, trained at the size.
SIZE_PRETRAINED = re.compile(r"(?i)pre[\s-]*train.*(?:\bat|@)\s*$")
SIZE_JOINER = re.compile(r"(?i)\s*(?:,|/|&|and|or)?\s*")
# The image size a model name ends with, in pixels: "-600px" (mmpretrain's
# "efficientnet-b7_3rdparty-ra-noisystudent_in1k-600px"), "@336" ("UniFormerV2-L/14@336") or
# "↑384" (a paper's "DeiT-B↑384": fine-tuned at 384). A bare number gives none: in "LeViT-384"
# or "ResNet V2 200" it is a width or a depth. A timm architecture with a patch or window size
# ends with its image size ("deit_base_patch16_384", "swin_base_patch4_window12_384.ms_in1k"),
# in PaddleX's capitals too ("SwinTransformer_large_patch4_window12_384").
NAME_IMAGE_SIZE = (
    r"(?:[-_\s]([0-9]{3,4})px|[@↑]\s*([0-9]{3,4}))$"
    r"|(?i:^[a-z][a-z0-9_]*_(?:patch|window)[0-9]+[a-z0-9_]*_([0-9]{3,4})(?:\.[a-z0-9_]+)?$)"
    rf"|\(\s*({EVAL_SIZES})\s*(?:px)?\s*\)$"
)
# A pretraining-dataset cell naming no dataset, but no pretraining ("From scratch") or only the
# pretraining method (mmpretrain's Pretrain column: "FCMAE" beside "FCMAE ImageNet-21k"): the
# name or the heading says the data, as for "-".
PRETRAINING_METHOD = r"(?:fcmae|mae|simmim|beit|dino|dinov2|ibot|moco\s*v[0-9]|data2vec|eva)"
NO_PRETRAINING = (
    r"(?i)^(?:(?:trained\s+)?from\s+scratch|scratch|supervised|self-supervised|"
    # A method with its epochs or style: "MAE 1600-Epochs", "EVA MAE STYLE" (mmpretrain).
    rf"{PRETRAINING_METHOD}"
    rf"(?:[\s_-]+(?:{PRETRAINING_METHOD}|[0-9]+[\s_-]*(?:e|ep|epochs?)|style))*|"
    # A yes/no column ("pretrain: Y"): whether the weights were pretrained, not on what.
    r"y|n|yes|no|[✓✔✗✘])$"
)

# A row's links name the data its weights were pretrained on as checkpoint files do:
# "vrwkv_l_22kto1k_384.pth", "convnext_base_22k_1k_224.pth", "..._pt22k_ft22kto1k.pth",
# "imagenet21k/ViT-B_16.npz". The first ImageNet token of a link's path (scheme, host, query and
# fragment dropped; lowercase) decides, as the first dataset of a timm tag does. ImageNet-1k
# counts only after "pt" (BEiT v2's "pt1k_ft21kto1k"): a bare "in1k" ("regnety_16gf_in1k.torch",
# pretrained on Instagram, fine-tuned on ImageNet-1k) or "imagenet" ("efficientnetv2-b0-
# imagenet.h5") says one step used it, not which. Such a link beside one naming another dataset
# (keras' "-21k.h5", "-21k-ft1k.h5" and "-imagenet.h5" weights of one row), or two links naming
# two, leave the row's unknown.
LINK_PATH = r"^[a-z][a-z0-9+.-]*://[^/]*|[?#].*$"
LINK_DATASET = (
    r"(?:^|[^a-z0-9])(?P<label>(?P<pt>pt[_-]?)?(?:ft[_-]?)?(?:(?:imagenet|in)?"
    r"(?:(?P<in22k>2[12])(?:k(?:(?:to|ft)(?:in)?1k)?|(?:to|ft)(?:in)?1k)|(?P<in1k>1k))"
    r"|(?P<imagenet>imagenet(?:2012)?|ilsvrc(?:2012)?))(?P<subset>[_-]p)?)(?:[^a-z0-9]|$)"
)
# The datasets a link names (catalog names), and what a link with a bare ImageNet-1k token says.
LINKED_DATASETS = {"in22k": "imagenet-22k", "in21k-p": "imagenet-21k-p", "in1k": "imagenet-1k"}
SOME_STEP_ON_IN1K = ""


@dataclass(frozen=True, eq=False)
class DatasetCatalog:
    """Known pretraining datasets: alias key and timm tag token -> dataset, aliases as written."""

    aliases: dict[str, str]
    tags: dict[str, str]
    written: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A dataset named in some text: its canonical name and the words as written."""

    dataset: str
    label: str


def alias_key(text: str) -> str:
    """An alias as matched: lowercase letters and digits only ("IN-21K" -> in21k)."""
    return re.sub(r"[\W_]", "", text.casefold())


def _add_entry(entries: dict[str, str], key: str, dataset: str, written: str) -> None:
    if entries.get(key, dataset) != dataset:
        raise ModelmetricsError(
            f"datasets.toml lists {written!r} under both {entries[key]!r} and {dataset!r}: "
            "one name must mean one dataset, remove it from one of them"
        )
    entries[key] = dataset


def parse_datasets(toml_text: str) -> DatasetCatalog:
    """The catalog from datasets.toml text; refuses an alias or tag listed under two datasets."""
    aliases: dict[str, str] = {}
    tags: dict[str, str] = {}
    written: list[str] = []
    for dataset, entry in tomllib.loads(toml_text).get("datasets", {}).items():
        for tag in [*entry.get("tags", []), *entry.get("tags_only", [])]:
            _add_entry(tags, tag.lower(), dataset, tag)
        for alias in [*entry.get("aliases", []), *entry.get("tags", [])]:
            _add_entry(aliases, alias_key(alias), dataset, alias)
            written.append(alias)
    return DatasetCatalog(aliases, tags, tuple(written))


@cache
def dataset_catalog() -> DatasetCatalog:
    """The project's dataset catalog (pipeline/data/datasets.toml), read once."""
    toml_text = resources.files("pipeline").joinpath("data/datasets.toml").read_text("utf-8")
    return parse_datasets(toml_text)


def _alias_pattern(alias: str, any_case: bool) -> str:
    # Separators may differ between the words of an alias ("ImageNet 21k" is "ImageNet-21k");
    # in prose an abbreviation in capitals only matches in capitals, so the English "in 1k" in
    # "Training in 1k steps" is not IN-1K, and a tag ("in1k") only matches as written, as one
    # word. A dataset cell names a dataset and nothing else: there "IN-22k" is IN-22K.
    words = re.findall(r"[^\W_]+", alias)
    pattern = r"[\W_]*".join(map(re.escape, words))
    return pattern if alias.isupper() and not any_case else f"(?i:{pattern})"


@cache
def _mention_pattern(catalog: DatasetCatalog, any_case: bool = False) -> re.Pattern[str]:
    # Longest alias first, so "ImageNet 21k/22k" wins over "ImageNet-21k" at the same place.
    written = sorted(catalog.written, key=lambda alias: len(alias_key(alias)), reverse=True)
    body = "|".join(_alias_pattern(alias, any_case) for alias in written)
    return re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])")


def dataset_mentioned(
    text: str | None, catalog: DatasetCatalog | None = None, any_case: bool = False
) -> Mention | None:
    """The first known dataset named in text ("ImageNet-12k Pretrain + ImageNet-1k ..."); with
    any_case, abbreviations match in any case (a dataset cell's "IN-22k")."""
    catalog = catalog or dataset_catalog()
    found = _mention_pattern(catalog, any_case).search(text or "")
    return None if found is None else _mention(catalog, found)


def _mention(catalog: DatasetCatalog, found: re.Match[str]) -> Mention:
    """The dataset an alias matched in some text names, with the words as written."""
    return Mention(catalog.aliases[alias_key(found.group(0))], found.group(0))


def heading_dataset(heading_path: Sequence[str]) -> Mention | None:
    """The pretraining dataset named by the nearest heading that names one ("ImageNet 21k/22k",
    "ImageNet-12k Pretrain + ImageNet-1k Fine-tune"). A heading naming two decides nothing
    ("ImageNet-1K and ImageNet-22K Pretrained Models"); one naming only the dataset fine-tuned
    or evaluated on leaves it to the heading above ("Fine-tuning on ImageNet-1k")."""
    for heading in reversed(heading_path):
        mentions = _pretraining_mentions(heading)
        if mentions:
            return mentions[0] if len({mention.dataset for mention in mentions}) == 1 else None
    return None


def _pretraining_mentions(heading: str) -> list[Mention]:
    """The datasets a heading names, less ImageNet-1k where it says it was the dataset
    fine-tuned or evaluated on."""
    catalog = dataset_catalog()
    mentions = [
        (found, _mention(catalog, found)) for found in _mention_pattern(catalog).finditer(heading)
    ]
    pretrained_on_another = any(
        mention.dataset != EVALUATION_DATASET and PRETRAINED_ON.search(heading, 0, found.start())
        for found, mention in mentions
    )
    return [
        mention
        for found, mention in mentions
        if mention.dataset != EVALUATION_DATASET
        or not (
            FINE_TUNED_OR_EVALUATED_ON.search(heading, 0, found.start())
            or FINE_TUNED_AFTER.match(heading, found.end())
            or (pretrained_on_another and _another_step_on(heading, found.start()))
        )
    ]


def _another_step_on(heading: str, end: int) -> bool:
    """Whether the heading's words before end are a step on a dataset other than pretraining
    ("and Finetining on"), not "pre-training on"."""
    return bool(ANOTHER_STEP_ON.search(heading, 0, end)) and not PRETRAINED_ON.search(
        heading, 0, end
    )


def heading_context(tables: pl.DataFrame) -> pl.DataFrame:
    """Per table: the dataset its headings name (heading_dataset, heading_label) and the image
    size (heading_img_size), or nulls."""
    paths = tables["heading_path"].to_list()
    mentions = [heading_dataset(path) for path in paths]
    return tables.select("source", "table_index").with_columns(
        heading_dataset=pl.Series([m and m.dataset for m in mentions], dtype=pl.String),
        heading_label=pl.Series([m and m.label for m in mentions], dtype=pl.String),
        heading_img_size=pl.Series([heading_image_size(path) for path in paths], dtype=pl.Int32),
    )


def heading_image_size(heading_path: Sequence[str]) -> int | None:
    """The image size named by the nearest heading that names one ("... (224x224)"); None when
    none does, or when that heading names two and not one as the fine-tuning or evaluation size
    ("Trained on 256x256 and Finetuned on 384x384" is 384). A size the heading says the model
    was pretrained at ("Pre-trained at 192x192, fine-tuned on ImageNet-1K") is none of them."""
    for heading in reversed(heading_path):
        sizes: dict[int, str] = {}
        written_before, before = 0, ""
        for found in HEADING_IMAGE_SIZE.finditer(heading):
            between = heading[written_before : found.start()]
            # "fine-tuned at 224x224 and 384x384": a size joined to the one before shares its words.
            before = before if SIZE_JOINER.fullmatch(between) and written_before else between
            if found.group(2) in (None, found.group(1)):
                sizes[int(found.group(1))] = before
            written_before = found.end()
        if sizes:
            return _evaluated_size(sizes)
    return None


def _evaluated_size(sizes: dict[int, str]) -> int | None:
    """Of the sizes a heading names, each with the words before it, the one evaluated at."""
    fine_tuned = [size for size, before in sizes.items() if SIZE_EVALUATED.search(before)]
    if fine_tuned:
        return fine_tuned[0] if len(fine_tuned) == 1 else None
    others = [size for size, before in sizes.items() if not SIZE_PRETRAINED.search(before)]
    return others[0] if len(others) == 1 else None


def name_image_size(name: pl.Expr) -> pl.Expr:
    """The image size a model name ends with, footnote marks aside ("...-600px" -> 600,
    "volo_d1 ↑384" -> 384), Int32; null when none."""
    found = without_marks(name).str.extract_groups(NAME_IMAGE_SIZE)
    sizes = [found.struct.field(group) for group in ("1", "2", "3", "4")]
    return pl.coalesce(sizes).cast(pl.Int32)


def cell_datasets(texts: Iterable[str | None]) -> pl.DataFrame:
    """Per distinct `training dataset` cell text: the dataset it names and its label as written."""
    distinct = sorted({text for text in texts if text is not None})
    mentions = [dataset_mentioned(text, any_case=True) for text in distinct]
    return pl.DataFrame(
        {
            "cell_text": distinct,
            "cell_dataset": [m and m.dataset for m in mentions],
            "cell_label": [m and m.label for m in mentions],
        },
        schema={"cell_text": pl.String, "cell_dataset": pl.String, "cell_label": pl.String},
    )


def _timm_name_part(model: pl.Expr, part: int) -> pl.Expr:
    # The regex only validates (a DFA match); a timm name has one dot, so a split at it gives
    # both parts. Extracting the two capture groups took 0.28 s of CPU per million names, the
    # split 0.11 s.
    parts = pl.when(model.str.contains(TIMM_NAME)).then(model.str.split_exact(".", 1))
    found = parts.struct.field(f"field_{part}")
    # Named after model, as str.extract's result was (a struct field is named field_0).
    name = model.meta.output_name(raise_if_undetermined=False)
    return found.name.keep() if name is None else found.alias(name)


def architecture(model: pl.Expr) -> pl.Expr:
    """The timm architecture (before the dot) of a timm name; the whole name otherwise."""
    return pl.coalesce(_timm_name_part(model, 0), model)


def pretrained_tag(model: pl.Expr) -> pl.Expr:
    """The timm pretrained tag (after the dot), null for names that are not timm names."""
    return _timm_name_part(model, 1)


def per_distinct(values: pl.Expr, read: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """read(values) once per distinct value and mapped back to its rows; null stays null."""
    distinct = values.drop_nulls().unique(maintain_order=True)
    return values.replace_strict(distinct, read(distinct), default=None)


def tag_dataset_token(model: pl.Expr) -> pl.Expr:
    """The first known dataset token of the name's tag before any `ft` ("sbb_e200_in12k_ft_in1k"
    -> in12k), else the first of two after it ("fcmae_ft_in22k_in1k" -> in22k): the last one
    is the fine-tuning, so "swag_ft_in1k", whose pretraining data the catalog does not know,
    names no pretraining dataset rather than ImageNet-1k. A name without a tag may end in one
    in capitals ("edgenext_base_IN21K"), or mark ImageNet-21k as its pretraining
    (NAME_PRETRAINED: "swin-base_in21k-pre-3rdparty_in1k"): the token as written."""
    tokens = "|".join(map(re.escape, sorted(dataset_catalog().tags, key=len, reverse=True)))

    def pretraining_token(tag: pl.Expr) -> pl.Expr:
        before_fine_tuning = tag.str.replace(rf"{FINE_TUNED_TAG}.*", "")
        pretrained_on = before_fine_tuning.str.extract(rf"(?:^|_)({tokens})(?:_|$)")
        # Fine-tuned on one dataset, then on another: "fcmae_ft_in22k_in1k" was trained on
        # ImageNet-22k before its ImageNet-1k fine-tuning, as "in22k_ft_in1k" was.
        first_of_two = tag.str.extract(rf"(?:^|_)ft_({tokens})_(?:{tokens})(?:_|$)")
        return pl.coalesce(pretrained_on, first_of_two)

    # Tags repeat ("in12k_ft_in1k" on thousands of rows): each distinct tag is searched once.
    in_tag = per_distinct(pretrained_tag(model), pretraining_token)
    in_untagged_name = model.str.extract(rf"(?i){UNTAGGED_TIMM_NAME}({tokens})$")
    # Only where ImageNet-21k is the first dataset the name names: EVA-02's
    # "eva02_L_pt_m38m_medft_in21k_ft_in1k" was pretrained on Merged-38M.
    first_token = rf"(?i)(?:^|[-_/\s(])({tokens}|2[12]k)(?:[-_/\s).]|to|ft|$)"

    def marked_first(names: pl.Expr) -> pl.Expr:
        marked = names.str.extract(NAME_PRETRAINED)
        first = names.str.extract(first_token)
        return pl.when(first.str.to_lowercase() == marked.str.to_lowercase()).then(marked)

    # Few names mark it: the first token is looked for in those only.
    marking = pl.when(model.str.contains(NAME_PRETRAINED)).then(model)
    return pl.coalesce(in_tag, in_untagged_name, per_distinct(marking, marked_first))


def tag_dataset(model: pl.Expr) -> pl.Expr:
    """The pretraining dataset a timm tag names ("..._in12k_ft_in1k" -> imagenet-12k), or null."""
    return token_dataset(tag_dataset_token(model))


def token_dataset(token: pl.Expr) -> pl.Expr:
    """The dataset a tag token names, in any case ("in12k", "IN21K", a name's "22k"), or null."""
    tags = dataset_catalog().tags
    lowercase = token.str.to_lowercase().str.replace(BARE_21K, "in$1")
    return lowercase.replace_strict(tags, default=None, return_dtype=pl.String)


def link_datasets(links: pl.Series) -> pl.DataFrame:
    """Per row, the pretraining dataset its links name (LINK_DATASET) and the token as written
    ("22kto1k"): link_dataset and link_label, both null when they name none or disagree."""
    # Few rows have links (1 in 20 on the bench): the links are read apart from the rows and
    # joined back, not evaluated inside every row's list.
    rows = links.cast(pl.List(pl.String)).to_frame("links").with_row_index("row")
    named = pl.col("dataset") != SOME_STEP_ON_IN1K
    datasets = pl.col("dataset").filter(named)
    stated = (
        rows.filter(pl.col("links").list.len() > 0)
        .explode("links")
        .drop_nulls("links")
        .select("row", statement=_link_statement(pl.col("links")))
        .drop_nulls("statement")
        .unnest("statement")
        .group_by("row")
        .agg(
            link_dataset=datasets.first(),
            link_label=pl.col("label").filter(named).first(),
            agreed=(datasets.n_unique() == 1)
            & ((datasets.first() == LINKED_DATASETS["in1k"]) | named.all()),
        )
        .filter("agreed")
    )
    return (
        rows.select("row")
        .join(stated, on="row", how="left", maintain_order="left")
        .select(pl.col("link_dataset", "link_label").cast(pl.String))
    )


def _link_statement(url: pl.Expr) -> pl.Expr:
    """What one link says of the pretraining: {dataset, label}; dataset SOME_STEP_ON_IN1K for a
    bare ImageNet-1k token; null when its path has no ImageNet token."""
    path = url.str.to_lowercase().str.replace_all(LINK_PATH, "")
    found = path.str.extract_groups(LINK_DATASET)
    dataset = (
        pl.when(found.struct.field("in22k").is_not_null() & found.struct.field("subset").is_null())
        .then(pl.lit(LINKED_DATASETS["in22k"]))
        .when(found.struct.field("in22k").is_not_null())
        .then(pl.lit(LINKED_DATASETS["in21k-p"]))
        .when(found.struct.field("pt").is_not_null())
        .then(pl.lit(LINKED_DATASETS["in1k"]))
        .when(
            found.struct.field("in1k").is_not_null() | found.struct.field("imagenet").is_not_null()
        )
        .then(pl.lit(SOME_STEP_ON_IN1K))
    )
    label = found.struct.field("label")
    return pl.when(dataset.is_not_null()).then(pl.struct(dataset=dataset, label=label))


def pretrain_cell_text(cell: pl.Expr) -> pl.Expr:
    """A pretraining-dataset cell's text, null when it names none: "-", "From scratch", or a
    pretraining method alone ("FCMAE"): the name or heading says what the model was trained on."""
    text = value_text(cell)
    return pl.when(~text.str.contains(NO_PRETRAINING)).then(text)


def with_pretrain_datasets(observations: pl.DataFrame) -> pl.DataFrame:
    """Add pretrain_dataset, _label, _basis and pretrain_dataset_error from cell, tag, link or
    heading."""
    cell_texts = observations.select(pretrain_cell_text(pl.col("pretrain_dataset_raw")).unique())
    known = cell_datasets(cell_texts.to_series())
    linked = observations.hstack(link_datasets(observations.get_column("links")))
    return pretrain_dataset_columns(linked.lazy(), known).collect()


def pretrain_dataset_columns(observations: pl.LazyFrame, known: pl.DataFrame) -> pl.LazyFrame:
    """with_pretrain_datasets as a lazy query, given the cell_datasets of its cell texts and
    the link_datasets of its rows' links as columns."""
    in_cell = dict(zip(known["cell_text"], known["cell_dataset"], strict=True))
    as_written = dict(zip(known["cell_text"], known["cell_label"], strict=True))
    return (
        observations.with_columns(
            _cell_text=pretrain_cell_text(pl.col("pretrain_dataset_raw")),
            _tag_label=tag_dataset_token(pl.col("model")),
            _tag_fine_tuned=pretrained_tag(pl.col("model")).str.contains(FINE_TUNED_TAG),
        )
        .with_columns(
            _cell_dataset=pl.col("_cell_text").replace_strict(in_cell, default=None),
            _cell_label=pl.col("_cell_text").replace_strict(as_written, default=None),
            _tag_dataset=token_dataset(pl.col("_tag_label")),
        )
        .with_columns(pretrain_dataset_basis=_basis())
        .with_columns(
            pretrain_dataset=_by_basis(
                "_cell_dataset", "_tag_dataset", "link_dataset", "heading_dataset"
            ),
            pretrain_dataset_label=_by_basis(
                "_cell_label", "_tag_label", "link_label", "heading_label"
            ),
            pretrain_dataset_error=_unknown_cell_dataset(),
        )
        .with_columns(
            pl.when(pl.col("pretrain_dataset").is_not_null()).then(pl.col("pretrain_dataset_basis"))
        )
        .drop("_cell_text", "_cell_dataset", "_cell_label", "_tag_dataset", "_tag_label")
        .drop("link_dataset", "link_label")
        .drop("_tag_fine_tuned", "heading_dataset", "heading_label")
    )


def _basis() -> pl.Expr:
    # A `training dataset` cell outranks the name and the heading: 004's DeiT III "ViT-L" rows
    # say IN-21K in the cell and nothing in the name. A cell naming no known dataset is a parse
    # error, never a reason to fall back on the heading; nor is a fine-tuned tag whose
    # pretraining the catalog does not know ("swag_ft_in1k"): its pretraining is left unknown.
    # A row's links outrank its heading (Vision-RWKV's VRWKV-L links "vrwkv_l_22kto1k_384.pth"
    # under "Image Classification (ImageNet-1K)"); a heading that agrees keeps its words.
    links_differ = pl.col("link_dataset").ne_missing(pl.col("heading_dataset"))
    return (
        pl.when(pl.col("_cell_text").is_not_null())
        .then(pl.lit("cell"))
        .when(pl.col("_tag_dataset").is_not_null() | pl.col("_tag_fine_tuned").fill_null(False))
        .then(pl.lit("tag"))
        .when(pl.col("link_dataset").is_not_null() & links_differ)
        .then(pl.lit("link"))
        .when(pl.col("heading_dataset").is_not_null())
        .then(pl.lit("heading"))
    )


def _by_basis(by_cell: str, by_tag: str, by_link: str, by_heading: str) -> pl.Expr:
    basis = pl.col("pretrain_dataset_basis")
    return (
        pl.when(basis == "cell")
        .then(pl.col(by_cell))
        .when(basis == "tag")
        .then(pl.col(by_tag))
        .when(basis == "link")
        .then(pl.col(by_link))
        .when(basis == "heading")
        .then(pl.col(by_heading))
    )


def _unknown_cell_dataset() -> pl.Expr:
    message = pl.concat_str(
        pl.lit("pretrain_dataset: '"),
        pl.col("pretrain_dataset_raw"),
        pl.lit("' names no known dataset (an alias missing from pipeline/data/datasets.toml?)"),
    )
    unknown = (pl.col("pretrain_dataset_basis") == "cell") & pl.col("_cell_dataset").is_null()
    return pl.when(unknown).then(message)
