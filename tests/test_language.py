from bot.core.language import fold_apostrophes, known_word_share, vocabulary, without_markup, words, words_outside_markup


def test_words_are_lower_case_letters_only() -> None:
    assert words("How BIG is the cut?? 5.1mm 😀") == ["how", "big", "is", "the", "cut", "mm"]
    assert words("don't") == ["don't"]


def test_known_word_share() -> None:
    vocab = vocabulary(["how long is the recovery", "what is mild"])
    assert known_word_share("how long is recovry", vocab) == 0.75
    assert known_word_share("asdfgh qwerty", vocab) == 0.0
    assert known_word_share("12345 !!!", vocab) == 0.0


def test_fold_apostrophes() -> None:
    assert fold_apostrophes("can\u2019t \u2018x\u2019 it\u02bcs `a\u00b4") == "can't 'x' it's 'a'"
    assert fold_apostrophes(None) == ""  # type: ignore[arg-type]


def test_markup_alone_has_no_words() -> None:
    assert words_outside_markup("<img src=x onerror=alert(1)>") == []
    assert words_outside_markup("<script>alert('x')</script>") == ["alert", "x"]  # text between tags stays
    assert words_outside_markup("<!-- hidden note -->") == []
    assert words_outside_markup("<b>how long</b> is recovery?") == ["how", "long", "is", "recovery"]
    # a "<" that does not open a tag is the patient's own text
    assert words_outside_markup("pain < 3 out of 10, <3 thanks") == ["pain", "out", "of", "thanks"]
    assert without_markup("a<br/>b") == "a b"
