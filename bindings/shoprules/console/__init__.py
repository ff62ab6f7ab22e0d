"""The operator console (`shoprules console`): a web app over a config source. Its web parts
need `pip install shoprules[console]`; `shoprules operators` needs only the standard library."""
