from gongdan.triage.models.merging import *  # noqa: F401,F403
