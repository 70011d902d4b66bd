"""Measures on networkx graphs: graph in, plain data out. No module here imports rdflib."""
