"""All request kinds of the demo: the leaves of the category tree."""

from gongdan.demo.kinds_it import IT_KINDS
from gongdan.demo.kinds_service import SERVICE_KINDS

KINDS = [*IT_KINDS, *SERVICE_KINDS]
KINDS_BY_CODE = {k.code: k for k in KINDS}
