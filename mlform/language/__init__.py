"""The mlform language: HCL files parsed by python-hcl2, read into a typed model with a
position on every node, and evaluated by mlform's own evaluator.

python-hcl2 only parses. `syntax` turns its tree into `ast` nodes and rejects what HCL
itself rejects; `evaluator` computes values (with unknown and sensitive marks from `values`);
`config` and `loader` give the typed configuration of a directory.
"""
