"""One module per page of the explorer (Explore, Paths, Cypher, Export, Add documents); each exposes ``render()``."""
