"""The embedded store: LadybugDB on disk, its statements, writes, walks and in-process indexes."""
