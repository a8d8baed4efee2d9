"""Text analysis for Chinese and English, shared by duplicates, classification and search.

One normal form for every consumer: NFKC (full-width → half-width), case-folded, traditional
Chinese folded to simplified, whitespace collapsed. On top of it: jieba words without stop words,
and character n-grams over the text with punctuation and spaces removed (robust to rewording and
to segmentation mistakes, which is why duplicates use them).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

import jieba
import zhconv

_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_HAS_WORD_CHAR = re.compile(r"\w", re.UNICODE)

# Words that carry no meaning for matching: particles, pronouns, politeness, mail boilerplate.
_ZH_STOP = (
    "的 了 是 在 我 我们 你 你们 您 他 她 它 这 那 这个 那个 和 与 及 或 就 都 也 还 又 把 被 给 让 "
    "吗 呢 吧 啊 呀 哦 嗯 一个 一下 有 没有 很 请 请问 麻烦 谢谢 感谢 您好 你好 一直 今天 "
    "现在 已经 然后 但是 可是 因为 所以 如果 什么 怎么 "
    "为什么 可以 能 会 要 想 需要 帮忙 帮 看看 一 下 个 上 中 对 从 到 说 问题"
)
_EN_STOP = (
    "a an the and or but if of to in on at by for with from as is are was were be been being it its this that these "
    "those i me my we our you your he she they them their have has had do does did not no can could would should will "
    "please thanks thank hello hi dear regards there here so than then just also very any some into about again "
    "still get got"
)
STOP_WORDS_ZH = frozenset(_ZH_STOP.split())
STOP_WORDS_EN = frozenset(_EN_STOP.split())
STOP_WORDS = STOP_WORDS_ZH | STOP_WORDS_EN

# Service-desk vocabulary that jieba's general dictionary splits wrongly.
DOMAIN_WORDS = (
    "卡纸",
    "蓝屏",
    "黑屏",
    "死机",
    "闪退",
    "花屏",
    "掉线",
    "扣款",
    "重复扣款",
    "退款",
    "发票",
    "序列号",
    "工单",
    "登录不了",
    "打不开",
    "无法登录",
    "支付失败",
    "付款失败",
    "验证码",
    "物流",
    "快递",
)

_jieba_lock = threading.Lock()
_jieba_ready = False


def _ensure_jieba() -> None:
    """Load jieba's dictionary once per process (about a second), thread-safely."""
    global _jieba_ready
    if _jieba_ready:
        return
    with _jieba_lock:
        if _jieba_ready:
            return
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        for word in DOMAIN_WORDS:
            jieba.add_word(word, freq=20000)
        _jieba_ready = True


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """The one normal form: NFKC, case-folded, simplified Chinese, single spaces, stripped."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    simplified = zhconv.convert(folded, "zh-cn") if _has_cjk(folded) else folded
    return _SPACE.sub(" ", simplified).strip()


def compact(text: str) -> str:
    """The normal form without punctuation or whitespace: the base of character n-grams."""
    return _NOT_WORD.sub("", normalise(text))


def words(text: str, *, keep_stop_words: bool = False) -> list[str]:
    """jieba words of the normal form (English words stay whole), without punctuation and stop words."""
    _ensure_jieba()
    result = []
    for token in jieba.lcut(normalise(text)):
        token = token.strip()
        if not token or not _HAS_WORD_CHAR.search(token):
            continue
        if not keep_stop_words and token in STOP_WORDS:
            continue
        result.append(token)
    return result


def char_ngrams(text: str, n: int = 2) -> list[str]:
    """Overlapping character n-grams of `compact(text)`; a text shorter than n gives itself."""
    base = compact(text)
    if len(base) <= n:
        return [base] if base else []
    return [base[i : i + n] for i in range(len(base) - n + 1)]


def shingles(text: str, n: int = 2) -> set[str]:
    return set(char_ngrams(text, n))


def analyse(text: str) -> list[str]:
    """Features for learned models: words plus character bigrams (prefixed so they never collide)."""
    return words(text) + ["#" + gram for gram in char_ngrams(text, 2)]


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)
