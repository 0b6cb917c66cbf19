"""The fast select renders like Django's and escapes everything it interpolates."""

from __future__ import annotations

from zhiben.core.widgets import FastSelect, MultipleFileInput


def test_it_marks_the_selected_option_and_escapes_labels():
    widget = FastSelect(
        choices=[("", "全部"), ("1", "<b>一级</b>"), ("2", '二"级')], attrs={"class": "form-select"}
    )
    html = widget.render("level", "1")
    assert html.startswith('<select name="level" class="form-select">')
    assert '<option value="1" selected>&lt;b&gt;一级&lt;/b&gt;</option>' in html
    assert '<option value="2">二&quot;级</option>' in html
    assert html.count("selected") == 1


def test_it_selects_null_boolean_values_and_integer_one_distinctly():
    boolean = FastSelect(choices=[("unknown", "全部"), ("true", "是"), ("false", "否")])
    assert '<option value="true" selected>' in boolean.render("flag", True)
    assert '<option value="false" selected>' in boolean.render("flag", False)
    levels = FastSelect(choices=[("1", "省"), ("true", "x")])
    assert '<option value="1" selected>' in levels.render("level", 1)
    assert '<option value="true" selected>' not in levels.render("level", 1)


def test_the_evidence_fields_let_a_browser_pick_several_files():
    """Django renders `multiple` only for a widget class that allows it: an `allow_multiple_selected` attribute
    on a plain ClearableFileInput (as these forms had) rendered a single-file picker."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.datastructures import MultiValueDict

    from zhiben.campaign.forms import ReportForm
    from zhiben.hazards.forms import ProgressForm
    from zhiben.sourcecontrol.forms import StageForm
    from zhiben.supervision.forms import ProgressForm as ItemProgressForm

    for form in (ProgressForm(), ReportForm(), ItemProgressForm(), StageForm()):
        assert '<input type="file" name="files" multiple' in str(form["files"]), type(form)
    two = MultiValueDict({"files": [SimpleUploadedFile("a.pdf", b"1"), SimpleUploadedFile("b.pdf", b"2")]})
    picked = MultipleFileInput().value_from_datadict({}, two, "files")
    assert isinstance(picked, SimpleUploadedFile)  # one file for the field to check; the step takes the list
