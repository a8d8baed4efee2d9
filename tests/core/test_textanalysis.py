from gongdan.core import textanalysis as t


def test_normal_form_folds_width_case_and_traditional_chinese():
    assert t.normalise("  打印機ＡＢＣ\t 卡紙了！！ ") == "打印机abc 卡纸了!!"


def test_words_drop_stop_words_and_punctuation_in_both_languages():
    assert t.words("我的打印機一直卡紙，請問怎麼辦？Printer jams again") == [
        "打印机",
        "卡纸",
        "怎么办",
        "printer",
        "jams",
    ]


def test_domain_words_stay_whole():
    assert "重复扣款" in t.words("昨天支付后重复扣款")


def test_char_ngrams_ignore_punctuation_and_spaces():
    assert t.char_ngrams("支付 失敗！") == ["支付", "付失", "失败"]
    assert t.char_ngrams("a") == ["a"]
    assert t.char_ngrams("！？") == []


def test_jaccard_of_shingles():
    a, b = t.shingles("打印机卡纸"), t.shingles("打印机又卡纸")
    assert a == {"打印", "印机", "机卡", "卡纸"}
    assert t.jaccard(a, b) == 3 / 6
    assert t.jaccard(set(), set()) == 0.0


def test_analyse_marks_ngrams_apart_from_words():
    assert t.analyse("蓝屏") == ["蓝屏", "#蓝屏"]
