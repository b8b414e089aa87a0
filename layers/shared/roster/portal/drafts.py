"""Content drafts on the collaboration page: the creator uploads images and videos straight to the
private uploads bucket (a presigned POST: the file never passes through Lambda), sees them, and
submits them with a caption as the next proposal; each round shows what was submitted, the brand's
decision and comments, and the rounds left.

An upload lands under `incoming/<brand>/<collaboration>/…`; S3 then redirects the browser to
`GET /c/{token}/uploaded?bucket&key&etag`, where the file is checked again (its key under this
collaboration's prefix, its size, its type from its first bytes), moved under `drafts/` and added to
the collaboration's pending files (`private["uploads"]`, at most `MAX_PENDING`). `submit-content`
moves the pending files into the new proposal in the same write as the action
(`roster.workflows.collaborations._apply`), so a file is either pending or in exactly one proposal.
Files are only ever shown through short-lived signed URLs."""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from roster import clock
from roster.adapters.uploads import (
    ALLOWED_TYPES,
    DRAFTS,
    INCOMING,
    NOT_YOURS,
    TYPES_LABEL,
    UploadRefused,
    size_label,
)
from roster.errors import Conflict, RosterError, ValidationFailed
from roster.models.collaborations import ActionBody, Collaboration, MediaFile, Proposal
from roster.observability import logger
from roster.portal import csrf, http, page
from roster.web import edge
from roster.workflows import collaborations

if TYPE_CHECKING:
    from roster.adapters.uploads import Uploads
    from roster.deps import Deps
    from roster.portal.collaboration import PageContext

MAX_PENDING = 10  # files waiting for the next proposal
SIGNED_SECONDS = 900
SETTLE_SECONDS = 2.0
ACTIONS = ("submit-content", "remove-upload")
NOTICES = {  # ?upload=… after a redirect back to the page: fixed sentences, nothing from the URL shown
    "ok": ("Your file was uploaded. Add more, or write the caption and submit the draft.", "ok"),
    "again": ("That file was already uploaded.", "info"),
    "removed": ("The file was removed.", "ok"),
    "gone": ("That file was already removed.", "info"),
}


def prefix(ctx: PageContext) -> str:
    """Where this collaboration's files live in the bucket (after `incoming/` or `drafts/`)."""
    return f"{ctx.brand_id}/{ctx.collaboration.id}"


def origins(d: Deps) -> tuple[str | None, str | None]:
    """(upload_origin, media_origin) for the page's CSP: forms post to the bucket, images and videos
    come from it."""
    up = d.uploads
    return (up.origin, up.origin) if up else (None, None)


def _when(iso: str) -> str:
    try:
        at = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return f"{at.day} {at:%b %Y, %H:%M} UTC"


def pending(private: dict[str, Any]) -> list[MediaFile]:
    return [MediaFile.model_validate(m) for m in private.get("uploads") or []]


def rounds_left(ctx: PageContext) -> int:
    c = ctx.collaboration
    return max(0, ctx.campaign.workflow.content_rounds + c.extra_rounds - len(c.proposals))


# --- the section ------------------------------------------------------------------------------------


def _media(d: Deps, files: list[MediaFile], *, remove: PageContext | None = None) -> str:
    """Thumbnails (signed URLs; a video plays inline), with a remove button on pending files."""
    up = d.uploads
    items = []
    for f in files:
        label = f"{f.name} ({size_label(f.size)})"
        url = _signed(up, f) if up else None
        if url is None:
            shown = ""
        else:
            shown = (
                f'<video controls preload="metadata" src="{page.esc(url)}" aria-label="{page.esc(f.name)}">'
                f'<a href="{page.esc(url)}">{page.esc(f.name)}</a></video>'
                if f.content_type.startswith("video/")
                else f'<img src="{page.esc(url)}" alt="Draft file {page.esc(f.name)}" loading="lazy">'
            )
        button = ""
        if remove is not None:
            button = (
                f'<form method="post" action="{page.esc(remove.href)}/remove-upload">'
                f'<input type="hidden" name="csrf" value="{page.esc(remove.csrf_token)}">'
                f'<input type="hidden" name="key" value="{page.esc(f.key)}">'
                f'<button type="submit" class="secondary" aria-label="Remove {page.esc(f.name)}">'
                "Remove</button>"
                "</form>"
            )
        items.append(f"<li><figure>{shown}<figcaption>{page.esc(label)}</figcaption></figure>{button}</li>")
    return f'<ul class="drafts-media">{"".join(items)}</ul>' if items else ""


def _signed(up: Uploads, f: MediaFile) -> str | None:
    try:
        return up.signed_url(f.key, content_type=f.content_type, expires=SIGNED_SECONDS)
    except (UploadRefused, ValueError):  # cannot sign now, or a type it never serves: the name is shown
        return None


