"""Shell pieces that run inside namespaces or the image build (package data, not Python)."""
