"""The base of every API request body: a field the schema does not know is refused (issue 24.8).

A client that sends `status` in a PATCH (a field changed only by a transition), a deadline or
`created_at` must learn that this part of its write did not happen, not get 200 for a silent
no-op. pydantic's `extra="forbid"` reports each unknown field as `extra_forbidden`; the API's
validation handler (`core.api_support`) turns that into a 422 `unknown-fields` problem naming them.
"""

from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")