def _rules(ctx: PageContext) -> str:
    rules = ctx.campaign.content
    terms = ctx.collaboration.contract.terms if ctx.collaboration.contract else None
    rows = []
    if terms is None or terms.disclosure_required:
        rows.append("Disclose the partnership clearly (e.g. #ad) at the start of the caption.")
    if rules.mandatory_mentions:
        rows.append("Mention " + ", ".join(rules.mandatory_mentions) + ".")
    if rules.hashtags:
        rows.append("Use " + ", ".join(rules.hashtags) + ".")
    if rules.banned_terms:
        rows.append("Never use: " + ", ".join(rules.banned_terms) + ".")
    return '<ul class="rules">' + "".join(f"<li>{page.esc(r)}</li>" for r in rows) + "</ul>"


def _upload_form(d: Deps, ctx: PageContext, files: list[MediaFile]) -> str:
    up = d.uploads
    if up is None:
        return "<p>File uploads are not available right now: describe your draft in the caption.</p>"
    if len(files) >= MAX_PENDING:
        return f"<p>You have {MAX_PENDING} files for this draft: remove one to add another.</p>"
    max_bytes = d.settings.max_upload_bytes
    try:
        form = up.upload_form(
            prefix=prefix(ctx), redirect_url=f"{ctx.base_url}{ctx.href}/uploaded", max_bytes=max_bytes
        )
    except UploadRefused as exc:
        return f"<p>{page.esc(exc.message)}</p>"
    hidden = "".join(
        f'<input type="hidden" name="{page.esc(k)}" value="{page.esc(v)}">' for k, v in form.fields.items()
    )
    hint = f"{TYPES_LABEL}; up to {size_label(max_bytes)}."
    # S3 reads no field after `file`: it comes last. The script checks size and type first.
    return (
        f'<form method="post" action="{page.esc(form.url)}" enctype="multipart/form-data" '
        f'data-upload="upload-error" data-max-bytes="{max_bytes}" '
        f'data-max-label="{page.esc(size_label(max_bytes))}" data-types-label="{page.esc(TYPES_LABEL)}">'
        f"{hidden}"
        '<label for="upload-file">Add an image or video'
        f'<span class="hint" id="upload-hint">{page.esc(hint)}</span></label>'
        '<p class="field-error" id="upload-error" role="alert" hidden></p>'
        '<input type="file" id="upload-file" name="file" required '
        'aria-describedby="upload-hint upload-error" '
        f'accept="{page.esc(",".join(ALLOWED_TYPES))}">'
        '<button type="submit" class="secondary">Upload file</button></form>'
    )


def _submit_form(ctx: PageContext, files: list[MediaFile]) -> str:
    count = f"{len(files)} file{'s' if len(files) != 1 else ''}" if files else "no files"
    inner = (
        page.field(
            "Caption",
            "text",
            kind="textarea",
            required=True,
            hint="The caption you propose to post",
            attrs='maxlength="20000" rows="5"',
            form_id="content",
        )
        + page.field(
            "Note to the brand (optional)",
            "note",
            kind="textarea",
            attrs='maxlength="2000" rows="3"',
            form_id="content",
        )
        + f"<p>This draft goes with {page.esc(count)}.</p>"
    )
    return page.form(f"{ctx.href}/submit-content", ctx.csrf_token, inner, "Submit draft for review")


def _round(d: Deps, p: Proposal, last: bool, approved_next: str) -> str:
    if p.decision == "approved":
        decision = f"<p><strong>Approved</strong> on {page.esc(_when(p.decided_at or ''))}.</p>"
        if last and approved_next:
            decision += f"<p>{page.esc(approved_next)}</p>"
    elif p.decision == "changes_requested":
        decision = f"<p><strong>Changes requested</strong> on {page.esc(_when(p.decided_at or ''))}.</p>"
    else:
        decision = "<p>Waiting for the brand's review.</p>"
    comments = (
        f'<p>The brand\'s comments:</p><blockquote class="comments">{page.esc(p.comments)}</blockquote>'
        if p.comments
        else ""
    )
    links = "".join(f'<li><a href="{page.esc(u)}">{page.esc(u)}</a></li>' for u in p.media_urls)
    note = f"<p>Your note: {page.esc(p.note)}</p>" if p.note else ""
    return (
        f'<li class="round" id="round-{p.round}"><h3>Round {p.round}</h3>'
        f"<p>Submitted {page.esc(_when(p.submitted_at))}.</p>"
        f"{_media(d, p.media)}{'<ul>' + links + '</ul>' if links else ''}"
        f'<p>Caption:</p><blockquote class="draft">{page.esc(p.text)}</blockquote>{note}'
        f"{decision}{comments}</li>"
    )


