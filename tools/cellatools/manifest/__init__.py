"""Capability manifests: a TOML description of a Cella system, checked, proven, drawn and packed.

Stages, each in its own module:
  parse     TOML text -> model (schema, types, names, references)   source, fields, model
  caps      each subject's capabilities, slots, badges and bits
  checks    against the platform (board), the programs and the fixed cell layout (memory)
  proof     take-grant closure and the isolation rules
  spec      the binary boot spec (libsel4-like/include/abi/bootspec.h)
  build, graph, explain, cli   the commands of tools/cella-manifest
"""
