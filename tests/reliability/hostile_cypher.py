"""Hostile console queries: payloads that write, touch files or the engine, and ways to hide them.

``{watch}`` in a payload is a directory the tests watch: nothing may appear in it.  A hider
keeps its payload *code* under the engine's own lexical rules (so the guard must refuse
it); :data:`INERT` hiders put the payload inside a comment or string for LadybugDB, where it
must run harmlessly instead (and is refused only under Neo4j's rules).
"""

from __future__ import annotations

from collections.abc import Callable

#: The attacks of the hardening report, by the name its tests carry.
ISSUE_ATTACKS: dict[str, str] = {
    "u2028_comment_then_load_from_passwd": (
        "// x\u2028 '\nLOAD FROM '/etc/passwd' (file_format='csv', header=false, delim=':') RETURN * // '"
    ),
    "u2028_comment_then_copy_to_file": (
        "// x\u2028 '\nCOPY (MATCH (s:Source) RETURN s.id, s.title) TO '{watch}/leak.csv' // '"
    ),
    "u2028_comment_then_commit_and_delete": "// x\u2028 '\nCOMMIT; MATCH (n:Guideline) DETACH DELETE n // '",
    "u2029_comment_then_load_from_passwd": "// x\u2029 '\nLOAD FROM '/etc/passwd' (header=false) RETURN * // '",
    "u0085_comment_then_copy_to_file": "// x\x85 '\nCOPY (MATCH (d:Drug) RETURN d.id) TO '{watch}/leak.csv' // '",
    "u2028_comment_then_set_pwned": "// x\u2028 '\nMATCH (d:Drug) SET d.name = 'PWNED' // '",
    "u2028_comment_then_drop_table": "// x\u2028 '\nDROP TABLE SAME_STUDY // '",
    "u2028_comment_then_load_extension": "// x\u2028 '\nLOAD EXTENSION '{watch}/evil.so' // '",
    "u2028_comment_then_call_threads": "// x\u2028 '\nCALL threads=1 // '",
    "u2028_comment_then_call_timeout": "// x\u2028 '\nCALL timeout=999999 // '",
    "rollback_then_delete": "ROLLBACK; MATCH (n:Guideline) DETACH DELETE n",
    "analyze": "ANALYZE",
    "uninstall": "UNINSTALL httpfs",
    "comment_on_table": "COMMENT ON TABLE Drug IS 'pwned'",
}

#: LadybugDB payloads: each writes, reads or writes a file, or changes the engine.
PAYLOADS: dict[str, str] = {
    "load_from_passwd": "LOAD FROM '/etc/passwd' (file_format='csv', header=false, delim=':') RETURN *",
    "load_with_headers": "LOAD WITH HEADERS (a STRING) FROM '/etc/passwd' (header=false) RETURN *",
    "load_from_glob": "LOAD FROM GLOB('/etc/*.conf') RETURN *",
    "copy_to_file": "COPY (MATCH (s:Source) RETURN s.id, s.title) TO '{watch}/leak.csv'",
    "copy_to_parquet": "COPY (MATCH (d:Drug) RETURN d.id) TO '{watch}/leak.parquet'",
    "copy_from_file": "COPY Drug FROM '{watch}/evil.csv'",
    "export_database": "EXPORT DATABASE '{watch}/export'",
    "import_database": "IMPORT DATABASE '{watch}/export'",
    "attach_database": "ATTACH '{watch}/other.lbdb' AS other (dbtype lbug)",
    "detach_database": "DETACH other",
    "use_database": "USE other",
    "install_extension": "INSTALL httpfs",
    "force_install": "FORCE INSTALL httpfs FROM 'http://127.0.0.1:9/'",
    "uninstall_extension": "UNINSTALL httpfs",
    "update_extension": "UPDATE httpfs",
    "load_extension": "LOAD EXTENSION '{watch}/evil.so'",
    "load_extension_short": "LOAD '{watch}/evil.so'",
    "call_threads": "CALL threads=1",
    "call_timeout": "CALL timeout=999999",
    "call_spill": "CALL spill_to_disk=true",
    "call_read_csv": "CALL read_csv_serial('/etc/passwd') RETURN *",
    "call_read_parquet": "CALL read_parquet('{watch}/x.parquet') RETURN *",
    "call_project_graph": "CALL project_graph('g', ['Drug'], []) RETURN *",
    "call_clear_warnings": "CALL clear_warnings() RETURN *",
    "analyze": "ANALYZE",
    "analyze_table": "ANALYZE Drug",
    "checkpoint": "CHECKPOINT",
    "begin": "BEGIN TRANSACTION",
    "begin_read_only": "BEGIN TRANSACTION READ ONLY",
    "commit": "COMMIT",
    "rollback": "ROLLBACK",
    "commit_then_delete": "COMMIT; MATCH (n:Guideline) DETACH DELETE n",
    "rollback_then_set": "ROLLBACK; MATCH (d:Drug) SET d.name = 'PWNED'",
    "set_property": "MATCH (d:Drug) SET d.name = 'PWNED'",
    "detach_delete": "MATCH (n:Guideline) DETACH DELETE n",
    "delete": "MATCH (f:Figure) DELETE f",
    "create_node": "CREATE (:Drug {id: 'drug:evil', name: 'evil'})",
    "merge": "MERGE (d:Drug {id: 'drug:mecasermin'}) ON MATCH SET d.name = 'PWNED'",
    "drop_table": "DROP TABLE SAME_STUDY",
    "alter_table": "ALTER TABLE Drug ADD evil STRING",
    "comment_on": "COMMENT ON TABLE Drug IS 'pwned'",
    "create_macro": "CREATE MACRO evil(x) AS x",
    "create_sequence": "CREATE SEQUENCE evil",
    "create_node_table": "CREATE NODE TABLE Evil(id STRING PRIMARY KEY)",
    "with_then_set": "MATCH (d:Drug) WITH d SET d.name = 'PWNED'",
    "star_then_set": "MATCH (d:Drug) WITH * SET d.name = 'PWNED'",
    "profile_set": "PROFILE MATCH (d:Drug) SET d.name = 'PWNED'",
    "explain_copy": "EXPLAIN COPY (MATCH (d:Drug) RETURN d.id) TO '{watch}/leak.csv'",
    "read_then_create": "MATCH (n:Drug) RETURN count(n);CREATE (:Drug {id: 'drug:evil', name: 'evil'})",
}