def section(d: Deps, req: http.Request, ctx: PageContext) -> str:
    """The "Content" card: while the step takes a proposal, the rules, the upload form, the pending
    files and the submit form; always, every round so far with the brand's answer."""
    c = ctx.collaboration
    can_submit = "submit-content" in ctx.actions
    if not can_submit and not c.proposals:
        return ""
    parts = []
    shown = NOTICES.get(req.query.get("upload", ""))
    if shown:
        parts.append(page.notice(*shown))
    left = rounds_left(ctx)
    if can_submit:
        files = pending(ctx.private)
        last = c.proposals[-1] if c.proposals else None
        if last and last.decision == "changes_requested":
            parts.append(
                page.notice(
                    f"The brand asked for changes to round {last.round}: see their comments below, "
                    "then upload your revised draft.",
                    "info",
                )
            )
        parts.append(f"<h3>Your draft{' for round ' + str(len(c.proposals) + 1) if c.proposals else ''}</h3>")
        parts.append("<p>Before you submit, check the campaign's content rules:</p>" + _rules(ctx))
        parts.append(_media(d, files, remove=ctx))
        parts.append(_upload_form(d, ctx, files))
        parts.append(_submit_form(ctx, files))
    if c.proposals:
        approved = any(p.decision == "approved" for p in c.proposals)
        after = (
            "Publish it as approved, then submit the live post's link on this page."
            if "submit-post" in ctx.actions
            else ""
        )
        rounds = "".join(_round(d, p, i == 0, after) for i, p in enumerate(reversed(c.proposals)))
        parts.append(f'<h3>Rounds</h3><ol class="rounds" reversed>{rounds}</ol>')
        if not approved:
            parts.append(
                f"<p>{left} round{'s' if left != 1 else ''} left"
                f"{'' if left else ': the brand decides what happens next'}.</p>"
            )
    return page.card("Content", "".join(parts), id="content")


# --- after an upload: GET /c/{token}/uploaded --------------------------------------------------------


def _refused(ctx: PageContext, status: int, message: str) -> dict[str, Any]:
    return page.problem(
        status,
        "File not added",
        f"{message} Nothing was added to your draft.",
        brand=ctx.brand_name,
        next_href=f"{ctx.href}#content",
        next_text="Back to your collaboration",
    )


def _back(ctx: PageContext, notice: str) -> dict[str, Any]:
    return http.redirect(f"{ctx.href}?upload={notice}#content")


def view(d: Deps, req: http.Request, ctx: PageContext) -> dict[str, Any] | None:
    """S3's redirect after an upload: the file checked again, then added to the pending files once
    (the same redirect twice adds it once). A refused file is deleted."""
    if req.params.get("action") != "uploaded":
        return None
    up = d.uploads
    key = req.query.get("key", "")
    if up is None or not key.startswith(f"{INCOMING}{prefix(ctx)}/"):
        return _refused(ctx, 400, NOT_YOURS)
    kept = DRAFTS + key[len(INCOMING) :]  # where `attach` keeps it
    if _known(ctx.collaboration, ctx.private, kept):  # the same redirect again
        return _back(ctx, "again")
    max_bytes = d.settings.max_upload_bytes
    try:
        found = up.inspect(key, prefix=prefix(ctx), max_bytes=max_bytes)
        if "submit-content" not in ctx.actions or len(ctx.private.get("uploads") or []) >= MAX_PENDING:
            up.delete(found.key)
            return _refused(ctx, 409, _closed(ctx))
        stored = up.attach(found.key, etag=found.etag)
    except UploadRefused as exc:  # refused for its size or type: deleted by `inspect`
        raw = d.stores.collaborations.get_raw(ctx.brand_id, ctx.collaboration.id) or {}
        if _known(Collaboration.model_validate(raw), raw, kept):  # attached meanwhile (a double load)
            return _back(ctx, "again")
        logger.info("upload refused", extra={"collaboration_id": ctx.collaboration.id, "status": exc.status})
        return _refused(ctx, 422 if exc.status == 400 else exc.status, exc.message)
    entry = MediaFile(
        key=stored,
        name=found.name,
        content_type=found.content_type,
        size=found.size,
        uploaded_at=clock.now_iso(),
    ).model_dump(mode="json", exclude={"url"})
    outcome: dict[str, str] = {}

    def add(c: Collaboration, private: dict[str, Any]) -> None:
        if _known(c, private, stored):
            outcome["result"] = "again"
            return
        files = list(private.get("uploads") or [])
        if (
            c.waiting_for is None
            or "submit-content" not in c.waiting_for.actions
            or len(files) >= MAX_PENDING
        ):
            raise Conflict(_closed(ctx))
        private["uploads"] = [*files, entry]
        outcome["result"] = "ok"

    try:
        d.stores.collaborations.mutate(ctx.brand_id, ctx.collaboration.id, add)
    except Conflict as exc:
        _forget(up, stored)
        return _refused(ctx, 409, exc.message)
    return _back(ctx, outcome["result"])


