"""Capability manifests: a TOML description of a Cella system, checked, proven, drawn and packed.

One module per stage (docs/manifest.md describes the format):
  parse      TOML text -> model, with schema, type, name and reference checks
             (helped by source: line numbers, fields: typed keys, report: FILE:LINE: ENTRY: message)
  caps       each subject's capabilities: CNode slots, badges, notification bits
  checks     against the platform (board), the programs (programs) and the fixed cell layout (memory)
  proof      take-grant closure of authority, information-flow paths, the isolation rules
  spec       the binary boot spec (libsel4-like/include/abi/bootspec.h, docs/bootspec.md)
  analysis   runs the stages in order; build, graph, explain and cli are the commands
"""
