"""The local stack: template.yaml's resources on moto, the same handlers served over HTTP.

Dev-only: never shipped in the layer.
"""
