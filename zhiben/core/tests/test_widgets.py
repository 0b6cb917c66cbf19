"""The fast select renders like Django's and escapes everything it interpolates."""

from __future__ import annotations

from zhiben.core.widgets import FastSelect


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
