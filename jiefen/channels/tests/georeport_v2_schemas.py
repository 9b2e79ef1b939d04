"""JSON Schemas of the Open311 GeoReport v2 responses, written from the specification
(http://wiki.open311.org/GeoReport_v2): discovery, service list, service definition, service
requests (GET), POST response, token lookup and errors. Dates are W3C date-times."""

W3C_DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
NULLABLE_STRING = {"type": ["string", "null"]}
DATETIME = {"type": "string", "pattern": W3C_DATETIME}
NULLABLE_DATETIME = {"anyOf": [DATETIME, {"type": "null"}]}

DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "endpoints"],
    "properties": {
        "changeset": DATETIME,
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string", "const": "http://wiki.open311.org/GeoReport_v2"},
                    "url": {"type": "string", "pattern": "^https?://"},
                    "changeset": DATETIME,
                    "type": {"enum": ["production", "test"]},
                    "formats": {
                        "type": "array",
                        "items": {"enum": ["text/xml", "application/json"]},
                        "contains": {"const": "text/xml"},
                    },
                },
            },
        },
    },
}

SERVICES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_code", "service_name", "metadata", "type"],
        "properties": {
            "service_code": {"type": "string", "minLength": 1},
            "service_name": {"type": "string"},
            "description": NULLABLE_STRING,
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
            "keywords": NULLABLE_STRING,
            "group": NULLABLE_STRING,
        },
    },
}

SERVICE_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["variable", "code", "datatype", "required", "order", "description"],
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": {"type": "string"},
                    "datatype": {
                        "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
                    },
                    "required": {"type": "boolean"},
                    "datatype_description": NULLABLE_STRING,
                    "order": {"type": "integer"},
                    "description": {"type": "string"},
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "name"],
                            "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}

SERVICE_REQUESTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {
            "service_request_id": {"type": "string"},
            "status": {"enum": ["open", "closed"]},
            "status_notes": NULLABLE_STRING,
            "service_name": NULLABLE_STRING,
            "service_code": {"type": "string"},
            "description": NULLABLE_STRING,
            "agency_responsible": NULLABLE_STRING,
            "service_notice": NULLABLE_STRING,
            "requested_datetime": DATETIME,
            "updated_datetime": NULLABLE_DATETIME,
            "expected_datetime": NULLABLE_DATETIME,
            "address": NULLABLE_STRING,
            "address_id": NULLABLE_STRING,
            "zipcode": NULLABLE_STRING,
            "lat": {"type": ["number", "null"]},
            "long": {"type": ["number", "null"]},
            "media_url": NULLABLE_STRING,
        },
    },
}

POST_RESPONSE = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "anyOf": [{"required": ["service_request_id"]}, {"required": ["token"]}],
        "properties": {
            "service_request_id": {"type": "string"},
            "token": {"type": "string"},
            "service_notice": NULLABLE_STRING,
            "account_id": NULLABLE_STRING,
        },
    },
}

TOKENS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["token"],
        "properties": {"service_request_id": NULLABLE_STRING, "token": {"type": "string"}},
    },
}

ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}

# The element names the spec uses in XML: root → item → fields.
XML_REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
XML_SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
