"""Outputs: tables, files and HTML built from networkx graphs and query results."""
