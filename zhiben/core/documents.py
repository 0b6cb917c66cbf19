"""Official documents (公文, 执法文书, 笔录): numbered, rendered from editable templates, written as Word and PDF.

Every app issues its documents through `issue_document()`: inside the caller's transaction it draws the next
number of the template's prefix and year (屈安办函〔2025〕12号, or with the issuing body's 代字 （屈应急）罚〔2025〕3号;
gap-free through core.sequences), renders title and body from the template text, and writes the Word file
(python-docx) and the PDF (WeasyPrint, CJK fonts embedded as subsets). Noto Serif CJK SC stands in for
仿宋/小标宋 and Noto Sans CJK SC for 黑体.

The template's `kind` (data, editable) chooses the form:
    公文 (official)       GB/T 9704-2012《党政机关公文格式》: red 发文机关标志 and rule, 发文字号, title, 主送,
                          body, 署名 and 成文日期, 版记 (抄送, 印发机关和印发日期), page numbers "— 1 —".
    执法文书 (enforcement) 应急管理部《安全生产执法文书样式》: the issuing body's full name over the centred title,
                          the 文号 under it, the text, the body's name and date (where the seal goes); no red
                          header and no 版记.
    笔录 (record)         as 执法文书, but the form's fields and signature blanks (检查人员, 记录人, 被检查单位现场
                          负责人) instead of the 落款, and "共 N 页 第 M 页" on every page.

Body text is plain text, one paragraph per line, with a light markup the office can edit:
    first line ending in "：" → 主送机关 (no indent)       "# 一、……" → 一级标题 (黑体)
    "## （一）……"            → 二级标题                    "抄送：……" → 版记 (moved to the end; 公文 only)
    "= 被检查单位：……"        → a form field (no indent)    "> 检查人员（签名）" → a signature blank with its date
Template text is Django template syntax rendered with autoescape off (it becomes Word text); the PDF's HTML
page escapes it like any other value (autoescape on).
The page (GB/T 9704 sizes, blocks, title lines) is `document_layout.py`; the Word writer `document_word.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction
from django.template import Context, Engine, Template, TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .document_layout import (
    BODY_PT,
    CHAR_PITCH,
    FOOTER_PT,
    HEAD_PT,
    LINE_PT,
    LITERAL,
    MARK_PT,
    MARKUP_START,
    PAGE_MARGINS_MM,
    RED,
    SANS,
    SERIF,
    TEXT_WIDTH_PT,
    TITLE_PT,
    Layout,
    parse_body,
    strip_literal,
    text_width,
    title_lines,
)
from .document_word import build_docx
from .errors import DomainError
from .events import register
from .jobs import enqueue_on_commit, job
from .models.documents import DocumentKind, DocumentTemplate, OfficialDocument
from .scoping import can
from .sequences import next_value
from .workflow import compare_and_swap

log = logging.getLogger(__name__)

# Declared here rather than in core/events.py because the document framework owns them (one module to read).
DOCUMENT_ISSUED = register("DOCUMENT_ISSUED", gettext_lazy("签发公文"))
DOCUMENT_DOWNLOADED = register("DOCUMENT_DOWNLOADED", gettext_lazy("下载公文"))
DOCUMENT_TEMPLATE_CHANGED = register("DOCUMENT_TEMPLATE_CHANGED", gettext_lazy("修改公文模板"))
DOCUMENT_TEMPLATES_LOADED = register("DOCUMENT_TEMPLATES_LOADED", gettext_lazy("加载默认公文模板"))

DATA_FILE = Path(__file__).resolve().parent / "data" / "document_templates.json"


class DocumentError(DomainError):
    """A document cannot be issued or a template cannot be saved (bad template text, unknown code …)."""


# --------------------------------------------------------------------------------------------- templates

# Template text comes from the office's editor: no loaders, no extra tag libraries, nothing but the builtins.
# Autoescape is off because the result is plain text for Word; the HTML page escapes it again.
# debug=True only annotates syntax errors with their line, which the editor shows.
_TEXT_ENGINE = Engine(autoescape=False, loaders=[], libraries={}, debug=True)


def compile_template(text: str, field_name: str) -> Template:
    """The compiled template, or a DocumentError naming the field and the line of the syntax error."""
    try:
        return _TEXT_ENGINE.from_string(text)
    except TemplateSyntaxError as exc:
        raise DocumentError(_("模板语法错误：%(error)s") % {"error": _describe(exc)}, field=field_name)


def literal_values(value: Any) -> Any:
    """Context values escaped for the body's markup, as HTML escapes user text: a line of a value that starts
    like markup ("# ", "= ", "抄送：") gets document_layout.LITERAL before it, so it stays a paragraph."""
    if isinstance(value, str):
        return "\n".join(
            LITERAL + line if line.strip().startswith(MARKUP_START) else line for line in value.split("\n")
        )
    if isinstance(value, Mapping):
        return {k: literal_values(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [literal_values(v) for v in value]
    return value


def render_template_text(text: str, context: Mapping[str, Any], field_name: str) -> str:
    """The template rendered with `context`, its values escaped for the body's markup (literal_values)."""
    template = compile_template(text, field_name)
    try:
        return template.render(Context(literal_values(dict(context)), autoescape=False))
    except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
        raise DocumentError(_("模板语法错误：%(error)s") % {"error": _describe(exc)}, field=field_name)
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError) as exc:
        raise DocumentError(_("模板无法渲染：%(error)s") % {"error": exc}, field=field_name)