#: Neo4j payloads: writes, file access and admin through procedures and clauses.
NEO4J_PAYLOADS: dict[str, str] = {
    "load_csv": "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "load_csv_headers": "LOAD CSV WITH HEADERS FROM 'file:///etc/passwd' AS row RETURN row",
    "foreach_set": "MATCH (d:Drug) FOREACH (x IN [1] | SET d.name = 'PWNED')",
    "call_subquery_create": "CALL { CREATE (:Drug {id: 'drug:evil', name: 'evil'}) } RETURN 1",
    "call_scoped_subquery": "MATCH (d:Drug) CALL (d) { SET d.name = 'PWNED' } RETURN 1",
    "remove_property": "MATCH (d:Drug) REMOVE d.atc",
    "apoc_create_node": "CALL apoc.create.node(['Drug'], {id: 'drug:evil'}) YIELD node RETURN node",
    "apoc_load_json": "CALL apoc.load.json('file:///etc/passwd') YIELD value RETURN value",
    "apoc_export_csv": "CALL apoc.export.csv.all('{watch}/leak.csv', {})",
    "apoc_cypher_run_write": "CALL apoc.cypher.runWrite('MATCH (n) DETACH DELETE n', {})",
    "apoc_periodic_iterate": "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})",
    "dbms_create_user": "CALL dbms.security.createUser('evil', 'pw', false)",
    "dbms_set_config": "CALL dbms.setConfigValue('db.logs.query.enabled', 'off')",
    "db_create_label": "CALL db.createLabel('Evil')",
    "backticked_procedure": "CALL `db`.`createLabel`('Evil')",
    "create_index": "CREATE INDEX evil FOR (d:Drug) ON (d.name)",
    "create_constraint": "CREATE CONSTRAINT evil FOR (d:Drug) REQUIRE d.id IS UNIQUE",
    "use_system_create_user": "USE system CREATE USER evil SET PASSWORD 'evil'",
    "create_database": "CREATE DATABASE evil",
    "grant": "GRANT ALL ON DATABASE * TO PUBLIC",
    "terminate": "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "start_database": "START DATABASE evil",
    "stop_database": "STOP DATABASE neo4j",
    "set_all_properties": "MATCH (d:Drug) SET d += {name: 'PWNED'}",
    "in_transactions": "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS",
    "apoc_load_csv": "CALL apoc.load.csv('file:///etc/passwd') YIELD list RETURN list",
    "apoc_import_json": "CALL apoc.import.json('file://{watch}/evil.json')",
    "apoc_cypher_run_first_column": "RETURN apoc.cypher.runFirstColumnSingle('MATCH (n) DETACH DELETE n', {})",
    "dbms_kill_transactions": "CALL dbms.killTransactions(['neo4j-transaction-1'])",
    "two_statements": "MATCH (d:Drug) RETURN d.name; MATCH (n) DETACH DELETE n",
    # Neo4j 5 reads \\uXXXX as its character anywhere: in a keyword, ending a string, a comment or a statement
    "escaped_keyword_load_csv": "LO\\u0041D CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "escaped_keyword_create": "CR\\u0045ATE (:Drug {id: 'drug:evil', name: 'evil'})",
    "escaped_quote_ends_string": "RETURN 'x\\u0027 LOAD CSV FROM \\u0027file:///etc/passwd\\u0027 AS row RETURN row //'",
    "escaped_newline_ends_comment": "RETURN 1 // \\u000a MATCH (d:Drug) SET d.name = 'PWNED'",
    "escaped_semicolon": "MATCH (d:Drug) RETURN d.name \\u003b MATCH (n) DETACH DELETE n",
}

