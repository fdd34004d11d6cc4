"""Schemathesis hooks for scripts/contract (loaded through SCHEMATHESIS_HOOKS).

Schemathesis ships no serializer for `application/pdf`, so without one it cannot send a
request to `PUT /api/v1/applications/{id}/documents/{kind}` at all and reports
"Serialization not possible". A PDF is sent as the raw bytes schemathesis generates,
exactly as it sends `application/octet-stream`. Nothing here changes a check.
"""

import schemathesis

schemathesis.serializer.alias("application/pdf", "application/octet-stream")
