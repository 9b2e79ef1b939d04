"""The full-text index over CaseTriage.search_text, per database.

SQLite: an FTS5 table with external content kept in step by triggers (unicode61 tokenizer; the
text is already cut into Chinese bigrams and words by triage.search.tokens). PostgreSQL: a GIN
expression index on to_tsvector('simple', search_text), the expression the selector filters on.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE triage_case_fts USING fts5("
    "search_text, content='triage_casetriage', content_rowid='case_id', tokenize='unicode61')",
    "CREATE TRIGGER triage_case_fts_ai AFTER INSERT ON triage_casetriage BEGIN "
    "INSERT INTO triage_case_fts(rowid, search_text) VALUES (new.case_id, new.search_text); END",
    "CREATE TRIGGER triage_case_fts_ad AFTER DELETE ON triage_casetriage BEGIN "
    "INSERT INTO triage_case_fts(triage_case_fts, rowid, search_text) "
    "VALUES ('delete', old.case_id, old.search_text); END",
    "CREATE TRIGGER triage_case_fts_au AFTER UPDATE OF search_text ON triage_casetriage BEGIN "
    "INSERT INTO triage_case_fts(triage_case_fts, rowid, search_text) "
    "VALUES ('delete', old.case_id, old.search_text); "
    "INSERT INTO triage_case_fts(rowid, search_text) VALUES (new.case_id, new.search_text); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS triage_case_fts_au",
    "DROP TRIGGER IF EXISTS triage_case_fts_ad",
    "DROP TRIGGER IF EXISTS triage_case_fts_ai",
    "DROP TABLE IF EXISTS triage_case_fts",
]
PG_FORWARD = [
    "CREATE INDEX IF NOT EXISTS triage_search_gin ON triage_casetriage "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS triage_search_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_case_triage_and_links")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        )
    ]
