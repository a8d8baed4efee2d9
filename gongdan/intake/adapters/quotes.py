"""Quoted-reply stripping: keep what the sender wrote, drop the history their client appended.

Handles the Western "On … wrote:" line, Outlook's "-----Original Message-----" and "From:/Sent:"
blocks, their Chinese forms (在 …写道：, -----原始邮件-----, 发件人：/发送时间：), and ">" quotes.
"""

import re

CUT_LINES = [
    re.compile(r"^\s*On .{3,200}wrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*在\s*.{2,200}(写道|寫道)\s*[:：]\s*$"),
    re.compile(
        r"^\s*-{2,}\s*(Original Message|原始邮件|原始郵件|Reply message|回复的原邮件)\s*-{2,}\s*$", re.IGNORECASE
    ),
    re.compile(r"^\s*_{10,}\s*$"),
    re.compile(r"^\s*(From|发件人|寄件者)\s*[:：].+$", re.IGNORECASE),
]
# A "From:" line only starts a quoted block when a Sent/Date/To line follows it (Outlook).
HEADER_FOLLOWERS = re.compile(r"^\s*(Sent|Date|To|发送时间|日期|时间|收件人|寄件日期)\s*[:：]", re.IGNORECASE)


def _is_cut(lines: list[str], index: int) -> bool:
    line = lines[index]
    for pattern in CUT_LINES[:-1]:
        if pattern.match(line):
            return True
    if CUT_LINES[-1].match(line):
        following = lines[index + 1 : index + 4]
        return any(HEADER_FOLLOWERS.match(f) for f in following)
    return False


def strip_quoted(text: str) -> str:
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _is_cut(lines, index):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()
