"""The Neo4j store over Bolt: its statements and its console worker."""
