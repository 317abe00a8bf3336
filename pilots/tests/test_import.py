"""Excel import of candidates: template, per-row checks, all-or-nothing import, bad files, permissions."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from pilots import imports
from pilots.imports import HEADERS, import_candidates, parse_rows
from pilots.models import Batch, Candidate
from workflow.engine.errors import WorkflowError
from workflow.models import TransitionLog

IMPORT_URL = reverse("pilots:candidate_import")
TEMPLATE_URL = reverse("pilots:candidate_import_template")
DIGITAL = "数字化改革与“最多跑一次”改革"
ECONOMY = "经济体制和生态文明体制改革"


@pytest.fixture
def batch(db):
    return Batch.objects.create(name="2026年第一批", year=2026)


@pytest.fixture
def names(units):
    return {
        "sg_digital": units["sg-digital"].name,
        "sg_economy": units["sg-economy"].name,
        "gu_data": units["gu-data"].name,
    }


def xlsx(rows, header=HEADERS, name="候选项目.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.title = "候选项目"
    if header is not None:
        ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=imports.XLSX_CONTENT_TYPE)


def good_rows(names, n=3):
    return [
        (f"公共数据授权运营改革试点{i}", DIGITAL, names["sg_digital"], names["gu_data"] if i % 2 else "", f"简介{i}")
        for i in range(1, n + 1)
    ]


def post(client, batch, upload):
    return client.post(IMPORT_URL, {"batch": batch.pk, "file": upload})


def error_rows(response):
    """The (row, column, message) cells of the error table as plain text."""
    html = response.content.decode()
    table = re.search(r'<table[^>]*data-testid="import-errors".*?</table>', html, re.S)
    assert table, "no error table on the page"
    cells = re.findall(r"<tr data-row=\"(\d+)\"><td>[^<]*</td><td>([^<]*)</td><td[^>]*>([^<]*)</td></tr>", table[0])
    return [(int(r), c, m) for r, c, m in cells]


# --- template ----------------------------------------------------------------------------------
def test_template_download_is_a_workbook_the_importer_accepts(login, office_reviewer, batch):
    response = login(office_reviewer).get(TEMPLATE_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == imports.XLSX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=utf-8''%E5%80%99%E9%80%89" in disposition  # 候选项目导入模板.xlsx, RFC 5987 encoded

    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:2] == ["候选项目", "说明"]
    ws = wb["候选项目"]
    assert [c.value for c in ws[1]] == list(HEADERS)
    assert "导入说明" in wb["说明"]["A1"].value
    formulas = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert set(formulas) == {"B2", "C2", "D2"}  # 改革领域， 牵头专项小组， 建议牵头指导单位 drop-downs
    choices = wb["选项"]
    assert DIGITAL in [c.value for c in choices["A"]]

    # The template as downloaded: header accepted, example row skipped, so only "no data rows" is reported.
    upload = SimpleUploadedFile("模板.xlsx", response.content)
    rows, errors = parse_rows(upload, batch)
    assert rows == []
    assert len(errors) == 1 and errors[0].row is None and "没有可导入的数据行" in errors[0].message

    # Filled in below the example row, the template imports.
    ws = load_workbook(io.BytesIO(response.content))
    sheet = ws["候选项目"]
    example = [c.value for c in sheet[2]]
    assert example[0].startswith(imports.EXAMPLE_MARK)
    for column, value in enumerate(["从模板填写的项目", example[1], example[2], example[3], "简介"], start=1):
        sheet.cell(row=3, column=column, value=value)
    buffer = io.BytesIO()
    ws.save(buffer)
    rows, errors = parse_rows(SimpleUploadedFile("模板.xlsx", buffer.getvalue()), batch)
    assert errors == []
    assert [r["title"] for r in rows] == ["从模板填写的项目"]
    assert rows[0]["area"] == "digital" and rows[0]["row"] == 3


# --- a good sheet ------------------------------------------------------------------------------
def test_valid_sheet_lists_every_row_with_log(login, office_reviewer, batch, names, units):
    client = login(office_reviewer)
    response = post(client, batch, xlsx(good_rows(names, 3)))
    assert response.status_code == 302
    assert response["Location"] == reverse("pilots:candidate_list")

    created = list(Candidate.objects.filter(batch=batch).order_by("id"))
    assert [c.title for c in created] == [f"公共数据授权运营改革试点{i}" for i in (1, 2, 3)]
    for c in created:
        assert c.status == Candidate.Status.LISTED
        assert c.channel == Candidate.Channel.OFFICE
        assert c.area == "digital"
        assert c.lead_group == units["sg-digital"]
        assert c.proposed_by == office_reviewer
    assert [c.guidance_unit for c in created] == [units["gu-data"], None, units["gu-data"]]
    accepted = TransitionLog.objects.filter(action="candidate.accept", object_id__in=[c.pk for c in created])
    assert accepted.count() == 3
    assert all(log.actor == office_reviewer and log.to_state == "listed" for log in accepted)

    page = client.get(response["Location"])
    assert "已从 Excel 导入3个候选项目" in page.content.decode()


def test_large_upload_spooled_to_disk_is_read(login, office_reviewer, batch, names, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload becomes a TemporaryUploadedFile
    response = post(login(office_reviewer), batch, xlsx(good_rows(names, 2)))
    assert response.status_code == 302
    assert Candidate.objects.filter(batch=batch, status=Candidate.Status.LISTED).count() == 2


def test_area_key_and_loose_spelling_are_accepted(office_reviewer, batch, names):
    rows = [
        ("按代码填写领域", "economy", names["sg_economy"], "", "简介"),
        (
            "半角引号",
            '数字化改革与"最多跑一次"改革',
            names["sg_digital"].replace("“", '"').replace("”", '"'),
            "",
            "简介",
        ),
        ("  前后空格  ", f" {ECONOMY} ", names["sg_economy"], "", " 简介 "),
    ]
    created = import_candidates(actor=office_reviewer, batch=batch, file=xlsx(rows))
    assert [(c.title, c.area) for c in created] == [
        ("按代码填写领域", "economy"),
        ("半角引号", "digital"),
        ("前后空格", "economy"),
    ]


def test_blank_rows_are_skipped_and_row_numbers_follow_excel(office_reviewer, batch, names):
    rows = [
        good_rows(names, 1)[0],
        (None, None, None, None, None),
        ("", "", "", "", ""),
        ("第五行", DIGITAL, "", "", "x"),
    ]
    with pytest.raises(WorkflowError) as caught:
        import_candidates(actor=office_reviewer, batch=batch, file=xlsx(rows))
    assert caught.value.status == 400
    assert caught.value.row_errors == [(5, "牵头专项小组", "请填写牵头专项小组。")]


# --- bad rows ----------------------------------------------------------------------------------
def test_one_bad_row_imports_nothing_and_page_lists_each_bad_cell(login, office_reviewer, batch, names):
    rows = [
        *good_rows(names, 2),
        ("", "不存在的领域", "市不存在专项小组", "市不存在的局", ""),  # row 4: every cell wrong
        ("名" * 121, ECONOMY, names["sg_economy"], "", "简介"),  # row 5: title too long
        good_rows(names, 3)[2],
    ]
    response = post(login(office_reviewer), batch, xlsx(rows))
    assert response.status_code == 400
    assert Candidate.objects.count() == 0
    assert not TransitionLog.objects.filter(action__startswith="candidate.").exists()

    found = error_rows(response)
    assert found == [
        (4, "试点项目名称", "请填写试点项目名称。"),
        (4, "改革领域", "“不存在的领域”不是有效的改革领域，请从下拉列表中选择。"),
        (4, "牵头专项小组", "“市不存在专项小组”不是现有的市级专项小组，请从下拉列表中选择。"),
        (4, "建议牵头指导单位", "“市不存在的局”不是现有的市级牵头指导单位，请从下拉列表中选择或留空。"),
        (4, "改革内容简介", "请填写改革内容简介。"),
        (5, "试点项目名称", "试点项目名称不能超过120个字（现有121个字）。"),
    ]
    html = response.content.decode()
    assert "第4行" in html and "第5行" in html
    assert "未导入任何候选项目" in html


def test_duplicate_titles_in_file_and_in_batch_are_reported(login, office_reviewer, batch, names, units):
    Candidate.objects.create(
        batch=batch,
        title="已有项目",
        area="digital",
        lead_group=units["sg-digital"],
        description="x",
        channel=Candidate.Channel.OFFICE,
        proposer_unit=units["reform-office"],
        proposed_by=office_reviewer,
    )
    other = Batch.objects.create(name="2026年第二批", year=2026)
    Candidate.objects.create(
        batch=other,
        title="别的批次的项目",
        area="digital",
        lead_group=units["sg-digital"],
        description="x",
        channel=Candidate.Channel.OFFICE,
        proposer_unit=units["reform-office"],
        proposed_by=office_reviewer,
    )
    rows = [
        ("重复项目", DIGITAL, names["sg_digital"], "", "a"),  # row 2
        ("已有项目", DIGITAL, names["sg_digital"], "", "b"),  # row 3: exists in this batch
        ("重复项目", DIGITAL, names["sg_digital"], "", "c"),  # row 4: repeats row 2
        ("别的批次的项目", DIGITAL, names["sg_digital"], "", "d"),  # fine: another batch
    ]
    response = post(login(office_reviewer), batch, xlsx(rows))
    assert response.status_code == 400
    assert error_rows(response) == [
        (3, "试点项目名称", "批次“2026年第一批”中已有同名候选项目。"),
        (4, "试点项目名称", "与第2行的试点项目名称重复。"),
    ]
    assert Candidate.objects.filter(batch=batch).count() == 1


def test_failure_midway_keeps_nothing(office_reviewer, batch, names, monkeypatch):
    calls = []
    real = imports.propose_candidate

    def flaky(**kwargs):
        calls.append(kwargs["data"]["title"])
        if len(calls) == 3:
            raise WorkflowError("本批次已有同名候选项目，请更换名称。", field="title", status=400)
        return real(**kwargs)

    monkeypatch.setattr(imports, "propose_candidate", flaky)
    with pytest.raises(WorkflowError) as caught:
        import_candidates(actor=office_reviewer, batch=batch, file=xlsx(good_rows(names, 3)))
    assert caught.value.row_errors == [(4, "试点项目名称", "本批次已有同名候选项目，请更换名称。")]
    assert Candidate.objects.count() == 0
    assert not TransitionLog.objects.filter(action__startswith="candidate.").exists()


def test_more_than_500_rows_is_refused(office_reviewer, batch, names):
    rows = [(f"项目{i}", DIGITAL, names["sg_digital"], "", "x") for i in range(501)]
    rows_out, errors = parse_rows(xlsx(rows), batch)
    assert rows_out == []
    assert [(e.row, e.column) for e in errors] == [(502, "")]
    assert "最多导入500行" in errors[0].message


def test_sheet_without_data_rows_is_an_error(login, office_reviewer, batch):
    response = post(login(office_reviewer), batch, xlsx([]))
    assert response.status_code == 400
    assert "没有可导入的数据行" in response.content.decode()


# --- bad files ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("renamed.xlsx", "这是一个文本文件，不是 Excel。\n".encode()),
        ("random.xlsx", bytes(range(256)) * 8),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 200),
        ("notes.txt", b"just text"),
    ],
)
def test_not_an_xlsx_gets_chinese_error_not_500(login, office_reviewer, batch, name, content):
    response = post(login(office_reviewer), batch, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    html = response.content.decode()
    assert "不是有效的 Excel（.xlsx）文件" in html or "请上传 .xlsx 格式的 Excel 文件" in html
    assert Candidate.objects.count() == 0


def test_zip_that_is_not_a_workbook_is_refused(office_reviewer, batch):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/workbook.xml", "<not-really/>")
    rows, errors = parse_rows(SimpleUploadedFile("fake.xlsx", buffer.getvalue()), batch)
    assert rows == []
    assert len(errors) == 1 and "不是有效的 Excel（.xlsx）文件" in errors[0].message


def test_wrong_header_gets_clear_error(login, office_reviewer, batch, names):
    header = ("项目名称", "改革领域", "牵头专项小组", "建议牵头指导单位", "改革内容简介")
    response = post(login(office_reviewer), batch, xlsx(good_rows(names, 1), header=header))
    assert response.status_code == 400
    html = response.content.decode()
    assert "表头与模板不一致" in html
    assert "试点项目名称、改革领域、牵头专项小组、建议牵头指导单位、改革内容简介" in html
    assert Candidate.objects.count() == 0


# --- permissions -------------------------------------------------------------------------------
def test_county_user_gets_403_on_both_urls(login, county_nanhu, batch, names):
    client = login(county_nanhu)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(TEMPLATE_URL).status_code == 403
    assert post(client, batch, xlsx(good_rows(names, 1))).status_code == 403
    assert Candidate.objects.count() == 0


def test_import_page_shows_form_and_template_link(login, office_reviewer, batch):
    response = login(office_reviewer).get(IMPORT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert TEMPLATE_URL in html
    assert 'enctype="multipart/form-data"' in html
    assert "style=" not in html.split("<main", 1)[1]
    assert "<script" not in html.split("<main", 1)[1]


def test_decided_batch_cannot_be_imported_into(office_reviewer, names):
    decided = Batch.objects.create(name="2025年第一批", year=2025, status=Batch.Status.DECIDED)
    with pytest.raises(WorkflowError) as caught:
        import_candidates(actor=office_reviewer, batch=decided, file=xlsx(good_rows(names, 1)))
    assert "已确定" in caught.value.message
    assert caught.value.field == "batch" and caught.value.status == 400
