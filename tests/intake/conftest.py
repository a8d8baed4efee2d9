"""A private Debian dovecot-imapd per test session (own config, port and maildir in a temp dir)."""

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from gongdan.intake.models import Mailbox

DOVECOT = "/usr/sbin/dovecot"
PASSWORD = "imap-secret"
_users = itertools.count(1)

CONFIG = """
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = 1
mail_location = maildir:{base}/mail/%u
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accounts() -> dict:
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return {"internal_user": me.pw_name, "login_user": me.pw_name, "uid": me.pw_uid, "gid": me.pw_gid}
    # Dovecot refuses to run logins or mail processes as root: use Debian's dovecot/dovenull users.
    mail = pwd.getpwnam("dovecot")
    return {"internal_user": "dovecot", "login_user": "dovenull", "uid": mail.pw_uid, "gid": mail.pw_gid}


@pytest.fixture(scope="session")
def dovecot():
    """Start dovecot on a free port; yields (host, port). Each test logs in as its own user/mailbox."""
    assert Path(DOVECOT).exists(), "dovecot-imapd is missing: run scripts/system-deps.sh"
    base = Path(tempfile.mkdtemp(prefix="gongdan-dovecot-"))
    base.chmod(0o755)
    accounts = _accounts()
    for sub in ("mail", "home"):
        (base / sub).mkdir()
        os.chown(base / sub, accounts["uid"], accounts["gid"])
    port = _free_port()
    config = base / "dovecot.conf"
    config.write_text(CONFIG.format(base=base, port=port, password=PASSWORD, **accounts))
    subprocess.run([DOVECOT, "-c", str(config)], check=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        raise RuntimeError((base / "dovecot.log").read_text())
    yield "127.0.0.1", port
    subprocess.run([DOVECOT, "-c", str(config), "stop"], check=False)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def imap_account(dovecot, db):
    """A fresh mailbox on the private server, and the Mailbox row that polls it."""
    host, port = dovecot
    user = f"desk{next(_users)}-{os.getpid()}@example.test"
    mailbox = Mailbox.objects.create(name=user, host=host, port=port, security="none", username=user, password=PASSWORD)
    return mailbox


def append(mailbox: Mailbox, *raws: bytes) -> None:
    from imap_tools import MailBoxUnencrypted

    with MailBoxUnencrypted(mailbox.host, mailbox.port).login(mailbox.username, mailbox.password) as client:
        for raw in raws:
            client.append(raw, "INBOX")
