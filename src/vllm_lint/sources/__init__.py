"""The extract stage: each source format turns one decoded file into Launches.

``dispatch.extract`` picks the format's extractor by the file's kind; ``base`` holds the types
every format shares; the formats are grouped by family in sub-packages.
"""
