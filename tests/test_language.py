from bot.language import fold_apostrophes, known_word_share, vocabulary, words


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