def _describe(exc: Exception) -> str:
    info = getattr(exc, "template_debug", None)
    message = str(exc)
    if isinstance(exc, TemplateDoesNotExist):
        message = _("不支持引用其他模板（%(name)s）") % {"name": exc}
    if info and info.get("line"):
        return _("第 %(line)s 行：%(message)s") % {"line": info["line"], "message": message}
    return message


def chinese_date(day: dt.date | None) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic numerals, no leading zeros (2025年3月5日)."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def plain(value: Any) -> Any:
    """Context values as JSON-storable plain data: dates in Chinese form, decimals and lazy strings as text."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return chinese_date(timezone.localtime(value).date() if timezone.is_aware(value) else value.date())
    if isinstance(value, dt.date):
        return chinese_date(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Promise):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


_END = "。；;，,、 \t\r\n"
DOUBLE_STOP = re.compile(r"[。．]\s*[。．]")


def clause_text(text: str) -> str:
    """A part of a sentence: trimmed, without a closing mark, so the template or the caller places it."""
    return (text or "").strip().rstrip(_END).strip()


def sentence(*parts: str, sep: str = "，") -> str:
    """One sentence from its parts: the empty ones dropped, each without its own closing mark, joined by `sep`
    and closed by one 。 ("" when every part is empty), so a join never writes "。。"."""
    kept = [clause_text(p) for p in parts]
    kept = [p for p in kept if p]
    return sep.join(kept) + "。" if kept else ""


def check_document_text(body: str, required: Mapping[str, Any], context: Mapping[str, Any]) -> None:
    """Refuse a document whose required parts are empty (a 决定书 without its 依据) or whose text joins went
    wrong ("。。"): DocumentError (inside issue_document's transaction, so the number is given back)."""
    for name, label in required.items():
        if not str(context.get(name) or "").strip():
            raise DocumentError(_("公文缺少“%(what)s”，不能签发。") % {"what": label}, field=name)
    if DOUBLE_STOP.search(strip_literal(body)):
        raise DocumentError(_("公文正文出现连续的句号（“。。”），请检查填写的内容后再签发。"))


def format_number(prefix: str, year: int, seq: int) -> str:
    """发文字号: 机关代字 + 〔年份〕 + 序号 (GB/T 9704-2012 §7.2.4: 六角括号, 序号不编虚位)."""
    return f"{prefix}〔{year}〕{seq}号"


def agency_prefix(agency_code: str, prefix: str) -> str:
    """The prefix with the issuing body's 代字 in front, as 执法文书 write it: （屈住建）现检. A prefix that
    already names a body (（屈应急）罚) or an empty 代字 leaves it as it is."""
    code = (agency_code or "").strip()
    if not code or prefix.startswith("（"):
        return prefix
    return f"（{code}）{prefix}"


# ------------------------------------------------------------------------------------------------ issuing


def issue_document(
    template_code: str,
    *,
    context: Mapping[str, Any],
    actor: Any,
    obj: Any = None,
    year: int | None = None,
    on: dt.date | None = None,
    defer_files: bool = False,
    required: Mapping[str, Any] | None = None,
    issuer: str = "",
    agency_code: str = "",
) -> OfficialDocument:
    """签发公文: number, render and file one document inside the caller's transaction.

    `issuer` names the issuing body in full when it is not the template's (a 笔录 is the lead department's);
    `agency_code` is that body's 代字, put in front of the template's prefix: （屈住建）现检〔2026〕1号.

    `required` names the context values that must not be empty (name → what the refusal calls it); a document
    given it is also refused when its body has "。。" (check_document_text).

    `on` is the 成文日期 (default: today in Asia/Shanghai); `year` the numbering year (default: that of `on`).
    `defer_files` leaves the Word/PDF rendering (0.2–0.5 s) to a job after commit, for callers inside a busy
    transition; the download view renders on demand if the job has not run yet.
    A rolled-back caller gives the number back (the sequence row is part of the transaction).
    """
    template = DocumentTemplate.objects.filter(code=template_code).first()
    if template is None:
        raise DocumentError(_("公文模板“%(code)s”不存在，请先加载默认模板。") % {"code": template_code})
    on = on or timezone.localdate()
    year = year or on.year
    with transaction.atomic():
        prefix = agency_prefix(agency_code, template.number_prefix)
        seq = next_value(f"{prefix}/{year}")
        number = format_number(prefix, year, seq)
        data = plain(dict(context))
        data.update({"number": number, "issuer": issuer or template.issuer, "today": chinese_date(on)})
        data["_date"] = on.isoformat()
        title = " ".join(strip_literal(render_template_text(template.title, data, "title")).split())
        body = render_template_text(template.body, data, "body").strip()
        if (
            required is not None
        ):  # a document that declares its parts is checked (a job's notice is not held up)
            check_document_text(body, required, data)
        document = OfficialDocument.objects.create(
            template=template,
            number=number,
            year=year,
            seq=seq,
            title=title[:300],
            body=body,
            context=data,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            issued_by=actor if getattr(actor, "is_authenticated", False) else None,
            issued_at=timezone.now(),
        )
        if defer_files:
            enqueue_on_commit(render_document_files, document.pk)
        else:
            render_files(document)
        audit.record(
            document,
            DOCUMENT_ISSUED,
            actor=actor,
            data={
                "number": number,
                "template": template.code,
                "object_type": document.object_type,
                "object_id": document.object_id,
            },
        )
    return document


def render_files(document: OfficialDocument) -> OfficialDocument:
    """Write the Word and PDF files of an issued document (slow part: a job can call this later)."""
    layout = layout_of(document)
    stem = f"{document.template.code}-{document.year}-{document.seq:04d}"
    document.docx.save(f"{stem}.docx", ContentFile(build_docx(layout)), save=False)
    document.pdf.save(f"{stem}.pdf", ContentFile(build_pdf(layout)), save=False)
    OfficialDocument.objects.filter(pk=document.pk).update(docx=document.docx.name, pdf=document.pdf.name)
    return document


@job
def render_document_files(document_id: int) -> dict[str, object]:
    """Write an issued document's Word and PDF files (deferred from a busy transaction); idempotent."""
    document = OfficialDocument.objects.filter(pk=document_id).select_related("template").first()
    if document is None:
        return {"rendered": False}
    render_files(document)
    return {"rendered": True, "number": document.number}


# ------------------------------------------------------------------------------------------------ layout


def layout_of(document: OfficialDocument) -> Layout:
    context = document.context if isinstance(document.context, dict) else {}
    issuer = str(context.get("issuer") or document.template.issuer)
    try:
        day = dt.date.fromisoformat(str(context.get("_date")))
    except ValueError:
        day = timezone.localtime(document.issued_at).date()
    blocks, cc = parse_body(document.body)
    date = chinese_date(day)
    kind = document.template.kind or DocumentKind.OFFICIAL
    layout = Layout(
        issuer=issuer,
        number=document.number,
        title=document.title,
        blocks=blocks,
        date=date,
        cc=cc if kind == DocumentKind.OFFICIAL else "",
        kind=kind,
    )
    layout.mark_scale = min(1.0, TEXT_WIDTH_PT / max(layout.mark_width_pt, 1.0))
    if kind != DocumentKind.OFFICIAL:
        # 执法文书: the body's full name in black over the title, scaled to one line like the 标志.
        layout.mark_scale = min(1.0, TEXT_WIDTH_PT / max(text_width(issuer, HEAD_PT), 1.0))
    # GB/T 9704-2012 §7.3.5.2 (不加盖印章): 署名 右空二字; 日期 首字比署名首字右移二字; a longer date 右空二字.
    em = CHAR_PITCH
    sig_w, date_w = text_width(issuer, em), text_width(date, em)
    sig_left = TEXT_WIDTH_PT - 2 * em - sig_w
    date_left = sig_left + 2 * em
    if date_left + date_w > TEXT_WIDTH_PT - 2 * em:
        date_left = TEXT_WIDTH_PT - 2 * em - date_w
        sig_left = date_left - 2 * em
    layout.signature_left_pt = max(0.0, sig_left)
    layout.date_left_pt = max(0.0, date_left)
    # 印发机关和印发日期 belong to the 版记 of a 公文 only.
    layout.print_line = (issuer, f"{date}印发") if kind == DocumentKind.OFFICIAL else ("", "")
    layout.title_lines = title_lines(document.title)
    return layout


# -------------------------------------------------------------------------------------------------- PDF


def build_pdf(layout: Layout) -> bytes:
    """The PDF from `core/documents/official.html`; WeasyPrint embeds subsets of the CJK fonts it uses."""
    from weasyprint import HTML  # lazy: WeasyPrint is slow to import; only PDF rendering needs it

    html = render_official_html(layout)
    return bytes(HTML(string=html).write_pdf())


def render_official_html(layout: Layout, *, preview: bool = False) -> str:
    return render_to_string(
        "core/documents/official.html",
        {
            "layout": layout,
            "preview": preview,
            "serif": SERIF,
            "sans": SANS,
            "red": RED,
            "margins": PAGE_MARGINS_MM,
            "body_pt": BODY_PT,
            "title_pt": TITLE_PT,
            "footer_pt": FOOTER_PT,
            "line_pt": round(LINE_PT, 2),
            "mark_pt": MARK_PT,
            "head_pt": HEAD_PT,
            "kinds": {k.name.lower(): k.value for k in DocumentKind},
            "text_width_pt": round(TEXT_WIDTH_PT, 2),
            "mark_width_pt": round(layout.mark_width_pt, 2),
            "mark_offset_pt": round((TEXT_WIDTH_PT - layout.mark_width_pt) / 2, 2),
            # The same spacing as the Word file (see build_docx).
            "css": {
                "mark_before": round(LINE_PT * 0.5, 2),
                "mark_line": MARK_PT * 1.25,
                "number_gap": round(LINE_PT * 1.5, 2),
                "title_before": round(LINE_PT * 1.6, 2),
                "title_after": round(LINE_PT * 0.9, 2),
                "title_line": TITLE_PT * 1.5,
                "record_gap": round(LINE_PT * 2, 2),
                "cc_indent": FOOTER_PT * 4,
                "letter_spacing": round(CHAR_PITCH - BODY_PT, 3),
                "indent": round(CHAR_PITCH * 2, 3),
            },
        },
    )


# ------------------------------------------------------------------------------------- default templates


def _read_data() -> dict[str, Any]:
    """The core templates plus those each app ships in its own `data/document_templates.json`."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    for config in apps.get_app_configs():
        path = Path(config.path) / "data" / "document_templates.json"
        if path == DATA_FILE or not path.exists():
            continue
        extra = json.loads(path.read_text(encoding="utf-8"))
        data["templates"].extend(extra.get("templates", []))
        data["sample_context"].update(extra.get("sample_context", {}))
    return data


def template_variables(code: str) -> dict[str, str]:
    """The variables a template may use, with their meaning (for the editor's help panel)."""
    data = _read_data()
    variables = dict(data.get("common_variables", {}))
    if code.startswith("hazard_"):
        variables.update(data.get("hazard_variables", {}))
    spec: dict[str, Any] = next((t for t in data["templates"] if t["code"] == code), {})
    variables.update(spec.get("variables", {}))
    return variables


def sample_context(code: str | None = None) -> dict[str, Any]:
    """Made-up values for previewing a template (never stored)."""
    data = _read_data()
    sample = dict(data["sample_context"])
    spec = next((t for t in data["templates"] if t["code"] == code), None)
    if spec is not None:
        sample.update(spec.get("sample", {}))
    return sample


@transaction.atomic
def load_document_templates(actor: Any = None) -> dict[str, int]:
    """Create the default templates that are missing; templates the office has edited are kept as they are."""
    existing = set(DocumentTemplate.objects.values_list("code", flat=True))
    created = 0
    for row in _read_data()["templates"]:
        if row["code"] in existing:
            continue
        DocumentTemplate.objects.create(
            code=row["code"],
            name=row["name"],
            issuer=row["issuer"],
            number_prefix=row["number_prefix"],
            kind=row.get("kind", DocumentKind.OFFICIAL),
            title=row["title"],
            body="\n".join(row["body"]) if isinstance(row["body"], list) else row["body"],
            verified=row.get("verified", False),
        )
        created += 1
    if created:
        audit.record(
            None,
            DOCUMENT_TEMPLATES_LOADED,
            actor=actor,
            object_type="core.documenttemplate",
            data={"created": created},
        )
    return {"document_templates": created}


def refresh_shipped_templates(
    model: Any, path: Path, *, old_bodies: frozenset[str], old_prefixes: Mapping[str, str]
) -> int:
    """For a data migration: give the stored templates of `path` (an app's document_templates.json) the
    shipped `kind`; those whose body is still one an earlier release shipped (sha256 prefix in `old_bodies`)
    also take the shipped issuer and body, and a prefix still at an old default (`old_prefixes`: old → new)
    the new one. Text the office has changed is kept. Returns how many rows changed."""
    changed = 0
    for row in json.loads(path.read_text(encoding="utf-8"))["templates"]:
        template = model.objects.filter(code=row["code"]).first()
        if template is None:
            continue
        template.kind = row.get("kind", DocumentKind.OFFICIAL)
        fields = ["kind"]
        if hashlib.sha256(template.body.encode()).hexdigest()[:16] in old_bodies:
            template.body = "\n".join(row["body"]) if isinstance(row["body"], list) else row["body"]
            template.issuer = row["issuer"]
            fields += ["body", "issuer"]
        if template.number_prefix in old_prefixes:
            template.number_prefix = old_prefixes[template.number_prefix]
            fields.append("number_prefix")
        template.save(update_fields=fields)
        changed += 1
    return changed


TEMPLATE_FIELDS = ("name", "issuer", "number_prefix", "kind", "title", "body", "verified")
# 屈安办函, or with the issuing body's 代字 in 六角-free full-width brackets: （屈应急）罚.
_PREFIX = re.compile(r"^(（[\u4e00-\u9fff]{1,8}）)?[\u4e00-\u9fffA-Za-z]{1,20}$")


def check_template_text(title: str, body: str, code: str | None = None) -> tuple[str, str]:
    """Compile and render both texts with the sample context; DocumentError on the field at fault."""
    sample = {
        **sample_context(code),
        "number": "屈安办函〔2025〕1号",
        "today": chinese_date(timezone.localdate()),
    }
    rendered = {}
    for name, text in (("title", title), ("body", body)):
        rendered[name] = render_template_text(text, sample, name)
        # An unclosed tag is not a syntax error to Django (it stays as text); in a 公文 it is always a typo.
        leftover = next((m for m in ("{{", "}}", "{%", "%}", "{#", "#}") if m in rendered[name]), None)
        if leftover:
            raise DocumentError(
                _("模板语法错误：“%(mark)s”没有配对，请检查变量和标签是否完整。") % {"mark": leftover},
                field=name,
            )
    return strip_literal(rendered["title"]), rendered["body"]


@transaction.atomic
def update_document_template(
    template: DocumentTemplate, *, actor: Any, version: int, **changes: Any
) -> DocumentTemplate:
    """修改公文模板: validate the texts, then compare-and-swap on `version` (a stale editor gets 409)."""
    unknown = set(changes) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValueError(f"unknown template fields {sorted(unknown)}")
    values = {k: changes.get(k, getattr(template, k)) for k in TEMPLATE_FIELDS}
    for name in ("name", "issuer", "title", "body"):
        values[name] = str(values[name]).strip() if name != "body" else str(values[name]).strip("\n")
        if not values[name].strip():
            raise DocumentError(_("此项不能为空。"), field=name)
    values["number_prefix"] = str(values["number_prefix"]).strip()
    if not _PREFIX.match(values["number_prefix"]):
        raise DocumentError(
            _(
                "文号前缀只能由汉字或字母组成（如 屈安办函），机关代字可放在前面的括号里（如 （屈应急）罚），不含空格和数字。"
            ),
            field="number_prefix",
        )
    if values["kind"] not in DocumentKind.values:
        raise DocumentError(_("请选择文书格式。"), field="kind")
    check_template_text(values["title"], values["body"], template.code)
    changed = {k: v for k, v in values.items() if v != getattr(template, k)}
    template.version = version
    compare_and_swap(template, expected={}, changes=changed)
    audit.record(
        template,
        DOCUMENT_TEMPLATE_CHANGED,
        actor=actor,
        data={k: (v if k not in ("title", "body") else True) for k, v in changed.items()},
    )
    return template


def preview_layout(
    template: DocumentTemplate,
    *,
    title: str,
    body: str,
    issuer: str = "",
    number_prefix: str = "",
    kind: str = "",
) -> Layout:
    """The layout the (unsaved) template text would give with the sample context; nothing is stored."""
    rendered_title, rendered_body = check_template_text(title, body, template.code)
    issuer = issuer or template.issuer
    if kind and kind != template.kind:
        template = DocumentTemplate(
            code=template.code, name=template.name, issuer=issuer, number_prefix=template.number_prefix,
            kind=kind, title=template.title, body=template.body,
        )  # fmt: skip
    document = OfficialDocument(
        template=template,
        number=format_number(number_prefix or template.number_prefix, timezone.localdate().year, 1),
        year=timezone.localdate().year,
        seq=1,
        title=" ".join(rendered_title.split()),
        body=rendered_body.strip(),
        context={"issuer": issuer, "_date": timezone.localdate().isoformat()},
        issued_at=timezone.now(),
    )
    return layout_of(document)


# ---------------------------------------------------------------------------------------------- access

# object_type ("hazards.hazard") → check(user, object_id): whether the user may see that object. Apps
# register their own (core knows no domain nouns); a document about an object is visible with the object.
DocumentAccessCheck = Callable[[Any, str], bool]
_ACCESS: dict[str, DocumentAccessCheck] = {}


def register_document_access(object_type: str, check: DocumentAccessCheck) -> None:
    _ACCESS[object_type] = check


def can_view_document(user: Any, document: OfficialDocument) -> bool:
    """Visible with the object it concerns, or to whoever may view official documents in general."""
    check = _ACCESS.get(document.object_type) if document.object_type else None
    if check is not None and check(user, document.object_id):
        return True
    return can(user, "view", OfficialDocument)


def download_url(document: OfficialDocument, fmt: str = "pdf") -> str:
    """The scoped download link, or "" while the route is not installed."""
    try:
        return reverse("core:document_download", args=[document.pk, fmt])
    except NoReverseMatch:
        return ""
