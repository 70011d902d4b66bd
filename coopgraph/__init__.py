"""coopgraph: a knowledge graph of international military cooperation.

Data flows one way (see docs/architecture.md): curated CSV files and importers feed an
embedded Oxigraph store; named SPARQL queries read it; ``project`` turns RDF into networkx
graphs; ``metrics`` computes on those graphs; ``outputs`` writes tables and HTML.
"""

__version__ = "0.1.0"
