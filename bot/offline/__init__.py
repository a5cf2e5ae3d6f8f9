"""The build, run by `make kb` and `make train`, never by a server: the knowledge base checked
against its source, the NLU data and entity patterns generated from it, and the training
fingerprint."""