#: The Neo4j attacks each backend refuses by name (file access, procedures, other databases,
#: transactions of their own, several statements, unicode escapes).
NEO4J_ATTACKS: dict[str, str] = {
    name: NEO4J_PAYLOADS[name]
    for name in (
        "load_csv",
        "load_csv_headers",
        "dbms_create_user",
        "dbms_set_config",
        "dbms_kill_transactions",
        "apoc_load_json",
        "apoc_load_csv",
        "apoc_export_csv",
        "apoc_import_json",
        "apoc_cypher_run_write",
        "apoc_cypher_run_first_column",
        "apoc_periodic_iterate",
        "use_system_create_user",
        "in_transactions",
        "call_subquery_create",
        "two_statements",
        "escaped_keyword_load_csv",
        "escaped_keyword_create",
        "escaped_quote_ends_string",
        "escaped_newline_ends_comment",
        "escaped_semicolon",
    )
}


def _spaces(replacement: str) -> Callable[[str], str]:
    return lambda payload: payload.replace(" ", replacement)


#: Ways to present a payload that leave it code for LadybugDB's lexer (and Neo4j's).
HIDERS: dict[str, Callable[[str], str]] = {
    "plain": lambda p: p,
    "lower_case": str.lower,
    "swapped_case": str.swapcase,
    "u2028_comment_quote": lambda p: f"// x\u2028 '\n{p} // '",
    "u2029_comment_quote": lambda p: f"// x\u2029 '\n{p} // '",
    "nel_comment_quote": lambda p: f"// x\x85 '\n{p} // '",
    "crlf_comment": lambda p: f"// just reading\r\n{p}",
    "block_comment_before": lambda p: f"/* read only */ {p} /* really */",
    "line_comment_after": lambda p: f"{p} // just reading",
    "escaped_quote_in_string": lambda p: f"WITH 'a\\' ' AS x {p}",
    "backslash_in_backticks": lambda p: f"WITH 1 AS `x\\` {p} //`",
    "doubled_quote": lambda p: f"WITH 'it''s' AS x {p}",
    "unicode_spaces": _spaces("\u00a0"),
    "line_separators": _spaces("\u2028"),
    "control_separators": _spaces("\x1c"),
    "tabs_and_newlines": _spaces("\n\t"),
}

#: Presentations that put the payload inside a comment for LadybugDB (it must run as a harmless read).
INERT: dict[str, Callable[[str], str]] = {
    "u2028_inside_line_comment": lambda p: f"RETURN 1 // x\u2028{p}",
    "nel_inside_line_comment": lambda p: f"RETURN 1 // x\x85{p}",
    "star_star_slash_block_comment": lambda p: f"RETURN 1 /* **/ {p} /* */",
}


def corpus(payloads: dict[str, str], watch: str) -> list[tuple[str, str]]:
    """Every payload under every hider: ``(name, cypher)``."""
    return [
        (f"{hider}:{name}", hide(text.replace("{watch}", watch)))
        for name, text in payloads.items()
        for hider, hide in HIDERS.items()
    ]


#: Reads the old guard refused; they must run.
FALSE_POSITIVES: dict[str, str] = {
    "map_keys_load_set": "RETURN {load: 1, set: 2} AS m",
    "alias_copy": "WITH 1 AS copy RETURN copy",
    "alias_begin": "MATCH (d:Drug) RETURN d.name AS begin",
    "call_db_version": "CALL db_version() RETURN *",
    "call_show_functions": "CALL show_functions() RETURN count(*)",
    "property_named_set": "MATCH (n:Drug) WHERE n.name <> 'set' RETURN n.name AS merge, n.id AS `delete`",
    "variable_named_load": "UNWIND [1, 2] AS load RETURN load, sum(load) AS commit",
    "label_pattern_copy": "MATCH (copy:Drug) RETURN copy.name",
    "words_in_strings": "MATCH (n:Drug) WHERE n.name = 'DELETE me; DROP TABLE x' RETURN count(n)",
    "words_in_comments": "// CREATE in a comment\nMATCH (n:Drug) /* SET */ RETURN count(n);",
    "show_tables": "CALL show_tables() RETURN *",
    "table_info": "CALL table_info('Drug') RETURN *",
    "current_setting": "CALL current_setting('threads') RETURN *",
    "u2028_inside_comment": "MATCH (d:Drug) RETURN d.name // x\u2028 DETACH DELETE d",
}
