"""Uploaded files (`/v1/files`): dispute evidence, signatures and brand images."""
