"""Kubernetes side of cfngen: render the static base in ``manifests/`` for one
environment, write a kubeconfig, apply with kubectl, and clean up LoadBalancer
Services before the stacks are deleted.

Nothing here builds CloudFormation; everything reads the root stack's outputs.
"""