def _known(c: Collaboration, private: dict[str, Any], kept: str) -> bool:
    """The file is pending already, or in a proposal."""
    return any(m.get("key") == kept for m in private.get("uploads") or []) or any(
        m.key == kept for p in c.proposals for m in p.media
    )


def _forget(up: Uploads, key: str) -> None:
    """Deletes a file no record points to; if S3 fails now, it stays unreferenced (logged)."""
    try:
        up.delete(key)
    except UploadRefused:
        logger.warning("unreferenced draft file left in the bucket", extra={"under": key.rsplit("/", 1)[0]})


def _closed(ctx: PageContext) -> str:
    if "submit-content" not in ctx.actions:
        return (
            "Drafts cannot be added now: the collaboration has moved on (reload the page to see where it is)."
        )
    return f"A draft takes at most {MAX_PENDING} files: remove one to add another."


# --- posts: submit-content, remove-upload -------------------------------------------------------------


def act(d: Deps, req: http.Request, ctx: PageContext, form: dict[str, str]) -> dict[str, Any] | None:
    action = req.params.get("action", "")
    if action not in ACTIONS:
        return None
    if csrf.needs_token(req) and not csrf.valid(
        req, d.settings.outreach_signing_key or "", "c:" + ctx.collaboration.id, form.get("csrf")
    ):
        return page.problem(
            403,
            "Form expired",
            "This form could not be checked (it may be old, or opened in another browser): nothing was "
            "changed. Go back, reload the page and try again.",
            brand=ctx.brand_name,
            next_href=ctx.href,
            next_text="Back to your collaboration",
        )
    if action == "remove-upload":
        return _remove(d, ctx, form.get("key", ""))
    return _submit(d, req, ctx, form)


def _remove(d: Deps, ctx: PageContext, key: str) -> dict[str, Any]:
    removed: list[MediaFile] = []

    def drop(c: Collaboration, private: dict[str, Any]) -> None:
        files = list(private.get("uploads") or [])
        removed[:] = [MediaFile.model_validate(m) for m in files if m.get("key") == key]
        private["uploads"] = [m for m in files if m.get("key") != key]

    if key:
        d.stores.collaborations.mutate(ctx.brand_id, ctx.collaboration.id, drop)
    if removed and d.uploads:
        _forget(d.uploads, removed[0].key)  # ours: it came from the record, not from the form
    return _back(ctx, "removed" if removed else "gone")


def _submit(d: Deps, req: http.Request, ctx: PageContext, form: dict[str, str]) -> dict[str, Any]:
    """The pending files and the caption as the next proposal (`_apply` moves the files). A JSON
    client gets today's JSON answers (it may send `media_urls` links instead of files)."""
    try:
        if req.wants_json:
            body = ActionBody.model_validate({k: v for k, v in req.json().items() if k != "csrf"})
        else:
            note = (form.get("note") or "").strip() or None
            body = ActionBody.model_validate({"text": (form.get("text") or "").strip() or None, "note": note})
        updated = collaborations.act(
            d, ctx.brand_id, ctx.collaboration.id, "submit-content", body, by="creator", ip=req.ip
        )
    except ValidationError as exc:
        if req.wants_json:
            details = [{"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()]
            return edge.error_answer(422, "validation_error", "invalid input", details)
        return _not_submitted(ctx, 422, "The caption or the note is too long: shorten it and submit again.")
    except RosterError as exc:
        if req.wants_json:
            return edge.for_error(exc)
        if isinstance(exc, ValidationFailed):  # no caption
            return _not_submitted(ctx, 422, "Write the caption you propose, then submit the draft again.")
        return _not_submitted(ctx, edge.status_for(exc), f"{exc.message[:1].upper()}{exc.message[1:]}.")
    logger.info("content submitted", extra={"collaboration_id": ctx.collaboration.id})
    if req.wants_json:
        return http.json_answer(200, {"stage": updated.stage, "status": updated.status})
    _settle(d, ctx)
    return http.redirect(f"{ctx.href}?done=submit-content")


def _settle(d: Deps, ctx: PageContext) -> None:
    """A moment for the workflow to reach the review step, so the page after the redirect shows it
    (else that page says the collaboration is moving on, and refreshes itself)."""
    end = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < end:
        c = d.stores.collaborations.get(ctx.brand_id, ctx.collaboration.id)
        if c is None or c.status != "open" or c.waiting_for is not None:
            return
        time.sleep(0.2)


def _not_submitted(ctx: PageContext, status: int, message: str) -> dict[str, Any]:
    return page.problem(
        status,
        "Draft not submitted",
        f"{message} Nothing was submitted; your uploaded files are still there.",
        brand=ctx.brand_name,
        next_href=f"{ctx.href}#content",
        next_text="Back to your draft",
    )
